"""Small things many test modules need: waiting for work with a deadline, a free port, a
database that refuses a text."""

from __future__ import annotations

import asyncio
import os
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TypeVar

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

# How long a test waits for a condition before it fails: passing tests never wait this long,
# and a loaded 2-core machine (a whole suite beside another) has taken over 20 s.
DEADLINE_S = 60.0
T = TypeVar("T")


async def eventually(
    check: Callable[[], Awaitable[T]], what: str, *, deadline_s: float = DEADLINE_S
) -> T:
    """The first truthy answer of `check`, asked until the deadline; no fixed sleeps."""
    deadline = time.monotonic() + deadline_s
    while True:
        answer = await check()
        if answer:
            return answer
        if time.monotonic() > deadline:
            pytest.fail(f"not within {deadline_s} s: {what}")
        await asyncio.sleep(0.02)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@asynccontextmanager
async def refusing(
    engine: AsyncEngine, table: str, column: str, marker: str
) -> AsyncIterator[None]:
    """While inside, the database refuses any update that writes `marker` into `column`: a
    trigger standing in for whatever refusal of a text nobody foresaw (a real one, raised by
    the database itself, not a patched function). Dropped on the way out: PostgreSQL's schema
    outlives the test."""
    name = f"refuse_{table}_{column}"
    if engine.dialect.name == "sqlite":
        create = [
            f"CREATE TRIGGER {name} BEFORE UPDATE OF {column} ON {table} "
            f"WHEN NEW.{column} LIKE '%{marker}%' "
            "BEGIN SELECT RAISE(ABORT, 'refused by the test''s trigger'); END"
        ]
        drop = [f"DROP TRIGGER IF EXISTS {name}"]
    else:
        create = [
            f"CREATE FUNCTION {name}() RETURNS trigger AS $$ BEGIN "
            f"IF NEW.{column} LIKE '%{marker}%' THEN "
            "RAISE EXCEPTION 'refused by the test''s trigger'; END IF; "
            "RETURN NEW; END $$ LANGUAGE plpgsql",
            f"CREATE TRIGGER {name} BEFORE UPDATE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {name}()",
        ]
        drop = [f"DROP TRIGGER IF EXISTS {name} ON {table}", f"DROP FUNCTION IF EXISTS {name}()"]
    async with engine.begin() as connection:
        for statement in create:
            await connection.execute(text(statement))
    try:
        yield
    finally:
        async with engine.begin() as connection:
            for statement in drop:
                await connection.execute(text(statement))


# Variables a developer's shell may carry that would change what a started command sees.
SETTING_PREFIXES = (
    "CHOTDON_",
    "FACEBOOK_",
    "TELEGRAM_",
    "GHN_",
    "GHTK_",
    "VIETTELPOST_",
    "AHAMOVE_",
    "SHOP_",
)


def clean_environment(**variables: str) -> dict[str, str]:
    """This process's environment without the service's settings, plus `variables`: what a
    developer has exported must not change what a test or the chaos suite sees."""
    kept = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(SETTING_PREFIXES) and name != "PORT"
    }
    return {**kept, **variables}
