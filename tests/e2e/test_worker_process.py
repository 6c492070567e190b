"""`chotdon serve`'s worker process, as an operator meets it: it is there, it does the work,
it comes back when it dies, and it never outlives the server."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import httpx
import pytest

from tests.database.test_facebook_webhook import (
    SECRET,
    URL,
    comment,
    envelope,
    facebook_bytes,
    signed,
)
from tests.e2e.test_facebook_serve import wait_for_status
from tests.e2e.test_serve import DEADLINE_S, Server, serving


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


def command_line(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0]
    except FileNotFoundError:
        return False
    return state != "Z"  # a zombie has exited; only its parent has not collected it yet


def worker_of(server: Server, not_pid: int | None = None) -> int:
    """The server's worker process (another than `not_pid`), waiting for it to start."""
    deadline = time.monotonic() + DEADLINE_S
    while True:
        found = [
            pid
            for pid in children(server.process.pid)
            if pid != not_pid and alive(pid) and "chotdon work" in command_line(pid)
        ]
        if found:
            return found[0]
        if time.monotonic() > deadline:
            pytest.fail(f"no worker process:\n{server.log.read_text()}")
        time.sleep(0.05)


def post_comment(server: Server, n: int) -> None:
    body = facebook_bytes(envelope(comment(n)))
    answer = httpx.post(server.base_url + URL, content=body, headers=signed(body), timeout=10)
    assert answer.status_code == 200, answer.text


def settings(database: Path, **extra: str) -> dict[str, str]:
    return {
        "CHOTDON_DATABASE_URL": f"sqlite+aiosqlite:///{database}",
        "FACEBOOK_APP_SECRET": SECRET,
        **extra,
    }


def test_the_worker_process_does_the_work_and_stops_with_the_server(tmp_path: Path):
    database = tmp_path / "chotdon.db"
    with serving(tmp_path, **settings(database)) as server:
        assert server.get("/healthz").status_code == 200
        worker = worker_of(server)
        post_comment(server, 1)
        assert wait_for_status(database, {"done", "failed"}) == "done"
        assert server.stop() == 0
    assert not alive(worker)
    log = server.log.read_text()
    assert f"worker process {worker} started" in log
    assert "worker process stopped" in log


def test_a_worker_process_that_dies_is_started_again_and_catches_up(tmp_path: Path):
    database = tmp_path / "chotdon.db"
    with serving(tmp_path, **settings(database)) as server:
        assert server.get("/healthz").status_code == 200
        first = worker_of(server)
        os.kill(first, signal.SIGKILL)
        post_comment(server, 1)  # accepted while no worker runs: it waits in the inbox

        second = worker_of(server, not_pid=first)

        assert wait_for_status(database, {"done", "failed"}) == "done"
        assert server.stop() == 0
    assert not alive(second)
    assert f"worker process {first} exited with -9; restarting" in server.log.read_text()


def test_a_worker_process_whose_server_was_killed_stops_by_itself(tmp_path: Path):
    database = tmp_path / "chotdon.db"
    with serving(tmp_path, **settings(database)) as server:
        assert server.get("/healthz").status_code == 200
        worker = worker_of(server)
        server.process.kill()
        server.process.wait()
        deadline = time.monotonic() + DEADLINE_S
        while alive(worker):
            assert time.monotonic() < deadline, "the orphaned worker process kept running"
            time.sleep(0.05)
    assert "the server process is gone; stopping" in server.log.read_text()


def test_with_worker_process_off_the_server_does_the_work_itself(tmp_path: Path):
    database = tmp_path / "chotdon.db"
    with serving(tmp_path, **settings(database, CHOTDON_WORKER_PROCESS="0")) as server:
        assert server.get("/healthz").status_code == 200
        post_comment(server, 1)
        assert wait_for_status(database, {"done", "failed"}) == "done"
        assert children(server.process.pid) == []
        assert server.stop() == 0
