"""What staff type in reply to the bot's questions, read into order changes: pure functions.

Staff answer on a phone in a busy group, so each field takes what people actually write:
items in the comment grammar (`A1 2, B3 1`, read against the order's live-session codes, as a
buyer's comment would be), phones in any spacing, addresses by the official lists
(`orders.addresses`), money as `250000`, `250.000`, `250k` or `1tr2`. A value that cannot be
read raises `BadReply` naming a string key, so the bot says in the shop's language what was
wrong and asks again; nothing is guessed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Final

from livestream.parser import CodeTable, parse_comment
from orders.addresses import AddressError, fold, read_address
from orders.changes import MAX_MONEY, TEXT_LIMITS, LineInput, OrderChanges
from orders.phones import find_phone, normalize_phone
from orders.shipper_kinds import INDIVIDUAL
from orders.transitions import ShipWith
from orders.views import LineView

SHIPPER: Final = "shipper"  # the prompt for an individual shipper's name and phone
CLEAR: Final = frozenset({"-", "—", "xoa", "xoá", "clear", "none"})
COD_FOLLOWS_TOTAL: Final = frozenset({"auto", "tong", "theo tong", "total"})
MAX_NAME: Final = TEXT_LIMITS["buyer_name"]
_UNITS: Final = {"k": 1_000, "nghin": 1_000, "ngan": 1_000, "tr": 1_000_000, "trieu": 1_000_000}
_SUFFIXED = re.compile(r"(\d+)(?:[.,](\d+))?(k|nghin|ngan|tr|trieu)(\d*)")
_GROUPED = re.compile(r"\d{1,3}(?:([.,])\d{3})(?:\1\d{3})*|\d+")
_CURRENCY = re.compile(r"(vnd|dong|d)$")


class BadReply(ValueError):
    """`key` is a `bot.strings` key; `values` fill its fields."""

    def __init__(self, key: str, values: dict[str, str] | None = None) -> None:
        super().__init__(key)
        self.key = key
        self.values = values or {}


def _one_line(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def _unaccented(text: str) -> str:
    """Lower case, no accents, no spaces; `.` and `,` kept (they group thousands)."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "d"))
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return "".join(bare.casefold().split())


def read_money(text: str) -> int:
    """VND from `250000`, `250.000`, `250,000đ`, `250k`, `1.5tr`, `1tr2` (1,200,000)."""
    typed = _CURRENCY.sub("", _unaccented(text))
    value: int | None = None
    suffixed = _SUFFIXED.fullmatch(typed)
    if suffixed:
        whole, decimals, unit, tail = suffixed.groups()
        fraction = decimals or tail or ""
        scale = _UNITS[unit]
        value = int(whole) * scale + (
            int(fraction) * scale // 10 ** len(fraction) if fraction else 0
        )
    elif _GROUPED.fullmatch(typed):
        value = int(re.sub(r"[.,]", "", typed))
    if value is None:
        raise BadReply("reply.bad_money", {"typed": _one_line(text)[:40]})
    if value > MAX_MONEY:
        raise BadReply("reply.too_much", {"typed": _one_line(text)[:40]})
    return value


def read_items(text: str, table: CodeTable) -> list[LineInput]:
    """Order lines in the comment grammar. Every code must be one of the session's (or an
    item's default code): a typo is refused, not kept as an unknown line to fix later."""
    parsed = parse_comment(text, table)
    if parsed.intent != "order" or not parsed.lines:
        raise BadReply("reply.no_items")
    unknown = [line.code for line in parsed.lines if line.sku is None]
    if unknown:
        known = ", ".join(sorted(table.codes)[:30]) or "-"
        raise BadReply("reply.unknown_codes", {"codes": ", ".join(unknown), "known": known})
    return [
        LineInput(quantity=line.quantity, sku=line.sku, code=line.code, variant=line.variant)
        for line in parsed.lines
    ]


def read_shipper(text: str) -> ShipWith:
    """`Anh Tuấn 0912345678`: an individual shipper needs both, in any order."""
    phone, rest = find_phone(text)
    name = _one_line(re.sub(r"[,;:|/]+", " ", rest)).strip(" -.")
    if not phone or not name:
        raise BadReply("reply.shipper")
    return ShipWith(INDIVIDUAL, name=name[:MAX_NAME], phone=phone)


def kept_line(line: LineView, unit_price: int | None = None) -> LineInput:
    """A stored line as an input that keeps it (its price too, unless a new one is given)."""
    return LineInput(
        quantity=line.quantity,
        sku=line.sku,
        code=line.code or None,
        unit_price=line.unit_price if unit_price is None else unit_price,
        variant=line.variant or "",
        needs_review=line.needs_review,
        waitlisted=line.waitlisted,
        comment_id=line.comment_id,
    )


def read_prices(text: str, lines: Sequence[LineView]) -> OrderChanges:
    """New unit prices, a live deal: `A1 150k, B3 90k` by the lines' codes, or just `150k`
    when the order has one line. Every line named takes the price (a code on two lines, say two
    sizes, is one price); the other lines keep theirs."""
    if not lines:
        raise BadReply("reply.no_lines")
    prices: dict[str, int] = {}
    codes = {(line.code or "").upper() for line in lines if line.code}
    for piece in filter(None, (p.strip() for p in re.split(r"[;\n]|,(?!\d{3})", text))):
        code, _, amount = piece.partition(" ")
        if len(lines) == 1 and not amount.strip():
            code, amount = (lines[0].code or "").upper(), piece
        elif code.upper() not in codes:
            raise BadReply(
                "reply.price_code", {"codes": code[:20], "known": ", ".join(sorted(codes)) or "-"}
            )
        prices[code.upper()] = read_money(amount)
    if not prices:
        raise BadReply("reply.empty")
    return OrderChanges(
        lines=[kept_line(line, prices.get((line.code or "").upper())) for line in lines]
    )


def read_reply(
    name: str, text: str, table: CodeTable, lines: Sequence[LineView] = ()
) -> OrderChanges | ShipWith:
    """The change staff asked for by answering the prompt for field `name` (`lines`: the
    order's, which a new price is for)."""
    typed = text.strip()
    if not typed:
        raise BadReply("reply.empty")
    match name:
        case "items":
            return OrderChanges(lines=read_items(typed, table))
        case "name":
            value = _one_line(typed)
            if len(value) > MAX_NAME:
                raise BadReply("reply.too_long", {"limit": str(MAX_NAME)})
            return OrderChanges(buyer_name=value)
        case "phone":
            phone = normalize_phone(typed)
            if phone is None:
                raise BadReply("reply.bad_phone", {"typed": _one_line(typed)[:40]})
            return OrderChanges(buyer_phone=phone)
        case "address":
            return _address(typed)
        case "note":
            note = "" if fold(typed) in CLEAR or typed in CLEAR else typed
            if len(note) > TEXT_LIMITS["note"]:
                raise BadReply("reply.too_long", {"limit": str(TEXT_LIMITS["note"])})
            return OrderChanges(note=note)
        case "cod":
            if fold(typed) in COD_FOLLOWS_TOTAL:
                return OrderChanges(cod_follows_total=True)
            return OrderChanges(cod_amount=read_money(typed))
        case "shipping_fee":
            return OrderChanges(shipping_fee=read_money(typed))
        case "discount":
            return OrderChanges(discount=read_money(typed))
        case "price":
            return read_prices(typed, lines)
        case "shipper":
            return read_shipper(typed)
    raise BadReply("reply.unknown_field")


def _address(text: str) -> OrderChanges:
    try:
        address = read_address(_one_line(text))
    except AddressError as error:
        if error.reason == "no_ward" and error.near:
            raise BadReply("reply.address.no_ward_near", {"near": ", ".join(error.near)}) from None
        raise BadReply(f"reply.address.{error.reason}") from None
    return OrderChanges(
        street=address.street,
        ward=address.ward,
        district=address.district,
        province=address.province,
    )
