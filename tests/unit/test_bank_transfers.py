"""Reading SePay's body and its `Apikey` header: pure, without a database or a server."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from application.bank_transfers import Direction, UnreadableTransfer, parse_transfer
from orders.changes import MAX_MONEY
from webhooks.bank import authenticated

KEY = "sepay-key-7f3a9c1e5b"
# SePay's documented example.
SAMPLE = {
    "id": 92704,
    "gateway": "Vietcombank",
    "transactionDate": "2023-03-25 14:02:37",
    "accountNumber": "0123499999",
    "code": None,
    "content": "chuyen tien mua iphone",
    "transferType": "in",
    "transferAmount": 2277000,
    "accumulated": 19077000,
    "subAccount": None,
    "referenceCode": "MBVCB.3278907687",
    "description": "",
}


def body(**changes: object) -> bytes:
    return json.dumps({**SAMPLE, **changes}).encode()


def test_sepays_example_is_read_whole():
    transfer = parse_transfer(body())
    assert transfer.transaction_id == "92704"
    assert transfer.direction is Direction.IN
    assert transfer.amount == 2_277_000
    assert transfer.content == "chuyen tien mua iphone"
    assert transfer.code == ""
    assert transfer.at == datetime(2023, 3, 25, 7, 2, 37, tzinfo=UTC)  # 14:02 in Vietnam
    assert (transfer.reference, transfer.gateway, transfer.account_number) == (
        "MBVCB.3278907687",
        "Vietcombank",
        "0123499999",
    )


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"id": " FT26341 "}, ("transaction_id", "FT26341")),
        ({"transferAmount": "2277000"}, ("amount", 2_277_000)),
        ({"transferAmount": "2277000.00"}, ("amount", 2_277_000)),
        ({"transferAmount": 2277000.0}, ("amount", 2_277_000)),
        ({"transferType": "OUT"}, ("direction", Direction.OUT)),
        ({"code": "DH000123"}, ("searched", "chuyen tien mua iphone DH000123")),
        ({"content": None}, ("content", "")),
        ({"accountNumber": 123499999}, ("account_number", "123499999")),
        ({"gateway": ["x"]}, ("gateway", "")),
        ({"content": "a\x00b\ud800"}, ("content", "ab\ufffd")),
        ({"transactionDate": "25/03/2023"}, ("at", None)),
        ({"transactionDate": None}, ("at", None)),
        ({"referenceCode": "R" * 500}, ("reference", "R" * 128)),
    ],
)
def test_what_is_read_of_each_field(changes, expected):
    name, value = expected
    assert getattr(parse_transfer(body(**changes)), name) == value


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "not JSON"),
        (b"\xff\xfe", "not JSON"),
        (b"[]", "not a JSON object but a list"),
        (b'"x"', "not a JSON object but text"),
        (body(id=None), "id must be a number or text, not null"),
        (body(id=True), "id must be a number or text, not true or false"),
        (body(id=1.5), "id must be a number or text, not a number"),
        (body(id="  "), "id is empty"),
        (body(id="x" * 65), "id is 65 characters long"),
        (body(transferType=None), "transferType must be 'in' or 'out', not null"),
        (body(transferType="both"), "transferType must be 'in' or 'out', not 'both'"),
        (body(transferAmount=None), "transferAmount must be a whole number of VND, not null"),
        (body(transferAmount=True), "transferAmount must be a whole number"),
        (body(transferAmount=12.5), "transferAmount must be a whole number"),
        (body(transferAmount="12.5"), "transferAmount must be a whole number"),
        (body(transferAmount="1e6"), "transferAmount must be a whole number"),
        (body(transferAmount="-5"), "transferAmount must be a whole number"),
        (body(transferAmount="١٢٣"), "transferAmount must be a whole number"),
        (body(transferAmount=0), "transferAmount 0 is not between 1 and"),
        (body(transferAmount=-1), "transferAmount -1 is not between"),
        (body(transferAmount=MAX_MONEY + 1), "is not between"),
        (b"{" * 100 + b"}" * 100, "nested deeper"),
    ],
)
def test_a_body_that_is_not_a_transfer_says_why(raw, reason):
    with pytest.raises(UnreadableTransfer) as refused:
        parse_transfer(raw)
    assert reason in str(refused.value)


@given(st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_any_bytes_are_a_transfer_or_a_reason_never_another_error(raw):
    try:
        transfer = parse_transfer(raw)
    except UnreadableTransfer as refused:
        assert str(refused)
    else:
        assert 1 <= transfer.amount <= MAX_MONEY and transfer.transaction_id


@pytest.mark.parametrize(
    ("header", "ok"),
    [
        (f"Apikey {KEY}", True),
        (f"apikey {KEY}", True),
        (f"  APIKEY   {KEY}  ", True),
        (f"Apikey {KEY}x", False),
        (f"Apikey {KEY[:-1]}", False),
        (f"Bearer {KEY}", False),
        (KEY, False),
        ("Apikey", False),
        ("Apikey ", False),
        ("", False),
        (None, False),
        (b"Apikey " + KEY.encode(), False),
        ("Apikey \udcff\udcfe", False),  # bytes aiohttp could not decode
        ("Apikey \ud800", False),
        ("Apikey " + "é" * 10_000, False),
    ],
)
def test_the_key_is_apikey_and_ours(header, ok):
    assert authenticated(header, KEY) is ok


@given(st.text() | st.binary() | st.none() | st.integers())
def test_any_header_is_a_yes_or_a_no(header):
    assert authenticated(header, KEY) is False
