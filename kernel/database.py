"""The database engine: SQLite embedded by default, PostgreSQL to scale out.

SQLite gets WAL, foreign keys, a busy timeout, and `BEGIN IMMEDIATE` so a transaction takes
the write lock when it starts instead of failing half-way when two writers meet. In one process
it gets a single pooled connection: SQLite has one writer anyway, and waiting in the pool's
queue is first-come-first-served, where many connections would sleep in SQLite's busy handler
(measured: p99 above 2 s with 32 concurrent taps). Code must therefore never open a second
session while holding one.
"""

from __future__ import annotations

import enum
import sqlite3
from typing import Any, cast

from sqlalchemy import event, exc
from sqlalchemy.engine import CursorResult, Result, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

SQLITE_BUSY_TIMEOUT_S = 30
READ_ONLY_OPTION = "chotdon_read_only"


async def read_only(session: AsyncSession) -> None:
    """Make `session`'s transaction a reader, called before its first statement: on SQLite it
    then does not take the write lock, which the receiver may need at that very moment."""
    await session.connection(execution_options={READ_ONLY_OPTION: True})


def rows_changed(result: Result[*tuple[Any, ...]]) -> int:
    """The rows an UPDATE or DELETE matched. `execute` hands back a CursorResult for those, which
    holds the count, but SQLAlchemy types it as any Result (a SELECT's has no count)."""
    return cast(CursorResult[*tuple[Any, ...]], result).rowcount


def dialect_name(session: AsyncSession) -> str:
    """ "postgresql" or "sqlite" (each has its own upsert); "" for a session bound to nothing."""
    return session.bind.dialect.name if session.bind else ""


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _tune_sqlite(engine: AsyncEngine, busy_timeout_s: float) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_s * 1000)}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        if connection.get_execution_options().get(READ_ONLY_OPTION):
            connection.exec_driver_sql("BEGIN")  # a reader: WAL never makes it wait
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")


def create_engine(
    url: str, *, busy_timeout_s: float = SQLITE_BUSY_TIMEOUT_S, **options: Any
) -> AsyncEngine:
    """The pool sizes are defaults for the usual queue pool; with a `poolclass` of the
    caller's (NullPool, say) they do not apply. `busy_timeout_s`: how long a SQLite writer
    waits for the lock before it gives up."""
    pooled = "poolclass" not in options
    if is_sqlite(url):
        options.setdefault("connect_args", {"timeout": busy_timeout_s})
        if pooled:
            options.setdefault("pool_size", 1)
            options.setdefault("max_overflow", 0)
            options.setdefault("pool_timeout", 30)
        engine = create_async_engine(url, **options)
        _tune_sqlite(engine, busy_timeout_s)
        return engine
    if pooled:
        options.setdefault("pool_size", 10)
        options.setdefault("max_overflow", 20)
        options.setdefault("pool_pre_ping", True)
    engine = create_async_engine(url, **options)
    _watch_postgres(engine)
    return engine


class DatabaseUnreachable(ConnectionError):
    """The database server could not be reached (refused, unresolvable, timed out): raised
    in place of the bare socket error asyncpg gives, so that callers can tell it from any other
    `OSError` of a request."""


def _watch_postgres(engine: AsyncEngine) -> None:
    """Names an unreachable server (`DatabaseUnreachable`), and drops the pool's connections
    when a write finds the server read-only or gone: a connection opened while the database
    was read-only stays so for its life, and would keep failing after the database is back."""

    @event.listens_for(engine.sync_engine, "handle_error")
    def _on_error(context: Any) -> None:
        outage = outage_of(context.original_exception)
        if outage is Outage.UNREACHABLE:
            context.is_disconnect = True
        elif outage is Outage.READ_ONLY:  # this connection only: the others find out alone
            context.is_disconnect = True
            context.invalidate_pool_on_disconnect = False

    @event.listens_for(engine.sync_engine, "do_connect")
    def _connect(dialect: Any, _record: Any, cargs: Any, cparams: Any) -> Any:
        try:
            return dialect.connect(*cargs, **cparams)
        except (OSError, TimeoutError) as error:
            if isinstance(error, DatabaseUnreachable):
                raise
            raise DatabaseUnreachable(*(error.args or ("timed out connecting",))) from error


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


class Outage(enum.Enum):
    """Why the database cannot serve right now, as an operator and a retrying client need it:
    not a bug in a request, and worth trying again in a moment."""

    UNREACHABLE = "The database does not answer."
    READ_ONLY = "The database is read-only."
    FULL = "The database's disk is full."
    BUSY = "The database is busy; no write got through in time."

    @property
    def message(self) -> str:
        return self.value


# SQLite's primary result codes (https://sqlite.org/rescode.html) that mean "not now".
_SQLITE_OUTAGES = {
    5: Outage.BUSY,  # SQLITE_BUSY
    6: Outage.BUSY,  # SQLITE_LOCKED
    7: Outage.UNREACHABLE,  # SQLITE_NOMEM
    8: Outage.READ_ONLY,  # SQLITE_READONLY
    10: Outage.UNREACHABLE,  # SQLITE_IOERR
    13: Outage.FULL,  # SQLITE_FULL
    14: Outage.UNREACHABLE,  # SQLITE_CANTOPEN
    15: Outage.BUSY,  # SQLITE_PROTOCOL
}
# PostgreSQL SQLSTATEs (https://www.postgresql.org/docs/current/errcodes-appendix.html).
_POSTGRES_OUTAGES = {
    "25006": Outage.READ_ONLY,  # read_only_sql_transaction
    "53100": Outage.FULL,  # disk_full
    "55P03": Outage.BUSY,  # lock_not_available (lock_timeout)
    "57014": Outage.BUSY,  # query_canceled (statement_timeout)
}
_POSTGRES_CLASSES = {
    "08": Outage.UNREACHABLE,  # connection exception
    "53": Outage.BUSY,  # insufficient resources (memory, connections)
    "57": Outage.UNREACHABLE,  # operator intervention (shutdown, starting up)
}


def outage_of(error: BaseException) -> Outage | None:
    """The outage `error` reports, or None when it is anything else (a constraint, a bug).

    Connection and operational failures are told apart by the driver's own codes, never by
    message text: SQLite's result code, PostgreSQL's SQLSTATE."""
    if isinstance(error, DatabaseUnreachable):
        return Outage.UNREACHABLE
    if isinstance(error, exc.TimeoutError):  # no pooled connection came free in time
        return Outage.BUSY
    cause = error.orig if isinstance(error, exc.DBAPIError) else error
    if isinstance(cause, sqlite3.Error):
        code = getattr(cause, "sqlite_errorcode", None)
        return _SQLITE_OUTAGES.get(code & 0xFF) if isinstance(code, int) else None
    state = getattr(cause, "sqlstate", None)
    if isinstance(state, str) and len(state) == 5:
        if state in _POSTGRES_OUTAGES:
            return _POSTGRES_OUTAGES[state]
        if state[:2] in _POSTGRES_CLASSES:
            return _POSTGRES_CLASSES[state[:2]]
    if isinstance(error, exc.DBAPIError) and error.connection_invalidated:
        return Outage.UNREACHABLE  # the driver's own word that the connection is gone
    return None
