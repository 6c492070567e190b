"""An order's history in the shop's language: what happened, from which status to which, who
did it through which door, and the event's details by their labels.

The events are stored in machine words (`create`, `livestream`, `buyer_phone`); both the bot and
the pages show them through `history_line`, so both say `Tạo nháp: → Nháp` and
`Sửa: số điện thoại, địa chỉ` the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from application.wording.labels import (
    action_label,
    carrier_label,
    field_list,
    payment_label,
    source_label,
    status_label,
)
from application.wording.languages import language_key
from application.wording.messenger import confirmation_label
from orders.views import EventView
from render.formats import format_vnd

# The label of each detail an event may carry; a detail not named here shows as `key: value`.
DETAIL: Final[Mapping[str, Mapping[str, str]]] = {
    "vi": {
        "source": "Nguồn",
        "shipper": "Vận chuyển",
        "carrier": "Hãng",
        "tracking_code": "Mã vận đơn",
        "cod_amount": "Thu hộ (COD)",
        "discount": "Giảm giá",
        "shipping_fee": "Phí vận chuyển",
        "prices": "Đơn giá",
        "reason": "Lý do",
        "attempt": "Lần thử",
        "attempts": "Số lần thử",
        "message": "Nội dung",
        "raw_status": "Trạng thái hãng",
        "status": "Trạng thái",
        "not_applied": "Không áp dụng",
        "http_status": "HTTP",
        "comment_id": "Bình luận",
        "buyer_confirmation": "Khách xác nhận",
        "confirmation_before": "Trước đó",
        # details that are a flag: shown alone when true
        "manual_override": "Đổi trạng thái tay: không theo dõi hãng nữa",
        "requested": "Đã gửi yêu cầu cho hãng",
        "gave_up": "Đã ngừng thử",
        "approved_risky": "Khách bị gắn cờ, đã xác nhận vẫn làm",
        "flag_reason": "Lý do gắn cờ",
    },
    "en": {
        "source": "Source",
        "shipper": "Shipper",
        "carrier": "Carrier",
        "tracking_code": "Tracking code",
        "cod_amount": "COD",
        "discount": "Discount",
        "shipping_fee": "Shipping fee",
        "prices": "Unit price",
        "reason": "Reason",
        "attempt": "Attempt",
        "attempts": "Attempts",
        "message": "Message",
        "raw_status": "Carrier status",
        "status": "Status",
        "not_applied": "Not applied",
        "http_status": "HTTP",
        "comment_id": "Comment",
        "buyer_confirmation": "Buyer confirmation",
        "confirmation_before": "Before",
        "manual_override": "Status changed by hand: no longer following the carrier",
        "requested": "Asked the carrier",
        "gave_up": "Gave up",
        "approved_risky": "Flagged buyer, approved anyway",
        "flag_reason": "Flag reason",
    },
}
FLAGS: Final = frozenset({"manual_override", "requested", "gave_up", "approved_risky"})
# Amounts of money an event may carry: one amount, or `[old, new]` when an edit moved it.
MONEY: Final = frozenset({"cod_amount", "discount", "shipping_fee"})

# Words the system itself writes into `reason` and `not_applied`.
SYSTEM_WORDS: Final[Mapping[str, Mapping[str, str]]] = {
    "vi": {
        "COD paid out by carrier": "hãng đã chuyển tiền COD",
        "cancelled at the shop's request": "hủy theo yêu cầu của shop",
        "cancelled by the buyer in Messenger": "khách huỷ qua Messenger",
        "older report": "báo cáo cũ hơn",
        "manual override": "đã đổi trạng thái tay",
        "no move from this status": "không chuyển được từ trạng thái này",
        "line accepted as read": "đã đồng ý dòng cần kiểm tra",
        "the Instagram live is over: Instagram allows private replies only during it": (
            "live Instagram đã kết thúc: Instagram chỉ cho nhắn riêng trong lúc live"
        ),
    },
    "en": {},
}


# Money sentences: a detail group read as one phrase rather than `label: value` each.
MONEY_WORDS: Final[Mapping[str, Mapping[str, str]]] = {
    "vi": {
        "received": "Nhận {amount} ({came}): đã nhận {paid}, còn {due}",
        "by_bank": "Ngân hàng",
        "by_hand": "ghi tay",
        "reference": "mã GD {reference}",
        "overpaid": "Khách chuyển thừa {amount}",
        "payment": "Thanh toán: {before} → {after}",
        "unpaid": "Giao khi chưa nhận đủ tiền (còn chờ {awaited})",
        "statement": "Theo bảng đối soát #{statement}",
        "fee": "phí hãng giữ {fee}",
        "paid_at": "hãng trả ngày {paid_at}",
    },
    "en": {
        "received": "Received {amount} ({came}): {paid} received in all, {due} left",
        "by_bank": "Bank",
        "by_hand": "recorded by hand",
        "reference": "transaction {reference}",
        "overpaid": "The buyer sent {amount} too much",
        "payment": "Payment: {before} → {after}",
        "unpaid": "Shipped before the money came in ({awaited} still awaited)",
        "statement": "From COD statement #{statement}",
        "fee": "carrier fee kept {fee}",
        "paid_at": "paid out on {paid_at}",
    },
}
# The details each group reads; they are not listed again one by one.
RECEIVED: Final = ("amount", "paid", "due", "payment_id", "reference", "overpaid")
SETTLED: Final = ("statement_id", "fee", "paid_at")
UNPAID: Final = ("approved_unpaid", "awaited")


@dataclass(frozen=True)
class HistoryLine:
    """One event as staff read it."""

    at: str
    actor: str
    source: str
    action: str
    change: str  # `Nháp → Chờ vận chuyển`, `→ Nháp`, or empty when the status stayed
    edited: str  # the fields an edit changed: `số điện thoại, địa chỉ`
    details: tuple[str, ...]

    @property
    def text(self) -> str:
        """`Tạo đơn: Nháp → Chờ vận chuyển · Nguồn: Livestream` or `Sửa: số điện thoại`,
        without who and when."""
        said = " · ".join(part for part in (self.change, self.edited) if part)
        head = f"{self.action}: {said}" if said else self.action
        return " · ".join((head, *self.details))


def history_line(event: EventView, language: str | None) -> HistoryLine:
    key = language_key(language)
    before, after = event.from_status, event.to_status
    change = ""
    if before != after:
        change = f"{status_label(before, key)} → {status_label(after, key)}".strip()
    details = event.details
    fields = details.get("fields")
    told, consumed = _money_sentences(event.action, details, key)
    return HistoryLine(
        at=event.at.isoformat() if event.at else "",
        actor=event.actor,
        source=source_label(event.source, key),
        action=action_label(event.action, key),
        change=change,
        edited=field_list(fields, key) if fields else "",
        details=(
            *told,
            *(
                shown
                for name, value in details.items()
                if name != "fields"
                and name not in consumed
                and (shown := _detail(str(name), value, key)) is not None
            ),
        ),
    )


def _money_sentences(
    action: str, details: Mapping[str, object], language: str
) -> tuple[list[str], frozenset[str]]:
    """The money an event moved, as sentences (`Nhận 200.000 đ (Ngân hàng, mã GD FT123): đã
    nhận 350.000 đ, còn 0 đ`), and the details they already said."""
    words = MONEY_WORDS[language]
    told: list[str] = []
    consumed: set[str] = set()
    if action == "record_payment" and _is_amount(details.get("amount")):
        came = [words["by_bank"] if details.get("payment_id") is not None else words["by_hand"]]
        if details.get("reference"):
            came.append(words["reference"].format(reference=details["reference"]))
        told.append(
            words["received"].format(
                amount=_money(details.get("amount")),
                came=", ".join(came),
                paid=_money(details.get("paid", 0)),
                due=_money(details.get("due", 0)),
            )
        )
        if _is_amount(details.get("overpaid")) and details.get("overpaid"):
            told.append(words["overpaid"].format(amount=_money(details["overpaid"])))
        consumed.update(RECEIVED)
    moved = _payment_move(details.get("payment"), language)
    if moved is not None:
        told.append(words["payment"].format(before=moved[0], after=moved[1]))
        consumed.add("payment")
    if details.get("approved_unpaid"):
        told.append(words["unpaid"].format(awaited=_money(details.get("awaited", 0))))
        consumed.update(UNPAID)
    if _is_amount(details.get("statement_id")):
        said = [words["statement"].format(statement=details["statement_id"])]
        if _is_amount(details.get("fee")) and details.get("fee"):
            said.append(words["fee"].format(fee=_money(details["fee"])))
        if details.get("paid_at"):
            said.append(words["paid_at"].format(paid_at=details["paid_at"]))
        told.append(", ".join(said))
        consumed.update(SETTLED)
    return told, frozenset(consumed)


def _payment_move(value: object, language: str) -> tuple[str, str] | None:
    """`[[old method, old deposit], [new method, new deposit]]` as two labels: `Thu hộ (COD)`,
    `Đặt cọc 100.000 đ`; None when the detail is not that shape."""
    if not isinstance(value, list | tuple) or len(value) != 2:
        return None
    said = []
    for side in value:
        if not isinstance(side, list | tuple) or len(side) != 2 or not _is_amount(side[1]):
            return None
        method, deposit = side
        label = payment_label(str(method), language)
        said.append(f"{label} {format_vnd(deposit)}" if method == "deposit" else label)
    return said[0], said[1]


def _detail(name: str, value: object, language: str) -> str | None:
    labels = DETAIL[language]
    if name in FLAGS:
        return labels[name] if value else None
    if value is None or value == "" or value == []:
        return None
    label = labels.get(name, name)
    return f"{label}: {_value(name, value, language)}"


def _value(name: str, value: object, language: str) -> str:
    if name == "source":
        return source_label(str(value), language)
    if name in ("shipper", "carrier"):
        return carrier_label(str(value), language)
    if name == "status":
        return status_label(str(value), language)
    if name in ("buyer_confirmation", "confirmation_before"):
        return confirmation_label(str(value), language)
    if name in MONEY:
        return _money(value)
    if name == "prices" and isinstance(value, list):
        return "; ".join(_price(move) for move in value)
    if name in ("reason", "not_applied"):
        return SYSTEM_WORDS[language].get(str(value), str(value))
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return str(value)


def _is_amount(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _money(value: object) -> str:
    """`50.000 đ`, or `0 đ → 50.000 đ` for an amount an edit moved."""
    if _is_amount(value):
        assert isinstance(value, int)
        return format_vnd(value)
    if isinstance(value, list | tuple) and len(value) == 2 and all(map(_is_amount, value)):
        return f"{format_vnd(value[0])} → {format_vnd(value[1])}"
    return str(value)


def _price(move: object) -> str:
    """`A1 200.000 đ → 150.000 đ`: a line's unit price as an edit moved it."""
    if not isinstance(move, dict):
        return str(move)
    said = _money([move.get("from"), move.get("to")])
    return f"{move.get('code') or ''} {said}".strip()
