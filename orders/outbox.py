"""Writing side effects to the outbox, inside the transaction of the change that caused them.

The worker that delivers them lives in the composition root; here is only the write, so that
the domain never calls the network and a rollback takes its side effects with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from orders.tables import OutboxJob, utcnow

ORDER_CHANGED = "order.changed"
CARRIER_CREATE_SHIPMENT = "carrier.create_shipment"
CARRIER_CANCEL_SHIPMENT = "carrier.cancel_shipment"
SHOP_HANDOFF = "shop.handoff"


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
    dialect = session.bind.dialect.name if session.bind else ""
    if dialect == "postgresql":
        stmt = postgresql.insert(table).on_conflict_do_nothing()
    elif dialect == "sqlite":
        stmt = sqlite.insert(table).on_conflict_do_nothing()
    else:
        stmt = insert(table)
    await session.execute(stmt, values)
