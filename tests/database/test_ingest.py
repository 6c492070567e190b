"""Comment events to drafts, on SQLite and PostgreSQL: each rule of COMMENT_SYNTAX.md "Comment
events", through the same functions the inbox handler runs, with the real parser."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from application.graph_jobs import HIDE_COMMENT, PRIVATE_REPLY
from application.live_comments import Summary, apply_comments
from application.live_events import facebook_handler
from application.live_sessions import (
    CodeSpec,
    apply_live_status,
    close_session,
    codes_of,
    list_sessions,
    lock_session,
    open_session,
    parse_codes,
)
from application.views import LiveCodeRow
from kernel.inbox.processor import InboxItem, Unprocessable
from kernel.outbox.jobs import OutboxJob
from kernel.tables import utcnow
from livestream.config import IngestConfig, from_settings
from livestream.events import CommentEvent, LiveStatusEvent, read_body
from livestream.simulate import SimulatedComment, webhook_body
from livestream.tables import Comment
from orders.changes import OrderChanges
from orders.errors import InvalidInput, NotFound
from orders.queries import OrderFilter, list_orders
from orders.views import OrderRow, OrderView
from tests.conftest import make_settings
from tests.factories import STAFF, seed_items

PAGE = "999000111"
VIDEO = "776655443322"
CONFIG = IngestConfig(page_id=PAGE)
T0 = datetime(2026, 3, 14, 12, 0, tzinfo=UTC)
ADDRESS = {"street": "12 Lý Thường Kiệt", "ward": "Phường Cửa Nam", "province": "Hà Nội"}


def said(
    n: int,
    message: str,
    *,
    buyer: str = "fb-1",
    name: str = "Nguyễn Thị Hoa",
    verb: str = "add",
    minute: float | None = None,
    video: str = VIDEO,
) -> CommentEvent:
    """Comment number `n`; its time is n minutes into the live unless `minute` says."""
    at = T0 + timedelta(minutes=n if minute is None else minute)
    return CommentEvent(verb, f"{video}_{n}", video, buyer, name, message, at, f"p_{video}")


@pytest.fixture
async def items(sessions: async_sessionmaker[AsyncSession]) -> None:
    await seed_items(sessions)


async def ingest(
    sessions: async_sessionmaker[AsyncSession],
    *events: CommentEvent,
    config: IngestConfig = CONFIG,
) -> Summary:
    async with sessions.begin() as session:
        return await apply_comments(session, list(events), config)


async def drafts(sessions: async_sessionmaker[AsyncSession]) -> list[OrderRow]:
    async with sessions() as session:
        page = await list_orders(session, OrderFilter(video_id=VIDEO, limit=200))
    return sorted(page.orders, key=lambda order: order.id)


async def only_draft(sessions: async_sessionmaker[AsyncSession]) -> OrderRow:
    [order] = await drafts(sessions)
    return order


def lines(order: OrderRow) -> list[tuple[str, str | None, int]]:
    return [(line.code, line.sku, line.quantity) for line in order.lines]


async def stored(sessions: async_sessionmaker[AsyncSession]) -> dict[str, Comment]:
    async with sessions() as session:
        rows = await session.scalars(select(Comment).order_by(Comment.created_time))
        return {row.comment_id.removeprefix(f"{VIDEO}_"): row for row in rows}


async def jobs(sessions: async_sessionmaker[AsyncSession], kind: str) -> list[OutboxJob]:
    async with sessions() as session:
        query = select(OutboxJob).where(OutboxJob.kind == kind).order_by(OutboxJob.id)
        return list(await session.scalars(query))


# One draft per buyer per live


async def test_a_first_order_comment_makes_a_draft_for_its_buyer(sessions, items):
    summary = await ingest(sessions, said(1, "Chốt A1x2 nha shop"))

    order = await only_draft(sessions)
    assert (order.status, order.source, order.video_id) == ("draft", "livestream", VIDEO)
    assert order.customer.name == "Nguyễn Thị Hoa"
    assert order.customer.facebook_id == "fb-1"
    assert lines(order) == [("A1", "AO-001", 2)]
    assert order.lines[0].comment_id == f"{VIDEO}_1"
    row = (await stored(sessions))["1"]
    assert (row.intent, row.order_id, row.flags, row.verb) == ("order", order.id, [], "add")
    assert row.lines == [
        {"code": "A1", "sku": "AO-001", "quantity": 2, "variant": "", "needs_review": False}
    ]
    assert (summary.applied, summary.drafts_created) == (1, 1)


async def test_later_comments_of_the_buyer_add_lines_to_the_same_draft(sessions, items):
    await ingest(sessions, said(1, "A1 2"))
    await ingest(sessions, said(2, "lấy 3 cái B3"), said(3, "B3 sl 1", buyer="fb-2"))
    await ingest(sessions, said(4, "a01 1"))

    first, second = await drafts(sessions)
    assert lines(first) == [("A1", "AO-001", 2), ("B3", "QUAN-002", 3), ("A1", "AO-001", 1)]
    assert lines(second) == [("B3", "QUAN-002", 1)]
    assert first.customer.facebook_id == "fb-1"
    assert first.version == 3  # created, then one save_draft per body


async def test_several_comments_of_one_buyer_in_one_body_make_one_draft(sessions, items):
    summary = await ingest(sessions, said(1, "A1"), said(2, "B3 2"), said(3, "A1 2c, B3 1c"))

    order = await only_draft(sessions)
    assert [(c, q) for c, _, q in lines(order)] == [("A1", 1), ("B3", 2), ("A1", 2), ("B3", 1)]
    assert (summary.drafts_created, summary.drafts_changed) == (1, 0)
    assert {row.order_id for row in (await stored(sessions)).values()} == {order.id}


async def test_the_buyer_of_each_comment_gets_their_own_draft(sessions, items):
    buyers = [said(n, "A1", buyer=f"fb-{n}", name=f"Khách {n}") for n in range(1, 6)]
    await ingest(sessions, *buyers)

    orders = await drafts(sessions)
    assert [order.customer.name for order in orders] == [f"Khách {n}" for n in range(1, 6)]


# Each comment counts once


async def test_the_same_comment_delivered_twice_is_applied_once(sessions, items):
    event = said(1, "A1 2")
    await ingest(sessions, event, event)
    summary = await ingest(sessions, event)

    assert lines(await only_draft(sessions)) == [("A1", "AO-001", 2)]
    assert (summary.applied, summary.repeated) == (0, 1)
    assert len(await stored(sessions)) == 1


async def test_the_same_words_from_the_same_buyer_count_once(sessions, items):
    await ingest(sessions, said(1, "Chốt A1x3"), said(2, "Chốt A1x3"))
    await ingest(sessions, said(3, "Chốt A1x3"), said(4, "Chốt A1x3", buyer="fb-2"))

    first, second = await drafts(sessions)
    assert lines(first) == [("A1", "AO-001", 3)]
    assert lines(second) == [("A1", "AO-001", 3)]
    rows = await stored(sessions)
    assert [rows[n].flags for n in "1234"] == [[], ["duplicate"], ["duplicate"], []]
    assert rows["2"].order_id is None


async def test_the_same_words_count_again_once_their_lines_are_cancelled(sessions, items):
    await ingest(sessions, said(1, "A1"), said(2, "huỷ A1"))
    await ingest(sessions, said(3, "A1"))

    assert lines(await only_draft(sessions)) == [("A1", "AO-001", 1)]
    assert "duplicate" not in (await stored(sessions))["3"].flags


# Edits and removals


async def test_an_edit_replaces_only_the_lines_of_that_comment(sessions, items):
    await ingest(sessions, said(1, "A1 2"), said(2, "B3"))
    summary = await ingest(sessions, said(1, "A1 5 nha", verb="edited"))

    assert sorted(lines(await only_draft(sessions))) == [("A1", "AO-001", 5), ("B3", "QUAN-002", 1)]
    row = (await stored(sessions))["1"]
    assert (row.verb, row.message, row.lines[0]["quantity"]) == ("edited", "A1 5 nha", 5)
    assert summary.drafts_changed == 1


async def test_an_edit_into_chatter_takes_the_lines_back(sessions, items):
    await ingest(sessions, said(1, "A1 2"), said(2, "B3"))
    await ingest(sessions, said(1, "à nhầm, đẹp quá", verb="edited"))

    assert lines(await only_draft(sessions)) == [("B3", "QUAN-002", 1)]
    row = (await stored(sessions))["1"]
    assert (row.intent, row.order_id) == ("none", None)


async def test_the_same_edit_delivered_twice_changes_the_draft_once(sessions, items):
    await ingest(sessions, said(1, "A1 2"))
    edit = said(1, "A1 4", verb="edited")
    await ingest(sessions, edit)
    summary = await ingest(sessions, edit)

    order = await only_draft(sessions)
    assert (lines(order), order.version, summary.repeated) == ([("A1", "AO-001", 4)], 2, 1)


async def test_a_removed_comment_takes_its_lines_back_and_is_kept(sessions, items):
    await ingest(sessions, said(1, "A1"), said(2, "B3 2"))
    await ingest(sessions, said(2, "", verb="remove"))

    order = await only_draft(sessions)
    assert lines(order) == [("A1", "AO-001", 1)]
    row = (await stored(sessions))["2"]
    assert (row.removed, row.verb, row.message, row.order_id) == (
        True,
        "remove",
        "B3 2",
        order.id,
    )


async def test_an_edit_that_overtakes_its_add_is_the_comment_and_the_add_is_ignored(
    sessions, items
):
    await ingest(sessions, said(1, "A1 5", verb="edited"))
    await ingest(sessions, said(1, "A1 2"))

    assert lines(await only_draft(sessions)) == [("A1", "AO-001", 5)]
    row = (await stored(sessions))["1"]
    assert (row.verb, row.message) == ("edited", "A1 5")


async def test_a_removal_that_overtakes_its_add_orders_nothing(sessions, items):
    await ingest(sessions, said(1, "", verb="remove"))
    await ingest(sessions, said(1, "A1 2"), said(1, "A1 3", verb="edited"))

    assert await drafts(sessions) == []
    row = (await stored(sessions))["1"]
    assert (row.removed, row.message, row.order_id) == (True, "A1 2", None)


async def test_hide_and_unhide_change_nothing(sessions, items):
    await ingest(sessions, said(1, "A1"))
    summary = await ingest(sessions, said(1, "A1", verb="hide"), said(1, "A1", verb="unhide"))

    assert lines(await only_draft(sessions)) == [("A1", "AO-001", 1)]
    assert summary.applied == 0


async def test_comments_of_one_body_apply_in_the_order_they_were_written(sessions, items):
    cancel, order = said(2, "huỷ A1"), said(1, "A1 2 B3")
    await ingest(sessions, cancel, order)  # delivered in the other order

    assert lines(await only_draft(sessions)) == [("B3", "QUAN-002", 1)]


# After the draft left draft


async def _create_order(service, order: OrderRow) -> OrderView:
    edited = await service.act(
        order.id,
        "edit",
        actor=STAFF,
        version=order.version,
        changes=OrderChanges(buyer_phone="0912345678", **ADDRESS),
    )
    return await service.act(order.id, "create_order", actor=STAFF, version=edited.version)


async def test_a_comment_after_the_draft_went_on_starts_a_new_draft_naming_the_first(
    sessions, service, items
):
    await ingest(sessions, said(1, "A1"))
    first = await _create_order(service, await only_draft(sessions))
    assert first.status == "waiting_for_shipping"

    await ingest(sessions, said(2, "B3 2"))

    old, new = await drafts(sessions)
    assert (old.id, lines(old)) == (first.id, [("A1", "AO-001", 1)])
    assert (new.status, lines(new)) == ("draft", [("B3", "QUAN-002", 2)])
    assert first.code in new.note


async def test_edits_and_removals_after_the_draft_went_on_leave_the_order_alone(
    sessions, service, items
):
    await ingest(sessions, said(1, "A1"), said(2, "B3"))
    first = await _create_order(service, await only_draft(sessions))

    await ingest(sessions, said(1, "A1 9", verb="edited"), said(2, "", verb="remove"))

    [order] = await drafts(sessions)
    assert (order.version, sorted(lines(order))) == (
        first.version,
        [("A1", "AO-001", 1), ("B3", "QUAN-002", 1)],
    )
    rows = await stored(sessions)
    assert rows["1"].flags == ["order_left_draft"] and rows["1"].message == "A1 9"
    assert rows["2"].flags == ["order_left_draft"] and rows["2"].removed


# Cancel


async def test_a_cancel_removes_the_named_codes_or_else_every_line(sessions, items):
    await ingest(sessions, said(1, "A1 2, B3 1, A1 1"), said(2, "huỷ A1"))
    assert lines(await only_draft(sessions)) == [("B3", "QUAN-002", 1)]

    await ingest(sessions, said(3, "A1"), said(4, "ko lấy nữa nha shop"))
    order = await only_draft(sessions)
    assert (order.status, order.lines) == ("draft", ())
    rows = await stored(sessions)
    assert (rows["2"].intent, rows["4"].intent) == ("cancel", "cancel")
    assert rows["4"].order_id == order.id


async def test_a_cancel_may_order_something_else_in_the_same_breath(sessions, items):
    await ingest(sessions, said(1, "A1 2"))
    await ingest(sessions, said(2, "huỷ A1 lấy B3"))

    assert lines(await only_draft(sessions)) == [("B3", "QUAN-002", 1)]


async def test_a_cancel_with_no_draft_changes_nothing(sessions, items):
    await ingest(sessions, said(1, "huỷ A1"))
    assert await drafts(sessions) == []
    assert (await stored(sessions))["1"].intent == "cancel"


# Phones


async def test_a_phone_in_a_comment_fills_the_buyers_phone(sessions, items):
    await ingest(sessions, said(1, "A1"))
    assert (await only_draft(sessions)).customer.phone == ""

    await ingest(sessions, said(2, "sđt em 0987.654.321 nha"))
    order = await only_draft(sessions)
    assert (order.customer.phone, lines(order)) == ("0987654321", [("A1", "AO-001", 1)])
    assert (await stored(sessions))["2"].phone == "0987654321"


async def test_a_phone_given_before_ordering_fills_the_draft_made_later(sessions, items):
    await ingest(sessions, said(1, "0912 345 678"))
    await ingest(sessions, said(2, "A1"))

    assert (await only_draft(sessions)).customer.phone == "0912345678"


# Addresses written in comments

HCM = "Thành phố Hồ Chí Minh"


def address_of(order: OrderRow) -> tuple[str, str, str, str, bool]:
    buyer = order.customer
    return (buyer.address, buyer.ward, buyer.district, buyer.province, order.address_review)


async def test_an_order_with_an_address_makes_a_draft_with_that_address(sessions, items):
    await ingest(sessions, said(1, "A1 giao 12 Lê Lợi P Bến Thành Q1 0912345678"))

    order = await only_draft(sessions)
    assert lines(order) == [("A1", "AO-001", 1)]
    assert order.customer.phone == "0912345678"
    assert address_of(order) == ("12 Lê Lợi", "Phường Bến Thành", "Q1", HCM, False)
    row = (await stored(sessions))["1"]
    assert (row.intent, row.order_id) == ("order", order.id)
    assert row.address == "12 Lê Lợi P Bến Thành Q1"


async def test_an_address_that_matches_no_ward_is_kept_whole_for_review(sessions, items):
    # Phường Bến Nghé was merged into Phường Sài Gòn in 2025: the lists no longer know it.
    await ingest(sessions, said(1, "A1 giao 12 Hai Bà Trưng P Bến Nghé Q1 0912345678"))

    order = await only_draft(sessions)
    assert lines(order) == [("A1", "AO-001", 1)]
    assert address_of(order) == ("12 Hai Bà Trưng P Bến Nghé Q1", "", "", "", True)


async def test_an_address_alone_fills_the_open_draft_and_the_latest_wins(sessions, items):
    await ingest(sessions, said(1, "A1 2"))
    await ingest(sessions, said(2, "dc: 12 ngõ 3 Láng Hạ, P. Láng, Đống Đa"))

    order = await only_draft(sessions)
    assert lines(order) == [("A1", "AO-001", 2)]
    assert address_of(order) == (
        "12 ngõ 3 Láng Hạ",
        "Phường Láng",
        "Đống Đa",
        "Thành phố Hà Nội",
        False,
    )
    row = (await stored(sessions))["2"]
    assert (row.intent, row.lines, row.order_id) == ("none", [], order.id)

    await ingest(sessions, said(3, "à em đổi địa chỉ: 45 Lê Lợi, Bến Thành, Quận 1"))
    order = await only_draft(sessions)
    assert address_of(order) == ("45 Lê Lợi", "Phường Bến Thành", "Quận 1", HCM, False)
    assert order.version == 3  # each address a save of the draft

    await ingest(sessions, said(4, "giao 45 Lê Lợi, Bến Thành, Quận 1 nha"))
    assert (await only_draft(sessions)).version == 3  # the same address again: nothing to save


async def test_an_address_with_no_draft_changes_no_order_but_is_kept(sessions, items):
    await ingest(sessions, said(1, "giao 12 Lê Lợi P Bến Thành Q1"))

    assert await drafts(sessions) == []
    row = (await stored(sessions))["1"]
    assert (row.intent, row.address, row.order_id) == ("none", "12 Lê Lợi P Bến Thành Q1", None)

    await ingest(sessions, said(2, "A1"))  # the draft made later takes it, as a phone
    assert address_of(await only_draft(sessions))[:2] == ("12 Lê Lợi", "Phường Bến Thành")


async def test_an_address_and_an_order_in_one_body_make_one_draft_with_it(sessions, items):
    await ingest(sessions, said(1, "A1"), said(2, "ship về 100 Phan Văn Trị, Gia Định, Bình Thạnh"))

    order = await only_draft(sessions)
    assert address_of(order) == ("100 Phan Văn Trị", "Phường Gia Định", "Bình Thạnh", HCM, False)


async def test_address_words_are_never_lines_or_cancels(sessions, items):
    await ingest(sessions, said(1, "A1 2"))
    await ingest(sessions, said(2, "B3 12 Nguyễn Trãi P5 Q3"), said(3, "Trần Huy Liệu"))

    order = await only_draft(sessions)
    assert lines(order) == [("A1", "AO-001", 2), ("B3", "QUAN-002", 1)]
    assert address_of(order) == ("12 Nguyễn Trãi P5 Q3", "", "", "", True)
    assert (await stored(sessions))["3"].intent == "none"


async def test_a_cancel_comment_lists_the_codes_it_cancels(sessions, items):
    await ingest(sessions, said(1, "A1 2, B3 1"))
    await ingest(sessions, said(2, "huỷ A1 lấy A2"), said(3, "hủy hết nha"))

    rows = await stored(sessions)
    assert rows["2"].lines == [
        {
            "code": "A1",
            "sku": "AO-001",
            "quantity": None,
            "variant": "",
            "needs_review": False,
            "cancel": True,
        },
        {
            "code": "A2",
            "sku": rows["2"].lines[1]["sku"],
            "quantity": 1,
            "variant": "",
            "needs_review": rows["2"].lines[1]["needs_review"],
        },
    ]
    assert (rows["3"].intent, rows["3"].lines) == ("cancel", [])  # none named: all


async def test_an_order_with_a_phone_makes_a_draft_with_that_phone(sessions, items):
    await ingest(sessions, said(1, "A1 M đen 0912 345 678"))

    order = await only_draft(sessions)
    assert order.customer.phone == "0912345678"
    assert order.lines[0].variant != ""


# Comments that order nothing


async def test_questions_and_chatter_order_nothing_but_are_kept(sessions, items):
    await ingest(sessions, said(1, "A1 còn không ạ?"), said(2, "đẹp quá 😍"), said(3, ""))

    assert await drafts(sessions) == []
    rows = await stored(sessions)
    assert [(rows[n].intent, rows[n].order_id) for n in "123"] == [
        ("question", None),
        ("none", None),
        ("none", None),
    ]


async def test_the_pages_own_comments_order_nothing(sessions, items):
    await ingest(sessions, said(1, "Shop chốt đơn A1 cho chị Hoa nha", buyer=PAGE, name="Shop"))

    assert await drafts(sessions) == []
    assert (await stored(sessions))["1"].flags == ["page_comment"]


async def test_a_comment_without_its_author_orders_nothing(sessions, items):
    await ingest(sessions, said(1, "A1", buyer="", name=""))

    assert await drafts(sessions) == []
    assert (await stored(sessions))["1"].flags == ["anonymous"]


async def test_with_a_default_code_an_order_word_or_a_phone_orders_it(sessions, items):
    async with sessions.begin() as session:
        await open_session(session, VIDEO, default_code="B3")
    await ingest(sessions, said(1, "chốt 2 cái"), said(2, "0912345678", buyer="fb-2"))

    first, second = await drafts(sessions)
    assert lines(first) == [("B3", "QUAN-002", 2)]
    assert (lines(second), second.customer.phone) == ([("B3", "QUAN-002", 1)], "0912345678")


async def test_an_unknown_code_gives_a_line_without_an_item_for_staff(sessions, items):
    await ingest(sessions, said(1, "Z9 2"))

    [line] = (await only_draft(sessions)).lines
    assert (line.code, line.sku, line.quantity, line.needs_review) == (
        "Z9",
        None,
        2,
        True,
    )
    assert (await stored(sessions))["1"].lines[0]["sku"] is None


# Ordering open and closed


async def test_comments_while_ordering_is_closed_are_late_and_order_nothing(sessions, items):
    await ingest(sessions, said(1, "A1"))
    async with sessions.begin() as session:
        await close_session(session, VIDEO)

    await ingest(sessions, said(2, "B3"), said(3, "C1", buyer="fb-2"))

    assert lines(await only_draft(sessions)) == [("A1", "AO-001", 1)]
    rows = await stored(sessions)
    assert rows["2"].flags == ["late"] and rows["3"].flags == ["late"]
    assert rows["2"].intent == "order"  # the parse is kept for the comments view


async def test_after_the_live_stops_comments_still_order_for_the_grace_period(sessions, items):
    await ingest(sessions, said(1, "A1"))
    stopped = T0 + timedelta(minutes=30)
    async with sessions.begin() as session:
        live = await apply_live_status(
            session,
            LiveStatusEvent("lv-1", "live_stopped", VIDEO),
            grace=timedelta(minutes=10),
            now=stopped,
        )
        assert live is not None and live.closes_at == stopped + timedelta(minutes=10)

    await ingest(sessions, said(2, "B3", minute=39), said(3, "A2", minute=41))

    assert [code for code, _, _ in lines(await only_draft(sessions))] == ["A1", "B3"]
    assert (await stored(sessions))["3"].flags == ["late"]


async def test_live_opens_ordering_for_a_video_and_makes_its_session(sessions, items):
    async with sessions.begin() as session:
        await apply_live_status(
            session, LiveStatusEvent("lv-2", "live", "vid-2"), grace=timedelta(0), now=T0
        )
        live = await apply_live_status(
            session, LiveStatusEvent("lv-2", "live_stopped"), grace=timedelta(0), now=T0
        )
        assert live is not None and (live.video_id, live.live_video_id) == ("vid-2", "lv-2")
        codes = {row.code: row.sku for row in await codes_of(session, live)}
    assert codes == {"A1": "AO-001", "B3": "QUAN-002"}  # the items' own short codes


# Session code tables


async def test_a_session_made_by_a_comment_reads_the_items_default_codes(sessions, items):
    await ingest(sessions, said(1, "A1"))
    async with sessions() as session:
        [live] = await list_sessions(session)
    assert live.codes == (
        LiveCodeRow(code="A1", sku="AO-001", cap=None),
        LiveCodeRow(code="B3", sku="QUAN-002", cap=None),
    )
    assert (live.comments, live.orders, live.drafts, live.ordering_open) == (
        1,
        1,
        1,
        True,
    )


async def test_codes_given_for_a_live_override_the_items_codes(sessions, items):
    async with sessions.begin() as session:
        await open_session(
            session,
            VIDEO,
            codes=parse_codes("A1=MU-003, c07=AO-001:5"),
            default_code="c7",
            max_qty=20,
        )
    await ingest(sessions, said(1, "A1"), said(2, "C7 2"), said(3, "chốt nha"))

    assert lines(await only_draft(sessions)) == [
        ("A1", "MU-003", 1),
        ("C7", "AO-001", 2),
        ("C7", "AO-001", 1),
    ]


def test_code_specs_read_caps_and_refuse_what_is_not_code_equals_sku():
    assert parse_codes("a01=AO-1, B3=Q-2:20,") == [
        CodeSpec("A1", "AO-1"),
        CodeSpec("B3", "Q-2", 20),
    ]
    for bad in ("A1", "A1=", "=AO-1", "A1=AO-1:many", "hello=AO-1"):
        with pytest.raises(InvalidInput):
            parse_codes(bad)


async def test_opening_with_an_unknown_sku_or_default_code_is_refused(sessions, items):
    async with sessions.begin() as session:
        with pytest.raises(InvalidInput, match="NOPE"):
            await open_session(session, VIDEO, codes=parse_codes("A1=NOPE"))
        with pytest.raises(InvalidInput, match=r"default_code_unknown.*Q9"):
            await open_session(session, VIDEO, default_code="Q9")
        with pytest.raises(NotFound):
            await close_session(session, "no-such-video")


# Sell caps


async def test_lines_beyond_a_codes_cap_are_waitlisted(sessions, items):
    async with sessions.begin() as session:
        await open_session(session, VIDEO, codes=parse_codes("A1=AO-001:3"))

    await ingest(
        sessions, said(1, "A1 2"), said(2, "A1 2", buyer="fb-2"), said(3, "B3", buyer="fb-2")
    )
    await ingest(sessions, said(4, "A1", buyer="fb-3"))

    first, second, third = await drafts(sessions)
    assert [line.waitlisted for line in first.lines] == [False]
    assert [line.waitlisted for line in second.lines] == [True, False]
    assert second.subtotal == 320_000  # a waitlisted line is not counted
    assert [line.waitlisted for line in third.lines] == [False]
    rows = await stored(sessions)
    assert rows["2"].flags == ["waitlist"] and rows["4"].flags == []


async def test_units_given_back_by_a_cancel_can_be_ordered_again(sessions, items):
    async with sessions.begin() as session:
        await open_session(session, VIDEO, codes=parse_codes("A1=AO-001:2"))
    await ingest(sessions, said(1, "A1 2"))
    await ingest(sessions, said(2, "huỷ A1"))
    await ingest(sessions, said(3, "A1 2", buyer="fb-2"))

    _, second = await drafts(sessions)
    assert [line.waitlisted for line in second.lines] == [False]


# Jobs on Facebook


async def test_phone_comments_are_hidden_only_when_a_page_token_is_set(sessions, items):
    await ingest(sessions, said(1, "A1 0912345678"))
    assert await jobs(sessions, HIDE_COMMENT) == []

    acting = IngestConfig(page_id=PAGE, page_token_set=True)
    await ingest(sessions, said(2, "sđt 0987654321"), said(3, "B3"), config=acting)
    await ingest(
        sessions,
        said(4, "0912 345 678", buyer=PAGE),
        said(5, "A2 0912345670", buyer="fb-9"),
        config=acting,
    )
    await ingest(
        sessions,
        said(6, "0912345671"),
        config=IngestConfig(page_id=PAGE, page_token_set=True, hide_phone_comments=False),
    )

    hidden = await jobs(sessions, HIDE_COMMENT)
    [order, other] = await drafts(sessions)
    assert [(job.idempotency_key, job.payload) for job in hidden] == [
        (f"{HIDE_COMMENT}:{VIDEO}_2", {"comment_id": f"{VIDEO}_2", "order_id": order.id}),
        (f"{HIDE_COMMENT}:{VIDEO}_5", {"comment_id": f"{VIDEO}_5", "order_id": other.id}),
    ]


async def test_one_private_reply_per_buyer_per_live_to_the_comment_that_made_the_draft(
    sessions, items
):
    replying = IngestConfig(page_id=PAGE, page_token_set=True, private_reply=True)
    await ingest(sessions, said(1, "A1 2"), said(2, "đẹp quá"), config=replying)
    await ingest(sessions, said(3, "B3"), said(4, "A1 2"), config=replying)
    await ingest(sessions, said(5, "A2"), config=IngestConfig(page_id=PAGE, page_token_set=True))

    order = await only_draft(sessions)
    [reply] = await jobs(sessions, PRIVATE_REPLY)
    assert reply.idempotency_key == f"{PRIVATE_REPLY}:{VIDEO}:fb-1"
    first = reply.payload
    assert first["comment_id"] == f"{VIDEO}_1" and first["order_id"] == order.id
    assert order.code in first["message"]
    assert "A1" in first["message"] and "300.000đ" in first["message"]
    assert "số điện thoại và địa chỉ nhận hàng" in first["message"]
    assert first["quick_replies"] == [
        {"content_type": "text", "title": "Xác nhận đơn", "payload": f"CONFIRM:{order.code}"},
        {"content_type": "text", "title": "Huỷ đơn", "payload": f"CANCEL:{order.code}"},
    ]
    assert order.buyer_confirmation == "awaiting"


async def test_a_second_draft_of_the_same_buyer_in_the_same_live_is_not_asked_again(
    sessions, items, service
):
    replying = IngestConfig(page_id=PAGE, page_token_set=True, private_reply=True)
    await ingest(sessions, said(1, "A1 2 0912345678"), config=replying)
    first = await only_draft(sessions)
    await service.act(
        first.id,
        "edit",
        actor=STAFF,
        version=first.version,
        changes=OrderChanges(**ADDRESS),
    )
    await service.act(first.id, "create_order", actor=STAFF, version=first.version + 1)
    await ingest(sessions, said(2, "B3"), said(3, "A2", buyer="fb-2"), config=replying)

    replies = await jobs(sessions, PRIVATE_REPLY)
    assert [job.payload["comment_id"] for job in replies] == [f"{VIDEO}_1", f"{VIDEO}_3"]
    states = [
        (o.customer.facebook_id, o.status, o.buyer_confirmation) for o in await drafts(sessions)
    ]
    assert states == [
        ("fb-1", "waiting_for_shipping", "awaiting"),
        ("fb-1", "draft", None),  # a new draft, but this buyer was asked in this live already
        ("fb-2", "draft", "awaiting"),
    ]


# Concurrency


async def test_two_bodies_at_once_for_one_new_buyer_make_one_draft(sessions, items):
    await asyncio.gather(*(ingest(sessions, said(n, f"A1 {n}")) for n in range(1, 7)))

    order = await only_draft(sessions)
    assert sorted(q for _, _, q in lines(order)) == [1, 2, 3, 4, 5, 6]


# The inbox handler


def _item(body: bytes) -> InboxItem:
    return InboxItem(
        id=1, source="facebook", body=body, content_type="application/json", received_at=utcnow()
    )


async def test_the_handler_applies_a_webhook_body(sessions, items):
    handle = facebook_handler(
        from_settings(make_settings("sqlite+aiosqlite://", facebook_page_id=PAGE))
    )
    comments = [
        SimulatedComment(VIDEO, f"{VIDEO}_{n}", "fb-1", "Hoa", text, 1_773_489_600 + n)
        for n, text in enumerate(["A1 2", "B3", "đẹp quá"], start=1)
    ]
    live = {"field": "live_videos", "value": {"id": "lv-9", "status": "live"}}
    reaction = {"field": "feed", "value": {"item": "reaction", "verb": "add"}}
    body = webhook_body(comments, page_id=PAGE, extra_changes=[live, reaction])
    async with sessions.begin() as session:
        await handle(session, [_item(body)])

    assert [code for code, _, _ in lines(await only_draft(sessions))] == ["A1", "B3"]
    async with sessions() as session:
        assert await lock_session(session, live_video_id="lv-9") is not None

    async with sessions.begin() as session:
        with pytest.raises(Unprocessable):
            await handle(session, [_item(b'{"object": "page"}')])


# Reading webhook bodies (pure)


def _body(*changes: Any, entry: Any = None) -> bytes:
    entries = entry if entry is not None else [{"id": PAGE, "time": 1, "changes": list(changes)}]
    return json.dumps({"object": "page", "entry": entries}).encode()


def _comment_value(**fields: Any) -> dict[str, Any]:
    value = {
        "item": "comment",
        "verb": "add",
        "comment_id": "c1",
        "post_id": f"{PAGE}_{VIDEO}",
        "from": {"id": "fb-1", "name": "Hoa"},
        "message": "A1",
        "created_time": 1_773_489_600,
    }
    return {**value, **fields}


def test_a_comment_change_becomes_a_comment_event():
    batch = read_body(_body({"field": "feed", "value": _comment_value(parent_id="p1", extra=1)}))
    assert batch.problems == []
    assert batch.events == [
        CommentEvent(
            "add",
            "c1",
            VIDEO,
            "fb-1",
            "Hoa",
            "A1",
            datetime(2026, 3, 14, 12, 0, tzinfo=UTC),
            "p1",
            page_id=PAGE,  # the entry's id: the Page that carried it
        )
    ]


def test_odd_but_readable_comment_changes_are_read():
    values = [
        _comment_value(post_id=None, post={"id": f"{PAGE}_vid-3"}),
        _comment_value(created_time="2026-03-14T19:00:00+07:00", message=None),
        _comment_value(verb="edit", **{"from": None}),
    ]
    batch = read_body(_body(*({"field": "feed", "value": v} for v in values)))
    assert [e.video_id for e in batch.events] == ["vid-3", VIDEO, VIDEO]
    assert batch.events[1].created_time == datetime(2026, 3, 14, 12, 0, tzinfo=UTC)
    assert (batch.events[1].message, batch.events[2].verb, batch.events[2].from_id) == (
        "",
        "edited",
        "",
    )


def test_what_is_not_a_comment_is_ignored_and_what_is_broken_is_reported():
    changes = [
        {"field": "feed", "value": {"item": "reaction", "verb": "add", "comment_id": "c9"}},
        {"field": "feed", "value": {"item": "status", "verb": "add"}},
        {"field": "mention", "value": {}},
        {"field": "feed", "value": _comment_value(comment_id=None)},
        {"field": "feed", "value": _comment_value(created_time="yesterday")},
        {"field": "feed", "value": _comment_value(verb="block")},
        {"field": "feed", "value": _comment_value(post_id=None)},
        {"field": "feed", "value": "A1"},
        {"field": "live_videos", "value": {"id": "lv-1"}},
        "nonsense",
        {"field": "feed", "value": _comment_value(comment_id="ok")},
    ]
    batch = read_body(_body(*changes, entry=None))
    assert [e.comment_id for e in batch.events if isinstance(e, CommentEvent)] == ["ok"]
    assert len(batch.problems) == 7
    assert batch.problems[0].startswith("entry[0].changes[3]: comment_id")

    odd_entries = read_body(_body(entry=[7, {"changes": "x"}, {"id": PAGE}]))
    assert (odd_entries.events, len(odd_entries.problems)) == ([], 2)


@pytest.mark.parametrize(
    "body", [b"not json", b"[]", b'{"object": "page"}', b'{"entry": {}}', b"\xff"]
)
def test_a_body_that_is_not_a_page_webhook_is_unprocessable(body):
    with pytest.raises(Unprocessable):
        read_body(body)


def test_live_video_changes_become_status_events():
    changes = [
        {"field": "live_videos", "value": {"id": "lv-1", "status": "LIVE"}},
        {
            "field": "live_videos",
            "value": {"id": 42, "status": "live_stopped", "video": {"id": "v"}},
        },
    ]
    assert read_body(_body(*changes)).events == [
        LiveStatusEvent("lv-1", "live", page_id=PAGE),
        LiveStatusEvent("42", "live_stopped", "v", page_id=PAGE),
    ]


def test_the_ingest_settings_default_as_documented():
    config = from_settings(make_settings("sqlite+aiosqlite://"))
    assert (config.hide_phone_comments, config.private_reply, config.grace_minutes) == (
        True,
        False,
        10,
    )
    assert not config.hides_phones  # no Page token: nothing is done on Facebook
    acting = from_settings(make_settings("sqlite+aiosqlite://", facebook_page_access_token="t"))
    assert acting.hides_phones and not acting.replies_privately


async def test_an_order_and_its_cancel_in_one_body_leave_the_draft_two_bodies_would(
    sessions, items
):
    """Where the processor cuts its chunks must not change what staff see: ordered then
    cancelled is an emptied draft (it kept the phone), however the two comments arrived."""
    order = said(1, "A1 +84 912345679", buyer="fb-9", name="Hồ Ngọc Hân")
    cancel = said(5, "hủy hết nha shop", buyer="fb-9", name="Hồ Ngọc Hân")

    await ingest(sessions, order, cancel)

    draft = await only_draft(sessions)
    assert (draft.customer.facebook_id, lines(draft)) == ("fb-9", [])
    assert draft.customer.phone == "0912345679"
    comments = await stored(sessions)
    assert comments["1"].order_id == comments["5"].order_id == draft.id
