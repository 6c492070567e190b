"""Carrier status reports move orders on by themselves, within the seed's rules.

A report is applied at most once (its dedupe key), never moves an order backwards or against
an older report, and only records when staff have taken the order over by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from orders.actors import Actor
from orders.lifecycle import Action, Status
from orders.tables import CarrierUpdate, Order, OrderEvent
from orders.transitions import apply_action, lock_order


class CarrierStatus(StrEnum):
    """A carrier's many codes, mapped to what matters to the order (see each carrier's table)."""

    IN_TRANSIT = "in_transit"
    DELIVERED = "delivered"
    FAILED = "failed"
    RETURNING = "returning"
    RETURNED = "returned"
    CANCELLED = "cancelled"
    ALERT = "alert"  # understood but changes nothing, or not understood: staff should look


class Outcome(StrEnum):
    APPLIED = "applied"  # the order moved
    RECORDED = "recorded"  # kept in the history, order unchanged
    DUPLICATE = "duplicate"  # seen before, ignored
    UNKNOWN_ORDER = "unknown_order"  # no order has this tracking or order code


@dataclass(frozen=True)
class CarrierReport:
    carrier: str
    dedupe_key: str
    status: CarrierStatus
    raw_status: str
    at: datetime
    tracking_code: str | None = None
    order_code: str | None = None
    cod_amount: int | None = None


# From each status the carrier may take an order along these actions, in order. Anything not
# listed (e.g. "in transit" after "failed", or anything after complete) would move it back.
_PATHS: dict[Status, dict[CarrierStatus, tuple[Action, ...]]] = {
    Status.SHIPPING: {
        CarrierStatus.DELIVERED: (Action.COMPLETE,),
        CarrierStatus.FAILED: (Action.FAILED,),
        CarrierStatus.RETURNING: (Action.FAILED,),
        CarrierStatus.RETURNED: (Action.FAILED, Action.RETURN),
        CarrierStatus.CANCELLED: (Action.CANCEL,),
    },
    Status.FAILED_TO_SHIP: {CarrierStatus.RETURNED: (Action.RETURN,)},
}


def carrier_path(status: Status, reported: CarrierStatus) -> tuple[Action, ...]:
    """The actions a report leads to from `status`; empty means record only."""
    return _PATHS.get(status, {}).get(reported, ())


async def _find_order(session: AsyncSession, report: CarrierReport) -> Order | None:
    if report.tracking_code:
        order_id = await session.scalar(
            select(Order.id).where(
                Order.tracking_code == report.tracking_code, Order.shipper_kind == report.carrier
            )
        )
        if order_id is not None:
            return await lock_order(session, order_id)
    if report.order_code:
        order_id = await session.scalar(select(Order.id).where(Order.code == report.order_code))
        if order_id is not None:
            return await lock_order(session, order_id)
    return None


async def _first_sighting(session: AsyncSession, row: CarrierUpdate) -> bool:
    try:
        async with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return False
    return True


async def apply_carrier_status(session: AsyncSession, report: CarrierReport) -> Outcome:
    """Record `report` once and move its order if the seed's rules allow; the caller commits."""
    order = await _find_order(session, report)
    row = CarrierUpdate(
        carrier=report.carrier,
        dedupe_key=report.dedupe_key,
        order_id=order.id if order else None,
        tracking_code=report.tracking_code,
        raw_status=report.raw_status,
        mapped_status=report.status.value,
        outcome=Outcome.RECORDED.value,
        at=report.at,
    )
    if not await _first_sighting(session, row):
        return Outcome.DUPLICATE
    if order is None:
        row.outcome = Outcome.UNKNOWN_ORDER.value
        return Outcome.UNKNOWN_ORDER

    status = Status(order.status)
    stale = order.carrier_status_at is not None and report.at < order.carrier_status_at
    path = () if stale or order.manual_override else carrier_path(status, report.status)
    if not stale:
        order.carrier_status = report.status.value
        order.carrier_status_at = report.at
    if not path:
        why = "older report" if stale else "manual override" if order.manual_override else ""
        session.add(
            OrderEvent(
                order_id=order.id,
                actor=report.carrier,
                source="carrier",
                action="carrier_status",
                from_status=status.value,
                to_status=status.value,
                details={
                    "raw_status": report.raw_status,
                    "status": report.status.value,
                    "not_applied": why or "no move from this status",
                },
            )
        )
        return Outcome.RECORDED
    actor = Actor.carrier(report.carrier)
    for action in path:
        await apply_action(session, order.id, action, actor=actor, reason=report.raw_status)
    row.outcome = Outcome.APPLIED.value
    return Outcome.APPLIED
