"""The two databases the service runs on, each scenario in a fresh one of its own.

Migrating and seeding cost seconds, so each backend does it once into a template and copies
it per scenario: SQLite copies the two files (the main one and the inbox beside it),
PostgreSQL creates the scenario's database `TEMPLATE` the migrated one. Every database the
suite creates is called `chotdon_chaos*` and dropped at the end.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from application.live_sessions import open_session
from chotdon.migrate import upgrade_all
from chotdon.settings import Settings
from kernel.database import create_engine, session_factory
from orders.catalog import import_items, parse_items_csv

SAMPLE_ITEMS = Path(__file__).resolve().parent.parent / "samples" / "items.csv"
VIDEO_ID = "880000000000001"  # the live every scenario's comments are on
DEFAULT_POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432"
PREFIX = "chotdon_chaos"
CONNECT_TIMEOUT_S = 5.0
# Alembic keeps its migration context in module globals: two upgrades at once (the backends
# prepare side by side) would share it, so they take turns.
_MIGRATING = asyncio.Lock()


@dataclass(frozen=True)
class Database:
    """One scenario's database: the URL the service is given and the suite counts through."""

    backend: str
    url: str
    folder: Path | None = None  # SQLite: the folder of the files
    name: str | None = None  # PostgreSQL: the database's name

    @property
    def inbox_url(self) -> str:
        return Settings(_env_file=None, database_url=self.url).inbox_url  # type: ignore[call-arg]


async def seed(url: str) -> None:
    """The sample catalog and one open live, as `chotdon items import` and `chotdon live
    open` would leave them (the same functions)."""
    inbox = Settings(_env_file=None, database_url=url).inbox_url  # type: ignore[call-arg]
    async with _MIGRATING:
        await asyncio.to_thread(upgrade_all, url, inbox)
    engine = create_engine(url)
    try:
        async with session_factory(engine).begin() as session:
            await import_items(session, parse_items_csv(SAMPLE_ITEMS.read_text(encoding="utf-8")))
            await open_session(session, VIDEO_ID, title="Chaos live")
    finally:
        await engine.dispose()


class SqliteBackend:
    name = "sqlite"

    def __init__(self, work: Path) -> None:
        self.template = work / "sqlite-template"

    async def prepare(self) -> None:
        self.template.mkdir(parents=True)
        await seed(f"sqlite+aiosqlite:///{self.template / 'chotdon.db'}")

    async def fresh(self, folder: Path, scenario: str) -> Database:
        """A copy of the template in `folder` (which may be a mount point of its own)."""
        await asyncio.to_thread(self._copy, folder)
        return Database(self.name, f"sqlite+aiosqlite:///{folder / 'chotdon.db'}", folder=folder)

    def _copy(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        for file in self.template.iterdir():
            if file.suffix != ".migrate-lock":
                shutil.copy2(file, folder / file.name)

    async def drop(self, database: Database) -> None:
        """The files go with the suite's temporary folder."""

    async def close(self) -> None:
        """Nothing outside the temporary folder."""


def postgres_server_url(environ: dict[str, str] | None = None) -> str:
    """CHOTDON_CHAOS_POSTGRES_URL, else CHOTDON_TEST_POSTGRES_URL, else the local default;
    whatever database it names is replaced by the suite's own."""
    env = os.environ if environ is None else environ
    return (
        env.get("CHOTDON_CHAOS_POSTGRES_URL")
        or env.get("CHOTDON_TEST_POSTGRES_URL")
        or DEFAULT_POSTGRES
    )


def with_database(url: str, name: str, *, driver: str | None = None) -> str:
    parsed = make_url(url).set(database=name)
    if driver:
        parsed = parsed.set(drivername=driver)
    return parsed.render_as_string(hide_password=False)


class PostgresUnavailable(Exception):
    """No PostgreSQL answers at the server URL: the backend cannot run."""


class PostgresBackend:
    name = "postgresql"

    def __init__(self, server_url: str) -> None:
        self.server_url = server_url
        self.template = f"{PREFIX}_template"
        self.created: list[str] = []

    async def admin(self, sql: str, *, database: str = "postgres") -> list[tuple]:
        import asyncpg  # the suite's PostgreSQL side only; installed with [dev]

        dsn = with_database(self.server_url, database, driver="postgresql")
        try:
            connection = await asyncpg.connect(dsn, timeout=CONNECT_TIMEOUT_S)
        except (OSError, asyncpg.PostgresError, TimeoutError) as error:
            raise PostgresUnavailable(f"{make_url(dsn)!r}: {error}") from error
        try:
            return [tuple(row) for row in await connection.fetch(sql)]
        finally:
            await connection.close()

    async def prepare(self) -> None:
        await self._drop_leftovers()
        await self.admin(f'CREATE DATABASE "{self.template}"')
        self.created.append(self.template)
        await seed(with_database(self.server_url, self.template))

    async def fresh(self, folder: Path, scenario: str) -> Database:
        name = f"{PREFIX}_{scenario.replace('-', '_')}"
        await self.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await self.admin(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        self.created.append(name)
        return Database(self.name, with_database(self.server_url, name), name=name)

    async def drop(self, database: Database) -> None:
        if database.name:
            await self.admin(f'DROP DATABASE IF EXISTS "{database.name}" WITH (FORCE)')
            if database.name in self.created:
                self.created.remove(database.name)

    async def close(self) -> None:
        for name in reversed(self.created):
            await self.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.created.clear()

    async def _drop_leftovers(self) -> None:
        """Databases an interrupted run left behind (only the suite's own names)."""
        rows = await self.admin(
            f"SELECT datname FROM pg_database WHERE left(datname, {len(PREFIX)}) = '{PREFIX}'"
        )
        for (name,) in rows:
            await self.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
