"""The inbox across real processes: a receiving process killed after acknowledging, or while
handling, loses nothing (the child is `tests/inbox_child.py`), and `chotdon inbox list` and
`retry` as a person types them."""

from __future__ import annotations

import asyncio
import signal
import sys
from collections import Counter
from pathlib import Path

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from kernel.database import create_engine, session_factory
from kernel.inbox.processor import (
    InboxItem,
    Unprocessable,
)
from kernel.tables import utcnow
from tests import inbox_child
from tests.conftest import in_thread
from tests.database.test_facebook_webhook import (
    SECRET,
    URL,
    comment,
    envelope,
    facebook_bytes,
    signed,
)
from tests.database.test_inbox import (
    SOURCE,
    all_done,
    count,
    load,
    quick,
    recorder,
    running,
    status_is,
    store,
)
from tests.database.test_outbox import eventually, exists
from tests.e2e.test_cli import Chotdon
from tests.e2e.test_serve import free_port
from tests.helpers import DEADLINE_S

# A process killed at any moment loses nothing


async def start_child(
    mode: str, db_url: str, marker: Path
) -> tuple[asyncio.subprocess.Process, str]:
    port = free_port()
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        inbox_child.__file__,
        mode,
        db_url,
        str(port),
        SECRET,
        str(marker),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"

    async def answers() -> bool:
        try:
            async with httpx.AsyncClient() as http:
                return (await http.get(base + "/healthz")).status_code == 200
        except httpx.TransportError:
            assert child.returncode is None, "the child exited early"
            return False

    await eventually(answers, "the child serves")
    return child, base


async def kill(child: asyncio.subprocess.Process) -> None:
    child.send_signal(signal.SIGKILL)
    await asyncio.wait_for(child.wait(), timeout=DEADLINE_S)


async def test_bodies_acknowledged_by_a_killed_process_are_processed_after_restart(
    db_url, sessions, tmp_path
):
    child, base = await start_child("store-only", db_url, tmp_path / "unused")
    bodies = [facebook_bytes(envelope(comment(n, f"A1 {n}"))) for n in range(30)]
    try:
        async with httpx.AsyncClient(base_url=base) as http:
            answers = await asyncio.gather(
                *(http.post(URL, content=body, headers=signed(body)) for body in bodies)
            )
        assert [answer.status_code for answer in answers] == [200] * 30
    finally:
        await kill(child)

    assert await count(sessions, "pending") == 30
    handled: list[InboxItem] = []
    async with running(quick(sessions, {SOURCE: recorder(handled)})):
        await eventually(lambda: all_done(sessions, 30), "every acknowledged body processed")
    assert Counter(item.body for item in handled) == Counter(bodies)


async def test_a_body_whose_process_died_while_handling_it_is_handled_after_the_lease(
    db_url, sessions, tmp_path
):
    marker = tmp_path / "handling"
    child, base = await start_child("freeze", db_url, marker)
    body = facebook_bytes(envelope(comment(1)))
    try:
        async with httpx.AsyncClient(base_url=base) as http:
            answer = await http.post(URL, content=body, headers=signed(body))
        assert answer.status_code == 200
        await eventually(lambda: exists(marker), "the child started handling")
    finally:
        await kill(child)

    row_id = int(marker.read_text())
    frozen = await load(sessions, row_id)
    assert (frozen.status, frozen.locked_by, frozen.attempts) == (
        "processing",
        inbox_child.PROCESSOR_NAME,
        1,
    )
    handled: list[InboxItem] = []
    async with running(quick(sessions, {SOURCE: recorder(handled)})):
        await eventually(lambda: status_is(sessions, row_id, "done"), "the body handled again")
    assert [(item.id, item.attempt, item.body) for item in handled] == [(row_id, 2, body)]
    assert frozen.locked_until is not None and utcnow() >= frozen.locked_until


def test_inbox_list_and_retry_from_the_command_line(db_url, tmp_path):
    chotdon = Chotdon(tmp_path, db_url)
    failed, done = in_thread(_seed_failed_and_done(db_url))

    everything = chotdon("inbox", "list")
    assert everything.returncode == 0, everything.stderr
    header, *rows = everything.stdout.splitlines()
    assert header.split() == ["ID", "SOURCE", "STATUS", "ATTEMPTS", "RECEIVED", "LAST_ERROR"]
    assert [row.split()[:4] for row in rows] == [
        [str(done), "facebook", "done", "1"],
        [str(failed), "facebook", "failed", "1"],
    ]

    only_failed = chotdon("inbox", "list", "--failed")
    [row] = only_failed.stdout.splitlines()[1:]
    assert row.split(maxsplit=6)[6] == "unprocessable: entry is not a list"

    assert chotdon("inbox", "retry", str(done)).returncode == 1
    retried = chotdon("inbox", "retry", str(failed))
    assert retried.returncode == 0, retried.stderr
    assert f"Inbox body {failed}" in retried.stdout
    assert chotdon("inbox", "list", "--failed").stdout.strip() == "No failed webhook bodies."
    missing = chotdon("inbox", "retry", "999999")
    assert missing.returncode == 1 and "no inbox body 999999" in missing.stderr


async def _seed_failed_and_done(db_url: str) -> tuple[int, int]:
    engine = create_engine(db_url)
    try:
        failed, done = await store(engine, b'{"entry": 1}', b'{"entry": []}')

        async def handle(session: AsyncSession, item: InboxItem) -> None:
            if item.id == failed:
                raise Unprocessable("entry is not a list")

        await quick(session_factory(engine), {SOURCE: handle}).run_once()
        return failed, done
    finally:
        await engine.dispose()
