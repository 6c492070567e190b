"""A carrier's COD statement reconciled against the ledger: each row the carrier says it paid
is found by its tracking code and, when the order waits for exactly that COD, collected
through the one function that changes orders (`collect_cod` with an `orders.cod.Settlement`),
which lowers the carrier's debt and writes the upload's id and the carrier's fee on the
ledger's settling entry.

Every upload is one `CodStatement` row holding what it found, so the same file uploaded twice
collects nothing the second time (its rows are `already`). Each row is tried in a savepoint:
a refusal for one order never undoes the others. Rows are handled a chunk per transaction, as
the catalog import is (`application.catalog_import`), so a statement of thousands of rows does
not hold SQLite's one write lock for long; the statement row carries the counts so far after
each chunk.

Beyond the contract's answer (`matched`, `already`, `mismatched`, `unknown`), the report lists
`missing`: orders of the statement's carriers still waiting for their COD although they were
delivered more than three days before the statement's latest payment day (or the upload, when
the file has no dates), which a carrier's statement should have carried.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Final

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from application.cod_files import (
    StatementFile,
    StatementRow,
    UnreadableRow,
    read_statement,
)
from application.services import OrderService
from kernel.tables import utcnow
from orders import transitions
from orders.actors import Actor
from orders.cod import Settlement, ShipperAccount, accounts
from orders.errors import OrderError
from orders.lifecycle import Action, Status
from orders.locking import lock_order
from orders.shipper_kinds import CARRIERS
from orders.tables import CodLedgerEntry, CodStatement, Order, OrderEvent
from render.formats import LOCAL_ZONE

CHUNK_ROWS: Final = 200
OVERDUE: Final = timedelta(days=3)
LIST_LIMIT: Final = 50
IN_CHUNK: Final = 500  # ids per IN (...): far below SQLite's and asyncpg's parameter limits

# Why a row was not collected. The words are `application.wording.statements`'.
AMOUNT_DIFFERS = "amount_differs"
NOT_DELIVERED = "not_delivered"  # still shipping
NOT_SHIPPED = "not_shipped"  # a draft, waiting for shipping, or handed to the shop's till
FAILED = "failed"
RETURNED = "returned"
CANCELLED = "cancelled"
NO_COD = "no_cod"  # complete, and it never owed COD
DUPLICATE_ROW = "duplicate_row"  # the same tracking code twice in one file
SEVERAL_ORDERS = "several_orders"
UNKNOWN_TRACKING_CODE = "unknown_tracking_code"
UNREADABLE_ROW = "unreadable_row"
NOT_IN_STATEMENT = "not_in_statement"

# What an order in each status says when a statement claims its COD: the reason, and whether
# the amount we expect is its COD (still to come) rather than nothing.
STATUS_REASONS: Final[Mapping[str, tuple[str, bool]]] = {
    Status.SHIPPING.value: (NOT_DELIVERED, True),
    Status.DRAFT.value: (NOT_SHIPPED, True),
    Status.WAITING_FOR_SHIPPING.value: (NOT_SHIPPED, True),
    Status.SENT_TO_SHOP.value: (NOT_SHIPPED, False),
    Status.FAILED_TO_SHIP.value: (FAILED, False),
    Status.RETURNED.value: (RETURNED, False),
    Status.CANCELLED.value: (CANCELLED, False),
}


@dataclass(frozen=True, slots=True)
class Settled:
    """A row collected by this upload (`matched`) or before it (`already`)."""

    tracking_code: str
    order_id: int
    code: str
    amount: int
    fee: int
    line: int


@dataclass(frozen=True, slots=True)
class Mismatch:
    """A row found but not collected: `expected` is what the ledger says the order owes (or
    will owe), `got` what the statement says was paid."""

    tracking_code: str
    reason: str
    expected: int
    got: int
    line: int
    order_id: int | None = None
    code: str = ""


@dataclass(frozen=True, slots=True)
class Unknown:
    """A row that names no order (`unknown_tracking_code`) or could not be read
    (`unreadable_row`, with the `problem` and the cell's `value`)."""

    tracking_code: str
    reason: str
    line: int
    problem: str = ""
    value: str = ""


@dataclass(frozen=True, slots=True)
class Missing:
    """An order of the statement's carrier that should have been on it."""

    tracking_code: str
    order_id: int
    code: str
    expected: int
    delivered_at: datetime | None
    reason: str = NOT_IN_STATEMENT


@dataclass(frozen=True, slots=True)
class StatementReport:
    """One upload and what reconciling it found, as the pages, the API and the CLI show it."""

    statement_id: int
    filename: str
    digest: str
    carrier: str  # the carriers of the orders the file named, comma-separated
    uploaded_by: str
    uploaded_at: datetime
    matched: tuple[Settled, ...] = ()
    already: tuple[Settled, ...] = ()
    mismatched: tuple[Mismatch, ...] = ()
    unknown: tuple[Unknown, ...] = ()
    missing: tuple[Missing, ...] = ()
    collected: int = 0
    fees: int = 0
    paid_on: date | None = None  # the latest day the file says it paid

    @property
    def rows(self) -> int:
        return len(self.matched) + len(self.already) + len(self.mismatched) + len(self.unknown)


@dataclass(frozen=True, slots=True)
class StatementSummary:
    """A past upload in a list: counts only."""

    statement_id: int
    filename: str
    carrier: str
    uploaded_by: str
    uploaded_at: datetime
    matched: int
    already: int
    mismatched: int
    unknown: int
    missing: int
    collected: int
    fees: int


@dataclass
class _Tally:
    """What the chunks found so far (private: only `StatementReport` leaves this module)."""

    matched: list[Settled] = field(default_factory=list)
    already: list[Settled] = field(default_factory=list)
    mismatched: list[Mismatch] = field(default_factory=list)
    unknown: list[Unknown] = field(default_factory=list)
    missing: list[Missing] = field(default_factory=list)
    carriers: set[str] = field(default_factory=set)
    order_ids: set[int] = field(default_factory=set)
    seen: set[str] = field(default_factory=set)

    def copy(self) -> _Tally:
        return _Tally(
            list(self.matched),
            list(self.already),
            list(self.mismatched),
            list(self.unknown),
            list(self.missing),
            set(self.carriers),
            set(self.order_ids),
            set(self.seen),
        )


async def import_statement(
    service: OrderService,
    data: bytes,
    filename: str,
    actor: Actor,
    *,
    now: datetime | None = None,
) -> StatementReport:
    """Read the file and reconcile it. A file that cannot be read raises
    `application.cod_files.StatementRefused` with nothing written."""
    statement = await asyncio.to_thread(read_statement, data, filename)
    digest = hashlib.sha256(data).hexdigest()
    return await reconcile(service, statement, filename, digest, actor, now=now)


async def reconcile(
    service: OrderService,
    statement: StatementFile,
    filename: str,
    digest: str,
    actor: Actor,
    *,
    now: datetime | None = None,
) -> StatementReport:
    """Collect what the statement's rows settle, chunk by chunk, then list what is missing.
    `actor` is whoever uploaded it (a staff member, the API, the CLI's system actor): the
    orders' events say who reconciled them, and the settlement says from which upload."""
    uploaded_at = now or utcnow()
    tally = _Tally(unknown=[_unreadable(row) for row in statement.unreadable])
    async with service.transaction() as session:
        row = CodStatement(
            filename=_clip(filename, 255),
            digest=digest,
            uploaded_by=_clip(actor.name, 255),
            uploaded_at=uploaded_at,
        )
        _store(row, tally, statement.latest_paid_on)
        session.add(row)
        await session.flush()
        statement_id = row.id
    for start in range(0, len(statement.rows), CHUNK_ROWS):
        chunk = statement.rows[start : start + CHUNK_ROWS]
        after = tally.copy()
        async with service.transaction() as session:
            await _reconcile_rows(session, statement_id, chunk, actor, after)
            await _save(session, statement_id, after, statement.latest_paid_on, whole=False)
        tally = after
    async with service.transaction() as session:
        tally.missing = await _missing(
            session, tally, _cutoff(statement.latest_paid_on, uploaded_at)
        )
        saved = await _save(session, statement_id, tally, statement.latest_paid_on, whole=True)
        return report_of(saved)


async def list_statements(service: OrderService, limit: int = LIST_LIMIT) -> list[StatementSummary]:
    """Past uploads, newest first."""
    async with service.reading() as session:
        rows = await session.scalars(
            select(CodStatement).order_by(CodStatement.id.desc()).limit(limit)
        )
        return [_summary(row) for row in rows]


async def shipper_accounts(service: OrderService) -> list[ShipperAccount]:
    """The COD debt page's and `GET /api/shippers/debt`'s read: what each shipper owes now and
    what it settled so far."""
    async with service.reading() as session:
        return await accounts(session)


async def statement_report(service: OrderService, statement_id: int) -> StatementReport | None:
    async with service.reading() as session:
        row = await session.get(CodStatement, statement_id)
        return report_of(row) if row is not None else None


# -- one chunk ----------------------------------------------------------------------------------


async def _reconcile_rows(
    session: AsyncSession,
    statement_id: int,
    rows: Sequence[StatementRow],
    actor: Actor,
    tally: _Tally,
) -> None:
    found = await _orders_by_code(session, {row.tracking_code for row in rows})
    for row in rows:
        key = row.tracking_code.upper()
        if key in tally.seen:
            tally.mismatched.append(
                Mismatch(row.tracking_code, DUPLICATE_ROW, 0, row.cod_amount, row.line)
            )
            continue
        tally.seen.add(key)
        candidates = found.get(key, [])
        if not candidates:
            tally.unknown.append(Unknown(row.tracking_code, UNKNOWN_TRACKING_CODE, row.line))
            continue
        waiting = [o for o in candidates if o[1] == Status.WAIT_FOR_COD.value]
        if len(candidates) > 1 and len(waiting) != 1:
            tally.mismatched.append(
                Mismatch(row.tracking_code, SEVERAL_ORDERS, 0, row.cod_amount, row.line)
            )
            continue
        order_id = waiting[0][0] if waiting else candidates[0][0]
        await _reconcile_row(session, statement_id, row, order_id, actor, tally)


async def _reconcile_row(
    session: AsyncSession,
    statement_id: int,
    row: StatementRow,
    order_id: int,
    actor: Actor,
    tally: _Tally,
) -> None:
    order = await lock_order(session, order_id)  # what it is now, held until commit
    code = order.code or f"#{order.id}"
    tally.order_ids.add(order.id)
    if order.shipper_kind in CARRIERS:
        tally.carriers.add(order.shipper_kind)
    balance, settled, fees = await _ledger_of(session, order.id)

    def mismatch(reason: str, expected: int) -> None:
        tally.mismatched.append(
            Mismatch(row.tracking_code, reason, expected, row.cod_amount, row.line, order.id, code)
        )

    if order.status == Status.WAIT_FOR_COD.value:
        if balance != row.cod_amount or balance <= 0:
            mismatch(AMOUNT_DIFFERS, balance)
            return
        try:
            async with session.begin_nested():
                await transitions.apply_action(
                    session,
                    order.id,
                    Action.COLLECT_COD,
                    actor=actor,
                    version=order.version if actor.is_person else None,
                    settlement=Settlement(statement_id, row.fee, row.paid_at),
                )
        except OrderError as refused:  # e.g. its carrier is cancelling: said as the reason
            mismatch(refused.reason.value, balance)
            return
        tally.matched.append(
            Settled(row.tracking_code, order.id, code, row.cod_amount, row.fee, row.line)
        )
    elif order.status == Status.COMPLETE.value:
        if settled > 0:
            tally.already.append(
                Settled(row.tracking_code, order.id, code, settled, fees, row.line)
            )
        else:
            mismatch(NO_COD, 0)
    else:
        reason, owes = STATUS_REASONS.get(order.status, (NOT_SHIPPED, False))
        mismatch(reason, order.cod_amount if owes else 0)


async def _orders_by_code(
    session: AsyncSession, codes: Iterable[str]
) -> dict[str, list[tuple[int, str]]]:
    """(id, status) of the orders carrying each tracking code, keyed by the code in upper case
    (a spreadsheet may have changed its case; carriers' codes are upper case)."""
    asked = {variant for code in codes for variant in (code, code.upper())}
    found: dict[str, list[tuple[int, str]]] = {}
    for part in _parts(sorted(asked)):
        rows = await session.execute(
            select(Order.id, Order.status, Order.tracking_code)
            .where(Order.tracking_code.in_(part))
            .order_by(Order.id)
        )
        for order_id, status, tracking in rows.all():
            entries = found.setdefault(str(tracking).upper(), [])
            if all(known != order_id for known, _ in entries):
                entries.append((int(order_id), str(status)))
    return found


async def _ledger_of(session: AsyncSession, order_id: int) -> tuple[int, int, int]:
    """(what it owes now, what was settled, the fees kept) from the order's ledger entries."""
    settling = CodLedgerEntry.amount < 0
    balance, settled, fees = (
        await session.execute(
            select(
                func.coalesce(func.sum(CodLedgerEntry.amount), 0),
                func.coalesce(func.sum(case((settling, -CodLedgerEntry.amount), else_=0)), 0),
                func.coalesce(func.sum(CodLedgerEntry.fee), 0),
            ).where(CodLedgerEntry.order_id == order_id)
        )
    ).one()
    return int(balance), int(settled), int(fees)


# -- what the statement should have carried -----------------------------------------------------


def _cutoff(paid_on: date | None, uploaded_at: datetime) -> datetime:
    """Delivered before this and still waiting: the statement should have paid it."""
    if paid_on is None:
        return uploaded_at - OVERDUE
    return datetime.combine(paid_on, time(0, 0), tzinfo=LOCAL_ZONE) - OVERDUE


async def _missing(session: AsyncSession, tally: _Tally, cutoff: datetime) -> list[Missing]:
    if not tally.carriers:
        return []
    delivered = (
        select(OrderEvent.order_id, func.max(OrderEvent.at).label("at"))
        .where(OrderEvent.to_status == Status.WAIT_FOR_COD.value)
        .group_by(OrderEvent.order_id)
        .subquery()
    )
    rows = (
        await session.execute(
            select(Order.id, Order.code, Order.tracking_code, delivered.c.at)
            .join(delivered, delivered.c.order_id == Order.id)
            .where(
                Order.status == Status.WAIT_FOR_COD.value,
                Order.shipper_kind.in_(sorted(tally.carriers)),
                delivered.c.at < cutoff,
            )
            .order_by(delivered.c.at, Order.id)
        )
    ).all()
    waiting = [row for row in rows if row[0] not in tally.order_ids]
    owed = await _balances(session, [int(row[0]) for row in waiting])
    return [
        Missing(tracking or "", int(order_id), code or f"#{order_id}", owed.get(order_id, 0), at)
        for order_id, code, tracking, at in waiting
    ]


async def _balances(session: AsyncSession, order_ids: list[int]) -> dict[int, int]:
    result: dict[int, int] = {}
    for part in _parts(order_ids):
        rows = await session.execute(
            select(CodLedgerEntry.order_id, func.sum(CodLedgerEntry.amount))
            .where(CodLedgerEntry.order_id.in_(part))
            .group_by(CodLedgerEntry.order_id)
        )
        result.update({int(order_id): int(amount) for order_id, amount in rows.all()})
    return result


# -- the statement row ----------------------------------------------------------------------------


async def _save(
    session: AsyncSession,
    statement_id: int,
    tally: _Tally,
    paid_on: date | None,
    *,
    whole: bool,
) -> CodStatement:
    """The counts after each chunk; the rows' report once, at the end (rewriting a growing
    report after every chunk would write a large file's report a hundred times)."""
    row = await session.get(CodStatement, statement_id, with_for_update=True)
    assert row is not None  # made by this upload's first transaction
    _store(row, tally, paid_on, whole=whole)
    await session.flush()
    return row


def _store(row: CodStatement, tally: _Tally, paid_on: date | None, *, whole: bool = True) -> None:
    row.carrier = _clip(",".join(sorted(tally.carriers)), 32)
    row.matched = len(tally.matched)
    row.already = len(tally.already)
    row.collected = sum(settled.amount for settled in tally.matched)
    row.fees = sum(settled.fee for settled in tally.matched)
    if not whole:
        return
    row.report = {
        "matched": [_stored(s) for s in tally.matched],
        "already": [_stored(s) for s in tally.already],
        "mismatched": [_stored(m) for m in tally.mismatched],
        "unknown": [_stored(u) for u in sorted(tally.unknown, key=lambda u: u.line)],
        "missing": [_stored(m) for m in tally.missing],
        "paid_on": paid_on.isoformat() if paid_on else None,
    }


def report_of(row: CodStatement) -> StatementReport:
    """The stored report as a typed view (the JSON column is this module's own format)."""
    stored: Mapping[str, Any] = row.report or {}
    paid_on = stored.get("paid_on")
    return StatementReport(
        statement_id=row.id,
        filename=row.filename,
        digest=row.digest,
        carrier=row.carrier,
        uploaded_by=row.uploaded_by,
        uploaded_at=row.uploaded_at,
        matched=tuple(Settled(**item) for item in stored.get("matched", [])),
        already=tuple(Settled(**item) for item in stored.get("already", [])),
        mismatched=tuple(Mismatch(**item) for item in stored.get("mismatched", [])),
        unknown=tuple(Unknown(**item) for item in stored.get("unknown", [])),
        missing=tuple(_missing_of(item) for item in stored.get("missing", [])),
        collected=row.collected,
        fees=row.fees,
        paid_on=date.fromisoformat(paid_on) if isinstance(paid_on, str) else None,
    )


def _summary(row: CodStatement) -> StatementSummary:
    stored: Mapping[str, Any] = row.report or {}
    return StatementSummary(
        statement_id=row.id,
        filename=row.filename,
        carrier=row.carrier,
        uploaded_by=row.uploaded_by,
        uploaded_at=row.uploaded_at,
        matched=row.matched,
        already=row.already,
        mismatched=len(stored.get("mismatched", [])),
        unknown=len(stored.get("unknown", [])),
        missing=len(stored.get("missing", [])),
        collected=row.collected,
        fees=row.fees,
    )


def _unreadable(row: UnreadableRow) -> Unknown:
    return Unknown(row.tracking_code, UNREADABLE_ROW, row.line, row.problem, row.value)


def _stored(item: Settled | Mismatch | Unknown | Missing) -> dict[str, object]:
    """A finding as the report column keeps it: its fields, a time as ISO text."""
    return {
        name: value.isoformat() if isinstance(value, datetime) else value
        for name, value in asdict(item).items()
    }


def _missing_of(item: Mapping[str, Any]) -> Missing:
    at = item.get("delivered_at")
    return Missing(
        item["tracking_code"],
        item["order_id"],
        item["code"],
        item["expected"],
        datetime.fromisoformat(at) if isinstance(at, str) else None,
        item.get("reason", NOT_IN_STATEMENT),
    )


def _parts(values: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), IN_CHUNK):
        yield values[start : start + IN_CHUNK]


def _clip(text: str, limit: int) -> str:
    return text[:limit]
