"""Prices and discounts through the JSON API, on SQLite and PostgreSQL: a discount from 0 to
the subtotal, a line's price changed by PATCH, free shipping, COD that follows the total unless
staff set it, and the history saying what moved from what to what."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from application.services import OrderService
from application.wording.history import history_line
from orders.actors import Actor, Source
from orders.changes import MAX_MONEY, LineInput
from orders.drafts import Buyer, DraftBatch, NewOrder, load_catalog, lock_open_drafts
from orders.views import EventView
from render.document import from_snapshot
from tests.database import test_api
from tests.database.test_api import CUSTOMER, Api

api = test_api.api  # the fixture: the app with the catalog, called with the token

A1_PRICE = 150_000  # tests.factories.ITEMS
B3_PRICE = 320_000


async def test_a_new_order_takes_a_discount_and_cod_follows_what_is_due(api: Api) -> None:
    order = await api.create(discount=50_000)  # 2 x A1 and 30.000 shipping
    assert (order["subtotal"], order["discount"], order["shipping_fee"]) == (
        300_000,
        50_000,
        30_000,
    )
    assert (order["total"], order["cod_amount"]) == (280_000, 280_000)
    _, seen = await api.get(f"/api/orders/{order['id']}")
    assert seen["discount"] == 50_000
    assert seen["events"][0]["details"] == {"source": "manual", "discount": 50_000}


@pytest.mark.parametrize("discount", [0, 1, 299_999, 300_000])
async def test_a_discount_up_to_the_subtotal_is_taken(api: Api, discount: int) -> None:
    order = await api.create(discount=discount)
    assert order["total"] == 300_000 - discount + 30_000
    assert order["cod_amount"] == order["total"]


async def test_a_discount_above_the_subtotal_is_refused_with_its_reason(api: Api) -> None:
    status, refused = await api.post(
        "/api/orders",
        {"customer": CUSTOMER, "lines": [{"code": "A1", "quantity": 2}], "discount": 300_001},
    )
    assert status == 422, refused
    assert refused["error"] == "invalid_input"
    assert refused["params"] == {"field": "discount", "discount": 300_001, "subtotal": 300_000}
    assert "300.001" in refused["message"] and "300.000" in refused["message"]

    order = await api.create()
    status, refused = await api.patch(
        f"/api/orders/{order['id']}", {"version": order["version"], "discount": 300_001}
    )
    assert (status, refused["error"]) == (422, "invalid_input")
    status, unchanged = await api.get(f"/api/orders/{order['id']}")
    assert (unchanged["discount"], unchanged["version"]) == (0, order["version"])


async def test_a_patched_discount_moves_cod_that_follows_and_the_history_names_it(
    api: Api,
) -> None:
    order = await api.create()
    status, edited = await api.patch(
        f"/api/orders/{order['id']}", {"version": order["version"], "discount": 20_000}
    )
    assert status == 200, edited
    assert (edited["total"], edited["cod_amount"]) == (310_000, 310_000)
    event = edited["events"][-1]
    assert event["details"]["fields"] == ["discount"]
    assert event["details"]["discount"] == [0, 20_000]
    said = history_line(
        EventView(None, "api", "api", "edit", "draft", "draft", event["details"]), "vi"
    )
    assert said.edited == "giảm giá"
    assert "Giảm giá: 0 đ → 20.000 đ" in said.details


async def test_cod_set_by_hand_stays_when_the_discount_changes(api: Api) -> None:
    order = await api.create(cod_amount=100_000)
    status, edited = await api.patch(
        f"/api/orders/{order['id']}", {"version": order["version"], "discount": 50_000}
    )
    assert status == 200, edited
    assert (edited["total"], edited["cod_amount"]) == (280_000, 100_000)
    status, back = await api.patch(
        f"/api/orders/{order['id']}", {"version": edited["version"], "cod_amount": None}
    )
    assert back["cod_amount"] == 280_000


async def test_a_line_s_unit_price_changes_by_patch_and_the_event_shows_old_and_new(
    api: Api,
) -> None:
    order = await api.create()
    status, edited = await api.patch(
        f"/api/orders/{order['id']}",
        {
            "version": order["version"],
            "lines": [{"code": "A1", "quantity": 2, "unit_price": 120_000}],
        },
    )
    assert status == 200, edited
    assert edited["lines"][0]["unit_price"] == 120_000
    assert (edited["subtotal"], edited["total"], edited["cod_amount"]) == (
        240_000,
        270_000,
        270_000,
    )
    details = edited["events"][-1]["details"]
    assert details["fields"] == ["unit_price"]  # the same line: only its price moved
    assert details["prices"] == [{"code": "A1", "from": A1_PRICE, "to": 120_000}]
    said = history_line(EventView(None, "api", "api", "edit", "draft", "draft", details), "en")
    assert said.edited == "unit price"
    assert "Unit price: A1 150.000 đ → 120.000 đ" in said.details


async def test_fewer_lines_than_the_discount_is_refused_not_a_negative_total(api: Api) -> None:
    order = await api.create(
        lines=[{"code": "A1", "quantity": 1}, {"code": "B3", "quantity": 1}], discount=400_000
    )
    status, refused = await api.patch(
        f"/api/orders/{order['id']}",
        {"version": order["version"], "lines": [{"code": "A1", "quantity": 1}]},
    )
    assert status == 422, refused
    assert refused["params"] == {"field": "discount", "discount": 400_000, "subtotal": A1_PRICE}


async def test_free_shipping_and_the_bill_show_what_is_due(api: Api, sessions) -> None:
    order = await api.create(discount=10_000)
    status, free = await api.patch(
        f"/api/orders/{order['id']}", {"version": order["version"], "shipping_fee": 0}
    )
    assert status == 200, free
    assert (free["shipping_fee"], free["total"], free["cod_amount"]) == (0, 290_000, 290_000)
    assert free["events"][-1]["details"]["shipping_fee"] == [30_000, 0]
    assert free["events"][-1]["details"]["fields"] == ["shipping_fee"]

    view = await OrderService(sessions).detail(order["id"])
    bill = from_snapshot(view)
    assert (bill.subtotal, bill.discount, bill.shipping_fee) == (300_000, 10_000, 0)
    assert (bill.total, bill.cod_amount) == (290_000, 290_000)


# --- any amount: never a 500, a refusal is a 422 with its reason ------------------------------

AMOUNTS = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, 1, 299_999, 300_000, 300_001, MAX_MONEY, MAX_MONEY + 1, -1]),
    st.floats(allow_nan=True),
    st.text(max_size=8),
    st.none(),
    st.booleans(),
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(discount=AMOUNTS, price=AMOUNTS)
@example(discount=300_001, price=None)
@example(discount=300_000, price=0)
@example(discount=0, price=MAX_MONEY)
async def test_no_discount_or_price_is_a_500(api: Api, discount: Any, price: Any) -> None:
    order = await api.create(shipping_fee=0)
    line: dict[str, Any] = {"code": "A1", "quantity": 2}
    if price is not None:
        line["unit_price"] = price
    body = {"version": order["version"], "discount": discount, "lines": [line]}
    status, answer = await api.patch(f"/api/orders/{order['id']}", body)
    assert status in (200, 422), answer
    if status == 422:
        assert answer["error"] == "invalid_input" and answer["message"], answer
        return
    assert 0 <= answer["discount"] <= answer["subtotal"]
    assert answer["total"] == answer["subtotal"] - answer["discount"]
    assert answer["cod_amount"] == answer["total"]


async def test_a_comment_that_takes_lines_away_lowers_the_discount_to_the_subtotal(
    api: Api, sessions
) -> None:
    """A buyer is never refused for a deal staff struck: the discount shrinks with the lines."""
    service = OrderService(sessions)
    buyer = Buyer(name="Hoa", facebook_id="fb-77")
    lines = [LineInput(quantity=1, code="A1"), LineInput(quantity=1, code="B3")]
    made = await service.create_draft(
        NewOrder(buyer, lines, source="livestream", video_id="v9", discount=400_000),
        Actor(Source.SYSTEM, "comments"),
    )
    async with sessions.begin() as session:
        drafts = await lock_open_drafts(
            session, source="livestream", video_id="v9", facebook_ids=["fb-77"]
        )
        open_draft = drafts["fb-77"]
        batch = DraftBatch(Actor(Source.SYSTEM, "comments"), await load_catalog(session, []))
        batch.save(open_draft, lines=open_draft.lines[:1])  # B3 cancelled
        await batch.write(session)
    after = await service.detail(made.id)
    assert (after.subtotal, after.discount, after.total) == (A1_PRICE, A1_PRICE, 0)
    assert after.events[-1].details["fields"] == ["lines", "discount"]
