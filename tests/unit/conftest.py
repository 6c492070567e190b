"""Keeps the unit layer honest: a test here that reaches for a database, a socket or a child
process fails at once, naming what it did, instead of quietly making `make test-unit` slow or
dependent on the machine. Such a test belongs in `tests/database/` or `tests/e2e/`."""

from __future__ import annotations

import multiprocessing.util
import os
import socket
import sqlite3
import subprocess
from collections.abc import Callable
from typing import Any

import pytest

# The shared fixtures (tests/conftest.py) that give a database or a server: asking for one is
# refused before it is built, so no database is migrated for a test that will fail anyway.
IMPURE_FIXTURES = {
    "aiohttp_client",
    "aiohttp_raw_server",
    "aiohttp_server",
    "db_url",
    "engine",
    "postgres_migrated",
    "read_only_postgres",
    "root",
    "service",
    "sessions",
    "sqlite_template",
    "sqlite_url",
}
ELSEWHERE = "it belongs in tests/database/ or tests/e2e/ (see tests/unit/__init__.py)"


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    asked = IMPURE_FIXTURES.intersection(getattr(item, "fixturenames", ()))
    if asked:
        pytest.fail(f"a unit test asked for {', '.join(sorted(asked))}: {ELSEWHERE}", pytrace=False)


def _refuse(what: str) -> Callable[..., Any]:
    def refused(*args: object, **kwargs: object) -> Any:
        pytest.fail(f"a unit test {what}: {ELSEWHERE}", pytrace=False)

    return refused


@pytest.fixture(autouse=True)
def _pure(monkeypatch: pytest.MonkeyPatch) -> None:
    """Sockets may be made (the event loop's own pair is one) but never bound or connected."""
    for method in ("bind", "connect", "connect_ex", "sendto"):
        monkeypatch.setattr(socket.socket, method, _refuse(f"opened a socket ({method})"))
    monkeypatch.setattr(sqlite3, "connect", _refuse("opened a SQLite database"))
    monkeypatch.setattr(subprocess.Popen, "_execute_child", _refuse("started a process"))
    monkeypatch.setattr(os, "fork", _refuse("forked a process"))
    monkeypatch.setattr(multiprocessing.util, "spawnv_passfds", _refuse("started a process"))
