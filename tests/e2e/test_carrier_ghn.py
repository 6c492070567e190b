"""GHN through real HTTP to a local fake public API: what a shop would notice when it quotes,
ships, retries, cancels and prints, and how every GHN webhook lands on the order."""

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
    Instruction,
    MemoryMasterData,
    Shipment,
    UnreadableWebhook,
    WebhookRequest,
)
from carriers.ghn import STATUS_TABLE, GhnCarrier
from tests.carrier_orders import BUYER, BUYER_TWO_LEVEL, as_expected, parcel
from tests.fakes.ghn import FakeGhn

TOKEN = "ghn-api-token"
SHOP_ID = 885
WEBHOOK_TOKEN = "ghn-webhook-secret"
FIXTURES = Path(__file__).parents[1] / "fixtures" / "carriers" / "ghn"
EXPECTED = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))
TRACKING = "LK0001QX"
ORDER_CODE = "DH000042"
FEE = 35_000  # HCM -> Hanoi, 1.1 kg, in the fake's price list
DELIVERY = datetime(2026, 11, 20, 16, 59, 59, tzinfo=UTC)


@pytest.fixture
def fake() -> FakeGhn:
    return FakeGhn(token=TOKEN, shop_id=SHOP_ID)


@pytest.fixture
async def base_url(fake: FakeGhn, aiohttp_server) -> AsyncIterator[str]:
    server = await aiohttp_server(fake.app())
    yield str(server.make_url("/shiip/public-api"))
    fake.faults.release()  # let held requests end before the server closes


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(trust_env=False) as client:
        yield client


def make(http: httpx.AsyncClient, base_url: str, **kwargs) -> GhnCarrier:
    settings = {"token": TOKEN, "shop_id": SHOP_ID, "webhook_token": WEBHOOK_TOKEN, "timeout": 0.3}
    return GhnCarrier(http, base_url=base_url, **{**settings, **kwargs})


@pytest.fixture
def carrier(http: httpx.AsyncClient, base_url: str) -> GhnCarrier:
    return make(http, base_url)


@pytest.fixture
def parser(http: httpx.AsyncClient) -> GhnCarrier:
    """For webhooks only: no server behind it."""
    return make(http, "http://127.0.0.1:9/shiip/public-api")


def webhook(name: str, tracking: str = TRACKING, order_code: str = ORDER_CODE) -> bytes:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    return text.replace("{{TRACKING}}", tracking).replace("{{ORDER_CODE}}", order_code).encode()


def edited(name: str, **changes) -> bytes:
    return json.dumps({**json.loads(webhook(name)), **changes}, ensure_ascii=False).encode()


# -- quote and create -----------------------------------------------------------------------


async def test_quote_is_ghns_fee_for_the_route(carrier, fake):
    quote = await carrier.quote(parcel())

    assert (quote.carrier, quote.fee, quote.service) == ("ghn", FEE, "2")
    [sent] = fake.sent("/v2/shipping-order/fee")
    assert sent.headers["Token"] == TOKEN and sent.headers["ShopId"] == str(SHOP_ID)
    body = sent.json
    assert (body["from_district_id"], body["from_ward_code"]) == (1442, "20108")
    assert (body["to_district_id"], body["to_ward_code"]) == (1490, "1A0401")
    assert body["service_type_id"] == 2
    assert body["weight"] == 1_100  # grams
    assert (body["length"], body["width"], body["height"]) == (20, 15, 10)
    assert (body["cod_value"], body["insurance_value"]) == (650_000, 620_000)


async def test_create_sends_ids_grams_and_cod_and_returns_ghns_code(carrier, fake):
    shipment = await carrier.create_shipment(parcel())

    assert shipment == Shipment("ghn", TRACKING, ORDER_CODE, FEE, DELIVERY)
    [sent] = fake.sent("/v2/shipping-order/create")
    assert sent.headers["Token"] == TOKEN and sent.headers["ShopId"] == str(SHOP_ID)
    body = sent.json
    assert body["client_order_code"] == ORDER_CODE
    assert (body["to_district_id"], body["to_ward_code"]) == (1490, "1A0401")
    assert "to_ward_name" not in body  # ids, not names
    assert (body["to_name"], body["to_phone"]) == ("Nguyễn Thị Hoa", "0987654321")
    assert body["to_address"].startswith("25 Ngõ 4 Phố Huế, Phường Phạm Đình Hổ")
    assert (body["from_name"], body["from_phone"]) == ("Shop Thời Trang Mai", "0912345678")
    assert (body["from_ward_name"], body["from_district_name"]) == ("Phường Bến Nghé", "Quận 1")
    assert body["weight"] == 1_100
    assert (body["cod_amount"], body["insurance_value"]) == (650_000, 620_000)
    assert body["payment_type_id"] == 1  # the shop pays the fee; COD already includes it
    assert body["required_note"] == "CHOXEMHANGKHONGTHU"
    assert body["note"] == "Gọi trước khi giao"
    assert [(i["name"], i["quantity"], i["price"]) for i in body["items"]] == [
        ("Áo thun cổ tròn A1", 2, 150_000),
        ("Quần jean B3", 1, 320_000),
    ]
    assert fake.orders[TRACKING].client_order_code == ORDER_CODE


@pytest.mark.parametrize(
    ("instruction", "note"),
    [
        (Instruction.ALLOW_TRYING, "CHOTHUHANG"),
        (Instruction.ALLOW_VIEWING, "CHOXEMHANGKHONGTHU"),
        (Instruction.NO_VIEWING, "KHONGCHOXEMHANG"),
    ],
)
async def test_doorstep_instruction_becomes_ghns_required_note(carrier, fake, instruction, note):
    shipment = await carrier.create_shipment(parcel(instruction=instruction))

    assert fake.orders[shipment.tracking_code].body["required_note"] == note


async def test_prepaid_parcel_collects_nothing(carrier, fake):
    shipment = await carrier.create_shipment(parcel(cod_amount=0))

    assert fake.orders[shipment.tracking_code].body["cod_amount"] == 0


async def test_second_shipment_to_the_same_place_calls_no_master_data(http, base_url, fake):
    master_data = MemoryMasterData()
    first = make(http, base_url, master_data=master_data)
    await first.quote(parcel("DH000042"))
    await first.create_shipment(parcel("DH000042"))
    calls = fake.master_data_calls
    assert calls > 0

    again = make(http, base_url, master_data=master_data)
    await again.quote(parcel("DH000043"))
    await again.create_shipment(parcel("DH000043"))

    assert fake.master_data_calls == calls
    assert len(fake.orders) == 2


async def test_another_ward_of_a_known_district_needs_only_its_ward_list(http, base_url, fake):
    master_data = MemoryMasterData()
    await make(http, base_url, master_data=master_data).create_shipment(parcel("DH000042"))
    calls = fake.master_data_calls
    neighbour = Contact(
        "Trần Văn Bình",
        "0911222333",
        Address("3 Lò Đúc", "Phường Bạch Đằng", "Quận Hai Bà Trưng", "Hà Nội"),
    )

    shipment = await make(http, base_url, master_data=master_data).create_shipment(
        parcel("DH000043", receiver=neighbour)
    )

    assert fake.master_data_calls == calls  # the district's ward list is already known
    assert fake.orders[shipment.tracking_code].ward_code == "1A0402"


async def test_two_level_address_finds_the_ward_among_the_provinces_districts(carrier, fake):
    shipment = await carrier.create_shipment(parcel(receiver=BUYER_TWO_LEVEL))

    body = fake.orders[shipment.tracking_code].body
    assert (body["to_district_id"], body["to_ward_code"]) == (1490, "1A0499")


async def test_two_level_ward_found_in_two_districts_is_refused_as_ambiguous(carrier, fake):
    buyer = Contact("Lê Văn C", "0909000111", Address("1 Võ Văn Tần", "Phường 1", "", "TP HCM"))

    with pytest.raises(CarrierError) as error:
        await carrier.create_shipment(parcel(receiver=buyer))

    assert error.value.kind is ErrorKind.REFUSED and not error.value.retryable
    assert "Phường 1" in error.value.message and "ambiguous" in error.value.message
    assert fake.orders == {}


async def test_name_mode_sends_names_and_needs_no_master_data(http, base_url, fake):
    carrier = make(http, base_url, address_mode="names")

    shipment = await carrier.create_shipment(parcel())

    body = fake.orders[shipment.tracking_code].body
    assert "to_district_id" not in body and "to_ward_code" not in body
    assert (body["to_ward_name"], body["to_district_name"], body["to_province_name"]) == (
        "Phường Phạm Đình Hổ",
        "Quận Hai Bà Trưng",
        "Thành phố Hà Nội",
    )
    assert fake.orders[shipment.tracking_code].ward_code == "1A0401"
    assert fake.master_data_calls == 0


# -- retries: one order, one GHN shipment ---------------------------------------------------


@pytest.mark.parametrize("returns_existing", [False, True], ids=["refused", "handed_back"])
async def test_create_after_a_lost_answer_makes_exactly_one_shipment(
    carrier, fake, returns_existing
):
    fake.duplicate_returns_existing = returns_existing
    fake.faults.fail_next("lost_answer", path="/create")
    with pytest.raises(CarrierError) as lost:
        await carrier.create_shipment(parcel())
    assert lost.value.retryable

    found = await carrier.find_shipment(ORDER_CODE)
    made = fake.order_for(ORDER_CODE)
    assert made is not None
    assert found == Shipment("ghn", made.order_code, ORDER_CODE, FEE, DELIVERY)

    again = await carrier.create_shipment(parcel())
    assert again == found
    assert len(fake.orders) == 1


async def test_find_shipment_asks_by_our_order_code(carrier, fake):
    await carrier.create_shipment(parcel())

    await carrier.find_shipment(ORDER_CODE)

    [sent] = fake.sent("/detail-by-client-code")
    assert sent.json == {"client_order_code": ORDER_CODE}
    assert sent.headers["Token"] == TOKEN


async def test_find_shipment_is_none_for_an_order_ghn_never_saw(carrier):
    assert await carrier.find_shipment("DH999999") is None


# -- failures -------------------------------------------------------------------------------


async def test_timeout_is_retryable(carrier, fake):
    fake.faults.fail_next("timeout", path="/create")
    with pytest.raises(CarrierError) as error:
        await carrier.create_shipment(parcel())
    assert error.value.kind is ErrorKind.UNAVAILABLE and error.value.retryable


async def test_http_500_is_retryable(carrier, fake):
    fake.faults.fail_next("http500", path="/fee")
    with pytest.raises(CarrierError) as error:
        await carrier.quote(parcel())
    assert error.value.kind is ErrorKind.UNAVAILABLE and error.value.retryable


async def test_ghns_refusal_is_final_and_keeps_its_words(carrier, fake):
    fake.faults.fail_next("envelope", path="/create", message="Sai thông tin Required Note")
    with pytest.raises(CarrierError) as error:
        await carrier.create_shipment(parcel())

    assert error.value.kind is ErrorKind.REFUSED and not error.value.retryable
    assert error.value.message == "Sai thông tin Required Note"
    assert error.value.status == 400
    assert fake.orders == {}


@pytest.mark.parametrize(
    ("address", "named"),
    [
        (Address("1 Trần Phú", "Phường Lộc Thọ", "Thành phố Nha Trang", "Khánh Hòa"), "Khánh Hòa"),
        (Address("1 Phố Huế", "Phường Phạm Đình Hổ", "Quận Tây Hồ", "Hà Nội"), "Quận Tây Hồ"),
        (Address("1 Phố Huế", "Phường Kim Liên", "Quận Hai Bà Trưng", "Hà Nội"), "Kim Liên"),
        (Address("1 Phố Huế", "Phường Kim Liên", "", "Hà Nội"), "Kim Liên"),
    ],
    ids=["province", "district", "ward", "two_level_ward"],
)
async def test_unknown_place_is_refused_naming_it(carrier, fake, address, named):
    buyer = Contact(BUYER.name, BUYER.phone, address)

    with pytest.raises(CarrierError) as error:
        await carrier.create_shipment(parcel(receiver=buyer))

    assert error.value.kind is ErrorKind.REFUSED
    assert named in error.value.message
    assert fake.orders == {}


async def test_wrong_token_is_auth(http, base_url):
    carrier = make(http, base_url, token="stale-token")
    with pytest.raises(CarrierError) as error:
        await carrier.create_shipment(parcel())
    assert error.value.kind is ErrorKind.AUTH and not error.value.retryable


async def test_wrong_shop_id_is_auth(http, base_url, fake):
    carrier = make(http, base_url, shop_id=999)
    with pytest.raises(CarrierError) as error:
        await carrier.quote(parcel())
    assert error.value.kind is ErrorKind.AUTH
    assert "ShopID is invalid" in error.value.message


async def test_the_fake_refuses_a_district_id_sent_as_text(http, base_url):
    """What keeps the tests above honest: GHN's types are checked, as GHN checks them."""
    body = {
        "to_district_id": "1490",
        "to_ward_code": "1A0401",
        "service_type_id": 2,
        "weight": 1100,
        "length": 20,
        "width": 15,
        "height": 10,
    }
    response = await http.post(
        f"{base_url}/v2/shipping-order/fee",
        json=body,
        headers={"Token": TOKEN, "ShopId": str(SHOP_ID)},
    )
    assert response.status_code == 400
    assert "to_district_id" in response.json()["message"]


# -- cancel ---------------------------------------------------------------------------------


async def test_cancel_before_pickup(carrier, fake):
    shipment = await carrier.create_shipment(parcel())

    await carrier.cancel(shipment)

    assert fake.orders[shipment.tracking_code].status == "cancel"
    [sent] = fake.sent("/switch-status/cancel")
    assert sent.json == {"order_codes": [shipment.tracking_code]}
    assert sent.headers["ShopId"] == str(SHOP_ID)


async def test_cancelling_twice_is_fine(carrier, fake):
    shipment = await carrier.create_shipment(parcel())
    await carrier.cancel(shipment)

    await carrier.cancel(shipment)

    assert fake.orders[shipment.tracking_code].status == "cancel"


@pytest.mark.parametrize("in_envelope", [False, True], ids=["per_order", "envelope"])
@pytest.mark.parametrize("status", ["picked", "storing", "delivering"])
async def test_cancel_after_pickup_is_already_picked(carrier, fake, status, in_envelope):
    fake.cancel_refusal_in_envelope = in_envelope
    shipment = await carrier.create_shipment(parcel())
    fake.set_status(shipment.tracking_code, status)

    with pytest.raises(CarrierError) as error:
        await carrier.cancel(shipment)

    assert error.value.kind is ErrorKind.ALREADY_PICKED and not error.value.retryable
    assert status in error.value.message
    assert fake.orders[shipment.tracking_code].status == status


async def test_cancel_of_an_unknown_parcel_is_not_found(carrier):
    with pytest.raises(CarrierError) as error:
        await carrier.cancel(Shipment("ghn", "NOSUCH01", ORDER_CODE, 0))
    assert error.value.kind is ErrorKind.NOT_FOUND


# -- label ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("paper", "page"), [("A5", "/printA5"), ("80x80", "/print80x80")])
async def test_label_is_ghns_print_page(carrier, fake, paper, page):
    shipment = await carrier.create_shipment(parcel())

    label = await carrier.label(shipment, paper=paper)

    assert label is not None and shipment.tracking_code.encode() in label
    [token_call] = fake.sent("/v2/a5/gen-token")
    assert token_call.json == {"order_codes": [shipment.tracking_code]}
    [printed] = fake.sent(page)
    assert printed.path == f"/a5/public-api{page}"  # beside the API, not under it
    assert printed.query["token"] in fake.print_tokens


async def test_label_of_an_unknown_parcel_is_refused(carrier):
    with pytest.raises(CarrierError) as error:
        await carrier.label(Shipment("ghn", "NOSUCH01", ORDER_CODE, 0))
    assert error.value.kind is ErrorKind.REFUSED and "không tồn tại" in error.value.message


# -- webhooks -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_parses_to_its_expected_events(parser, name):
    events = parser.parse_webhook(webhook(name), "application/json")

    assert as_expected(events) == EXPECTED[name]
    for event in events:
        assert (event.carrier, event.tracking_code, event.order_code) == (
            "ghn",
            TRACKING,
            ORDER_CODE,
        )
        assert event.at.tzinfo is not None


def test_every_fixture_has_an_expectation_and_every_status_a_fixture():
    files = {p.name for p in FIXTURES.glob("*.json")} - {"expected.json"}
    assert files == set(EXPECTED)
    raw_statuses = {e["raw_status"] for events in EXPECTED.values() for e in events}
    assert set(STATUS_TABLE) <= raw_statuses


def test_webhook_time_is_ghns_utc_instant(parser):
    [event] = parser.parse_webhook(webhook("status_delivered.json"), "application/json")
    assert event.at == datetime(2026, 11, 18, 9, 3, 22, 158_000, tzinfo=UTC)


def test_failed_delivery_carries_ghns_reason(parser):
    [event] = parser.parse_webhook(webhook("status_delivery_fail.json"), "application/json")
    assert event.status is CarrierStatus.FAILED
    assert "Không liên lạc được với người nhận" in event.reason


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("type_update_cod.json", "600,000"),
        ("type_update_fee.json", "40,000"),
        ("type_update_weight.json", "1500 g"),
        ("type_unknown.json", "update_address"),
        ("status_lost.json", "lost"),
        ("status_return_fail.json", "could not hand the return back"),
        ("delivered_partial_return.json", f"{TRACKING}_PR"),
    ],
)
def test_corrections_and_troubles_tell_staff_what_happened(parser, name, words):
    [event] = parser.parse_webhook(webhook(name), "application/json")
    assert words in event.reason


def test_a_cod_correction_never_moves_the_order(parser):
    [event] = parser.parse_webhook(
        edited("type_update_cod.json", Status="delivered"), "application/json"
    )
    assert event.status is CarrierStatus.ALERT
    assert event.cod_amount == 600_000


def test_unknown_status_is_an_alert_never_an_error(parser):
    [event] = parser.parse_webhook(webhook("unknown_status.json"), "application/json")
    assert event.status is CarrierStatus.ALERT
    assert "unknown status teleported" in event.reason


def test_same_body_twice_has_the_same_dedupe_key(parser):
    [first] = parser.parse_webhook(webhook("status_delivered.json"), "application/json")
    [second] = parser.parse_webhook(webhook("status_delivered.json"), "application/json")
    assert first.dedupe_key == second.dedupe_key


@pytest.mark.parametrize(
    "changes",
    [
        {"Status": "delivery_fail"},
        {"Time": "2026-11-18T09:03:23.000Z"},
        {"Type": "update_cod"},
        {"OrderCode": "LK0002QX"},
        {"CODTransferDate": "2026-11-21T02:00:00.000Z"},
    ],
    ids=["status", "time", "type", "parcel", "cod_transfer"],
)
def test_a_different_report_has_a_different_dedupe_key(parser, changes):
    [first] = parser.parse_webhook(webhook("status_delivered.json"), "application/json")
    [other] = parser.parse_webhook(edited("status_delivered.json", **changes), "application/json")
    assert first.dedupe_key != other.dedupe_key


def test_form_encoded_body_is_read_too(parser):
    body = f"OrderCode={TRACKING}&ClientOrderCode={ORDER_CODE}&Type=switch_status&Status=picked"
    body += "&Time=2026-11-18T08%3A00%3A00.000Z&CODAmount=650000"
    [event] = parser.parse_webhook(body.encode(), "application/x-www-form-urlencoded")
    assert (event.status, event.cod_amount) == (CarrierStatus.IN_TRANSIT, 650_000)


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"<html>oops</html>",
        b"{not json",
        b"[1, 2]",
        json.dumps({"Status": "delivered", "Time": "2026-11-18T08:00:00Z"}).encode(),
        json.dumps({"OrderCode": TRACKING, "Time": "2026-11-18T08:00:00Z"}).encode(),
        json.dumps({"OrderCode": TRACKING, "Status": "delivered", "Time": "yesterday"}).encode(),
    ],
    ids=["empty", "html", "broken_json", "array", "no_order_code", "no_status", "bad_time"],
)
def test_garbage_body_is_unreadable(parser, body):
    with pytest.raises(UnreadableWebhook):
        parser.parse_webhook(body, "application/json")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"token": WEBHOOK_TOKEN}, True),
        ({"token": "guess"}, False),
        ({"token": ""}, False),
        ({}, False),
    ],
    ids=["right", "wrong", "empty", "missing"],
)
def test_authenticate_checks_the_token_in_the_callback_url(parser, query, expected):
    request = WebhookRequest(body=webhook("status_delivered.json"), query=query)
    assert parser.authenticate(request) is expected


def test_authenticate_without_a_configured_secret_refuses_everything(http):
    carrier = GhnCarrier(http, base_url="http://127.0.0.1:9", token=TOKEN, shop_id=SHOP_ID)
    request = WebhookRequest(body=webhook("status_delivered.json"), query={"token": ""})
    assert carrier.authenticate(request) is False
    assert carrier.authenticate(WebhookRequest(body=b"{}", query={"token": "x"})) is False
