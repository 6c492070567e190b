"""Every (status, action) pair through the real `apply_action`, on a real database."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import func, select

from kernel.outbox.jobs import OutboxJob
from orders.changes import LineInput, OrderChanges
from orders.drafts import NewOrder
from orders.errors import (
    ActionNotAllowed,
    InvalidInput,
    OrderIncomplete,
    OutOfStock,
    Reason,
    StaleVersion,
)
from orders.lifecycle import TRANSITIONS, Action, Status
from orders.payments import PaymentIn
from orders.shipments import Accepted
from orders.tables import Item, OrderEvent, StockMovement
from orders.transitions import ShipWith
from tests.factories import BUYER, INDIVIDUAL, STAFF, draft, order_in, seed_items

PAIRS = [(status, action) for status in Status for action in Action]
ARGS = {
    Action.SHIP: {"ship_with": INDIVIDUAL},
    Action.EDIT: {"changes": OrderChanges(note="gọi trước khi giao")},
    Action.SAVE_DRAFT: {"changes": OrderChanges(note="gọi trước khi giao")},
    Action.RECORD_PAYMENT: {"payment": PaymentIn(50_000)},
}


async def stock_of(sessions, sku: str) -> int:
    async with sessions() as session:
        return await session.scalar(select(Item.stock).where(Item.sku == sku))


async def count(sessions, model, **where) -> int:
    async with sessions() as session:
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return await session.scalar(query)


@pytest.mark.parametrize(("status", "action"), PAIRS, ids=[f"{s}-{a}" for s, a in PAIRS])
async def test_every_status_and_action(sessions, service, status: Status, action: Action):
    await seed_items(sessions)
    order = await order_in(service, status)
    events = await count(sessions, OrderEvent, order_id=order.id)
    stock = await stock_of(sessions, "AO-001")
    allowed = status in TRANSITIONS[action]

    if not allowed:
        with pytest.raises(ActionNotAllowed) as refused:
            await service.act(
                order.id, action, actor=STAFF, version=order.version, **ARGS.get(action, {})
            )
        assert refused.value.reason is Reason.STATUS_FORBIDS
        assert (refused.value.params["status"], refused.value.params["action"]) == (
            status.value,
            action.value,
        )
        after = await service.detail(order.id)
        assert (after.status, after.version) == (status.value, order.version)
        assert await count(sessions, OrderEvent, order_id=order.id) == events
        assert await stock_of(sessions, "AO-001") == stock
        return

    after = await service.act(
        order.id, action, actor=STAFF, version=order.version, **ARGS.get(action, {})
    )
    expected = TRANSITIONS[action][status]
    if action is Action.COMPLETE:  # the default order carries COD
        expected = Status.WAIT_FOR_COD
    assert after.status == expected.value
    printed = action in (Action.PRINT_BILL, Action.PRINT_SHIPPING_NOTE)
    assert after.version == order.version + (0 if printed else 1)
    last = after.events[-1]
    assert (last.action, last.from_status, last.to_status, last.actor) == (
        action.value,
        status.value,
        expected.value,
        "Lan",
    )


async def test_a_stale_version_is_refused_with_the_current_status(sessions, service):
    await seed_items(sessions)
    order = await draft(service)
    await service.act(order.id, "create_order", actor=STAFF, version=order.version)
    with pytest.raises(StaleVersion) as stale:
        await service.act(order.id, "cancel", actor=STAFF, version=order.version)
    assert stale.value.params["status"] == "waiting_for_shipping"
    assert (await service.detail(order.id)).status == "waiting_for_shipping"


async def test_people_must_say_which_version_they_saw(sessions, service):
    await seed_items(sessions)
    order = await draft(service)
    with pytest.raises(InvalidInput, match="version"):
        await service.act(order.id, "create_order", actor=STAFF, version=None)


async def test_unknown_action_names_the_known_ones(sessions, service):
    await seed_items(sessions)
    order = await draft(service)
    with pytest.raises(InvalidInput, match="create_order"):
        await service.act(order.id, "teleport", actor=STAFF, version=1)


class TestGuards:
    async def test_a_line_without_an_item_keeps_the_order_in_draft(self, sessions, service):
        await seed_items(sessions)
        order = await service.create_draft(
            NewOrder(buyer=BUYER, lines=[LineInput(quantity=1, code="Z9")], source="livestream"),
            STAFF,
        )
        assert order.lines[0].needs_review is True
        with pytest.raises(OrderIncomplete, match="Z9"):
            await service.act(order.id, "create_order", actor=STAFF, version=1)
        fixed = await service.act(
            order.id,
            "save_draft",
            actor=STAFF,
            version=1,
            changes=OrderChanges(lines=[LineInput(quantity=1, code="B3")]),
        )
        assert fixed.lines[0].sku == "QUAN-002" and not fixed.lines[0].needs_review
        done = await service.act(order.id, "create_order", actor=STAFF, version=2)
        assert done.status == "waiting_for_shipping"

    @pytest.mark.parametrize(
        ("field", "words"),
        [("buyer_name", "'name'"), ("buyer_phone", "'phone'"), ("street", "'address'")],
    )
    async def test_buyer_details_must_be_complete(self, sessions, service, field, words):
        await seed_items(sessions)
        order = await draft(service)
        order = await service.act(
            order.id,
            "save_draft",
            actor=STAFF,
            version=1,
            changes=OrderChanges(**{field: ""}),
        )
        for action in ("create_order", "send_to_shop", "ship"):
            with pytest.raises(OrderIncomplete, match=words):
                await service.act(order.id, action, actor=STAFF, version=2, ship_with=INDIVIDUAL)
        assert (await service.detail(order.id)).status == "draft"

    async def test_a_bad_phone_is_refused_and_nothing_changes(self, sessions, service):
        await seed_items(sessions)
        order = await draft(service)
        with pytest.raises(InvalidInput, match="phone"):
            await service.act(
                order.id,
                "edit",
                actor=STAFF,
                version=1,
                changes=OrderChanges(buyer_phone="12345", note="x"),
            )
        after = await service.detail(order.id)
        assert after.customer.phone == "0912345678" and after.note == ""

    async def test_an_individual_shipper_needs_a_name_and_phone(self, sessions, service):
        await seed_items(sessions)
        order = await order_in(service, "waiting_for_shipping")
        with pytest.raises(InvalidInput, match="shipper_needed"):
            await service.act(
                order.id,
                "ship",
                actor=STAFF,
                version=order.version,
                ship_with=ShipWith("individual", "Tuấn", ""),
            )


class TestStock:
    async def test_stock_leaves_with_the_order_and_comes_back_on_cancel(self, sessions, service):
        await seed_items(sessions)
        order = await draft(service)  # 2 x A1
        assert await stock_of(sessions, "AO-001") == 100
        order = await service.act(order.id, "create_order", actor=STAFF, version=1)
        assert await stock_of(sessions, "AO-001") == 98
        await service.act(order.id, "cancel", actor=STAFF, version=order.version)
        assert await stock_of(sessions, "AO-001") == 100
        assert await count(sessions, StockMovement, order_id=order.id) == 2

    async def test_cancelling_a_draft_leaves_stock_alone(self, sessions, service):
        await seed_items(sessions)
        order = await draft(service)
        await service.act(order.id, "cancel", actor=STAFF, version=1)
        assert await stock_of(sessions, "AO-001") == 100

    async def test_return_puts_the_goods_back(self, sessions, service):
        await seed_items(sessions)
        await order_in(service, "returned")
        assert await stock_of(sessions, "AO-001") == 100

    async def test_not_enough_stock_names_the_item_and_what_is_left(self, sessions, service):
        await seed_items(sessions)
        order = await draft(service, lines=[LineInput(quantity=3, sku="MU-003")])
        with pytest.raises(OutOfStock) as short:
            await service.act(order.id, "create_order", actor=STAFF, version=1)
        assert (short.value.params["name"], short.value.params["left"]) == ("Mũ lưỡi trai", 2)
        assert (await service.detail(order.id)).status == "draft"
        assert await stock_of(sessions, "MU-003") == 2

    async def test_editing_a_waiting_order_moves_only_the_difference(self, sessions, service):
        await seed_items(sessions)
        order = await order_in(service, "waiting_for_shipping")  # 2 x A1 out
        order = await service.act(
            order.id,
            "edit",
            actor=STAFF,
            version=order.version,
            changes=OrderChanges(
                lines=[LineInput(quantity=1, code="A1"), LineInput(quantity=1, code="B3")]
            ),
        )
        assert await stock_of(sessions, "AO-001") == 99
        assert await stock_of(sessions, "QUAN-002") == 49
        assert order.total == 150_000 + 320_000 + 30_000

    async def test_a_waiting_order_cannot_be_edited_into_an_unknown_code(self, sessions, service):
        await seed_items(sessions)
        order = await order_in(service, "waiting_for_shipping")
        with pytest.raises(OrderIncomplete, match="Q7"):
            await service.act(
                order.id,
                "edit",
                actor=STAFF,
                version=order.version,
                changes=OrderChanges(lines=[LineInput(quantity=1, code="Q7")]),
            )
        assert (await service.detail(order.id)).lines[0].code == "A1"


class TestCod:
    async def test_complete_with_cod_waits_and_the_shipper_owes_it(self, sessions, service):
        await seed_items(sessions)
        order = await order_in(service, "wait_for_cod")
        (debt,) = await service.debts()
        assert (debt.kind, debt.amount, debt.order_ids) == ("individual", 330_000, [order.id])
        assert "Anh Tuấn" in debt.label

    async def test_collect_cod_completes_and_clears_the_debt(self, sessions, service):
        await seed_items(sessions)
        await order_in(service, "complete")
        assert await service.debts() == []

    async def test_a_prepaid_order_completes_at_once(self, sessions, service):
        await seed_items(sessions)
        order = await order_in(service, "shipping", cod_amount=0)
        order = await service.act(order.id, "complete", actor=STAFF, version=order.version)
        assert order.status == "complete" and await service.debts() == []

    async def test_debts_add_up_per_shipper(self, sessions, service):
        await seed_items(sessions)
        await order_in(service, "wait_for_cod")
        second = await order_in(service, "wait_for_cod", cod_amount=50_000)
        (debt,) = await service.debts()
        assert debt.amount == 380_000
        await service.act(second.id, "collect_cod", actor=STAFF, version=second.version)
        (debt,) = await service.debts()
        assert debt.amount == 330_000


class TestOutbox:
    async def test_each_change_queues_a_card_update_in_the_same_transaction(
        self, sessions, service
    ):
        await seed_items(sessions)
        order = await order_in(service, "shipping")
        assert await count(sessions, OutboxJob, kind="order.changed") == 3
        with pytest.raises(ActionNotAllowed):
            await service.act(order.id, "return", actor=STAFF, version=order.version)
        assert await count(sessions, OutboxJob, kind="order.changed") == 3

    async def test_shipping_with_a_carrier_asks_it_and_waits_for_its_yes(self, sessions, service):
        await seed_items(sessions)
        order = await order_in(service, "waiting_for_shipping")
        order = await service.act(
            order.id, "ship", actor=STAFF, version=order.version, ship_with=ShipWith("ghn")
        )
        assert order.status == "waiting_for_shipping"
        assert order.shipper.kind == "ghn" and order.shipper.state == "requesting"
        assert await count(sessions, OutboxJob, kind="carrier.create_shipment") == 1
        with pytest.raises(ActionNotAllowed, match=r"carrier_requesting.*ghn"):
            await service.act(
                order.id,
                "edit",
                actor=STAFF,
                version=order.version,
                changes=OrderChanges(note="x"),
            )
        order = await service.shipment_accepted(order.id, "ghn", Accepted("GHNX1", 25_000))
        assert order.status == "shipping"
        assert replace(order.shipper, expected_delivery=None) == replace(
            order.shipper, tracking_code="GHNX1", fee=25_000, state=None, note=""
        )

    async def test_a_refusal_leaves_the_order_where_it_was_with_the_carriers_words(
        self, sessions, service
    ):
        await seed_items(sessions)
        order = await order_in(service, "draft")
        order = await service.act(
            order.id, "ship", actor=STAFF, version=order.version, ship_with=ShipWith("ghtk")
        )
        assert await service.shipment_refused(order.id, "Sai địa chỉ", cancelling=False)
        after = await service.detail(order.id)
        assert after.status == "draft"
        assert (after.shipper.state, after.shipper.note) == ("refused", "Sai địa chỉ")
        assert after.events[-1].action == "shipment_refused"
        again = await service.act(
            order.id, "ship", actor=STAFF, version=after.version, ship_with=ShipWith("ghtk")
        )
        assert again.shipper.state == "requesting"
        assert await count(sessions, OutboxJob, kind="carrier.create_shipment") == 2

    async def test_cancelling_a_parcel_asks_the_carrier_first(self, sessions, service):
        await seed_items(sessions)
        order = await order_in(service, "waiting_for_shipping")
        order = await service.act(
            order.id, "ship", actor=STAFF, version=order.version, ship_with=ShipWith("ghn")
        )
        order = await service.shipment_accepted(order.id, "ghn", Accepted("GHNX2", 25_000))
        order = await service.act(order.id, "cancel", actor=STAFF, version=order.version)
        assert (order.status, order.shipper.state) == ("shipping", "cancelling")
        assert await count(sessions, OutboxJob, kind="carrier.cancel_shipment") == 1
        assert await service.shipment_refused(order.id, "Đã lấy hàng", cancelling=True)
        after = await service.detail(order.id)
        assert (after.status, after.shipper.note) == ("shipping", "Đã lấy hàng")

    async def test_send_to_shop_queues_the_handoff(self, sessions, service):
        await seed_items(sessions)
        await order_in(service, "sent_to_shop")
        assert await count(sessions, OutboxJob, kind="shop.handoff") == 1


class TestWaitlist:
    async def test_a_waitlisted_line_is_not_counted_until_accepted(self, sessions, service):
        await seed_items(sessions)
        order = await draft(
            service,
            lines=[
                LineInput(quantity=1, code="A1"),
                LineInput(quantity=2, code="B3", waitlisted=True),
            ],
        )
        assert order.total == 150_000 + 30_000
        with pytest.raises(OrderIncomplete, match="waitlist_decision"):
            await service.act(order.id, "create_order", actor=STAFF, version=1)
        accepted = await service.act(
            order.id,
            "save_draft",
            actor=STAFF,
            version=1,
            changes=OrderChanges(
                lines=[LineInput(quantity=1, code="A1"), LineInput(quantity=2, code="B3")]
            ),
        )
        assert accepted.total == 150_000 + 640_000 + 30_000
        await service.act(order.id, "create_order", actor=STAFF, version=2)
        assert await stock_of(sessions, "QUAN-002") == 48
