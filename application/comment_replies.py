"""The text of a private reply: what a buyer reads in Messenger after commenting an order.

Always Vietnamese, whatever language the staff use: it is written to the shop's customers.
"""

from __future__ import annotations

from typing import Any

from application.wording.messenger import (
    CANCEL_TITLE,
    CONFIRM_TITLE,
    buyer_text,
    missing_phrase,
)
from orders.tables import Order

MAX_SHOWN_LINES = 5
MAX_TEXT = 2000  # the Send API refuses a longer message text
MAX_ECHO = 200  # what a reply repeats of the buyer's own words
CONFIRM = "CONFIRM:"  # quick reply payloads: the prefix, then the order's code
CANCEL = "CANCEL:"


def fitted(text: str, limit: int = MAX_TEXT) -> str:
    """At most `limit` characters, cut with an ellipsis: a long name must not cost the reply."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def money(amount: int) -> str:
    """150000 -> 150.000đ, the way prices are written in Vietnam."""
    return f"{amount:,}".replace(",", ".") + "đ"


def _line_text(name: str, code: str, quantity: int, waitlisted: bool) -> str:
    label = f"{code} {name}".strip() if name else code or "món"
    text = f"{label} x{quantity}"
    return f"{text} (đang chờ hàng)" if waitlisted else text


def missing_details(order: Order) -> list[str]:
    """What the shop still needs from the buyer to ship: `phone`, `address`."""
    missing = [] if order.buyer_phone else ["phone"]
    if not (order.street or order.province):
        missing.append("address")
    return missing


def draft_summary(order: Order) -> str:
    """The draft's items and total, then what is still missing (or how to confirm)."""
    lines = list(order.lines)
    if not lines:
        return f"Shop đã huỷ các món trong đơn {order.code} theo bình luận của bạn."
    shown = [_line_text(ln.name, ln.code, ln.quantity, ln.waitlisted) for ln in lines]
    if len(shown) > MAX_SHOWN_LINES:
        shown = [*shown[:MAX_SHOWN_LINES], f"và {len(shown) - MAX_SHOWN_LINES} món khác"]
    missing = missing_details(order)
    ask = buyer_text("ask", missing=missing_phrase(missing)) if missing else buyer_text("tap")
    items = fitted(", ".join(shown), MAX_TEXT - 300)
    return fitted(
        f"Shop đã nhận đơn {order.code}: {items}. Tạm tính {money(order.subtotal)}. {ask}"
    )


def quick_replies(code: str) -> list[dict[str, Any]]:
    """The two answers a buyer can tap under the private reply (titles of at most 20
    characters, as Messenger allows)."""
    return [
        {"content_type": "text", "title": CONFIRM_TITLE, "payload": f"{CONFIRM}{code}"},
        {"content_type": "text", "title": CANCEL_TITLE, "payload": f"{CANCEL}{code}"},
    ]
