"""The reports: what a live sold, what each staff member closed, and the shop day by day,
read with aggregate queries (never by loading every order). The figures are defined in
`application.report_views`.

Every figure is a `count`/`sum` grouped in SQL; only the grouped rows (a live's minutes, a
range's days, the staff) come back to Python, where empty minutes and days are filled in.
Times are bucketed on whole seconds since the epoch, an integer expression each dialect has
(`_epoch`), so minutes and Vietnamese days are the same arithmetic on SQLite and PostgreSQL.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Final

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    Text,
    and_,
    case,
    cast,
    distinct,
    func,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from application.live_sessions import ordering_open_at
from application.report_views import (
    CodeSold,
    DayFigures,
    LiveReport,
    MinuteCount,
    ShopDays,
    StaffFigures,
    StaffReport,
)
from application.services import OrderService
from kernel.database import dialect_name
from kernel.tables import utcnow
from livestream.tables import Comment, LiveSession
from orders.errors import InvalidInput, NotFound, Reason
from orders.lifecycle import TRANSITIONS, Action, Status, leaves_draft
from orders.queries import order_total
from orders.tables import CodLedgerEntry, Order, OrderEvent, OrderLine, Staff
from render.formats import LOCAL_ZONE

# Asia/Ho_Chi_Minh is UTC+7 all year (Vietnam keeps no daylight saving time), so a fixed
# offset is exact: a local day is [midnight - 7h, next midnight - 7h) in UTC.
VIETNAM_OFFSET = timedelta(hours=7)
MAX_DAYS = 366
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)
TOP_CODES = 10
_DAY = 86_400
_OFFSET_SECONDS = int(VIETNAM_OFFSET.total_seconds())
_EPOCH_DAY = date(1970, 1, 1)

DRAFT = Status.DRAFT.value
CANCELLED = Status.CANCELLED.value
SHIPPING = Status.SHIPPING.value
DELIVERED = (Status.COMPLETE.value, Status.WAIT_FOR_COD.value)
RETURNED = Status.RETURNED.value
# The comment intents that ask for goods (`livestream.parser.Intent`).
ORDERING_INTENTS = ("order",)


def _actions(moves: Callable[[Status, Status], bool]) -> tuple[str, ...]:
    """The actions with a move that `moves` accepts, by the lifecycle's own table: the
    queries name them so the `(action, at)` index finds a period's events."""
    return tuple(
        sorted(
            action.value
            for action, table in TRANSITIONS.items()
            if any(moves(before, after) for before, after in table.items())
        )
    )


LEAVING_DRAFT = _actions(leaves_draft)
TO_SHIPPING = _actions(lambda before, after: after is Status.SHIPPING and before is not after)
# `complete` lands on wait_for_cod when the order carries COD (`target_status`).
DELIVERING = _actions(lambda before, after: (before, after) == (Status.SHIPPING, Status.COMPLETE))


# --- what happened to an order, as conditions on its events -------------------------------


def _left_draft(event: Any = OrderEvent) -> ColumnElement[bool]:
    """The event that took the order out of draft (create order, ship, send to shop): at most
    one per order, since nothing leads back to draft."""
    return and_(
        event.action.in_(LEAVING_DRAFT),
        event.from_status == DRAFT,
        event.to_status.notin_((DRAFT, CANCELLED)),
    )


def _reached_shipping(event: Any = OrderEvent) -> ColumnElement[bool]:
    """A parcel handed over: a partner carrier's request keeps the status (draft to draft) and
    only its yes moves it to shipping, so counting arrivals counts each parcel once."""
    return and_(
        event.action.in_(TO_SHIPPING), event.to_status == SHIPPING, event.from_status != SHIPPING
    )


def _delivered(event: Any = OrderEvent) -> ColumnElement[bool]:
    """Delivery: shipping to complete or to wait_for_cod (collecting COD later, wait_for_cod
    to complete, is money, not a second delivery)."""
    return and_(
        event.action.in_(DELIVERING),
        event.from_status == SHIPPING,
        event.to_status.in_(DELIVERED),
    )


def _flag(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.max(case((condition, 1), else_=0))


def _credited(event: Any = OrderEvent) -> ColumnElement[int | None]:
    """The staff member an event counts for: who acted, or, for a partner carrier's yes to a
    shipment (acted on by the carrier), the person whose request it answers."""
    request = aliased(OrderEvent)
    requester = (
        select(request.staff_id)
        .where(
            request.order_id == event.order_id,
            request.id < event.id,
            request.action == Action.SHIP.value,
            request.from_status == request.to_status,
            request.staff_id.is_not(None),
        )
        .order_by(request.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    return func.coalesce(
        event.staff_id,
        case((event.action == Action.SHIP.value, requester), else_=None),
    )


def _epoch(session: AsyncSession, column: Any) -> ColumnElement[int]:
    """Whole seconds since 1970 (UTC) of a stored time: SQLite keeps text, PostgreSQL
    timestamptz, and each has its own way to say it."""
    if dialect_name(session) == "postgresql":
        return cast(func.floor(func.extract("epoch", column)), Integer)
    return cast(func.strftime("%s", column), Integer)


def _local_day(session: AsyncSession, column: Any) -> ColumnElement[int]:
    """Days since 1970-01-01 in Asia/Ho_Chi_Minh (UTC+7, see VIETNAM_OFFSET)."""
    return (_epoch(session, column) + _OFFSET_SECONDS) // _DAY


def _day_of(number: int) -> date:
    return _EPOCH_DAY + timedelta(days=int(number))


def _utc_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start's local midnight, the local midnight after end) as UTC times."""
    first = datetime.combine(start, time(), tzinfo=UTC) - VIETNAM_OFFSET
    after = datetime.combine(end + timedelta(days=1), time(), tzinfo=UTC) - VIETNAM_OFFSET
    return first, after


def _checked_range(start: date, end: date) -> None:
    """Both days within the years a shop's records can hold (so no arithmetic on them
    overflows), and `to` within the 366 days from `from` (a leap year, whole)."""
    for field, day in (("from", start), ("to", end)):
        if not FIRST_DAY <= day <= LAST_DAY:
            raise InvalidInput(
                Reason.OUT_OF_RANGE,
                field=field,
                low=FIRST_DAY.isoformat(),
                high=LAST_DAY.isoformat(),
            )
    if not start <= end < start + timedelta(days=MAX_DAYS):
        raise InvalidInput(
            Reason.OUT_OF_RANGE,
            field="to",
            low=start.isoformat(),
            high=(start + timedelta(days=MAX_DAYS - 1)).isoformat(),
        )


def _counted(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


# --- a live --------------------------------------------------------------------------------


async def live_report(service: OrderService, video_id: str) -> LiveReport:
    """The live's figures, so far while it runs; `NotFound(Reason.NO_LIVE_SESSION)` for a
    video with no session."""
    async with service.reading() as session:
        live = await session.scalar(select(LiveSession).where(LiveSession.video_id == video_id))
        if live is None:
            raise NotFound(Reason.NO_LIVE_SESSION, video_id=video_id)
        return await _live(session, live)


def _live_flags(video_id: str) -> Any:
    """One row per order of the live that has events: whether it left draft, reached
    shipping, was delivered. Grouped once, so each order's events are read once per query
    (a correlated EXISTS per figure would read them again for every figure)."""
    return (
        select(
            OrderEvent.order_id.label("order_id"),
            _flag(_left_draft()).label("left"),
            _flag(_reached_shipping()).label("shipped"),
            _flag(_delivered()).label("delivered"),
        )
        .join(Order, Order.id == OrderEvent.order_id)
        .where(Order.video_id == video_id)
        .group_by(OrderEvent.order_id)
        .subquery("flags")
    )


async def _live(session: AsyncSession, live: LiveSession) -> LiveReport:
    comments, first, last = (
        await session.execute(
            select(func.count(), func.min(Comment.created_time), func.max(Comment.created_time))
            .select_from(Comment)
            .where(Comment.session_id == live.id)
        )
    ).one()
    buyer_comment = (
        Comment.session_id == live.id,
        Comment.from_id != "",
        or_(Comment.intent.in_(ORDERING_INTENTS), Comment.order_id.is_not(None)),
    )
    buyer_ids = select(Comment.from_id).where(*buyer_comment)
    buyers = int(
        await session.scalar(select(func.count(distinct(Comment.from_id))).where(*buyer_comment))
        or 0
    )
    flags = _live_flags(live.video_id)
    left = func.coalesce(flags.c.left, 0) == 1
    kept = and_(left, Order.status != CANCELLED)
    of_live = (
        select()
        .select_from(Order)
        .outerjoin(flags, flags.c.order_id == Order.id)
        .where(Order.video_id == live.video_id)
    )
    figures = (
        await session.execute(
            of_live.with_only_columns(
                func.count(),
                _counted(left),
                _counted(and_(left, Order.status == CANCELLED)),
                _counted(kept),
                func.coalesce(
                    func.sum(case((kept, Order.shipping_fee - Order.discount), else_=0)), 0
                ),
                _counted(flags.c.shipped == 1),
                _counted(flags.c.delivered == 1),
                _counted(Order.status == RETURNED),
                # buyers whose Facebook id has a created order of this live
                func.count(
                    distinct(
                        case((and_(left, Order.facebook_id.in_(buyer_ids)), Order.facebook_id))
                    )
                ),
            )
        )
    ).one()
    drafts, created, cancelled, kept_count, fees, shipped, delivered, returned, converted = (
        int(value or 0) for value in figures
    )
    sold = await _sold(session, live.video_id)
    revenue = fees + sum(amount for _, _, amount in sold)
    top = sorted(((code, quantity) for code, quantity, _ in sold if code), key=_best_first)
    return LiveReport(
        video_id=live.video_id,
        title=live.title,
        running=ordering_open_at(live, utcnow()),
        started_at=first or live.created_at,
        ended_at=last,
        comments=int(comments),
        buyers=buyers,
        drafts=drafts,
        created=created,
        cancelled=cancelled,
        shipped=shipped,
        delivered=delivered,
        returned=returned,
        revenue=revenue,
        average_order=_average(revenue, kept_count),
        conversion=int(converted or 0) / buyers if buyers else 0.0,
        top_codes=tuple(CodeSold(code, quantity) for code, quantity in top[:TOP_CODES]),
        per_minute=await _per_minute(session, live.id) if comments else (),
    )


def _best_first(row: tuple[str, int]) -> tuple[int, str]:
    return -row[1], row[0]


def _average(revenue: int, count: int) -> int:
    """Whole VND, rounded half up (money in VND has no fractions)."""
    return (2 * revenue + count) // (2 * count) if count else 0


async def _sold(session: AsyncSession, video_id: str) -> list[tuple[str, int, int]]:
    """(code, quantity, amount) of the counted lines (not waitlisted) of the live's created,
    not cancelled orders, by code: the top codes and, with the orders' fees and discounts,
    the revenue. A live's codes are few, so the rows are."""
    flags = _live_flags(video_id)
    rows = await session.execute(
        select(
            OrderLine.code,
            func.sum(OrderLine.quantity),
            func.sum(OrderLine.quantity * OrderLine.unit_price),
        )
        .join(Order, Order.id == OrderLine.order_id)
        .join(flags, flags.c.order_id == Order.id)
        .where(
            Order.video_id == video_id,
            Order.status != CANCELLED,
            flags.c.left == 1,
            OrderLine.waitlisted.is_(False),
        )
        .group_by(OrderLine.code)
    )
    return [(code, int(quantity), int(amount)) for code, quantity, amount in rows.all()]


async def _per_minute(session: AsyncSession, live_id: int) -> tuple[MinuteCount, ...]:
    minute = _epoch(session, Comment.created_time) // 60
    rows = await session.execute(
        select(minute, func.count())
        .where(Comment.session_id == live_id)
        .group_by(minute)
        .order_by(minute)
    )
    counts = {int(number): int(count) for number, count in rows.all()}
    if not counts:
        return ()
    first, last = min(counts), max(counts)
    return tuple(
        MinuteCount(datetime.fromtimestamp(number * 60, UTC), counts.get(number, 0))
        for number in range(first, last + 1)
    )


async def latest_live(service: OrderService) -> str | None:
    """The video id of the live under way (open, or in its grace period), else of the live
    most recently opened; None before any live."""
    now = utcnow()
    async with service.reading() as session:
        running = await session.scalar(
            select(LiveSession.video_id)
            .where(
                LiveSession.ordering_open.is_(True),
                or_(LiveSession.closes_at.is_(None), LiveSession.closes_at > now),
            )
            .order_by(LiveSession.id.desc())
            .limit(1)
        )
        if running is not None:
            return running
        return await session.scalar(
            select(LiveSession.video_id).order_by(LiveSession.id.desc()).limit(1)
        )


# --- staff ---------------------------------------------------------------------------------


def _in(column: Any, bounds: tuple[datetime, datetime]) -> ColumnElement[bool]:
    return and_(column >= bounds[0], column < bounds[1])


def _claim_event() -> ColumnElement[bool]:
    """An edit that set the order's staff member (`/claim`, or an assignment): its details
    name `staff_id` among the fields it changed. Read as text so both dialects agree."""
    return and_(
        OrderEvent.action == Action.EDIT.value,
        cast(OrderEvent.details, Text).like('%"staff_id"%'),
    )


async def _by_key(session: AsyncSession, query: Select[Any, Any]) -> dict[Any, int]:
    return {key: int(value or 0) for key, value in (await session.execute(query)).all()}


async def staff_report(service: OrderService, start: date, end: date) -> StaffReport:
    """Every staff member over the days `start`..`end` (Asia/Ho_Chi_Minh, both included),
    most revenue first; refused (`InvalidInput`) when `end` is before `start` or the range
    is longer than 366 days."""
    _checked_range(start, end)
    bounds = _utc_bounds(start, end)
    async with service.reading() as session:
        staff = (await session.execute(select(Staff.id, Staff.telegram_id, Staff.name))).all()
        claimed = await _by_key(
            session,
            select(Order.staff_id, func.count(distinct(Order.id)))
            .join(OrderEvent, OrderEvent.order_id == Order.id)
            .where(
                Order.staff_id.is_not(None),
                _in(OrderEvent.at, bounds),
                or_(_left_draft(), _claim_event()),
            )
            .group_by(Order.staff_id),
        )
        created = await _credited_counts(session, _left_draft(), bounds)
        shipped = await _credited_counts(session, _reached_shipping(), bounds)
        delivered = await _by_key(
            session,
            select(Order.staff_id, func.count(distinct(Order.id)))
            .join(OrderEvent, OrderEvent.order_id == Order.id)
            .where(Order.staff_id.is_not(None), _in(OrderEvent.at, bounds), _delivered())
            .group_by(Order.staff_id),
        )
        revenue = await _by_key(
            session,
            select(Order.staff_id, func.sum(order_total()))
            .join(OrderEvent, OrderEvent.order_id == Order.id)
            .where(
                Order.staff_id.is_not(None),
                Order.status != CANCELLED,
                _in(OrderEvent.at, bounds),
                _left_draft(),
            )
            .group_by(Order.staff_id),
        )
        collected = await _by_key(
            session,
            select(OrderEvent.staff_id, _collected_sum())
            .join(CodLedgerEntry, CodLedgerEntry.order_id == OrderEvent.order_id)
            .where(*_collection(bounds), OrderEvent.staff_id.is_not(None))
            .group_by(OrderEvent.staff_id),
        )
    rows = [
        StaffFigures(
            telegram_id=int(telegram_id),
            name=name,
            claimed=claimed.get(staff_id, 0),
            created=created.get(staff_id, 0),
            shipped=shipped.get(staff_id, 0),
            delivered=delivered.get(staff_id, 0),
            revenue=revenue.get(staff_id, 0),
            cod_collected=collected.get(staff_id, 0),
        )
        for staff_id, telegram_id, name in staff
    ]
    rows.sort(key=lambda row: (-row.revenue, -row.created, row.name, row.telegram_id))
    return StaffReport(start, end, tuple(rows))


async def _credited_counts(
    session: AsyncSession, condition: ColumnElement[bool], bounds: tuple[datetime, datetime]
) -> dict[Any, int]:
    """Orders per credited staff member among events meeting `condition` in `bounds`."""
    events = (
        select(_credited().label("staff_id"), OrderEvent.order_id)
        .where(_in(OrderEvent.at, bounds), condition)
        .subquery()
    )
    return await _by_key(
        session,
        select(events.c.staff_id, func.count(distinct(events.c.order_id)))
        .where(events.c.staff_id.is_not(None))
        .group_by(events.c.staff_id),
    )


def _collection(bounds: tuple[datetime, datetime]) -> Iterable[ColumnElement[bool]]:
    """A `collect_cod` in `bounds` joined to the ledger's settlement of its order (one per
    order: a collected order is complete and cannot be collected again)."""
    return (
        OrderEvent.action == Action.COLLECT_COD.value,
        _in(OrderEvent.at, bounds),
        CodLedgerEntry.amount < 0,
    )


def _collected_sum() -> ColumnElement[int]:
    return func.coalesce(func.sum(-CodLedgerEntry.amount), 0)


# --- the shop day by day -------------------------------------------------------------------


async def daily_report(service: OrderService, start: date, end: date) -> ShopDays:
    """The shop day by day over `start`..`end`, empty days included; the same refusals."""
    _checked_range(start, end)
    bounds = _utc_bounds(start, end)
    async with service.reading() as session:
        event_day = _local_day(session, OrderEvent.at)
        order_day = _local_day(session, Order.created_at)
        drafts = await _by_key(
            session,
            select(order_day, func.count())
            .where(_in(Order.created_at, bounds))
            .group_by(order_day),
        )

        def orders_by_day(condition: ColumnElement[bool]) -> Select[Any, Any]:
            return (
                select(event_day, func.count(distinct(OrderEvent.order_id)))
                .where(_in(OrderEvent.at, bounds), condition)
                .group_by(event_day)
            )

        created = await _by_key(session, orders_by_day(_left_draft()))
        shipped = await _by_key(session, orders_by_day(_reached_shipping()))
        delivered = await _by_key(session, orders_by_day(_delivered()))
        revenue = await _by_key(
            session,
            select(event_day, func.sum(order_total()))
            .join(Order, Order.id == OrderEvent.order_id)
            .where(_in(OrderEvent.at, bounds), _left_draft(), Order.status != CANCELLED)
            .group_by(event_day),
        )
        collected = await _by_key(
            session,
            select(event_day, _collected_sum())
            .join(CodLedgerEntry, CodLedgerEntry.order_id == OrderEvent.order_id)
            .where(*_collection(bounds))
            .group_by(event_day),
        )
    first = (start - _EPOCH_DAY).days
    days = []
    for number in range(first, first + (end - start).days + 1):
        days.append(
            DayFigures(
                day=_day_of(number),
                drafts=drafts.get(number, 0),
                created=created.get(number, 0),
                shipped=shipped.get(number, 0),
                delivered=delivered.get(number, 0),
                revenue=revenue.get(number, 0),
                cod_collected=collected.get(number, 0),
            )
        )
    return ShopDays(start, end, tuple(days))


_TYPED_DAY: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
TYPED_YEARS: Final = (1970, 2999)  # beyond them, a typing mistake (and a week's arithmetic fails)


def read_day(text: str) -> date | None:
    """A day typed as `YYYY-MM-DD` in a page's address or a chat command; None for anything
    else. Whether it is within what a report covers is the report's to say."""
    if not _TYPED_DAY.fullmatch(text):
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:  # 2025-02-30
        return None
    return day if TYPED_YEARS[0] <= day.year <= TYPED_YEARS[1] else None


def local_today() -> date:
    """Today in Vietnam, whatever zone the server keeps."""
    return utcnow().astimezone(LOCAL_ZONE).date()
