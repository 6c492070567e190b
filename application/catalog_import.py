"""A catalog import of any size in short transactions, for `chotdon items import` and the
managers' CSV upload alike.

In one transaction a 65,000-row file held SQLite's only write lock (and the process's one
pooled connection) for over a minute: webhooks, page writes and `/healthz` waited behind it and
failed. Here the whole file is checked first (a bad row refuses the file before anything is
written, as before), then written a chunk at a time. After each chunk the import rests about
as long as the chunk took: another writer waiting in this process's pool gets the connection
at once, and one waiting in SQLite's busy handler (another process, the health probe) finds
the lock free half the time.

Items are matched by SKU, so an import stopped half-way (the database refused a chunk, or went
away) is finished by importing the same file again; the result says how far it got.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Final

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from application.services import OrderService
from kernel.database import Outage, dialect_name, outage_of
from orders.catalog import ItemRow, check_rows, import_items
from orders.errors import InvalidInput, Reason

log = logging.getLogger(__name__)

CHUNK_ROWS: Final = 500  # about 50 ms of writing on SQLite on a loaded small machine
MAX_REST_S: Final = 0.5


@dataclass(frozen=True)
class Stop:
    """Why an import stopped before its end: the database refused the chunk starting at `row`
    (1-based, counted among the file's items) or could not serve (`outage`)."""

    row: int
    outage: Outage | None
    detail: str


@dataclass(frozen=True)
class Imported:
    created: int
    updated: int
    total: int  # items in the file
    stop: Stop | None = None

    @property
    def saved(self) -> int:
        return self.created + self.updated


async def import_through(service: OrderService, rows: list[ItemRow]) -> Imported:
    """`import_catalog` in the service's database: what the managers' page calls, so the page
    never holds the session factory itself."""
    return await import_catalog(service.sessions, rows)


async def import_catalog(
    sessions: async_sessionmaker[AsyncSession],
    rows: list[ItemRow],
    *,
    chunk_rows: int = CHUNK_ROWS,
) -> Imported:
    """Raises `InvalidInput` with nothing written when a row is bad or the database refuses
    the first chunk, and lets an outage before the first chunk was saved propagate (the
    caller answers it as unavailable); once something is saved, a failing chunk ends the
    import with `stop` set instead, so the person learns how far it got."""
    check_rows(rows)
    created = updated = 0
    for start in range(0, len(rows), chunk_rows):
        began = time.monotonic()
        try:
            async with sessions.begin() as session:
                await _plan_for_now(session)
                new, changed = await import_items(session, rows[start : start + chunk_rows])
        except Exception as error:
            if not isinstance(error, DBAPIError) and outage_of(error) is None:
                raise  # a bug, not the database
            if created + updated == 0:
                if isinstance(error, IntegrityError):
                    raise InvalidInput(Reason.IMPORT_CLASH) from None
                raise
            return Imported(created, updated, len(rows), _stop(error, start + 1))
        created, updated = created + new, updated + changed
        if start + chunk_rows < len(rows):
            await asyncio.sleep(min(time.monotonic() - began, MAX_REST_S))
    return Imported(created, updated, len(rows))


async def _plan_for_now(session: AsyncSession) -> None:
    """On PostgreSQL, plan each chunk's look-up by SKU for the table as it is now. asyncpg
    prepares statements, and after five runs PostgreSQL keeps a generic plan, made while the
    table was small: a scan of the whole table for each SKU, a second a chunk by 40,000 items
    (measured over 65,000 rows: 61 s in that look-up instead of half a second)."""
    if dialect_name(session) == "postgresql":
        await session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))


def _stop(error: Exception, row: int) -> Stop:
    outage = outage_of(error)
    cause = getattr(error, "orig", None) or error
    detail = (str(cause).strip() or type(cause).__name__).splitlines()[0]
    if outage is None and not isinstance(error, IntegrityError):
        log.error("catalog import: the chunk from row %d failed", row, exc_info=error)
    else:  # the caller tells the person; the log keeps a line at INFO
        log.info("catalog import stopped at row %d: %s", row, detail)
    return Stop(row, outage, detail)
