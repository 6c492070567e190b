"""The outbox table and the write that queues a side effect, inside the transaction of the change
that caused it: a rollback takes its side effects with it, and whatever calls the network
(`kernel.outbox.worker`) runs only after the commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, String, Text, insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.dml import Insert

from kernel.database import dialect_name
from kernel.tables import Base, utcnow
from kernel.work_status import WorkStatus


class OutboxJob(Base):
    """A side effect owed to the outside world, written with the change that caused it."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_claim", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    idempotency_key: Mapped[str] = mapped_column(String(255), unique=True)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default=WorkStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=10)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    locked_by: Mapped[str | None] = mapped_column(String(128))
    locked_until: Mapped[datetime | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column()


@dataclass(frozen=True)
class Job:
    kind: str
    key: str
    payload: dict[str, Any] = field(default_factory=dict)


async def enqueue(session: AsyncSession, job: Job, *, not_before: datetime | None = None) -> None:
    """Queue `job` once: a second job with the same key is the same side effect and is dropped."""
    await enqueue_many(session, [job], not_before=not_before)


async def enqueue_many(
    session: AsyncSession, jobs: Sequence[Job], *, not_before: datetime | None = None
) -> None:
    """`enqueue` for many jobs in one statement."""
    if not jobs:
        return
    now = utcnow()
    values = [
        {
            "kind": job.kind,
            "idempotency_key": job.key,
            "payload": job.payload,
            "attempts": 0,
            "next_attempt_at": not_before or now,
            "created_at": now,
        }
        for job in jobs
    ]
    # The table, not the mapped class: a plain Core insert skips the ORM's bulk-insert path,
    # which costs more than the insert itself on this hot path.
    table = OutboxJob.__table__
    dialect = dialect_name(session)
    stmt: Insert
    if dialect == "postgresql":
        stmt = postgresql.insert(table).on_conflict_do_nothing()
    elif dialect == "sqlite":
        stmt = sqlite.insert(table).on_conflict_do_nothing()
    else:
        stmt = insert(table)
    await session.execute(stmt, values)
