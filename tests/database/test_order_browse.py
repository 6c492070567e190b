"""Browsing orders as the chat's /orders does, on both databases: counts per status under the
same narrowing as `list_orders`, and a "previous" cursor that lands exactly on the page
before, however the pages are cut."""

from __future__ import annotations

from application.services import OrderService
from orders import browse, queries
from orders.changes import LineInput, OrderChanges
from orders.drafts import Buyer, NewOrder
from orders.lifecycle import Action
from orders.staff import add_staff
from orders.staff_directory import name_key, staff_named
from orders.views import OrderView
from tests.factories import STAFF, seed_items


async def _draft(service: OrderService, n: int, video_id: str | None = None) -> OrderView:
    buyer = Buyer(name=f"Khách {n}", phone=f"09123450{n:02d}", street="1 Phố Huế")
    return await service.create_draft(
        NewOrder(buyer=buyer, lines=[LineInput(quantity=1, code="A1")], video_id=video_id),
        STAFF,
    )


async def test_counts_follow_the_filters_and_previous_lands_on_the_page_before(
    service: OrderService, sessions
):
    await seed_items(sessions)
    ours = [await _draft(service, n, video_id="v1") for n in range(1, 8)]
    await _draft(service, 50, video_id="v2")
    await service.act(ours[0].id, Action.CANCEL, actor=STAFF, version=ours[0].version)
    async with sessions() as session:
        live = queries.OrderFilter(video_id="v1", limit=3)
        counts = await browse.count_by_status(session, live)
        everything = await browse.count_by_status(session, queries.OrderFilter(status="draft"))
        newest = [o.id for o in reversed(ours)]
        first_page = await queries.list_orders(session, live)
        second_page = await queries.list_orders(
            session, queries.OrderFilter(video_id="v1", limit=3, cursor=first_page.next_cursor)
        )
        third_page = await queries.list_orders(
            session, queries.OrderFilter(video_id="v1", limit=3, cursor=second_page.next_cursor)
        )
        first, second, third = first_page.orders, second_page.orders, third_page.orders
        back_from_third = await browse.previous_cursor(session, live, third[0].id)
        back_from_second = await browse.previous_cursor(session, live, second[0].id)
        none_before_first = await browse.previous_cursor(session, live, first[0].id)
        again = (
            await queries.list_orders(
                session, queries.OrderFilter(video_id="v1", limit=3, cursor=back_from_third)
            )
        ).orders
    assert counts == {"draft": 6, "cancelled": 1}
    # the filter's own status narrows no count: every tab gets its number
    assert everything == {"draft": 7, "cancelled": 1}
    assert [o.id for o in first + second + third] == newest
    assert [o.id for o in again] == [o.id for o in second]
    assert back_from_second == browse.NEWEST
    assert none_before_first is None


async def test_staff_filter_and_lookups(service: OrderService, sessions):
    await seed_items(sessions)
    async with sessions.begin() as session:
        lan = await add_staff(session, 501, "Lan Anh", "sales")
        await add_staff(session, 502, "Hạnh", "manager")
    lan_id = lan.id
    mine = await _draft(service, 1)
    await _draft(service, 2)
    await service.act(
        mine.id,
        Action.EDIT,
        actor=STAFF,
        version=mine.version,
        changes=OrderChanges(staff_id=lan_id),
    )
    async with sessions() as session:
        counts = await browse.count_by_status(session, queries.OrderFilter(staff=501))
        found = await staff_named(session, "lan_anh")
        by_code = await browse.order_id_by_code(session, mine.code.lower())
        by_id = await browse.order_id_by_code(session, f"#{mine.id}")
        unknown = await browse.order_id_by_code(session, "#999999")
    assert counts == {"draft": 1}
    assert [person.telegram_id for person in found] == [501]
    assert name_key("LAN ANH") == name_key("lan_anh") == "lananh"
    assert by_code == by_id == mine.id and unknown is None
