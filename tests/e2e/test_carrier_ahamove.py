"""Ahamove through real HTTP to a local fake serving both API generations (v1 and v3): what a
shop would notice when it quotes, ships, retries and cancels a same-day motorbike delivery,
and how every Ahamove webhook lands on the order."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from carriers.ahamove import (
    STATUS_TABLE,
    STOP_STATUS_TABLE,
    SUB_STATUS_TABLE,
    AhamoveCarrier,
)
from carriers.base import (
    Address,
    CarrierError,
    CarrierStatus,
    Contact,
    ErrorKind,
    Shipment,
    UnreadableWebhook,
    WebhookRequest,
)
from tests.carrier_orders import BUYER, BUYER_TWO_LEVEL, SHOP, as_expected, parcel
from tests.fakes.ahamove import FakeAhamove

TOKEN = "aha-partner-token"
WEBHOOK_KEY = "aha-webhook-key"
FIXTURES = Path(__file__).parents[1] / "fixtures" / "carriers" / "ahamove"
EXPECTED = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))
TRACKING = "25AHM042"
ORDER_CODE = "DH000042"

# Ahamove rides within one city: the shop's buyers in Ho Chi Minh City, and a Hanoi shop for
# the Hanoi buyers of the shared sample parcels.
BUYER_HCM = Contact(
    "Trần Văn Nam",
    "0903123456",
    Address("45 Lê Lợi", "Phường Bến Thành", "Quận 1", "Thành phố Hồ Chí Minh"),
)
BUYER_HCM_TWO_LEVEL = replace(
    BUYER_HCM, address=Address("45 Lê Lợi", "Phường Sài Gòn", "", "Thành phố Hồ Chí Minh")
)
SHOP_HANOI = Contact(
    "Shop Thời Trang Mai Hà Nội",
    "0912345679",
    Address("8 Hàng Bạc", "Phường Hàng Bạc", "Quận Hoàn Kiếm", "Thành phố Hà Nội"),
)


def hcm_parcel(order_code: str = ORDER_CODE, **kwargs):
    return parcel(order_code, receiver=BUYER_HCM, **kwargs)


@pytest.fixture
def fake() -> FakeAhamove:
    return FakeAhamove(token=TOKEN)


@pytest.fixture
async def base_url(fake: FakeAhamove, aiohttp_server) -> AsyncIterator[str]:
    server = await aiohttp_server(fake.app())
    yield str(server.make_url("")).rstrip("/")
    fake.faults.release()  # let held requests end before the server closes


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(trust_env=False) as client:
        yield client


@pytest.fixture(params=[1, 3], ids=["v1", "v3"])
def version(request) -> int:
    return request.param


@pytest.fixture
def carrier(http: httpx.AsyncClient, base_url: str, version: int) -> AhamoveCarrier:
    return AhamoveCarrier(
        http,
        base_url=base_url,
        token=TOKEN,
        webhook_key=WEBHOOK_KEY,
        timeout=1.0,  # a loaded CI machine can take longer than 0.3 s to connect on loopback
        api_version=version,
    )


@pytest.fixture
def parser(http: httpx.AsyncClient) -> AhamoveCarrier:
    """For webhooks only: no server behind it."""
    return AhamoveCarrier(http, base_url="http://127.0.0.1:9", token=TOKEN, webhook_key=WEBHOOK_KEY)


def webhook(name: str, tracking: str = TRACKING, order_code: str = ORDER_CODE) -> bytes:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    return text.replace("{{TRACKING}}", tracking).replace("{{ORDER_CODE}}", order_code).encode()


def fixture_body(name: str) -> dict:
    return json.loads(webhook(name))


def body_of(order: dict) -> bytes:
    return json.dumps(order, ensure_ascii=False).encode()


def order_fields(recorded, version: int) -> dict:
    """What the carrier sent, with v1's JSON-in-form fields decoded."""
    if version == 3:
        return recorded.json
    fields = dict(recorded.form)
    for name in ("path", "requests", "items", "package_detail"):
        fields[name] = json.loads(fields[name])
    return fields


def assert_auth(recorded, version: int) -> None:
    if version == 3:
        assert recorded.headers["Authorization"] == f"Bearer {TOKEN}"
        assert "token" not in recorded.query and "token" not in (recorded.json or {})
    else:
        assert "Authorization" not in recorded.headers
        assert TOKEN in (recorded.query.get("token"), recorded.form.get("token"))


# -- generations ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("base_url", "expected"),
    [
        ("https://api.ahamove.com", 1),
        ("https://apistg.ahamove.com", 1),
        ("https://partner-apistg.ahamove.com", 3),
        ("https://partner-api.ahamove.com/", 3),
    ],
)
def test_the_host_picks_the_api_generation(http, base_url, expected):
    carrier = AhamoveCarrier(http, base_url=base_url, token=TOKEN)
    assert carrier.api_version == expected
    assert carrier.service_id == "SGN-BIKE"  # the default, Ho Chi Minh City's motorbike


def test_an_explicit_version_wins_over_the_host(http):
    carrier = AhamoveCarrier(http, base_url="https://api.ahamove.com", token=TOKEN, api_version=3)
    assert carrier.api_version == 3
    with pytest.raises(ValueError):
        AhamoveCarrier(http, base_url="https://api.ahamove.com", token=TOKEN, api_version=2)


# -- quote and create -----------------------------------------------------------------------


async def test_quote_is_ahamoves_price_for_the_trip(carrier, fake, version):
    quote = await carrier.quote(hcm_parcel())

    assert (quote.carrier, quote.fee, quote.service) == ("ahamove", 32_000, "SGN-BIKE")
    [sent] = fake.sent("/estimates" if version == 3 else "/estimated_fee")
    assert_auth(sent, version)
    fields = order_fields(sent, version)
    if version == 3:
        assert fields["services"] == [{"_id": "SGN-BIKE", "requests": []}]
    else:
        assert fields["service_id"] == "SGN-BIKE"
    assert fields["path"][1]["cod"] == 650_000


async def test_create_sends_the_trip_with_cod_on_the_buyers_stop(carrier, fake, version):
    shipment = await carrier.create_shipment(hcm_parcel())

    [made] = fake.orders_for(ORDER_CODE)
    assert shipment == Shipment("ahamove", made.id, ORDER_CODE, 32_000)
    [sent] = fake.sent("/v3/orders" if version == 3 else "/order/create", method="POST")
    assert_auth(sent, version)
    fields = order_fields(sent, version)
    pickup, drop_off = fields["path"]
    assert pickup == {
        "address": "12 Lý Tự Trọng, Phường Bến Nghé, Quận 1, Thành phố Hồ Chí Minh",
        "name": SHOP.name,
        "mobile": SHOP.phone,
    }
    assert drop_off["address"] == "45 Lê Lợi, Phường Bến Thành, Quận 1, Thành phố Hồ Chí Minh"
    assert (drop_off["name"], drop_off["mobile"]) == (BUYER_HCM.name, BUYER_HCM.phone)
    assert drop_off["cod"] == 650_000
    assert drop_off["item_value"] == 620_000
    assert drop_off["tracking_number"] == ORDER_CODE
    assert "Cho xem hàng" in drop_off["remarks"] and "Gọi trước khi giao" in drop_off["remarks"]
    assert fields["service_id"] == "SGN-BIKE"
    assert fields["payment_method"] == "BALANCE"
    assert fields["requests"] == []
    assert fields["package_detail"][0]["weight"] == 1.1  # kilograms
    assert [(item["_id"], item["num"], item["price"]) for item in fields["items"]] == [
        ("AO-A1", 2, 150_000),
        ("QJ-B3", 1, 320_000),
    ]


async def test_prepaid_parcel_collects_nothing(carrier, fake, version):
    await carrier.create_shipment(hcm_parcel(cod_amount=0))

    [made] = fake.orders_for(ORDER_CODE)
    assert made.path[1]["cod"] == 0


async def test_addresses_go_as_text_so_shipping_needs_no_master_data(carrier, fake, version):
    await carrier.create_shipment(hcm_parcel("DH000042"))
    await carrier.create_shipment(hcm_parcel("DH000043"))

    if version == 3:
        lookups = [f"/v3/orders/tracks/{code}" for code in ("DH000042", "DH000043")]
        expected = [lookups[0], "/v3/orders", lookups[1], "/v3/orders"]
    else:
        expected = ["/v1/order/list", "/v1/order/create"] * 2
    assert [r.path for r in fake.requests] == expected  # a lookup by our code, then create
    assert len(fake.orders) == 2


async def test_a_city_specific_service_ships_two_level_addresses(http, base_url, fake, version):
    carrier = AhamoveCarrier(
        http, base_url=base_url, token=TOKEN, service_id="HAN-BIKE", api_version=version
    )
    order = replace(parcel(receiver=BUYER_TWO_LEVEL), sender=SHOP_HANOI)

    shipment = await carrier.create_shipment(order)

    made = fake.orders[shipment.tracking_code]
    assert made.service_id == "HAN-BIKE" and shipment.fee == 30_000
    assert made.path[1]["address"] == "25 Ngõ 4 Phố Huế, Phường Hai Bà Trưng, Thành phố Hà Nội"
    three_level = replace(parcel("DH000043", receiver=BUYER), sender=SHOP_HANOI)
    assert (await carrier.create_shipment(three_level)).fee == 30_000


async def test_two_level_address_in_ho_chi_minh_city(carrier, fake, version):
    shipment = await carrier.create_shipment(parcel(receiver=BUYER_HCM_TWO_LEVEL))

    made = fake.orders[shipment.tracking_code]
    assert made.path[1]["address"] == "45 Lê Lợi, Phường Sài Gòn, Thành phố Hồ Chí Minh"


async def test_create_after_a_lost_answer_makes_exactly_one_shipment(carrier, fake, version):
    create = "POST/v3/orders" if version == 3 else "/v1/order/create"
    fake.faults.fail_next("lost_answer", path=create)
    with pytest.raises(CarrierError) as lost:
        await carrier.create_shipment(hcm_parcel())
    assert lost.value.retryable

    [made] = fake.orders_for(ORDER_CODE)
    found = await carrier.find_shipment(ORDER_CODE)
    assert found == Shipment("ahamove", made.id, ORDER_CODE, 32_000)

    again = await carrier.create_shipment(hcm_parcel())
    assert again == found
    assert len(fake.orders) == 1


async def test_find_shipment_is_none_for_an_order_ahamove_never_saw(carrier, fake, version):
    await carrier.create_shipment(hcm_parcel("DH000001"))
    assert await carrier.find_shipment("DH999999") is None


async def test_a_cancelled_trip_does_not_stop_a_new_one(carrier, fake, version):
    first = await carrier.create_shipment(hcm_parcel())
    await carrier.cancel(first)  # e.g. no driver came
    assert await carrier.find_shipment(ORDER_CODE) is None

    second = await carrier.create_shipment(hcm_parcel())

    assert second.tracking_code != first.tracking_code
    assert await carrier.find_shipment(ORDER_CODE) == second
    assert [o.status for o in fake.orders_for(ORDER_CODE)] == ["CANCELLED", "ASSIGNING"]


# -- failures -------------------------------------------------------------------------------


async def test_timeout_is_retryable(carrier, fake, version):
    fake.faults.fail_next("timeout", path="/estimate")
    with pytest.raises(CarrierError) as error:
        await carrier.quote(hcm_parcel())
    assert error.value.kind is ErrorKind.UNAVAILABLE and error.value.retryable


async def test_http_500_is_retryable(carrier, fake, version):
    fake.faults.fail_next("http500", path="POST/v")
    with pytest.raises(CarrierError) as error:
        await carrier.create_shipment(hcm_parcel())
    assert error.value.retryable and error.value.status == 500
    assert fake.orders == {}


async def test_ahamoves_refusal_is_final_and_keeps_its_message(carrier, fake, version):
    fake.faults.fail_next("envelope", path="POST/v", message="Số điện thoại không hợp lệ")
    with pytest.raises(CarrierError) as error:
        await carrier.create_shipment(hcm_parcel())
    assert error.value.kind is ErrorKind.REFUSED and not error.value.retryable
    assert error.value.message == "Số điện thoại không hợp lệ"
    assert fake.orders == {}


async def test_an_address_ahamove_cannot_find_is_refused_naming_it(carrier, fake, version):
    receiver = Contact(
        BUYER_HCM.name, BUYER_HCM.phone, Address("1 Trần Phú", "Phường Mơ", "", "Hồ Chí Minh")
    )
    with pytest.raises(CarrierError) as error:
        await carrier.create_shipment(parcel(receiver=receiver))
    assert error.value.kind is ErrorKind.REFUSED
    assert "Phường Mơ" in error.value.message
    assert fake.orders == {}


async def test_a_buyer_in_another_city_is_refused(carrier, fake, version):
    with pytest.raises(CarrierError) as error:
        await carrier.create_shipment(parcel())  # Ho Chi Minh City shop, Hanoi buyer
    assert error.value.kind is ErrorKind.REFUSED and not error.value.retryable
    assert "SGN-BIKE" in error.value.message and "Hà Nội" in error.value.message


async def test_v3_insisting_on_coordinates_reaches_staff_as_a_refusal(http, base_url, fake):
    fake.requires_coordinates = True  # UNCONFIRMED whether v3 enforces its table
    carrier = AhamoveCarrier(http, base_url=base_url, token=TOKEN, api_version=3)
    with pytest.raises(CarrierError) as error:
        await carrier.create_shipment(hcm_parcel())
    assert error.value.kind is ErrorKind.REFUSED
    assert error.value.message == "path[0].lat is required"


async def test_refused_token_is_an_auth_error(http, base_url, fake, version):
    carrier = AhamoveCarrier(http, base_url=base_url, token="expired", api_version=version)
    with pytest.raises(CarrierError) as error:
        await carrier.create_shipment(hcm_parcel())
    assert error.value.kind is ErrorKind.AUTH and not error.value.retryable
    assert error.value.status == (401 if version == 3 else 404)


# -- cancel ---------------------------------------------------------------------------------


async def test_cancel_before_pickup(carrier, fake, version):
    shipment = await carrier.create_shipment(hcm_parcel())
    fake.set_status(shipment.tracking_code, "ACCEPTED")  # a comment is required from here

    await carrier.cancel(shipment)

    assert fake.orders[shipment.tracking_code].status == "CANCELLED"
    if version == 3:
        [sent] = fake.sent(f"/v3/orders/{shipment.tracking_code}", method="DELETE")
        assert sent.json["comment"]
    else:
        [sent] = fake.sent("/v1/order/cancel")
        assert sent.query["order_id"] == shipment.tracking_code and sent.query["comment"]
    assert_auth(sent, version)


async def test_cancel_twice_is_fine(carrier, fake, version):
    shipment = await carrier.create_shipment(hcm_parcel())
    await carrier.cancel(shipment)
    await carrier.cancel(shipment)
    assert fake.orders[shipment.tracking_code].status == "CANCELLED"


@pytest.mark.parametrize(
    ("status", "stop_status"), [("IN PROCESS", ""), ("COMPLETED", "COMPLETED")]
)
async def test_cancel_after_pickup_is_already_picked(carrier, fake, version, status, stop_status):
    shipment = await carrier.create_shipment(hcm_parcel())
    fake.set_status(shipment.tracking_code, status, stop_status=stop_status)

    with pytest.raises(CarrierError) as error:
        await carrier.cancel(shipment)

    assert error.value.kind is ErrorKind.ALREADY_PICKED and not error.value.retryable
    assert "Order not in valid status" in error.value.message
    assert fake.orders[shipment.tracking_code].status == status


async def test_cancel_of_an_unknown_shipment_is_not_found(carrier, version):
    with pytest.raises(CarrierError) as error:
        await carrier.cancel(Shipment("ahamove", "25NOPE01", "DH000001", 0))
    assert error.value.kind is ErrorKind.NOT_FOUND


# -- webhooks -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_parses_to_its_expected_events(parser, name):
    events = parser.parse_webhook(webhook(name), "application/json")

    assert as_expected(events) == EXPECTED[name]
    for event in events:
        assert (event.carrier, event.tracking_code) == ("ahamove", TRACKING)
        assert event.order_code in (ORDER_CODE, f"{ORDER_CODE}-B")
        assert event.at.tzinfo is not None
    assert events[0].order_code == ORDER_CODE


def test_every_code_in_the_tables_has_a_fixture():
    bodies = [fixture_body(name) for name in EXPECTED]
    statuses = {body["status"] for body in bodies}
    sub_statuses = {body["sub_status"] for body in bodies}
    stop_statuses = {stop["status"] for body in bodies for stop in body["path"][1:]}
    assert set(STATUS_TABLE) <= statuses
    assert set(SUB_STATUS_TABLE) <= sub_statuses
    assert set(STOP_STATUS_TABLE) <= stop_statuses
    assert set(FIXTURES.glob("*.json")) == {FIXTURES / n for n in EXPECTED} | {
        FIXTURES / "expected.json"
    }


def test_a_completed_trip_whose_stop_failed_is_not_delivered(parser):
    [event] = parser.parse_webhook(webhook("completed_stop_failed.json"), "application/json")
    assert event.status is CarrierStatus.FAILED
    assert event.reason == "Khách không nghe máy"
    # The latest milestone: the trip's end, after the failed attempt.
    assert event.at == datetime(2025, 3, 6, 8, 40, 0, 120000, tzinfo=UTC)


def test_delivered_with_cod_reports_the_amount_and_the_stop_time(parser):
    [event] = parser.parse_webhook(webhook("completed_delivered_with_cod.json"), "")
    assert (event.status, event.cod_amount, event.cod_transferred) == (
        CarrierStatus.DELIVERED,
        650_000,
        False,
    )
    assert event.at == datetime(2025, 3, 6, 8, 40, 0, 120000, tzinfo=UTC)


def test_each_drop_off_is_its_own_shipment(parser):
    first, second = parser.parse_webhook(webhook("two_drop_offs.json"), "application/json")
    assert (first.order_code, first.status) == (ORDER_CODE, CarrierStatus.DELIVERED)
    assert (second.order_code, second.status) == (f"{ORDER_CODE}-B", CarrierStatus.IN_TRANSIT)
    assert first.dedupe_key != second.dedupe_key


def test_cancel_without_us_says_who(parser):
    [no_driver] = parser.parse_webhook(webhook("cancelled_no_driver.json"), "")
    [after_pickup] = parser.parse_webhook(webhook("cancelled_after_pickup.json"), "")
    assert no_driver.status is CarrierStatus.CANCELLED
    assert "no driver accepted" in no_driver.reason
    assert after_pickup.status is CarrierStatus.ALERT
    assert "after pickup" in after_pickup.reason


def test_unknown_status_is_an_alert_not_an_error(parser):
    [event] = parser.parse_webhook(webhook("unknown_status.json"), "application/json")
    assert event.status is CarrierStatus.ALERT
    assert "unknown status TELEPORTED" in event.reason


def test_unknown_stop_status_is_an_alert_too(parser):
    order = fixture_body("in_process.json")
    order["path"][1]["status"] = "LOST_IN_SPACE"
    [event] = parser.parse_webhook(body_of(order), "application/json")
    assert event.status is CarrierStatus.ALERT
    assert "unknown status IN PROCESS" in event.reason and "LOST_IN_SPACE" in event.reason


def test_same_body_twice_gives_the_same_dedupe_key(parser):
    [first] = parser.parse_webhook(webhook("completed_delivered_with_cod.json"), "")
    [second] = parser.parse_webhook(webhook("completed_delivered_with_cod.json"), "")
    assert first.dedupe_key == second.dedupe_key


def test_other_status_sub_status_or_stop_outcome_gives_another_dedupe_key(parser):
    order = fixture_body("in_process.json")
    failed = {**order, "path": [order["path"][0], {**order["path"][1], "status": "FAILED"}]}
    variants = (
        order,
        {**order, "status": "COMPLETED"},
        {**order, "sub_status": "COMPLETING"},
        failed,
        {**failed, "status": "COMPLETED"},
        {**order, "_id": "25OTHER1"},
    )
    keys = {parser.parse_webhook(body_of(v), "application/json")[0].dedupe_key for v in variants}
    assert len(keys) == len(variants)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"apikey": WEBHOOK_KEY}, True),
        ({"ApiKey": WEBHOOK_KEY}, True),
        ({"Authorization": f"Bearer {WEBHOOK_KEY}"}, True),
        ({"authorization": f"bearer {WEBHOOK_KEY}"}, True),
        ({"apikey": "guessed"}, False),
        ({"Authorization": "Bearer guessed"}, False),
        ({"Authorization": WEBHOOK_KEY}, False),
        ({"Authorization": "Basic YWhhOnNlY3JldA=="}, False),
        ({}, False),
    ],
)
def test_authenticate_checks_the_chosen_header(parser, headers, expected):
    request = WebhookRequest(body=webhook("in_process.json"), headers=headers)
    assert parser.authenticate(request) is expected


def test_no_configured_key_authenticates_nothing(http):
    carrier = AhamoveCarrier(http, base_url="http://unused", token=TOKEN)
    for headers in ({"apikey": ""}, {"Authorization": "Bearer "}, {}):
        assert carrier.authenticate(WebhookRequest(body=b"{}", headers=headers)) is False


@pytest.mark.parametrize(
    "body",
    [
        b"garbage \x00\xff",
        b"{not json",
        b"[1, 2]",
        b"",
        body_of({"status": "COMPLETED", "path": [{}, {}], "create_time": 1741248000}),
        body_of({"_id": TRACKING, "path": [{}, {}], "create_time": 1741248000}),
        body_of({"_id": TRACKING, "status": "COMPLETED", "create_time": 1741248000}),
        body_of({"_id": TRACKING, "status": "COMPLETED", "path": [{}], "create_time": 1741248000}),
        body_of({"_id": TRACKING, "status": "COMPLETED", "path": [{}, "x"], "create_time": 1}),
        body_of({"_id": TRACKING, "status": "COMPLETED", "path": [{}, {}], "create_time": 0}),
    ],
)
def test_unreadable_bodies_raise_unreadable_webhook(parser, body):
    with pytest.raises(UnreadableWebhook):
        parser.parse_webhook(body, "application/json")
