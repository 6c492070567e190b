"""Shipping with partner carriers, end to end over HTTP: staff tap `ship`, the outbox job asks
the fake carrier on loopback, the carrier's webhooks move the order on, the COD ledger follows.
Also what staff see when a carrier times out, says no, is down, or refuses to cancel, and the
quotes they compare before choosing.

The journeys that matter most run on SQLite and PostgreSQL; the variations on SQLite only.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest

from orders.outbox import CARRIER_CANCEL_SHIPMENT, CARRIER_CREATE_SHIPMENT
from tests.carrier_shop import (
    BUYER,
    BUYER_HANOI,
    CARRIERS,
    PATIENT,
    TOTAL,
    Shop,
    fixture,
    open_shop,
)
from tests.fakes.carrier_faults import HTTP500, LOST_ANSWER
from tests.helpers import eventually

# The path of each carrier's create call, for `faults.fail_next`.
CREATE_PATH = {
    "ghn": "/v2/shipping-order/create",
    "ghtk": "/services/shipment/order",
    "viettelpost": "/v2/order/createOrder",
    "ahamove": "POST/v1/order/create",
}


@pytest.fixture
async def shop(db_url: str) -> AsyncIterator[Shop]:
    async with open_shop(db_url) as shop:
        yield shop


@pytest.fixture
async def sqlite_shop(sqlite_url: str) -> AsyncIterator[Shop]:
    async with open_shop(sqlite_url) as shop:
        yield shop


@pytest.fixture
async def patient_shop(db_url: str) -> AsyncIterator[Shop]:
    async with open_shop(db_url, pace=PATIENT) as shop:
        yield shop


@pytest.fixture
async def patient_sqlite_shop(sqlite_url: str) -> AsyncIterator[Shop]:
    async with open_shop(sqlite_url, pace=PATIENT) as shop:
        yield shop


def report(carrier: str, name: str, order: dict[str, Any], **changes: Any) -> bytes:
    """A JSON fixture about `order`, with some fields changed (a later or earlier time)."""
    body, _ = fixture(carrier, name, order)
    return json.dumps({**json.loads(body), **changes}, ensure_ascii=False).encode()


async def post(shop: Shop, carrier: str, body: bytes, content_type: str = "application/json"):
    before = await shop.inbox_count()
    assert await shop.webhook(carrier, body, content_type) == (200, {"status": "stored"})
    await shop.settled(before + 1)


def retried(order: dict[str, Any]) -> bool:
    """The note says the carrier did not answer, and that we are past the first try."""
    tries = re.search(r"not answering .*\(attempt (\d+) of \d+\)", order["shipper"]["note"])
    return tries is not None and int(tries[1]) >= 2


def history(order: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    return [(e["action"], e["source"], e["actor"], e["to_status"]) for e in order["events"]]


# -- the journeys -----------------------------------------------------------------------------


async def test_ghn_ships_delivers_with_cod_and_its_payout_completes_the_order(shop: Shop):
    order = await shop.act(await shop.create(), "create_order")

    asked = await shop.act(order, "ship", carrier="ghn")

    # GHN has not said yes yet: the order waits, and says so.
    assert asked["status"] == "waiting_for_shipping"
    assert (asked["shipper"]["kind"], asked["shipper"]["state"]) == ("ghn", "requesting")
    shipped = await shop.wait_for(order["id"], lambda o: o["status"] == "shipping", "GHN's yes")
    made = shop.fakes.ghn.order_for(order["code"])
    assert made is not None and shop.fakes.shipments_for("ghn", order["code"]) == 1
    assert (made.body["cod_amount"], made.body["to_name"]) == (TOTAL, BUYER["name"])
    shipper = shipped["shipper"]
    assert (shipper["tracking_code"], shipper["fee"]) == (made.order_code, made.total_fee)
    assert (shipper["state"], shipper["note"]) == (None, "")
    assert shipper["expected_delivery"].startswith("2026-11-20")

    await post(shop, "ghn", report("ghn", "status_picked.json", shipped))
    picked = await shop.order(order["id"])
    assert (picked["status"], picked["shipper"]["carrier_status"]) == ("shipping", "in_transit")

    await post(shop, "ghn", report("ghn", "delivered_with_cod.json", shipped))
    delivered = await shop.order(order["id"])
    assert delivered["status"] == "wait_for_cod"
    debt = await shop.debt()
    assert debt["total"] == TOTAL
    [ghn] = debt["shippers"]
    assert (ghn["shipper"], ghn["kind"], ghn["amount"]) == ("ghn", "ghn", TOTAL)
    assert ghn["orders"] == [
        {
            "id": order["id"],
            "code": order["code"],
            "amount": TOTAL,
            "tracking_code": made.order_code,
        }
    ]

    await post(shop, "ghn", report("ghn", "delivered_with_cod_transfer.json", shipped))
    done = await shop.order(order["id"])
    assert done["status"] == "complete"
    assert await shop.debt() == {"shippers": [], "total": 0}
    assert history(done) == [
        ("create", "api", "api", "draft"),
        ("create_order", "api", "api", "waiting_for_shipping"),
        ("ship", "api", "api", "waiting_for_shipping"),
        ("ship", "carrier", "ghn", "shipping"),
        ("carrier_status", "carrier", "ghn", "shipping"),
        ("complete", "carrier", "ghn", "wait_for_cod"),
        ("collect_cod", "carrier", "ghn", "complete"),
    ]
    assert done["events"][-1]["details"]["reason"] == "COD paid out by carrier"


async def test_ghtk_fails_returns_and_staff_restock_what_came_back(shop: Shop):
    stock = await shop.stock()
    order = await shop.shipping_order("ghtk")
    assert (await shop.stock())["AO-001"] == stock["AO-001"] - 2

    body, form = fixture("ghtk", "status_9_delivery_failed.form", order)
    await post(shop, "ghtk", body, form)
    failed = await shop.order(order["id"])
    assert failed["status"] == "failed_to_ship"
    assert "Người nhận không nghe máy" in failed["events"][-1]["details"]["reason"]

    await post(shop, "ghtk", *fixture("ghtk", "status_20_returning.json", order))
    returning = await shop.order(order["id"])
    assert (returning["status"], returning["version"]) == ("failed_to_ship", failed["version"])
    assert returning["shipper"]["carrier_status"] == "returning"
    assert returning["events"][-1]["details"]["raw_status"] == "20"

    # The parcel is back on the shelf: staff say so, and the goods are in stock again.
    returned = await shop.act(returning, "return")
    assert (returned["status"], returned["manual_override"]) == ("returned", True)
    assert await shop.stock() == stock
    assert returned["customer"]["history"] == {"delivered": 0, "failed": 1, "returned": 1}

    # GHTK's own "returned" arrives later: recorded, and nothing is put back twice.
    await post(shop, "ghtk", *fixture("ghtk", "status_21_returned.form", order))
    after = await shop.order(order["id"])
    assert (after["status"], after["version"]) == ("returned", returned["version"])
    assert after["events"][-1]["details"]["not_applied"] == "manual override"
    assert await shop.stock() == stock
    assert (await shop.debt())["total"] == 0


async def test_a_carriers_late_failure_after_staff_completed_by_hand_changes_nothing(shop: Shop):
    order = await shop.shipping_order("ghn")

    completed = await shop.act(order, "complete")  # the shipper phoned: delivered
    assert (completed["status"], completed["manual_override"]) == ("wait_for_cod", True)

    await post(shop, "ghn", report("ghn", "status_delivery_fail.json", order))

    after = await shop.order(order["id"])
    assert (after["status"], after["version"]) == ("wait_for_cod", completed["version"])
    late = after["events"][-1]
    assert (late["action"], late["actor"], late["details"]["raw_status"]) == (
        "carrier_status",
        "ghn",
        "delivery_fail",
    )
    assert late["details"]["not_applied"] == "manual override"
    assert (await shop.owed_by("ghn")) == {order["id"]: TOTAL}

    # Money is not a delivery status: GHN's payout still settles the debt.
    await post(shop, "ghn", report("ghn", "delivered_with_cod_transfer.json", order))
    assert (await shop.order(order["id"]))["status"] == "complete"
    assert (await shop.debt())["total"] == 0


async def test_a_duplicate_report_counts_once_and_an_older_one_does_not_move_back(shop: Shop):
    order = await shop.shipping_order("ghn")
    delivered = report("ghn", "delivered_with_cod.json", order)

    await post(shop, "ghn", delivered)
    await post(shop, "ghn", delivered)  # GHN retries what it is not sure we got

    rows = await shop.inbox()
    assert [row.status for row in rows] == ["done", "done"]  # both kept
    after = await shop.order(order["id"])
    assert after["status"] == "wait_for_cod"
    assert [e["action"] for e in after["events"]].count("complete") == 1
    assert await shop.owed_by("ghn") == {order["id"]: TOTAL}

    earlier = report("ghn", "status_delivering.json", order, Time="2026-11-19T01:00:00.000Z")
    await post(shop, "ghn", earlier)

    late = await shop.order(order["id"])
    assert (late["status"], late["version"]) == ("wait_for_cod", after["version"])
    assert late["shipper"]["carrier_status"] == "delivered"
    assert late["events"][-1]["details"]["not_applied"] == "older report"
    assert await shop.owed_by("ghn") == {order["id"]: TOTAL}


# -- asking the carrier: timeouts, refusals, outages -------------------------------------------


@pytest.mark.parametrize("carrier", CARRIERS)
async def test_a_create_whose_answer_is_lost_is_retried_into_exactly_one_shipment(
    sqlite_shop: Shop, carrier: str
):
    shop = sqlite_shop
    # The carrier makes the shipment, but its answer never reaches us (we give up after
    # the call's timeout): the retry must find that shipment, not make a second one.
    shop.fakes.of(carrier).faults.fail_next(LOST_ANSWER, path=CREATE_PATH[carrier])
    order = await shop.act(await shop.create(), "create_order")

    await shop.act(order, "ship", carrier=carrier)

    shipped = await shop.wait_for(order["id"], lambda o: o["status"] == "shipping", "shipped")
    assert shop.fakes.shipments_for(carrier, order["code"]) == 1
    assert shipped["shipper"]["tracking_code"]
    assert [e["action"] for e in shipped["events"]].count("ship") == 2  # asked, accepted
    [job] = await shop.finished_jobs(CARRIER_CREATE_SHIPMENT)
    assert (job.status, job.attempts) == ("done", 2)
    assert "no answer in time" in job.last_error


async def test_a_refusal_leaves_the_order_waiting_with_the_carriers_words_and_a_retry_works(
    shop: Shop,
):
    nowhere = {**BUYER, "ward": "Phường Không Có"}
    order = await shop.act(await shop.create(customer=nowhere), "create_order")

    await shop.act(order, "ship", carrier="ghtk")

    refused = await shop.wait_for(
        order["id"], lambda o: o["shipper"]["state"] == "refused", "GHTK's no"
    )
    assert refused["status"] == "waiting_for_shipping"
    assert "Phường Không Có" in refused["shipper"]["note"]  # GHTK's own message
    assert refused["events"][-1]["action"] == "shipment_refused"
    assert refused["events"][-1]["details"]["message"] == refused["shipper"]["note"]
    assert "ship" in refused["allowed_actions"]
    assert shop.fakes.shipments_for("ghtk", order["code"]) == 0
    [job] = await shop.finished_jobs(CARRIER_CREATE_SHIPMENT)
    assert (job.status, job.attempts) == ("dead", 1)  # a no is not retried by itself

    # Staff fix the address and send the order again.
    fixed = await shop.act(refused, "edit", customer={"ward": BUYER["ward"]})
    shipped = await shop.ship(fixed, "ghtk")

    assert shipped["shipper"]["tracking_code"] == shop.fakes.ghtk.shipments[order["code"]].label
    assert (shipped["shipper"]["state"], shipped["shipper"]["note"]) == (None, "")
    assert shop.fakes.shipments_for("ghtk", order["code"]) == 1


async def test_while_the_carrier_is_down_the_order_says_it_is_waiting_then_ships_once(
    patient_shop: Shop,
):
    shop = patient_shop
    shop.fakes.ghn.faults.fail_next(HTTP500, times=10_000)  # every call, until it is back
    order = await shop.act(await shop.create(), "create_order")

    await shop.act(order, "ship", carrier="ghn")

    waiting = await shop.wait_for(order["id"], retried, "the second try failing")
    assert (waiting["status"], waiting["shipper"]["state"]) == (
        "waiting_for_shipping",
        "requesting",
    )
    assert "ghn is not answering" in waiting["shipper"]["note"]
    assert "HTTP 500" in waiting["shipper"]["note"]
    status, _ = await shop.try_act(waiting, "complete")  # nothing to complete yet
    assert status == 409

    shop.fakes.ghn.faults.clear()  # GHN is back

    shipped = await shop.wait_for(order["id"], lambda o: o["status"] == "shipping", "shipped")
    assert (shipped["shipper"]["state"], shipped["shipper"]["note"]) == (None, "")
    assert shop.fakes.shipments_for("ghn", order["code"]) == 1
    [job] = await shop.finished_jobs(CARRIER_CREATE_SHIPMENT)
    assert job.status == "done" and job.attempts >= 3


async def test_a_carrier_that_never_answers_is_given_up_on_and_staff_can_ship_again(
    sqlite_shop: Shop,
):
    shop = sqlite_shop
    shop.fakes.ghn.faults.fail_next(HTTP500, times=10_000)
    order = await shop.act(await shop.create(), "create_order")

    await shop.act(order, "ship", carrier="ghn")

    refused = await shop.wait_for(
        order["id"], lambda o: o["shipper"]["state"] == "refused", "the job giving up"
    )
    assert refused["status"] == "waiting_for_shipping"
    assert "did not answer in 10 attempts" in refused["shipper"]["note"]
    [job] = await shop.finished_jobs(CARRIER_CREATE_SHIPMENT)
    assert (job.status, job.attempts) == ("dead", 10)

    shop.fakes.ghn.faults.clear()
    shipped = await shop.ship(refused, "ghtk")  # another carrier this time
    assert shipped["shipper"]["kind"] == "ghtk"
    assert shop.fakes.shipments_for("ghn", order["code"]) == 0


async def test_reports_of_a_carrier_the_order_is_no_longer_shipped_with_move_nothing(
    sqlite_shop: Shop,
):
    shop = sqlite_shop
    ghn = shop.fakes.ghn
    # GHN made a parcel but we never heard so, and GHN never answered again: given up.
    ghn.faults.fail_next(LOST_ANSWER, path=CREATE_PATH["ghn"])
    ghn.faults.fail_next(HTTP500, times=10_000, path="detail-by-client-code")
    order = await shop.act(await shop.create(), "create_order")
    await shop.act(order, "ship", carrier="ghn")
    refused = await shop.wait_for(
        order["id"], lambda o: o["shipper"]["state"] == "refused", "GHN given up on"
    )
    ghn.faults.clear()
    shipped = await shop.ship(refused, "ghtk")  # staff send it with GHTK instead
    stray = ghn.order_for(order["code"])
    assert stray is not None  # the parcel GHN made is still at GHN

    # GHN reports on its parcel, naming our order code: it is not the parcel we ship.
    for name in ("status_cancel.json", "status_delivered.json"):
        body, _ = fixture("ghn", name, {**shipped, "shipper": {"tracking_code": stray.order_code}})
        await post(shop, "ghn", body)

    after = await shop.order(order["id"])
    assert (after["status"], after["shipper"]["kind"]) == ("shipping", "ghtk")
    assert after["version"] == shipped["version"]
    assert (await shop.debt())["total"] == 0


async def test_shipping_straight_from_a_draft_goes_through_the_carrier_too(sqlite_shop: Shop):
    shop = sqlite_shop
    stock = await shop.stock()

    shipped = await shop.ship(await shop.create(), "viettelpost")

    assert shipped["shipper"]["tracking_code"] == next(iter(shop.fakes.viettelpost.orders))
    assert [e["to_status"] for e in shipped["events"]] == ["draft", "draft", "shipping"]
    assert (await shop.stock())["AO-001"] == stock["AO-001"] - 2


async def test_a_burst_of_ship_taps_ships_every_order_once(shop: Shop):
    orders = [await shop.act(await shop.create(), "create_order") for _ in range(8)]

    await asyncio.gather(
        *(shop.act(order, "ship", carrier=CARRIERS[n % 4]) for n, order in enumerate(orders))
    )

    shipped = await asyncio.gather(
        *(
            shop.wait_for(order["id"], lambda o: o["status"] == "shipping", order["code"])
            for order in orders
        )
    )
    assert len({order["shipper"]["tracking_code"] for order in shipped}) == len(orders)
    for n, order in enumerate(orders):
        assert shop.fakes.shipments_for(CARRIERS[n % 4], order["code"]) == 1
    assert {job.status for job in await shop.finished_jobs(CARRIER_CREATE_SHIPMENT)} == {"done"}


# -- cancelling a parcel the carrier holds ----------------------------------------------------


async def test_cancelling_a_shipping_order_asks_the_carrier_first(sqlite_shop: Shop):
    shop = sqlite_shop
    stock = await shop.stock()
    order = await shop.shipping_order("ghn")

    asked = await shop.act(order, "cancel")

    assert (asked["status"], asked["shipper"]["state"]) == ("shipping", "cancelling")
    cancelled = await shop.wait_for(
        order["id"], lambda o: o["status"] == "cancelled", "GHN's yes to cancel"
    )
    assert shop.fakes.ghn.orders[order["shipper"]["tracking_code"]].status == "cancel"
    last = cancelled["events"][-1]
    assert (last["action"], last["source"], last["actor"]) == ("cancel", "carrier", "ghn")
    assert await shop.stock() == stock


async def test_a_cancel_while_the_carrier_is_down_waits_and_says_so(patient_sqlite_shop: Shop):
    shop = patient_sqlite_shop
    order = await shop.shipping_order("ghn")
    shop.fakes.ghn.faults.fail_next(HTTP500, times=10_000)

    await shop.act(order, "cancel")

    waiting = await shop.wait_for(order["id"], retried, "the cancel retried")
    assert (waiting["status"], waiting["shipper"]["state"]) == ("shipping", "cancelling")
    shop.fakes.ghn.faults.clear()
    cancelled = await shop.wait_for(order["id"], lambda o: o["status"] == "cancelled", "cancel")
    assert (cancelled["shipper"]["state"], cancelled["shipper"]["note"]) == (None, "")
    assert shop.fakes.ghn.orders[order["shipper"]["tracking_code"]].status == "cancel"


async def test_a_parcel_already_picked_up_is_not_cancelled_and_staff_see_why(shop: Shop):
    order = await shop.shipping_order("ghn")
    tracking = order["shipper"]["tracking_code"]
    shop.fakes.ghn.set_status(tracking, "picked")  # the courier has it

    await shop.act(order, "cancel")

    refused = await shop.wait_for(
        order["id"], lambda o: o["shipper"]["state"] is None, "GHN's answer to the cancel"
    )
    assert refused["status"] == "shipping"
    note = refused["shipper"]["note"]
    assert "Không thể hủy đơn hàng ở trạng thái picked" in note and "status picked" in note
    event = refused["events"][-1]
    assert (event["action"], event["actor"], event["details"]["message"]) == (
        "cancel_refused",
        "ghn",
        note,
    )
    [job] = await shop.finished_jobs(CARRIER_CANCEL_SHIPMENT)
    assert job.status == "dead"
    assert shop.fakes.ghn.orders[tracking].status == "picked"

    # Still followed: the delivery lands as usual.
    await post(shop, "ghn", report("ghn", "delivered_with_cod.json", order))
    assert (await shop.order(order["id"]))["status"] == "wait_for_cod"


async def test_an_order_cancelled_while_its_shipment_was_unconfirmed_leaves_no_parcel_behind(
    patient_sqlite_shop: Shop,
):
    shop = patient_sqlite_shop
    ghn = shop.fakes.ghn
    # GHN makes the parcel but the answer is lost, and then GHN stops answering.
    ghn.faults.fail_next(LOST_ANSWER, path=CREATE_PATH["ghn"])
    ghn.faults.fail_next(HTTP500, times=10_000, path="detail-by-client-code")
    order = await shop.act(await shop.create(), "create_order")
    await shop.act(order, "ship", carrier="ghn")
    waiting = await shop.wait_for(order["id"], retried, "the retries failing")

    cancelled = await shop.act(waiting, "cancel")  # the buyer changed their mind
    assert cancelled["status"] == "cancelled"
    ghn.faults.clear()

    async def withdrawn() -> bool:
        made = ghn.order_for(order["code"])
        return made is not None and made.status == "cancel"

    await eventually(withdrawn, "the stray GHN parcel cancelled")
    after = await shop.order(order["id"])
    assert (after["status"], after["shipper"]["tracking_code"]) == ("cancelled", None)
    [job] = await shop.finished_jobs(CARRIER_CREATE_SHIPMENT)
    assert job.status == "done"


PICKED_UP = {  # what each fake carrier holds once its courier has the parcel
    "ghn": lambda fakes, order: fakes.ghn.set_status(order["shipper"]["tracking_code"], "picked"),
    "ghtk": lambda fakes, order: fakes.ghtk.set_status(order["code"], 3),
    "viettelpost": lambda fakes, order: fakes.viettelpost.set_status(
        order["shipper"]["tracking_code"], 200
    ),
    "ahamove": lambda fakes, order: fakes.ahamove.set_status(
        order["shipper"]["tracking_code"], "IN PROCESS"
    ),
}


@pytest.mark.parametrize("carrier", CARRIERS)
async def test_each_carrier_is_asked_to_cancel_and_its_yes_cancels_the_order(
    sqlite_shop: Shop, carrier: str
):
    shop = sqlite_shop
    stock = await shop.stock()
    order = await shop.shipping_order(carrier)

    await shop.act(order, "cancel")

    cancelled = await shop.wait_for(order["id"], lambda o: o["status"] == "cancelled", "cancel")
    last = cancelled["events"][-1]
    assert (last["action"], last["actor"]) == ("cancel", carrier)
    assert await shop.stock() == stock
    assert shop.fakes.shipments_for(carrier, order["code"]) == 1  # cancelled there, not gone
    [job] = await shop.finished_jobs(CARRIER_CANCEL_SHIPMENT)
    assert job.status == "done"


@pytest.mark.parametrize("carrier", CARRIERS)
async def test_each_carriers_too_late_to_cancel_keeps_the_order_shipping_with_its_words(
    sqlite_shop: Shop, carrier: str
):
    shop = sqlite_shop
    order = await shop.shipping_order(carrier)
    PICKED_UP[carrier](shop.fakes, order)

    await shop.act(order, "cancel")

    after = await shop.wait_for(order["id"], lambda o: o["shipper"]["state"] is None, "answer")
    assert after["status"] == "shipping" and after["shipper"]["note"]
    assert after["events"][-1]["action"] == "cancel_refused"
    assert "cancel" in after["allowed_actions"]  # staff may ask again later


SENT_TWICE = {
    "ghn": "delivered_with_cod.json",
    "ghtk": "delivered_with_cod.form",
    "viettelpost": "delivered_with_cod.json",
    "ahamove": "completed_delivered_with_cod.json",
}


@pytest.mark.parametrize("carrier", CARRIERS)
async def test_each_carriers_resent_report_is_applied_once(sqlite_shop: Shop, carrier: str):
    shop = sqlite_shop
    order = await shop.shipping_order(carrier)

    await shop.report(carrier, SENT_TWICE[carrier], order)
    await shop.report(carrier, SENT_TWICE[carrier], order)

    after = await shop.order(order["id"])
    assert after["status"] == "wait_for_cod"
    assert [e["action"] for e in after["events"]].count("complete") == 1
    assert [e["action"] for e in after["events"]][-1] == "complete"  # the repeat left no trace
    assert await shop.owed_by(carrier) == {order["id"]: TOTAL}


# -- quotes ------------------------------------------------------------------------------------


async def test_quotes_list_every_configured_carrier_cheapest_first_with_errors_named(
    sqlite_shop: Shop,
):
    shop = sqlite_shop
    order = await shop.create(customer=BUYER_HANOI)  # too far for a motorbike ride
    shop.fakes.viettelpost.faults.fail_next(HTTP500, path="/v2/order/getPrice")

    status, compared = await shop.call("GET", f"/api/orders/{order['id']}/quotes")

    assert status == 200 and compared["order_id"] == order["id"]
    fees = [quote["fee"] for quote in compared["quotes"]]
    assert fees == sorted(fees) and all(fee > 0 for fee in fees)
    assert {quote["carrier"] for quote in compared["quotes"]} == {"ghn", "ghtk"}
    errors = {error["carrier"]: error["message"] for error in compared["errors"]}
    assert set(errors) == {"viettelpost", "ahamove"}
    assert "HTTP 500" in errors["viettelpost"]
    assert errors["ahamove"]  # Ahamove's own words about the route
    # Asking changes nothing on the order.
    assert (await shop.order(order["id"]))["version"] == order["version"]
    status, missing = await shop.call("GET", "/api/orders/999999/quotes")
    assert (status, missing["error"]) == (404, "not_found")


async def test_quotes_offer_only_carriers_with_a_token(sqlite_url: str):
    async with open_shop(sqlite_url, viettelpost_token=None, ahamove_token=None) as shop:
        order = await shop.create()

        status, compared = await shop.call("GET", f"/api/orders/{order['id']}/quotes")

    assert status == 200
    assert [quote["carrier"] for quote in compared["quotes"]] in (
        ["ghn", "ghtk"],
        ["ghtk", "ghn"],
    )
    assert compared["errors"] == []
