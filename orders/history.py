"""The order's append-only history: one event per change, and per note staff should read."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from orders.actors import Actor
from orders.lifecycle import Status
from orders.tables import Order, OrderEvent


def log_event(
    session: AsyncSession,
    order: Order,
    actor: Actor,
    action: str,
    from_status: Status | str,
    to_status: Status | str,
    details: dict[str, object],
) -> None:
    session.add(
        OrderEvent(
            order_id=order.id,
            actor=actor.name,
            source=actor.source.value,
            action=action,
            from_status=str(from_status),
            to_status=str(to_status),
            details=details,
            staff_id=actor.staff_id,
        )
    )
