"""GHTK through real HTTP to a local fake partner API: what a shop would notice when it quotes,
ships, retries, cancels and prints, and how every GHTK webhook status (form-encoded or JSON)
lands on the order."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from carriers.base import (
    Address,
    CarrierError,
    CarrierStatus,
    Contact,
    ErrorKind,
    ParcelItem,
    Shipment,
    UnreadableWebhook,
    WebhookRequest,
)
from carriers.ghtk import STATUS_TABLE, GhtkCarrier
from tests.carrier_orders import BUYER, BUYER_TWO_LEVEL, as_expected, parcel
from tests.fakes.ghtk import FakeGhtk

TOKEN = "ghtk-api-token"
CLIENT_SOURCE = "S22737331"
HASH = "s3cr3t-from-config"
FIXTURES = Path(__file__).parents[1] / "fixtures" / "carriers" / "ghtk"
EXPECTED = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))
TRACKING = "S1.A1.17373471"
ORDER_CODE = "DH000042"
FORM = "application/x-www-form-urlencoded"


@pytest.fixture
def fake() -> FakeGhtk:
    return FakeGhtk(token=TOKEN, client_source=CLIENT_SOURCE)


@pytest.fixture
async def base_url(fake: FakeGhtk, aiohttp_server) -> AsyncIterator[str]:
    server = await aiohttp_server(fake.app())
    yield str(server.make_url("")).rstrip("/")
    fake.faults.release()  # let held requests end before the server closes


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(trust_env=False) as client:
        yield client


@pytest.fixture
def carrier(http: httpx.AsyncClient, base_url: str) -> GhtkCarrier:
    return GhtkCarrier(
        http,
        base_url=base_url,
        token=TOKEN,
        client_source=CLIENT_SOURCE,
        webhook_hash=HASH,
        timeout=1.0,  # a loaded CI machine can take longer than 0.3 s to connect on loopback
    )


@pytest.fixture
def parser(http: httpx.AsyncClient) -> GhtkCarrier:
    """For webhooks only: no server behind it."""
    return GhtkCarrier(http, base_url="http://127.0.0.1:9", token=TOKEN, webhook_hash=HASH)


def webhook(name: str, tracking: str = TRACKING, order_code: str = ORDER_CODE) -> bytes:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    if name.endswith(".form"):  # placeholders stand for raw values: encode what replaces them
        tracking, order_code = quote(tracking, safe=""), quote(order_code, safe="")
    return text.replace("{{TRACKING}}", tracking).replace("{{ORDER_CODE}}", order_code).encode()


def content_type(name: str) -> str:
    return FORM if name.endswith(".form") else "application/json"


def parse(parser: GhtkCarrier, name: str):
    return parser.parse_webhook(webhook(name), content_type(name))


# -- quote and create -----------------------------------------------------------------------


async def test_quote_is_ghtks_fee_for_the_route_weighed_in_grams(carrier, fake):
    quote_ = await carrier.quote(parcel())

    assert (quote_.carrier, quote_.fee, quote_.service) == ("ghtk", 35_000, "area2")
    [sent] = fake.sent("/services/shipment/fee")
    assert sent.method == "GET"
    assert sent.headers["Token"] == TOKEN
    assert sent.headers["X-Client-Source"] == CLIENT_SOURCE
    assert sent.query["weight"] == "1100"  # grams on the fee API
    assert (sent.query["pick_province"], sent.query["pick_district"]) == (
        "Thành phố Hồ Chí Minh",
        "Quận 1",
    )
    assert (sent.query["province"], sent.query["district"], sent.query["ward"]) == (
        "Thành phố Hà Nội",
        "Quận Hai Bà Trưng",
        "Phường Phạm Đình Hổ",
    )
    assert sent.query["value"] == "620000"
    assert sent.query["deliver_option"] == "none"


async def test_quote_counts_insurance_on_valuable_goods(carrier):
    valuable = replace(parcel(), goods_value=2_000_000)

    assert (await carrier.quote(valuable)).fee == 35_000 + 10_000


async def test_create_sends_names_kilograms_and_cod_and_returns_ghtks_label(carrier, fake):
    shipment = await carrier.create_shipment(parcel())

    assert shipment == Shipment("ghtk", TRACKING, ORDER_CODE, 35_000)
    [sent] = fake.sent("/services/shipment/order")
    assert sent.method == "POST" and sent.query == {"ver": "1.5"}
    assert (sent.headers["Token"], sent.headers["X-Client-Source"]) == (TOKEN, CLIENT_SOURCE)
    products = sent.json["products"]
    assert [(p["name"], p["weight"], p["quantity"]) for p in products] == [
        ("Áo thun cổ tròn A1", 0.25, 2),  # kilograms per unit, not 250
        ("Quần jean B3", 0.6, 1),
    ]
    assert [p["product_code"] for p in products] == ["AO-A1", "QJ-B3"]
    order = sent.json["order"]
    assert order["id"] == ORDER_CODE
    assert (order["pick_name"], order["pick_tel"], order["pick_address"]) == (
        "Shop Thời Trang Mai",
        "0912345678",
        "12 Lý Tự Trọng",
    )
    assert (order["pick_province"], order["pick_district"], order["pick_ward"]) == (
        "Thành phố Hồ Chí Minh",
        "Quận 1",
        "Phường Bến Nghé",
    )
    assert (order["name"], order["tel"], order["address"]) == (
        "Nguyễn Thị Hoa",
        "0987654321",
        "25 Ngõ 4 Phố Huế",
    )
    assert (order["province"], order["district"], order["ward"], order["hamlet"]) == (
        "Thành phố Hà Nội",
        "Quận Hai Bà Trưng",
        "Phường Phạm Đình Hổ",
        "Khác",
    )
    assert (order["pick_money"], order["value"], order["is_freeship"]) == (650_000, 620_000, "1")
    assert order["note"] == "Cho xem hàng, không cho thử. Gọi trước khi giao"
    made = fake.shipment_for(ORDER_CODE)
    assert made is not None and made.weight_g == 1_100  # the fake read 1.1 kg


async def test_prepaid_parcel_collects_nothing_and_the_shop_pays_the_fee(carrier, fake):
    await carrier.create_shipment(parcel(cod_amount=0))

    [sent] = fake.sent("/services/shipment/order")
    assert (sent.json["order"]["pick_money"], sent.json["order"]["is_freeship"]) == (0, "1")


async def test_items_without_weights_share_the_parcels_weight(carrier, fake):
    unweighed = replace(
        parcel(), items=(ParcelItem("Áo", 2, 100_000, 0), ParcelItem("Quần", 2, 100_000, 0))
    )

    await carrier.create_shipment(replace(unweighed, weight_g=500))

    [sent] = fake.sent("/services/shipment/order")
    assert [p["weight"] for p in sent.json["products"]] == [0.125, 0.125]
    assert fake.shipment_for(ORDER_CODE).weight_g == 500


async def test_places_go_by_name_so_a_second_shipment_asks_nothing_else(carrier, fake):
    await carrier.create_shipment(parcel("DH000042"))
    await carrier.create_shipment(parcel("DH000043"))

    assert [request.path for request in fake.requests] == ["/services/shipment/order/"] * 2
    assert len(fake.shipments) == 2


async def test_two_level_address_sends_province_and_ward_with_an_empty_district(carrier, fake):
    quote_ = await carrier.quote(parcel(receiver=BUYER_TWO_LEVEL))
    shipment = await carrier.create_shipment(parcel(receiver=BUYER_TWO_LEVEL))

    assert quote_.fee == 35_000 and shipment.tracking_code == TRACKING
    [fee] = fake.sent("/services/shipment/fee")
    assert (fee.query["province"], fee.query["district"], fee.query["ward"]) == (
        "Thành phố Hà Nội",
        "",
        "Phường Hai Bà Trưng",
    )
    [sent] = fake.sent("/services/shipment/order")
    order = sent.json["order"]
    assert (order["province"], order["district"], order["ward"]) == (
        "Thành phố Hà Nội",
        "",
        "Phường Hai Bà Trưng",
    )


async def test_lost_answer_is_found_by_our_order_code_and_never_shipped_twice(carrier, fake):
    fake.faults.fail_next("lost_answer", path="/services/shipment/order")

    with pytest.raises(CarrierError) as lost:
        await carrier.create_shipment(parcel())
    assert lost.value.retryable

    found = await carrier.find_shipment(ORDER_CODE)
    assert found == Shipment("ghtk", TRACKING, ORDER_CODE, 35_000)
    [lookup] = fake.sent("/services/shipment/v2/")
    assert lookup.path == f"/services/shipment/v2/partner_id:{ORDER_CODE}"

    with pytest.raises(CarrierError) as again:
        await carrier.create_shipment(parcel())
    assert again.value.kind is ErrorKind.REFUSED and ORDER_CODE in again.value.message
    assert len(fake.shipments) == 1


async def test_find_shipment_is_none_when_ghtk_has_none(carrier):
    assert await carrier.find_shipment("DH999999") is None


# -- failures -------------------------------------------------------------------------------


async def test_timeout_is_retryable(carrier, fake):
    fake.faults.fail_next("timeout")

    with pytest.raises(CarrierError) as error:
        await carrier.create_shipment(parcel())

    assert error.value.kind is ErrorKind.UNAVAILABLE and error.value.retryable
    fake.faults.release()
    assert fake.shipments == {}


async def test_server_error_is_retryable(carrier, fake):
    fake.faults.fail_next("http500")

    with pytest.raises(CarrierError) as error:
        await carrier.quote(parcel())

    assert error.value.retryable and error.value.status == 500


async def test_ghtks_refusal_is_final_and_keeps_its_words(carrier, fake):
    fake.faults.fail_next("envelope", message="Số điện thoại người nhận không hợp lệ")

    with pytest.raises(CarrierError) as error:
        await carrier.create_shipment(parcel())

    assert error.value.kind is ErrorKind.REFUSED and not error.value.retryable
    assert error.value.message == "Số điện thoại người nhận không hợp lệ"


async def test_unknown_place_is_refused_naming_it(carrier, fake):
    nowhere = Contact(
        "Lê Văn A",
        "0901234567",
        Address("1 Đường Số 1", "Phường Không Có", "Quận 1", "Thành phố Hồ Chí Minh"),
    )

    with pytest.raises(CarrierError) as error:
        await carrier.create_shipment(parcel(receiver=nowhere))

    assert error.value.kind is ErrorKind.REFUSED
    assert "Phường Không Có" in error.value.message
    assert fake.shipments == {}


async def test_address_without_province_is_refused_before_calling_ghtk(carrier, fake):
    homeless = replace(BUYER, address=Address("25 Phố Huế", "Phường Phạm Đình Hổ", "", ""))

    with pytest.raises(CarrierError) as error:
        await carrier.quote(parcel(receiver=homeless))

    assert error.value.kind is ErrorKind.REFUSED and "25 Phố Huế" in error.value.message
    assert fake.requests == []


async def test_wrong_token_is_an_auth_error(http, base_url):
    wrong = GhtkCarrier(http, base_url=base_url, token="expired", client_source=CLIENT_SOURCE)

    with pytest.raises(CarrierError) as error:
        await wrong.quote(parcel())

    assert error.value.kind is ErrorKind.AUTH and not error.value.retryable


async def test_missing_client_source_is_an_auth_error_where_ghtk_wants_one(http, base_url, fake):
    without = GhtkCarrier(http, base_url=base_url, token=TOKEN)

    with pytest.raises(CarrierError) as error:
        await without.quote(parcel())

    assert error.value.kind is ErrorKind.AUTH
    assert "X-Client-Source" not in fake.requests[0].headers


async def test_client_source_is_optional_when_not_configured(http, aiohttp_server):
    fake = FakeGhtk(token=TOKEN, client_source=None)
    server = await aiohttp_server(fake.app())
    carrier = GhtkCarrier(http, base_url=str(server.make_url("")).rstrip("/"), token=TOKEN)

    assert (await carrier.quote(parcel())).fee == 35_000
    assert "X-Client-Source" not in fake.requests[0].headers


# -- cancel and label -----------------------------------------------------------------------


async def test_cancel_before_pickup(carrier, fake):
    shipment = await carrier.create_shipment(parcel())

    await carrier.cancel(shipment)

    assert fake.shipment_for(ORDER_CODE).status_id == -1
    [sent] = fake.sent("/services/shipment/cancel/")
    assert sent.method == "POST" and sent.path.endswith(f"/cancel/{TRACKING}")
    assert await carrier.find_shipment(ORDER_CODE) is None  # a cancelled one is no shipment


async def test_cancel_twice_is_done_once(carrier, fake):
    shipment = await carrier.create_shipment(parcel())
    await carrier.cancel(shipment)

    await carrier.cancel(shipment)

    assert fake.shipment_for(ORDER_CODE).status_id == -1


@pytest.mark.parametrize("status_id", [3, 4, 5, 20])
async def test_cancel_after_pickup_is_already_picked(carrier, fake, status_id):
    shipment = await carrier.create_shipment(parcel())
    fake.set_status(ORDER_CODE, status_id)

    with pytest.raises(CarrierError) as error:
        await carrier.cancel(shipment)

    assert error.value.kind is ErrorKind.ALREADY_PICKED
    assert "không thể hủy" in error.value.message
    assert fake.shipment_for(ORDER_CODE).status_id == status_id


async def test_cancel_refused_before_pickup_stays_a_refusal(carrier, fake):
    shipment = await carrier.create_shipment(parcel())
    fake.set_status(ORDER_CODE, 12)
    fake.faults.fail_next("envelope", path="/cancel/", message="Hệ thống bận")

    with pytest.raises(CarrierError) as error:
        await carrier.cancel(shipment)

    assert (error.value.kind, error.value.message) == (ErrorKind.REFUSED, "Hệ thống bận")


async def test_cancel_of_an_unknown_shipment_is_not_found(carrier):
    with pytest.raises(CarrierError) as error:
        await carrier.cancel(Shipment("ghtk", "S1.A1.1", ORDER_CODE, 0))

    assert error.value.kind is ErrorKind.NOT_FOUND


async def test_label_is_ghtks_pdf(carrier, fake):
    shipment = await carrier.create_shipment(parcel())

    pdf = await carrier.label(shipment, paper="A5")

    assert pdf is not None and pdf.startswith(b"%PDF") and TRACKING.encode() in pdf
    [sent] = fake.sent("/services/label/")
    assert sent.query == {"original": "portrait", "paper_size": "A5"}


async def test_label_of_an_unknown_shipment_is_not_found(carrier):
    with pytest.raises(CarrierError) as error:
        await carrier.label(Shipment("ghtk", "S1.A1.1", ORDER_CODE, 0))

    assert error.value.kind is ErrorKind.NOT_FOUND


# -- webhooks -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_fixture_parses_to_its_expected_events(parser, name):
    events = parse(parser, name)

    assert as_expected(events) == EXPECTED[name]
    for event in events:
        assert (event.carrier, event.tracking_code, event.order_code) == (
            "ghtk",
            TRACKING,
            ORDER_CODE,
        )
        assert event.at.utcoffset() == timedelta(hours=7)


def test_every_fixture_file_is_expected_and_every_status_code_has_one():
    files = {path.name for path in FIXTURES.iterdir() if path.name != "expected.json"}
    assert files == set(EXPECTED)
    covered = {event["raw_status"] for events in EXPECTED.values() for event in events}
    assert {str(code) for code in STATUS_TABLE} <= covered
    assert {name.rsplit(".", 1)[1] for name in files} == {"json", "form"}


def test_form_and_json_bodies_of_one_report_are_one_event(parser):
    form = parse(parser, "delivered_with_cod.form")[0]
    as_json = parse(parser, "delivered.json")[0]

    assert form == as_json
    assert (form.status, form.cod_amount) == (CarrierStatus.DELIVERED, 650_000)


def test_form_sample_without_pick_money_has_no_cod_amount(parser):
    [event] = parse(parser, "delivered.form")

    assert (event.status, event.cod_amount) == (CarrierStatus.DELIVERED, None)


def test_cod_settlement_is_the_payout_signal(parser):
    [settled] = parse(parser, "cod_settled_payout.json")
    [delivered] = parse(parser, "delivered.json")

    assert (settled.status, settled.cod_transferred, settled.cod_amount) == (
        CarrierStatus.DELIVERED,
        True,
        650_000,
    )
    assert not delivered.cod_transferred
    assert settled.dedupe_key != delivered.dedupe_key
    assert "settled the COD" in settled.reason


def test_failed_delivery_keeps_ghtks_reason_and_code(parser):
    [event] = parse(parser, "status_9_delivery_failed.form")

    assert event.status is CarrierStatus.FAILED
    assert event.reason == "Người nhận không nghe máy (reason code 132)"


def test_partial_delivery_is_delivered_with_a_note(parser):
    [event] = parse(parser, "delivered_partial_return.json")

    assert (event.status, event.cod_amount) == (CarrierStatus.DELIVERED, 320_000)
    assert "Khách chỉ nhận 1 sản phẩm" in event.reason and "partial delivery" in event.reason


def test_shipper_report_waits_for_ghtks_own_status(parser):
    [event] = parse(parser, "status_45_shipper_delivered.form")

    assert event.status is CarrierStatus.ALERT and "has not confirmed" in event.reason


def test_dedupe_key_is_label_status_and_time(parser):
    [first] = parse(parser, "status_4_delivering.form")
    [same] = parse(parser, "status_4_delivering.form")
    body = json.loads(webhook("status_3_picked_up.json"))
    [other_status] = parser.parse_webhook(
        json.dumps({**body, "status_id": 4}).encode(), "application/json"
    )
    [other_time] = parser.parse_webhook(
        json.dumps({**body, "action_time": "2025-03-05T14:03:00+07:00"}).encode(),
        "application/json",
    )

    assert first.dedupe_key == same.dedupe_key
    assert len({first.dedupe_key, other_status.dedupe_key, other_time.dedupe_key}) == 3


def test_unescaped_plus_in_a_form_time_still_reads_as_vietnam_time(parser):
    body = webhook("status_4_delivering.form").replace(b"%2B07%3A00", b"+07:00")

    [event] = parser.parse_webhook(body, FORM)

    assert event.at == parse(parser, "status_4_delivering.form")[0].at


def test_unknown_status_is_an_alert_and_never_raises(parser):
    [event] = parse(parser, "unknown_status.json")
    [text] = parser.parse_webhook(
        b"label_id=S1.A1.1&status_id=abc&action_time=2025-03-07T07%3A07%3A07%2B07%3A00", FORM
    )

    assert (event.status, event.raw_status) == (CarrierStatus.ALERT, "999")
    assert event.reason == "unknown status 999"
    assert (text.status, text.reason) == (CarrierStatus.ALERT, "unknown status abc")


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"<html>nope</html>",
        b"{not json",
        b"[1, 2]",
        b'{"status_id": 5, "action_time": "2025-03-06T15:02:11+07:00"}',
        b'{"label_id": "S1.A1.1", "action_time": "2025-03-06T15:02:11+07:00"}',
        b'{"label_id": "S1.A1.1", "status_id": 5}',
        b'{"label_id": "S1.A1.1", "status_id": 5, "action_time": "yesterday"}',
    ],
)
def test_unreadable_body_is_unreadable_webhook(parser, body):
    with pytest.raises(UnreadableWebhook):
        parser.parse_webhook(body, "application/json")


def test_authenticate_by_the_hash_in_the_callback_url(parser, http):
    body = webhook("delivered.form")

    assert parser.authenticate(WebhookRequest(body, FORM, query={"hash": HASH}))
    assert not parser.authenticate(WebhookRequest(body, FORM, query={"hash": "guess"}))
    assert not parser.authenticate(WebhookRequest(body, FORM, query={}))
    assert not parser.authenticate(WebhookRequest(body, FORM, headers={"hash": HASH}))
    unset = GhtkCarrier(http, base_url="http://127.0.0.1:9", token=TOKEN)
    assert not unset.authenticate(WebhookRequest(body, FORM, query={"hash": ""}))
    assert not unset.authenticate(WebhookRequest(body, FORM, query={"hash": HASH}))


async def test_the_fake_refuses_weights_in_the_wrong_unit(http, base_url):
    """Guards the unit checks the tests above rely on: grams in products, kg on the fee API."""
    headers = {"Token": TOKEN, "X-Client-Source": CLIENT_SOURCE}
    grams_as_kg = {"products": [{"name": "Áo", "weight": 250, "quantity": 1}], "order": {}}

    created = await http.post(
        f"{base_url}/services/shipment/order/?ver=1.5", json=grams_as_kg, headers=headers
    )
    fee = await http.get(
        f"{base_url}/services/shipment/fee",
        params={
            "pick_province": "x",
            "pick_district": "x",
            "province": "x",
            "district": "x",
            "weight": "1.1",
            "deliver_option": "none",
        },
        headers=headers,
    )

    assert created.json()["success"] is False and "products[0].weight" in created.json()["message"]
    assert fee.json()["success"] is False and "weight" in fee.json()["message"]
