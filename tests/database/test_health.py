"""`/healthz` tells a load balancer the truth: 200 only while the service can take writes
where webhooks land and in the main database; 503 with a reason while the database is
read-only or its disk is full; 200 again once it can write. Real app over HTTP, real
PostgreSQL switched to read-only, a real size-capped tmpfs filled with a ballast file."""

from __future__ import annotations

import errno
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from chotdon.app import create_app
from tests.conftest import make_settings
from tests.database.test_facebook_webhook import SECRET, comment, envelope, facebook_bytes, signed
from tests.helpers import eventually

DISK_MB = 48  # the tmpfs; the service wants 16 MB free (CHOTDON_MIN_FREE_DISK_MB)


async def health(client: TestClient) -> tuple[int, dict[str, Any]]:
    async with client.get("/healthz") as answer:
        return answer.status, await answer.json()


async def becomes(client: TestClient, status: int) -> dict[str, Any]:
    """The body of the first `/healthz` answer with `status` (answers are kept a second)."""

    async def check() -> dict[str, Any] | None:
        got, body = await health(client)
        return body if got == status else None

    return await eventually(check, f"/healthz answering {status}")


async def test_healthz_is_503_while_postgres_is_read_only_and_200_once_it_is_not(
    aiohttp_client: Any, postgres_migrated: str, read_only_postgres: Any
):
    app = create_app(
        make_settings(postgres_migrated), run_worker=False, run_inbox=False, run_bot=False
    )
    client = await aiohttp_client(app)
    assert await health(client) == (200, {"status": "ok"})

    await read_only_postgres(True)
    body = await becomes(client, 503)
    assert body == {"status": "unavailable", "message": "The database is read-only."}

    await read_only_postgres(False)
    assert await becomes(client, 200) == {"status": "ok"}


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A folder on a tmpfs of DISK_MB, mounted for the test (as root, here and in CI)."""
    folder = tmp_path / "disk"
    folder.mkdir()
    try:
        mounted = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={DISK_MB}m", "tmpfs", str(folder)],
            capture_output=True,
            text=True,
        )
    except FileNotFoundError:
        pytest.skip("no mount command here: the disk-full case needs a size-capped tmpfs")
    if mounted.returncode != 0:
        why = mounted.stderr.strip() or f"mount exited {mounted.returncode}"
        pytest.skip(f"cannot mount a size-capped tmpfs here (needs root): {why}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def fill(path: Path) -> None:
    """Write a ballast file until the disk has no room left."""
    block = b"\0" * (1024 * 1024)
    with path.open("wb") as ballast:
        try:
            while True:
                ballast.write(block)
                ballast.flush()
        except OSError as error:
            assert error.errno == errno.ENOSPC, error


async def test_healthz_is_503_while_the_sqlite_disk_is_full_and_200_once_there_is_room(
    aiohttp_client: Any, sqlite_template: Path, small_disk: Path
):
    for name in ("chotdon.db", "chotdon-inbox.db"):  # the inbox in a file of its own
        shutil.copy(sqlite_template, small_disk / name)
    settings = make_settings(
        f"sqlite+aiosqlite:///{small_disk / 'chotdon.db'}",
        inbox_database_url=None,
        facebook_app_secret=SECRET,
    )
    client = await aiohttp_client(
        create_app(settings, run_worker=False, run_inbox=False, run_bot=False)
    )
    assert await health(client) == (200, {"status": "ok"})

    ballast = small_disk / "ballast"
    fill(ballast)
    body = await becomes(client, 503)
    assert body["status"] == "unavailable"
    assert body["message"].startswith("The disk holding chotdon-inbox.db is full: 0 MB free")

    ballast.unlink()
    assert await becomes(client, 200) == {"status": "ok"}
    delivery = facebook_bytes(envelope(comment(1)))
    async with client.post("/webhooks/facebook", data=delivery, headers=signed(delivery)) as hook:
        assert hook.status == 200
