"""The COD ledger: what each shipper collected from buyers and still owes the shop."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from orders.tables import CodLedgerEntry, Order


def shipper_key(order: Order) -> tuple[str, str]:
    """(ledger key, label): a carrier by name; an individual shipper by phone, so two orders
    carried by the same person add up to one debt."""
    kind = order.shipper_kind or "unknown"
    if kind != "individual":
        return kind, kind
    phone = order.shipper_phone or ""
    label = f"{order.shipper_name or ''} {phone}".strip()
    return f"individual:{phone or order.shipper_name or ''}", label


def record_owed(session: AsyncSession, order: Order, amount: int) -> None:
    key, label = shipper_key(order)
    session.add(CodLedgerEntry(shipper=key, shipper_label=label, order_id=order.id, amount=amount))


@dataclass(frozen=True)
class Settlement:
    """A `collect_cod` read off a carrier's COD statement: the upload it came from, the fee
    the carrier kept out of the COD, and the day it says it paid the shop."""

    statement_id: int
    fee: int = 0
    paid_at: str = ""  # as the statement wrote it; shown, never computed with

    def details(self) -> dict[str, object]:
        return {"statement_id": self.statement_id, "fee": self.fee, "paid_at": self.paid_at}


async def record_collected(
    session: AsyncSession, order: Order, settlement: Settlement | None = None
) -> None:
    """Settle exactly what this order put on the ledger, even if its COD was edited since."""
    owed = await owed_by_order(session, order.id)
    key, label = shipper_key(order)
    session.add(
        CodLedgerEntry(
            shipper=key,
            shipper_label=label,
            order_id=order.id,
            amount=-owed,
            statement_id=settlement.statement_id if settlement else None,
            fee=settlement.fee if settlement else 0,
        )
    )


async def owed_by_order(session: AsyncSession, order_id: int) -> int:
    """What an order still has on the ledger: its COD from delivery until it is collected."""
    return int(
        (
            await session.execute(
                select(func.coalesce(func.sum(CodLedgerEntry.amount), 0)).where(
                    CodLedgerEntry.order_id == order_id
                )
            )
        ).scalar_one()
    )


@dataclass(frozen=True)
class OrderDebt:
    order_id: int
    code: str
    amount: int
    tracking_code: str | None


@dataclass(frozen=True)
class ShipperDebt:
    shipper: str
    label: str
    kind: str
    amount: int
    orders: list[OrderDebt]

    @property
    def order_ids(self) -> list[int]:
        return [order.order_id for order in self.orders]


async def debts(session: AsyncSession) -> list[ShipperDebt]:
    """Each shipper with a balance, largest first, with the orders still owing."""
    owed = func.sum(CodLedgerEntry.amount)
    per_order = (
        select(
            CodLedgerEntry.shipper,
            CodLedgerEntry.order_id,
            owed.label("owed"),
            func.max(CodLedgerEntry.shipper_label).label("label"),
            func.max(Order.code).label("code"),
            func.max(Order.tracking_code).label("tracking_code"),
        )
        .join(Order, Order.id == CodLedgerEntry.order_id)
        .group_by(CodLedgerEntry.shipper, CodLedgerEntry.order_id)
        .having(owed != 0)
        .order_by(CodLedgerEntry.shipper, CodLedgerEntry.order_id)
    )
    grouped: dict[str, list[tuple[str, OrderDebt]]] = {}
    for shipper, order_id, amount, label, code, tracking in (
        await session.execute(per_order)
    ).all():
        debt = OrderDebt(order_id, code or "", int(amount), tracking)
        grouped.setdefault(shipper, []).append((label, debt))
    result = [
        ShipperDebt(
            shipper,
            rows[0][0],
            "individual" if shipper.startswith("individual:") else shipper,
            sum(debt.amount for _, debt in rows),
            [debt for _, debt in rows],
        )
        for shipper, rows in grouped.items()
    ]
    return sorted(result, key=lambda d: (-d.amount, d.shipper))


@dataclass(frozen=True)
class ShipperSettled:
    """What a shipper has paid back so far: the COD of every settling entry (a carrier's
    statement, its payout report, or staff collecting by hand), when it last paid, and the fees
    carriers kept out of it."""

    shipper: str
    label: str
    kind: str
    reconciled: int
    last_reconciled_at: datetime | None
    fees: int


async def settlements(session: AsyncSession) -> list[ShipperSettled]:
    """Each shipper with at least one settling entry, by ledger key."""
    settling = CodLedgerEntry.amount < 0
    rows = (
        await session.execute(
            select(
                CodLedgerEntry.shipper,
                func.max(CodLedgerEntry.shipper_label),
                func.coalesce(func.sum(-CodLedgerEntry.amount), 0),
                func.max(CodLedgerEntry.at),
                func.coalesce(func.sum(CodLedgerEntry.fee), 0),
            )
            .where(settling)
            .group_by(CodLedgerEntry.shipper)
        )
    ).all()
    result = [
        ShipperSettled(
            shipper,
            label or "",
            kind_of(shipper),
            int(reconciled),
            last,
            int(fees),
        )
        for shipper, label, reconciled, last, fees in rows
    ]
    return sorted(result, key=lambda settled: settled.shipper)


def kind_of(shipper: str) -> str:
    """A ledger key's kind: `individual` for a person, else the carrier's name."""
    return "individual" if shipper.startswith("individual:") else shipper


@dataclass(frozen=True)
class ShipperAccount:
    """A shipper on the COD debt page: what it owes now (and for which orders), and what it
    settled so far, when last, and the fees carriers kept."""

    shipper: str
    label: str
    kind: str
    amount: int
    orders: list[OrderDebt]
    reconciled: int = 0
    last_reconciled_at: datetime | None = None
    fees: int = 0

    @property
    def order_ids(self) -> list[int]:
        return [order.order_id for order in self.orders]


async def accounts(session: AsyncSession) -> list[ShipperAccount]:
    """Every shipper that owes or has settled: those owing first, largest debt first, then
    the others, most recently settled first."""
    owing = {debt.shipper: debt for debt in await debts(session)}
    settled = {entry.shipper: entry for entry in await settlements(session)}
    result = []
    for shipper in owing.keys() | settled.keys():
        debt, paid = owing.get(shipper), settled.get(shipper)
        result.append(
            ShipperAccount(
                shipper,
                debt.label if debt else paid.label if paid else "",
                kind_of(shipper),
                debt.amount if debt else 0,
                debt.orders if debt else [],
                paid.reconciled if paid else 0,
                paid.last_reconciled_at if paid else None,
                paid.fees if paid else 0,
            )
        )
    never = datetime.min.replace(tzinfo=UTC)
    result.sort(key=lambda a: a.shipper)
    result.sort(key=lambda a: a.last_reconciled_at or never, reverse=True)
    result.sort(key=lambda a: -a.amount)
    return result
