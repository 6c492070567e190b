"""Catch-up polling in a real `chotdon serve`: the poller runs in the worker process beside the
inbox processor, reads the fake Graph over loopback, and a comment the webhook never delivered
becomes a draft; the web process's `/metrics` counts it under `poll`."""

from __future__ import annotations

import asyncio
import sqlite3
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.test_serve import serving
from tests.fakes.graph import FakeGraph
from tests.helpers import clean_environment, eventually

PAGE = "1122334455"
VIDEO = "5566778899"
TOKEN = "EAAG-page-token"


@pytest.fixture
def fake() -> FakeGraph:
    return FakeGraph(access_token=TOKEN, page_id=PAGE)


@pytest.fixture
async def graph_url(fake: FakeGraph, aiohttp_server) -> AsyncIterator[str]:
    server = await aiohttp_server(fake.app())
    yield str(server.make_url("")).rstrip("/")


async def test_serve_polls_an_open_live_and_the_missed_comment_becomes_a_draft(
    tmp_path: Path, fake: FakeGraph, graph_url: str
):
    database = tmp_path / "chotdon.db"
    variables = {
        "CHOTDON_DATABASE_URL": f"sqlite+aiosqlite:///{database}",
        "FACEBOOK_PAGE_ID": PAGE,
        "FACEBOOK_PAGE_ACCESS_TOKEN": TOKEN,
        "FACEBOOK_GRAPH_URL": graph_url,
        "CHOTDON_HIDE_PHONE_COMMENTS": "0",
        "CHOTDON_COMMENT_POLL_SECONDS": "0.5",
    }
    fake.add_video(VIDEO)
    fake.add_live_comment(VIDEO, f"{VIDEO}_1", "A1 2", from_id="fb-hoa", from_name="Hoa")
    with serving(tmp_path, **variables) as server:
        async with httpx.AsyncClient(base_url=server.base_url) as http:

            async def up() -> bool:
                try:
                    return (await http.get("/healthz")).status_code == 200
                except httpx.TransportError:
                    return False

            await eventually(up, "serve answers")
            opened = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "chotdon", "live", "open", VIDEO,
                cwd=tmp_path, env=clean_environment(**variables),
            )  # fmt: skip
            assert await opened.wait() == 0

            async def polled() -> bool:
                with sqlite3.connect(database) as connection:
                    row = connection.execute(
                        "SELECT source, order_id FROM comments WHERE comment_id = ?",
                        (f"{VIDEO}_1",),
                    ).fetchone()
                return row is not None and row == ("poll", row[1]) and row[1] is not None

            await eventually(polled, "the polled comment in a draft")
            metrics = (await http.get("/metrics")).text
        assert server.stop() == 0
    assert 'chotdon_live_comments_by_source{source="poll"} 1.0' in metrics
    assert "comment poller started" in server.log.read_text()
