"""The heartbeat row: the smallest write that proves a database takes writes now.

A `SELECT 1` answers on a read-only database and on a full disk, where every webhook is
refused; upserting one row is the same kind of work as storing a body, and as cheap.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.orm import Mapped, mapped_column

from kernel.tables import Base, utcnow

ROW_ID = 1


class Heartbeat(Base):
    """One row per database, rewritten by every health probe (`chotdon.health`)."""

    __tablename__ = "heartbeat"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    beat_at: Mapped[datetime]


async def beat(connection: AsyncConnection) -> None:
    """Upsert the row, so a truncated or freshly migrated table needs no seeding."""
    dialect = sqlite if connection.dialect.name == "sqlite" else postgresql
    statement = dialect.insert(Heartbeat).values(id=ROW_ID, beat_at=utcnow())
    await connection.execute(
        statement.on_conflict_do_update(
            index_elements=[Heartbeat.id], set_={"beat_at": statement.excluded.beat_at}
        )
    )
