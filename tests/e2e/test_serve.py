"""`chotdon serve` as a newcomer and a platform run it: a real process on a real port, asked
by HTTP whether it is up, and stopped with SIGTERM."""

from __future__ import annotations

import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.helpers import DEADLINE_S, clean_environment


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    base_url: str
    log: Path

    def get(self, path: str) -> httpx.Response:
        """The first answer from the server, waiting for it to start listening."""
        deadline = time.monotonic() + DEADLINE_S
        while True:
            try:
                return httpx.get(self.base_url + path, timeout=5)
            except httpx.TransportError:
                if self.process.poll() is not None:
                    pytest.fail(f"chotdon serve exited early:\n{self.log.read_text()}")
                if time.monotonic() > deadline:
                    pytest.fail(f"chotdon serve did not answer within {DEADLINE_S} s")
                time.sleep(0.05)

    def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=DEADLINE_S)
        except subprocess.TimeoutExpired:
            pytest.fail(f"chotdon serve did not stop on SIGTERM:\n{self.log.read_text()}")


@contextmanager
def serving(
    directory: Path,
    *args: str,
    preexec_fn: Callable[[], None] | None = None,
    **variables: str,
) -> Iterator[Server]:
    """`chotdon serve` on a free port; `PORT` stands in for `--port` when it is given.
    `preexec_fn` runs in the child before `chotdon` starts (e.g. to lower its file limit)."""
    port = int(variables.get("PORT") or free_port())
    port_args = [] if "PORT" in variables else ["--port", str(port)]
    log = directory / "serve.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "chotdon", "serve", *port_args, *args],
            cwd=directory,
            env=clean_environment(**variables),
            stdout=output,
            stderr=subprocess.STDOUT,
            preexec_fn=preexec_fn,
        )
    try:
        yield Server(process, f"http://127.0.0.1:{port}", log)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def tables(database: Path) -> set[str]:
    with sqlite3.connect(database) as connection:
        rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        return {name for (name,) in rows}


def test_a_newcomer_serves_a_fresh_sqlite_file_and_stops_cleanly(tmp_path: Path):
    database = tmp_path / "chotdon.db"
    with serving(tmp_path, CHOTDON_DATABASE_URL=f"sqlite+aiosqlite:///{database}") as server:
        health = server.get("/healthz")
        assert (health.status_code, health.json()) == (200, {"status": "ok"})

        metrics = server.get("/metrics")
        assert metrics.status_code == 200
        assert metrics.headers["content-type"].startswith("text/plain")
        assert "chotdon_http_requests" in metrics.text

        assert {"alembic_version", "orders", "outbox", "staff"} <= tables(database)
        assert server.stop() == 0
    log = server.log.read_text()
    assert "Traceback" not in log
    assert "outbox worker" in log and "stopped" in log


def test_with_auto_migrate_off_the_schema_is_left_alone(tmp_path: Path):
    database = tmp_path / "chotdon.db"
    with serving(
        tmp_path,
        CHOTDON_DATABASE_URL=f"sqlite+aiosqlite:///{database}",
        CHOTDON_AUTO_MIGRATE="0",
        PORT=str(free_port()),
    ) as server:
        health = server.get("/healthz")
        assert (health.status_code, health.json()) == (200, {"status": "ok"})
        assert "alembic_version" not in tables(database)
        assert server.stop() == 0


def test_healthz_is_503_while_the_database_does_not_answer(tmp_path: Path):
    with serving(
        tmp_path,
        CHOTDON_DATABASE_URL="postgresql+asyncpg://chotdon@127.0.0.1:1/chotdon",
        CHOTDON_AUTO_MIGRATE="0",
    ) as server:
        health = server.get("/healthz")
        assert health.status_code == 503
        assert health.json()["status"] != "ok"
        assert server.stop() == 0
