"""The Facebook receiver in a real `chotdon serve`: a signed delivery stored and processed, and
what its access log keeps."""

from __future__ import annotations

import sqlite3
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
from tests.e2e.test_serve import serving
from tests.helpers import DEADLINE_S

# Through the real entry point


def test_chotdon_serve_stores_a_signed_delivery_and_processes_it(tmp_path: Path):
    database = tmp_path / "chotdon.db"
    body = facebook_bytes(envelope(comment(1)))
    with serving(
        tmp_path,
        CHOTDON_DATABASE_URL=f"sqlite+aiosqlite:///{database}",
        FACEBOOK_APP_SECRET=SECRET,
    ) as server:
        assert server.get("/healthz").status_code == 200
        answer = httpx.post(server.base_url + URL, content=body, headers=signed(body), timeout=10)
        assert answer.status_code == 200, answer.text
        status = wait_for_status(database, {"done", "failed"})
        assert server.stop() == 0
    # With no ingest wired the body fails with a reason; with it, it is done. Never dropped.
    assert status == "done" or "no handler" in (last_error(database) or "")
    assert "inbox processor" in server.log.read_text()


def wait_for_status(database: Path, wanted: set[str]) -> str:
    deadline = time.monotonic() + DEADLINE_S
    while True:
        with sqlite3.connect(database) as connection:
            row = connection.execute("SELECT status FROM inbox").fetchone()
        if row and row[0] in wanted:
            return row[0]
        if time.monotonic() > deadline:
            pytest.fail(f"the inbox row is still {row} after {DEADLINE_S} s")
        time.sleep(0.05)


def last_error(database: Path) -> str | None:
    with sqlite3.connect(database) as connection:
        return connection.execute("SELECT last_error FROM inbox").fetchone()[0]


def test_chotdon_serve_logs_refused_deliveries_but_not_each_accepted_one(tmp_path: Path):
    database = tmp_path / "chotdon.db"
    body = facebook_bytes(envelope(comment(1)))
    with serving(
        tmp_path,
        CHOTDON_DATABASE_URL=f"sqlite+aiosqlite:///{database}",
        FACEBOOK_APP_SECRET=SECRET,
    ) as server:
        assert server.get("/healthz").status_code == 200
        accepted = httpx.post(server.base_url + URL, content=body, headers=signed(body))
        forged = httpx.post(server.base_url + URL, content=body, headers=signed(body, "wrong"))
        assert (accepted.status_code, forged.status_code) == (200, 401)
        metrics = server.get("/metrics").text
        assert server.stop() == 0
    access = [line for line in server.log.read_text().splitlines() if "aiohttp.access" in line]
    assert any('"POST /webhooks/facebook HTTP/1.1" 401' in line for line in access)
    assert not any('"POST /webhooks/facebook HTTP/1.1" 200' in line for line in access)
    assert any('"GET /healthz HTTP/1.1" 200' in line for line in access)
    assert 'route="/webhooks/facebook",status="200"' in metrics
