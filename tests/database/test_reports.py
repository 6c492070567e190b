"""The reports on SQLite and PostgreSQL, from orders made through the real order core and
comments through the live ingest: every figure of a live's report, the staff report across
Vietnam's midnight, the shop day by day, the refusals, and a recount in plain Python."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from application.live_comments import apply_comments
from application.live_sessions import close_session, open_session, parse_codes
from application.report_views import CodeSold, DayFigures, MinuteCount, StaffFigures
from application.reports import daily_report, latest_live, live_report, staff_report
from application.services import OrderService
from orders.actors import Actor, Source
from orders.catalog import ItemRow
from orders.changes import LineInput, OrderChanges
from orders.drafts import NewOrder
from orders.errors import InvalidInput, NotFound, Reason
from orders.queries import OrderFilter, list_orders
from orders.staff import add_staff
from orders.tables import CodLedgerEntry, Order, OrderEvent
from orders.views import OrderRow, OrderView
from tests.database.test_ingest import CONFIG, T0, VIDEO, said
from tests.factories import BUYER, INDIVIDUAL, STAFF, WALKS, draft, seed_items

FILL = OrderChanges(
    buyer_phone="0912345678",
    street="12 Lý Thường Kiệt",
    ward="Phường Cửa Nam",
    province="Thành phố Hà Nội",
)
VN = timedelta(hours=7)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    """A wall-clock time in Vietnam, as the UTC time stored."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC) - VN


async def act(service: OrderService, order_id: int, action: str, **kwargs: Any) -> OrderView:
    actor = kwargs.pop("actor", STAFF)
    now = await service.detail(order_id)
    return await service.act(order_id, action, actor=actor, version=now.version, **kwargs)


async def live_drafts(sessions: async_sessionmaker[AsyncSession], video: str) -> list[OrderRow]:
    async with sessions() as session:
        page = await list_orders(session, OrderFilter(video_id=video, limit=200))
    return sorted(page.orders, key=lambda order: order.id)


async def happened_at(
    sessions: async_sessionmaker[AsyncSession], order_id: int, action: str, when: datetime
) -> None:
    """The shop's past: the order's `action` events (and the COD ledger row it wrote) moved
    to `when`, as if staff had acted then."""
    async with sessions.begin() as session:
        await session.execute(
            update(OrderEvent)
            .where(OrderEvent.order_id == order_id, OrderEvent.action == action)
            .values(at=when)
        )
        if action in ("complete", "collect_cod"):
            sign = CodLedgerEntry.amount > 0 if action == "complete" else CodLedgerEntry.amount < 0
            await session.execute(
                update(CodLedgerEntry)
                .where(CodLedgerEntry.order_id == order_id, sign)
                .values(at=when)
            )
        if action == "create":
            await session.execute(update(Order).where(Order.id == order_id).values(created_at=when))


# --- a live --------------------------------------------------------------------------------


@pytest.fixture
async def live(sessions: async_sessionmaker[AsyncSession], service: OrderService) -> list[int]:
    """A live selling A1 (three at most) and B3, with one buyer of each fate:
    fb-1 A1x2 delivered (discount 20,000, shipping 30,000: 310,000); fb-2 B3 created then
    cancelled; fb-3 A1 cancelled as a draft; fb-5 A1 beyond the cap (waitlisted, a draft);
    fb-6 B3x3 shipped from draft, failed and returned (960,000); fb-4 only asked a question.
    Comments at minutes 0, 1, 3, 3.5, 5 and 6."""
    await seed_items(sessions)
    async with sessions.begin() as session:
        await open_session(
            session, VIDEO, title="Live tối thứ Bảy", codes=parse_codes("A1=AO-001:3,B3=QUAN-002")
        )
    async with sessions.begin() as session:
        await apply_comments(
            session,
            [
                said(0, "A1 2"),
                said(1, "B3", buyer="fb-2"),
                said(3, "A1", buyer="fb-3"),
                said(4, "shop ơi áo này còn màu đỏ không?", buyer="fb-4", minute=3.5),
                said(5, "A1", buyer="fb-5"),
                said(6, "B3 3", buyer="fb-6"),
            ],
            CONFIG,
        )
    o1, o2, o3, o4, o5 = [order.id for order in await live_drafts(sessions, VIDEO)]
    await act(
        service,
        o1,
        "edit",
        changes=OrderChanges(
            buyer_phone=FILL.buyer_phone,
            street=FILL.street,
            ward=FILL.ward,
            province=FILL.province,
            shipping_fee=30_000,
            discount=20_000,
        ),
    )
    for action, kwargs in WALKS["wait_for_cod"]:
        await act(service, o1, action, **kwargs)
    await act(service, o2, "edit", changes=FILL)
    await act(service, o2, "create_order")
    await act(service, o2, "cancel")
    await act(service, o3, "cancel")
    await act(service, o5, "edit", changes=FILL)
    await act(service, o5, "ship", ship_with=INDIVIDUAL)
    await act(service, o5, "failed")
    await act(service, o5, "return")
    await draft(service)  # a manual order, of no live
    return [o1, o2, o3, o4, o5]


async def test_a_live_report_counts_each_fate_once(
    live: list[int], service: OrderService, sessions: async_sessionmaker[AsyncSession]
) -> None:
    waitlisted = (await service.detail(live[3])).lines
    assert [(line.code, line.waitlisted) for line in waitlisted] == [("A1", True)]

    report = await live_report(service, VIDEO)

    assert (report.video_id, report.title, report.running) == (VIDEO, "Live tối thứ Bảy", True)
    assert (report.started_at, report.ended_at) == (T0, T0 + timedelta(minutes=6))
    assert (report.comments, report.buyers, report.drafts) == (6, 5, 5)
    assert (report.created, report.cancelled) == (3, 1)
    assert (report.shipped, report.delivered, report.returned) == (2, 1, 1)
    assert report.revenue == 310_000 + 960_000
    assert report.average_order == 635_000
    assert report.conversion == pytest.approx(3 / 5)
    assert report.top_codes == (CodeSold("B3", 3), CodeSold("A1", 2))
    minutes = [T0 + timedelta(minutes=n) for n in range(7)]
    assert report.per_minute == tuple(
        MinuteCount(minute, count)
        for minute, count in zip(minutes, [1, 1, 0, 2, 0, 1, 1], strict=True)
    )
    assert await latest_live(service) == VIDEO

    async with sessions.begin() as session:
        await close_session(session, VIDEO)
    closed = await live_report(service, VIDEO)
    assert closed.running is False
    assert closed.revenue == report.revenue


async def test_a_live_with_no_comment_yet_reports_zeros(
    sessions: async_sessionmaker[AsyncSession], service: OrderService
) -> None:
    assert await latest_live(service) is None
    async with sessions.begin() as session:
        opened = await open_session(session, "111", title="Sắp live")
    report = await live_report(service, "111")
    assert (report.comments, report.buyers, report.drafts, report.revenue) == (0, 0, 0, 0)
    assert (report.average_order, report.conversion) == (0, 0.0)
    assert (report.top_codes, report.per_minute) == ((), ())
    assert (report.started_at, report.ended_at, report.running) == (opened.created_at, None, True)
    assert await latest_live(service) == "111"


async def test_the_live_under_way_is_the_latest_even_if_an_older_one(
    sessions: async_sessionmaker[AsyncSession], service: OrderService
) -> None:
    async with sessions.begin() as session:
        await open_session(session, "201")
        await open_session(session, "202")
    async with sessions.begin() as session:
        await close_session(session, "202")
    assert await latest_live(service) == "201"
    async with sessions.begin() as session:
        await close_session(session, "201")
    assert await latest_live(service) == "202"  # none runs: the one opened last


async def test_an_unknown_live_is_not_found(service: OrderService) -> None:
    with pytest.raises(NotFound) as refused:
        await live_report(service, "999")
    assert refused.value.reason is Reason.NO_LIVE_SESSION
    assert refused.value.params == {"video_id": "999"}


# --- staff and days, across Vietnam's midnight ---------------------------------------------

DAY1, DAY2, DAY3 = date(2026, 3, 10), date(2026, 3, 11), date(2026, 3, 12)


@pytest.fixture
async def team(sessions: async_sessionmaker[AsyncSession], service: OrderService) -> None:
    """Lan and Minh over two days (each order 2 x A1 + 30,000 shipping = 330,000), every
    draft made on day 1 at 22:00:
    - `a`: Lan creates and claims it at 23:30 on day 1, ships and delivers it at 00:30 on day
      2; Minh collects its COD at 10:00 on day 2;
    - `b`: Minh creates and claims it at 00:30 on day 2, then cancels it at 09:00;
    - `c`: Minh creates it at 00:30 on day 2 and gives it to Lan at 08:00."""
    await seed_items(sessions)
    async with sessions.begin() as session:
        lan = await add_staff(session, 111, "Lan", "sales")
        minh = await add_staff(session, 222, "Minh", "cashier")
        await add_staff(session, 333, "An", "manager")  # did nothing
    by_lan = Actor(Source.STAFF, "Lan", staff_id=lan.id)
    by_minh = Actor(Source.STAFF, "Minh", staff_id=minh.id)
    a, b, c = [(await draft(service)).id for _ in range(3)]
    for order in (a, b, c):
        await happened_at(sessions, order, "create", local(DAY1, 22))

    await act(service, a, "create_order", actor=by_lan)
    await act(service, a, "edit", actor=by_lan, changes=OrderChanges(staff_id=lan.id))
    await act(service, a, "ship", actor=by_lan, ship_with=INDIVIDUAL)
    await act(service, a, "complete", actor=by_lan)
    await act(service, a, "collect_cod", actor=by_minh)
    await happened_at(sessions, a, "create_order", local(DAY1, 23, 30))
    await happened_at(sessions, a, "edit", local(DAY1, 23, 30))
    await happened_at(sessions, a, "ship", local(DAY2, 0, 30))
    await happened_at(sessions, a, "complete", local(DAY2, 0, 30))
    await happened_at(sessions, a, "collect_cod", local(DAY2, 10))

    await act(service, b, "create_order", actor=by_minh)
    await act(service, b, "edit", actor=by_minh, changes=OrderChanges(staff_id=minh.id))
    await act(service, b, "cancel", actor=by_minh)
    await happened_at(sessions, b, "create_order", local(DAY2, 0, 30))
    await happened_at(sessions, b, "edit", local(DAY2, 0, 30))
    await happened_at(sessions, b, "cancel", local(DAY2, 9))

    await act(service, c, "create_order", actor=by_minh)
    await act(service, c, "edit", actor=by_minh, changes=OrderChanges(staff_id=lan.id))
    await happened_at(sessions, c, "create_order", local(DAY2, 0, 30))
    await happened_at(sessions, c, "edit", local(DAY2, 8))


def figures(report: Any) -> list[tuple[Any, ...]]:
    return [
        (
            row.name,
            row.claimed,
            row.created,
            row.shipped,
            row.delivered,
            row.revenue,
            row.cod_collected,
        )
        for row in report.staff
    ]


async def test_the_staff_report_splits_days_at_vietnam_midnight(
    team: None, service: OrderService
) -> None:
    day1 = await staff_report(service, DAY1, DAY1)
    assert (day1.start, day1.end) == (DAY1, DAY1)
    assert figures(day1) == [
        ("Lan", 1, 1, 0, 0, 330_000, 0),
        ("An", 0, 0, 0, 0, 0, 0),
        ("Minh", 0, 0, 0, 0, 0, 0),
    ]
    assert figures(await staff_report(service, DAY2, DAY2)) == [
        ("Lan", 1, 0, 1, 1, 330_000, 0),
        ("Minh", 1, 2, 0, 0, 0, 330_000),
        ("An", 0, 0, 0, 0, 0, 0),
    ]
    both = await staff_report(service, DAY1, DAY3)
    assert figures(both) == [
        ("Lan", 2, 1, 1, 1, 660_000, 0),
        ("Minh", 1, 2, 0, 0, 0, 330_000),
        ("An", 0, 0, 0, 0, 0, 0),
    ]
    assert both.staff[0] == StaffFigures(111, "Lan", 2, 1, 1, 1, 660_000, 0)
    assert figures(await staff_report(service, DAY3, DAY3))[0] == ("An", 0, 0, 0, 0, 0, 0)


async def test_the_shop_day_by_day_splits_at_vietnam_midnight(
    team: None, service: OrderService
) -> None:
    report = await daily_report(service, DAY1, DAY3)
    assert report.days == (
        DayFigures(
            DAY1, drafts=3, created=1, shipped=0, delivered=0, revenue=330_000, cod_collected=0
        ),
        DayFigures(
            DAY2,
            drafts=0,
            created=2,
            shipped=1,
            delivered=1,
            revenue=330_000,
            cod_collected=330_000,
        ),
        DayFigures(DAY3, drafts=0, created=0, shipped=0, delivered=0, revenue=0, cod_collected=0),
    )
    one = await daily_report(service, DAY2, DAY2)
    assert one.days == report.days[1:2]


async def test_a_partner_carriers_yes_counts_for_the_person_who_asked(
    sessions: async_sessionmaker[AsyncSession], service: OrderService
) -> None:
    """A GHN shipment is a request (the status stays) and then the carrier's yes (draft to
    shipping): one order created and shipped, credited to the staff member who asked."""
    from orders.shipments import Accepted
    from orders.transitions import ShipWith

    await seed_items(sessions)
    async with sessions.begin() as session:
        lan = await add_staff(session, 111, "Lan", "sales")
    by_lan = Actor(Source.STAFF, "Lan", staff_id=lan.id)
    order = await draft(service)
    asked = await act(service, order.id, "ship", actor=by_lan, ship_with=ShipWith("ghn"))
    assert asked.status == "draft"
    await service.act(
        order.id,
        "ship",
        actor=Actor.carrier("ghn"),
        version=None,
        accepted=Accepted("GHN123", 25_000),
    )
    today = (datetime.now(UTC) + VN).date()
    report = await staff_report(service, today - timedelta(days=1), today + timedelta(days=1))
    assert figures(report) == [("Lan", 0, 1, 1, 0, 0, 0)]
    days = await daily_report(service, today, today)
    assert (days.days[0].created, days.days[0].shipped, days.days[0].revenue) == (1, 1, 330_000)


@pytest.mark.parametrize(
    ("start", "end"),
    [(DAY2, DAY1), (DAY1, DAY1 + timedelta(days=366)), (date(2000, 1, 1), date(2030, 1, 1))],
)
async def test_a_backwards_or_too_long_range_is_refused(
    service: OrderService, start: date, end: date
) -> None:
    for report in (staff_report, daily_report):
        with pytest.raises(InvalidInput) as refused:
            await report(service, start, end)
        assert refused.value.reason is Reason.OUT_OF_RANGE
        assert refused.value.params["field"] == "to"


async def test_a_whole_leap_year_is_a_range(service: OrderService) -> None:
    report = await daily_report(service, date(2028, 1, 1), date(2028, 12, 31))
    assert len(report.days) == 366
    assert report.days[-1] == DayFigures(date(2028, 12, 31), 0, 0, 0, 0, 0, 0)


# --- a plain recount -----------------------------------------------------------------------

BIG_STOCK = [
    ItemRow("AO-001", "Áo thun trắng", 150_000, 1_000_000, 200, "A1"),
    ItemRow("QUAN-002", "Quần jean xanh", 320_000, 1_000_000, 500, "B3"),
]
FATES = sorted(WALKS)
MIXES = st.lists(
    st.tuples(
        st.sampled_from(FATES),
        st.lists(
            st.tuples(st.sampled_from(["A1", "B3"]), st.integers(1, 4)), min_size=1, max_size=3
        ),
        st.sampled_from([0, 15_000, 30_000]),
        st.sampled_from([0, 10_000]),
        st.booleans(),  # cancelled after the walk, where the status allows
    ),
    min_size=1,
    max_size=5,
)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(mix=MIXES)
async def test_a_live_report_equals_a_plain_recount_of_its_orders(
    sessions: async_sessionmaker[AsyncSession], service: OrderService, mix: list[Any]
) -> None:
    video = uuid4().hex[:16]
    await seed_items(sessions, BIG_STOCK)
    async with sessions.begin() as session:
        await open_session(session, video)
    ids = []
    for fate, lines, fee, discount, then_cancel in mix:
        made = await service.create_draft(
            NewOrder(
                buyer=BUYER,
                lines=[LineInput(quantity=q, code=code) for code, q in lines],
                source="livestream",
                video_id=video,
                shipping_fee=fee,
                discount=discount,
            ),
            STAFF,
        )
        for action, kwargs in WALKS[fate]:
            await act(service, made.id, action, **kwargs)
        if then_cancel and (await service.detail(made.id)).status in (
            "waiting_for_shipping",
            "shipping",
        ):
            await act(service, made.id, "cancel")
        ids.append(made.id)

    views = [await service.detail(order_id) for order_id in ids]
    created = [
        view
        for view in views
        if any(
            e.from_status == "draft" and e.to_status not in ("draft", "cancelled")
            for e in view.events
        )
    ]
    kept = [view for view in created if view.status != "cancelled"]
    report = await live_report(service, video)
    assert report.drafts == len(views)
    assert report.created == len(created)
    assert report.cancelled == len(created) - len(kept)
    assert report.revenue == sum(view.total for view in kept)
    sold: dict[str, int] = {}
    for view in kept:
        for line in view.lines:
            sold[line.code] = sold.get(line.code, 0) + line.quantity
    assert {row.code: row.quantity for row in report.top_codes} == sold
