"""The README's API walkthrough, run as a reader would paste it into a shell: against a real
`chotdon serve` in demo mode (the sample catalog and live, so the livestream drafts are there
too), with `curl` and `python3`. It must act on the order it created, not on order 1."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.conftest import API_TOKEN
from tests.e2e.test_serve import serving
from tests.helpers import clean_environment, eventually

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
EXPECTED = json.loads((ROOT / "samples" / "livestream.expected.json").read_text(encoding="utf-8"))
START = 'H="Authorization: Bearer $CHOTDON_API_TOKEN"\nAPI='


def walkthrough(base_url: str) -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index(START)
    return text[start : text.index("```", start)].replace("http://127.0.0.1:8080", base_url)


@pytest.mark.skipif(shutil.which("curl") is None, reason="the walkthrough uses curl")
async def test_the_readmes_api_walkthrough_ships_the_order_it_created(tmp_path: Path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'chotdon.db'}"
    with serving(
        tmp_path, CHOTDON_DATABASE_URL=url, CHOTDON_DEMO="1", CHOTDON_API_TOKEN=API_TOKEN
    ) as server:
        headers = {"Authorization": f"Bearer {API_TOKEN}"}

        async def drafts() -> list[dict] | None:
            try:
                async with httpx.AsyncClient() as client:
                    answer = await client.get(
                        f"{server.base_url}/api/orders",
                        params={"status": "draft", "limit": 200},
                        headers=headers,
                    )
            except httpx.TransportError:  # not listening yet
                return None
            found = answer.json()["orders"] if answer.status_code == 200 else []
            return found if len(found) >= len(EXPECTED["drafts"]) else None

        livestream = await eventually(drafts, "the demo's drafts", deadline_s=90.0)
        script = "set -eu\n" + walkthrough(server.base_url)
        ran = await asyncio.to_thread(
            subprocess.run,
            ["bash", "-c", script],
            env=clean_environment(CHOTDON_API_TOKEN=API_TOKEN),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert ran.returncode == 0, ran.stderr
        shipped = re.findall(r'"id": (\d+), "code": "[^"]+", "status": "shipping"', ran.stdout)
        assert len(shipped) == 1, ran.stdout
        async with httpx.AsyncClient() as client:
            answer = await client.get(f"{server.base_url}/api/orders/{shipped[0]}", headers=headers)
        order = answer.json()
        assert order["source"] == "manual"
        assert order["customer"]["name"] == "Nguyễn Thị Hoa"
        assert order["note"] == "gọi trước khi giao"
        assert order["shipper"]["name"] == "Anh Tuấn"
        # The livestream drafts are as the live left them: none was edited or moved.
        after = {o["id"]: o["version"] for o in await drafts() or []}
        assert after == {o["id"]: o["version"] for o in livestream if o["id"] in after}
        assert set(after) >= {o["id"] for o in livestream}
        assert server.stop() == 0
