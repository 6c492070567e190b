"""Shared fixtures: a real database per test, on SQLite and (when configured) PostgreSQL.

SQLite: a template file is migrated once, then copied for each test. PostgreSQL: the schema is
migrated once per run into the database of `CHOTDON_TEST_POSTGRES_URL`, and every table is
truncated before each test. When that variable is set and the server does not answer, the
PostgreSQL tests fail rather than skip.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator, Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from application.services import OrderService
from bot.webhook import SECRET_HEADER
from chotdon.migrate import upgrade
from chotdon.schema import metadata
from chotdon.settings import Settings
from kernel.database import create_engine, session_factory
from tests.fakes.telegram import DEFAULT_TOKEN, FakeTelegram, Message
from tests.helpers import eventually

POSTGRES_URL = os.environ.get("CHOTDON_TEST_POSTGRES_URL")
API_TOKEN = "test-token"
BACKENDS = ["sqlite", "postgres"]
T = TypeVar("T")


LAYERS = ("unit", "database", "e2e", "browser")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A test module lives in the folder of its layer, so each layer runs alone and whole."""
    tests = Path(__file__).parent
    astray = sorted(
        {str(item.path.relative_to(tests)) for item in items if item.path.parent == tests}
    )
    if astray:
        raise pytest.UsageError(
            f"test modules beside the layer folders: {', '.join(astray)}; move each into "
            f"tests/{{{','.join(LAYERS)}}}/ (see the rule in each folder's __init__.py)"
        )


NO_POSTGRES = "CHOTDON_TEST_POSTGRES_URL is not set"
HOW_TO_POSTGRES = (
    "set CHOTDON_TEST_POSTGRES_URL=postgresql+asyncpg://USER@HOST:5432/SCRATCH_DB to run them "
    "(its schema is dropped and recreated: point it at a scratch database), e.g. "
    "`CHOTDON_TEST_POSTGRES_URL=postgresql+asyncpg://postgres@127.0.0.1/chotdon_test make test`"
)


def pytest_report_header(config: pytest.Config) -> str:
    if POSTGRES_URL:
        return f"PostgreSQL: {make_url(POSTGRES_URL).render_as_string(hide_password=True)}"
    return f"PostgreSQL: not tested ({NO_POSTGRES}); {HOW_TO_POSTGRES}"


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """At the end, where `make test` leaves the eye: why the PostgreSQL cases were skipped."""
    skipped = [
        report
        for report in terminalreporter.stats.get("skipped", [])
        if NO_POSTGRES in str(getattr(report, "longrepr", ""))
    ]
    if skipped:
        terminalreporter.write_sep("-", "PostgreSQL")
        terminalreporter.write_line(
            f"{len(skipped)} PostgreSQL cases skipped: {NO_POSTGRES}; {HOW_TO_POSTGRES}."
        )


def in_thread(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to the end on a loop of its own, even when called from a running loop."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


async def _reset_postgres(url: str) -> None:
    engine = create_engine(url, pool_size=1, max_overflow=0)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_migrated() -> str:
    if not POSTGRES_URL:
        pytest.skip(NO_POSTGRES)
    try:
        in_thread(_reset_postgres(POSTGRES_URL))
    except Exception as error:  # the variable is set: a dead server is a failure, not a skip
        pytest.fail(f"PostgreSQL at CHOTDON_TEST_POSTGRES_URL does not answer: {error!r}")
    upgrade(POSTGRES_URL)
    return POSTGRES_URL


async def _truncate_all(url: str) -> None:
    engine = create_engine(url, pool_size=1, max_overflow=0)
    names = ", ".join(f'"{table.name}"' for table in metadata.sorted_tables)
    try:
        async with engine.begin() as connection:
            await connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    finally:
        await engine.dispose()


async def set_read_only(url: str, on: bool) -> None:
    """`ALTER DATABASE` from the maintenance database: new connections to ours follow it."""
    name = make_url(url).database
    engine = create_engine(make_url(url).set(database="postgres").render_as_string(False))
    try:
        async with engine.begin() as connection:
            setting = "on" if on else "off"
            await connection.execute(
                text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = {setting}')
            )
    finally:
        await engine.dispose()


@pytest.fixture
async def read_only_postgres(postgres_migrated: str) -> AsyncIterator[Any]:
    """Switches the test database to read-only and back; always back, even on failure."""
    url = postgres_migrated

    async def switch(on: bool) -> None:
        await set_read_only(url, on)

    try:
        yield switch
    finally:
        await set_read_only(url, False)


@pytest.fixture(params=BACKENDS)
async def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database; tests using it run once per backend."""
    if request.param == "sqlite":
        path = tmp_path / "chotdon.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite+aiosqlite:///{path}"
    url = request.getfixturevalue("postgres_migrated")
    await _truncate_all(url)
    return url


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    """For tests that are about one process on the embedded default only."""
    path = tmp_path / "chotdon.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(db_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return session_factory(engine)


@pytest.fixture
def service(sessions: async_sessionmaker[AsyncSession]) -> OrderService:
    return OrderService(sessions)


def make_settings(database_url: str, **overrides: object) -> Settings:
    """Settings as a test wants them: no `.env`, no environment surprises for the database."""
    values: dict[str, object] = {
        "database_url": database_url,
        "inbox_database_url": database_url,  # one file unless a test is about the split
        "api_token": API_TOKEN,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


# The staff group and webhook secret of the bot tests: the fake Bot API posts updates to the
# service's /telegram/webhook with this secret, as Telegram would.
GROUP = -1001234567890
SECRET = "s3cret-Token_1"
STAFF = 1001  # the Telegram id of the staff member who taps in `tap`


def bot_settings(database_url: str, root: str, **overrides: object) -> Settings:
    """A service whose bot talks to the fake Bot API at `root`, in webhook mode, carding to
    GROUP."""
    values: dict[str, object] = {
        "telegram_bot_token": DEFAULT_TOKEN,
        "telegram_api_url": root,
        "telegram_staff_chat_id": GROUP,
        "telegram_webhook_secret": SECRET,
        "public_url": "https://shop.example",
    }
    values.update(overrides)
    return make_settings(database_url, **values)


async def tap(client: TestClient, fake: FakeTelegram, message: Message, data: str) -> dict:
    """STAFF taps the button `data` under `message`: the fake posts the update to the
    service's webhook; returns the callback query's answer."""
    update = fake.callback_update(fake.user(STAFF), GROUP, message.message_id, data)
    async with client.post(
        "/telegram/webhook", json=update, headers={SECRET_HEADER: SECRET}
    ) as answer:
        assert answer.status == 200
    query_id = update["callback_query"]["id"]

    async def answered() -> dict[str, Any] | None:
        return fake.callback_answers.get(query_id)

    return await eventually(answered, f"the answer to query {query_id}")


@pytest.fixture
def fake() -> FakeTelegram:
    """The staff group's Telegram: the local fake Bot API (`tests/fakes/telegram.py`)."""
    return FakeTelegram()


@pytest.fixture
async def root(fake: FakeTelegram, aiohttp_server) -> AsyncIterator[str]:
    """`TELEGRAM_API_URL` for the fake: its root, no trailing slash. Asked for before
    `aiohttp_client`, so the fake outlives the service and the bot's shutdown calls reach it;
    held calls are let go before the server closes."""
    server = await aiohttp_server(fake.app())
    yield str(server.make_url("")).rstrip("/")
    fake.release()
