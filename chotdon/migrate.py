"""Schema migrations through Alembic, configured in code so an installed package can run them."""

from __future__ import annotations

import asyncio
import fcntl
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import make_url

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade_all(database_url: str, inbox_url: str) -> None:
    """The main database and, when it is a file of its own, the inbox's. The inbox file is
    migrated like the main one (it has every table, and uses one), so the two never drift."""
    upgrade(database_url)
    if inbox_url != database_url:
        upgrade(inbox_url)


def upgrade(database_url: str, revision: str = "head") -> None:
    """Bring the schema to `revision`.

    Alembic runs its own event loop; called from inside one, it runs in a thread instead.
    """
    with _one_at_a_time(database_url):
        _upgrade(database_url, revision)


@contextmanager
def _one_at_a_time(database_url: str) -> Iterator[None]:
    """On SQLite, Alembic's DDL is not transactional: two commands migrating a new file at once
    (two CLI calls on a fresh install) would both create the same tables, and one would fail.
    A lock file beside the database makes them take turns; PostgreSQL needs none."""
    url = make_url(database_url)
    path = url.database or ""
    if url.get_backend_name() != "sqlite" or path in ("", ":memory:"):
        yield
        return
    with open(f"{path}.migrate-lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _upgrade(database_url: str, revision: str) -> None:
    config = alembic_config(database_url)
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        command.upgrade(config, revision)
        return
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(command.upgrade, config, revision).result()
