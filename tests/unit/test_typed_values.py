"""Staff's replies to the bot's prompts, read into order changes (`application.typed_values`)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from application.typed_values import BadReply, read_money, read_reply
from bot.strings import STRINGS
from livestream.parser import CodeTable
from orders.changes import OrderChanges
from orders.transitions import ShipWith
from tests import order_views as views

TABLE = CodeTable.build({"A1": "AO-001", "B3": "QUAN-002"})


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("250000", 250_000),
        ("250.000", 250_000),
        ("250,000đ", 250_000),
        ("250k", 250_000),
        ("250 K", 250_000),
        ("1.5tr", 1_500_000),
        ("1tr2", 1_200_000),
        ("1,5 triệu", 1_500_000),
        ("200 nghìn", 200_000),
        ("1.250.000 VND", 1_250_000),
        ("0", 0),
    ],
)
def test_money_as_people_type_it(typed: str, amount: int) -> None:
    assert read_money(typed) == amount


@pytest.mark.parametrize("typed", ["abc", "12.34.5", "-5", "1e6", "k", "99999999999999"])
def test_money_that_is_not_money_is_refused(typed: str) -> None:
    with pytest.raises(BadReply):
        read_money(typed)


def test_items_take_the_session_codes() -> None:
    changes = read_reply("items", "a1 2, B3 1", TABLE)
    assert isinstance(changes, OrderChanges) and changes.lines is not None
    assert [(line.sku, line.quantity) for line in changes.lines] == [("AO-001", 2), ("QUAN-002", 1)]


def test_an_unknown_code_names_the_known_ones() -> None:
    with pytest.raises(BadReply) as refused:
        read_reply("items", "Z9 1", TABLE)
    assert refused.value.key == "reply.unknown_codes"
    assert refused.value.values == {"codes": "Z9", "known": "A1, B3"}


@pytest.mark.parametrize(
    ("field", "typed", "expected"),
    [
        ("phone", "+84 912.345.678", OrderChanges(buyer_phone="0912345678")),
        ("name", "  Trần\nVăn  Nam ", OrderChanges(buyer_name="Trần Văn Nam")),
        ("note", "-", OrderChanges(note="")),
        ("note", "Gọi trước khi giao", OrderChanges(note="Gọi trước khi giao")),
        ("cod", "theo tổng", OrderChanges(cod_follows_total=True)),
        ("cod", "0", OrderChanges(cod_amount=0)),
        ("shipping_fee", "30k", OrderChanges(shipping_fee=30_000)),
        ("shipper", "Anh Tuấn 0987 654 321", ShipWith("individual", "Anh Tuấn", "0987654321")),
        ("shipper", "0987654321 - Chị Hà", ShipWith("individual", "Chị Hà", "0987654321")),
    ],
)
def test_each_field(field: str, typed: str, expected: object) -> None:
    assert read_reply(field, typed, TABLE) == expected


@pytest.mark.parametrize(
    ("field", "typed", "key"),
    [
        ("phone", "12345", "reply.bad_phone"),
        ("shipper", "Anh Tuấn", "reply.shipper"),
        ("shipper", "0987654321", "reply.shipper"),
        ("items", "xin chào", "reply.no_items"),
        ("address", "12 Lý Thường Kiệt", "reply.address.no_province"),
        ("name", "   ", "reply.empty"),
        ("name", "x" * 300, "reply.too_long"),
    ],
)
def test_what_cannot_be_read_says_why(field: str, typed: str, key: str) -> None:
    with pytest.raises(BadReply) as refused:
        read_reply(field, typed, TABLE)
    assert refused.value.key == key


FIELDS = [
    "items",
    "name",
    "phone",
    "address",
    "note",
    "cod",
    "shipping_fee",
    "shipper",
    "discount",
    "price",
]
LINES = (views.line(id=1, code="A1", unit_price=150_000), views.line(id=2, code="B3"))


@given(st.sampled_from(FIELDS), st.text(max_size=200))
def test_any_reply_is_a_change_or_a_refusal_the_bot_can_say(field: str, typed: str) -> None:
    try:
        read_reply(field, typed, TABLE, LINES)
    except BadReply as refused:
        for language in STRINGS.values():
            language[refused.key].format(**refused.values)  # every key exists and formats


def test_a_discount_is_money() -> None:
    assert read_reply("discount", "50k", TABLE) == OrderChanges(discount=50_000)


def test_new_prices_by_code_keep_the_other_lines() -> None:
    changes = read_reply("price", "b3 90k", TABLE, LINES)
    assert isinstance(changes, OrderChanges) and changes.lines is not None
    assert [(line.code, line.unit_price) for line in changes.lines] == [
        ("A1", 150_000),
        ("B3", 90_000),
    ]
    one = read_reply("price", "1tr2", TABLE, LINES[:1])
    assert isinstance(one, OrderChanges) and one.lines is not None
    assert one.lines[0].unit_price == 1_200_000


@pytest.mark.parametrize(
    ("typed", "key"), [("Z9 10k", "reply.price_code"), ("A1 abc", "reply.bad_money")]
)
def test_a_price_that_cannot_be_read_says_why(typed: str, key: str) -> None:
    with pytest.raises(BadReply) as refused:
        read_reply("price", typed, TABLE, LINES)
    assert refused.value.key == key
