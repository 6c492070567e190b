"""Viettel Post through real HTTP to a local fake partner API: what a shop would notice when it
quotes, ships, retries and cancels, and how every VTP webhook status lands on the order."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from carriers.base import (
    Address,
    CarrierError,
    CarrierStatus,
    Contact,
    ErrorKind,
    MemoryMasterData,
    Shipment,
    UnreadableWebhook,
    WebhookRequest,
)
from carriers.viettelpost import STATUS_TABLE, ViettelPostCarrier
from tests.carrier_orders import BUYER, BUYER_TWO_LEVEL, as_expected, parcel
from tests.fakes.viettelpost import FakeViettelPost

TOKEN = "vtp-partner-jwt"
WEBHOOK_TOKEN = "vtp-webhook-secret"
FIXTURES = Path(__file__).parents[1] / "fixtures" / "carriers" / "viettelpost"
EXPECTED = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))
TRACKING = "1800012345678"
ORDER_CODE = "DH000042"


@pytest.fixture
def fake() -> FakeViettelPost:
    return FakeViettelPost(token=TOKEN)


@pytest.fixture
async def base_url(fake: FakeViettelPost, aiohttp_server) -> AsyncIterator[str]:
    server = await aiohttp_server(fake.app())
    yield str(server.make_url("")).rstrip("/")
    fake.faults.release()  # let held requests end before the server closes


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(trust_env=False) as client:
        yield client


@pytest.fixture
def carrier(http: httpx.AsyncClient, base_url: str) -> ViettelPostCarrier:
    return ViettelPostCarrier(
        http, base_url=base_url, token=TOKEN, webhook_token=WEBHOOK_TOKEN, timeout=1.0
    )


@pytest.fixture
def parser(http: httpx.AsyncClient) -> ViettelPostCarrier:
    """For webhooks only: no server behind it."""
    return ViettelPostCarrier(
        http, base_url="http://127.0.0.1:9", token=TOKEN, webhook_token=WEBHOOK_TOKEN
    )


def webhook(name: str, tracking: str = TRACKING, order_code: str = ORDER_CODE) -> bytes:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    return text.replace("{{TRACKING}}", tracking).replace("{{ORDER_CODE}}", order_code).encode()


def body_of(data: dict, token: str | None = WEBHOOK_TOKEN) -> bytes:
    envelope: dict = {"DATA": data}
    if token is not None:
        envelope["TOKEN"] = token
    return json.dumps(envelope, ensure_ascii=False).encode()


# -- quote and create -----------------------------------------------------------------------


async def test_quote_is_vtps_price_for_the_route(carrier, fake):
    quote = await carrier.quote(parcel())

    assert (quote.carrier, quote.fee, quote.service) == ("viettelpost", 32_400, "VCN")
    [sent] = fake.sent("/getPrice")
    assert sent.headers["Token"] == TOKEN
    assert sent.json["SENDER_PROVINCE"] == 2 and sent.json["SENDER_DISTRICT"] == 43
    assert sent.json["RECEIVER_PROVINCE"] == 1 and sent.json["RECEIVER_DISTRICT"] == 4
    assert sent.json["PRODUCT_WEIGHT"] == 1_100  # grams
    assert sent.json["MONEY_COLLECTION"] == 650_000


async def test_create_sends_ids_grams_and_cod_and_returns_vtps_number(carrier, fake):
    shipment = await carrier.create_shipment(parcel())

    order = fake.order_for(ORDER_CODE)
    assert order is not None
    assert shipment == Shipment("viettelpost", order.tracking, ORDER_CODE, 32_400)
    [sent] = fake.sent("/createOrder")
    assert sent.headers["Token"] == TOKEN
    body = sent.json
    assert body["ORDER_NUMBER"] == ORDER_CODE
    assert (body["SENDER_PROVINCE"], body["SENDER_DISTRICT"], body["SENDER_WARD"]) == (2, 43, 4301)
    assert (body["RECEIVER_PROVINCE"], body["RECEIVER_DISTRICT"], body["RECEIVER_WARD"]) == (
        1,
        4,
        401,
    )
    assert body["RECEIVER_PHONE"] == "0987654321"
    assert "25 Ngõ 4 Phố Huế" in body["RECEIVER_ADDRESS"]
    assert body["PRODUCT_WEIGHT"] == 1_100
    assert body["PRODUCT_PRICE"] == 620_000
    assert body["MONEY_COLLECTION"] == 650_000
    assert body["ORDER_PAYMENT"] == 3  # goods value collected, the shop pays the fee
    assert body["PRODUCT_QUANTITY"] == 3
    assert [item["PRODUCT_QUANTITY"] for item in body["LIST_ITEM"]] == [2, 1]
    assert "Cho xem hàng" in body["ORDER_NOTE"] and "Gọi trước khi giao" in body["ORDER_NOTE"]


async def test_prepaid_parcel_collects_nothing(carrier, fake):
    await carrier.create_shipment(parcel(cod_amount=0))

    [sent] = fake.sent("/createOrder")
    assert (sent.json["MONEY_COLLECTION"], sent.json["ORDER_PAYMENT"]) == (0, 1)


async def test_second_shipment_to_the_same_place_calls_no_master_data(http, base_url, fake):
    master_data = MemoryMasterData()
    carrier = ViettelPostCarrier(http, base_url=base_url, token=TOKEN, master_data=master_data)
    await carrier.create_shipment(parcel("DH000042"))
    calls = fake.master_data_calls
    assert calls > 0

    again = ViettelPostCarrier(http, base_url=base_url, token=TOKEN, master_data=master_data)
    await again.create_shipment(parcel("DH000043"))
    await again.quote(parcel("DH000044"))

    assert fake.master_data_calls == calls
    assert len(fake.orders) == 2


async def test_two_level_address_finds_the_ward_among_the_provinces_districts(carrier, fake):
    shipment = await carrier.create_shipment(parcel(receiver=BUYER_TWO_LEVEL))

    body = fake.orders[shipment.tracking_code].body
    assert (body["RECEIVER_PROVINCE"], body["RECEIVER_DISTRICT"], body["RECEIVER_WARD"]) == (
        1,
        4,
        499,
    )


async def test_create_after_a_lost_answer_makes_exactly_one_shipment(carrier, fake):
    fake.faults.fail_next("lost_answer", path="/createOrder")
    with pytest.raises(CarrierError) as lost:
        await carrier.create_shipment(parcel())
    assert lost.value.retryable

    found = await carrier.find_shipment(ORDER_CODE)
    made = fake.order_for(ORDER_CODE)
    assert made is not None
    assert found == Shipment("viettelpost", made.tracking, ORDER_CODE, 32_400)

    again = await carrier.create_shipment(parcel())
    assert again.tracking_code == made.tracking
    assert len(fake.orders) == 1


async def test_find_shipment_is_none_for_an_order_vtp_never_saw(carrier):
    assert await carrier.find_shipment("DH999999") is None


async def test_find_shipment_is_none_where_vtp_offers_no_status_pull(carrier, fake):
    fake.offers_status_pull = False  # the pull endpoint is UNCONFIRMED: a VTP without it
    await carrier.create_shipment(parcel())

    assert await carrier.find_shipment(ORDER_CODE) is None
    with pytest.raises(CarrierError) as error:  # creating again: VTP's duplicate refusal stands
        await carrier.create_shipment(parcel())
    assert error.value.kind is ErrorKind.REFUSED and ORDER_CODE in error.value.message
    assert len(fake.orders) == 1


# -- failures -------------------------------------------------------------------------------


async def test_timeout_is_retryable(carrier, fake):
    fake.faults.fail_next("timeout", path="/createOrder")
    with pytest.raises(CarrierError) as error:
        await carrier.create_shipment(parcel())
    assert error.value.kind is ErrorKind.UNAVAILABLE and error.value.retryable


async def test_http_500_is_retryable(carrier, fake):
    fake.faults.fail_next("http500", path="/getPrice")
    with pytest.raises(CarrierError) as error:
        await carrier.quote(parcel())
    assert error.value.retryable and error.value.status == 500


async def test_vtp_refusal_is_final_and_keeps_its_message(carrier, fake):
    fake.faults.fail_next("envelope", path="/createOrder", message="Số điện thoại không hợp lệ")
    with pytest.raises(CarrierError) as error:
        await carrier.create_shipment(parcel())
    assert error.value.kind is ErrorKind.REFUSED and not error.value.retryable
    assert error.value.message == "Số điện thoại không hợp lệ"
    assert fake.orders == {}


@pytest.mark.parametrize(
    ("address", "named"),
    [
        (Address("1 Trần Phú", "Phường 1", "Quận 1", "Tỉnh Atlantis"), "Tỉnh Atlantis"),
        (Address("1 Trần Phú", "Phường 1", "Quận 99", "Thành phố Hà Nội"), "Quận 99"),
        (Address("1 Trần Phú", "Phường Mơ", "Quận Ba Đình", "Thành phố Hà Nội"), "Phường Mơ"),
        (Address("1 Trần Phú", "Phường Mơ", "", "Thành phố Hà Nội"), "Phường Mơ"),
    ],
)
async def test_unknown_place_is_refused_naming_it(carrier, fake, address, named):
    receiver = Contact(BUYER.name, BUYER.phone, address)
    with pytest.raises(CarrierError) as error:
        await carrier.create_shipment(parcel(receiver=receiver))
    assert error.value.kind is ErrorKind.REFUSED
    assert named in error.value.message
    assert fake.sent("/createOrder") == []


async def test_refused_token_is_an_auth_error(http, base_url, fake):
    carrier = ViettelPostCarrier(http, base_url=base_url, token="expired")
    with pytest.raises(CarrierError) as error:
        await carrier.create_shipment(parcel())
    assert error.value.kind is ErrorKind.AUTH and not error.value.retryable


async def test_token_refused_inside_the_envelope_is_an_auth_error(http, base_url, fake):
    fake.token_refusal_in_envelope = True
    carrier = ViettelPostCarrier(http, base_url=base_url, token="expired")
    with pytest.raises(CarrierError) as error:
        await carrier.quote(parcel())
    assert error.value.kind is ErrorKind.AUTH
    assert error.value.message == "Token không hợp lệ"


# -- cancel ---------------------------------------------------------------------------------


async def test_cancel_before_pickup(carrier, fake):
    shipment = await carrier.create_shipment(parcel())

    await carrier.cancel(shipment)

    assert fake.orders[shipment.tracking_code].status == 107
    [sent] = fake.sent("/UpdateOrder")
    assert sent.json["TYPE"] == 4 and sent.json["ORDER_NUMBER"] == shipment.tracking_code


async def test_cancel_twice_is_fine(carrier, fake):
    shipment = await carrier.create_shipment(parcel())
    await carrier.cancel(shipment)
    await carrier.cancel(shipment)
    assert fake.orders[shipment.tracking_code].status == 107


@pytest.mark.parametrize("status", [200, 300, 501])
async def test_cancel_after_pickup_is_already_picked(carrier, fake, status):
    shipment = await carrier.create_shipment(parcel())
    fake.set_status(shipment.tracking_code, status)

    with pytest.raises(CarrierError) as error:
        await carrier.cancel(shipment)

    assert error.value.kind is ErrorKind.ALREADY_PICKED
    assert "không được hủy" in error.value.message
    assert fake.orders[shipment.tracking_code].status == status


async def test_cancel_of_an_unknown_shipment_is_not_found(carrier):
    with pytest.raises(CarrierError) as error:
        await carrier.cancel(Shipment("viettelpost", "1800099999999", "DH000001", 0))
    assert error.value.kind is ErrorKind.NOT_FOUND


# -- webhooks -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_parses_to_its_expected_events(parser, name):
    events = parser.parse_webhook(webhook(name), "application/json")

    assert as_expected(events) == EXPECTED[name]
    for event in events:
        assert (event.carrier, event.tracking_code, event.order_code) == (
            "viettelpost",
            TRACKING,
            ORDER_CODE,
        )
        assert event.at.tzinfo is not None


def test_every_status_in_the_table_has_a_fixture():
    raw = {event["raw_status"] for events in EXPECTED.values() for event in events}
    assert {str(code) for code in STATUS_TABLE} <= raw
    assert set(FIXTURES.glob("*.json")) == {FIXTURES / n for n in EXPECTED} | {
        FIXTURES / "expected.json"
    }


def test_status_time_is_read_as_vietnam_time(parser):
    [event] = parser.parse_webhook(webhook("delivered_with_cod.json"), "application/json")
    assert event.at == datetime(2025, 3, 6, 8, 50, tzinfo=UTC)


def test_is_returning_turns_in_transit_into_returning(parser):
    [forward] = parser.parse_webhook(webhook("in_transit_not_returning.json"), "")
    [back] = parser.parse_webhook(webhook("in_transit_returning.json"), "")
    assert (forward.status, back.status) == (CarrierStatus.IN_TRANSIT, CarrierStatus.RETURNING)
    assert forward.raw_status == back.raw_status == "400"


def test_failed_delivery_keeps_vtps_words(parser):
    [event] = parser.parse_webhook(webhook("status_506_receiver_away.json"), "")
    assert event.status is CarrierStatus.FAILED
    assert "Khách không nghe máy" in event.reason


def test_unknown_status_is_an_alert_not_an_error(parser):
    [event] = parser.parse_webhook(webhook("unknown_status.json"), "application/json")
    assert event.status is CarrierStatus.ALERT
    assert "unknown status 999" in event.reason


def test_non_numeric_status_is_an_alert_too(parser):
    data = {
        "ORDER_NUMBER": TRACKING,
        "ORDER_STATUS": "X1",
        "ORDER_STATUSDATE": "06/03/2025 15:00:00",
    }
    [event] = parser.parse_webhook(body_of(data), "application/json")
    assert (event.status, event.raw_status) == (CarrierStatus.ALERT, "X1")
    assert "unknown status X1" in event.reason


def test_same_body_twice_gives_the_same_dedupe_key(parser):
    [first] = parser.parse_webhook(webhook("status_501_delivered.json"), "application/json")
    [second] = parser.parse_webhook(webhook("status_501_delivered.json"), "application/json")
    assert first.dedupe_key == second.dedupe_key


def test_other_status_or_time_gives_another_dedupe_key(parser):
    data = json.loads(webhook("status_500_out_for_delivery.json"))["DATA"]
    keys = {
        parser.parse_webhook(body_of(variant), "application/json")[0].dedupe_key
        for variant in (
            data,
            {**data, "ORDER_STATUS": 501},
            {**data, "ORDER_STATUSDATE": "06/03/2025 17:45:00"},
            {**data, "ORDER_NUMBER": "1800000000001"},
        )
    }
    assert len(keys) == 4


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (body_of({"ORDER_STATUS": 501}, WEBHOOK_TOKEN), True),
        (body_of({"ORDER_STATUS": 501}, "guessed"), False),
        (body_of({"ORDER_STATUS": 501}, None), False),
        (b"<html>not json</html>", False),
        (b"", False),
        (b'{"DATA": {}, "TOKEN": 12345}', False),
    ],
)
def test_authenticate_compares_the_body_token(parser, body, expected):
    assert parser.authenticate(WebhookRequest(body=body)) is expected


def test_no_configured_secret_authenticates_nothing(http):
    carrier = ViettelPostCarrier(http, base_url="http://unused", token=TOKEN)
    assert carrier.authenticate(WebhookRequest(body=body_of({}, ""))) is False
    assert carrier.authenticate(WebhookRequest(body=webhook("delivered_with_cod.json"))) is False


@pytest.mark.parametrize(
    "body",
    [
        b"garbage \x00\xff",
        b"{not json",
        b"[1, 2]",
        b'{"TOKEN": "vtp-webhook-secret"}',
        body_of({"ORDER_STATUS": 501, "ORDER_STATUSDATE": "06/03/2025 15:00:00"}),
        body_of({"ORDER_NUMBER": TRACKING, "ORDER_STATUSDATE": "06/03/2025 15:00:00"}),
        body_of({"ORDER_NUMBER": TRACKING, "ORDER_STATUS": 501}),
        body_of({"ORDER_NUMBER": TRACKING, "ORDER_STATUS": 501, "ORDER_STATUSDATE": "tomorrow"}),
    ],
)
def test_unreadable_bodies_raise_unreadable_webhook(parser, body):
    with pytest.raises(UnreadableWebhook):
        parser.parse_webhook(body, "application/json")
