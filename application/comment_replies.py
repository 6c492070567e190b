"""The text of a private reply: what a buyer reads in Messenger after commenting an order.

Always Vietnamese, whatever language the staff use: it is written to the shop's customers.
"""

from __future__ import annotations

from orders.tables import Order

MAX_SHOWN_LINES = 5


def money(amount: int) -> str:
    """150000 -> 150.000đ, the way prices are written in Vietnam."""
    return f"{amount:,}".replace(",", ".") + "đ"


def _line_text(name: str, code: str, quantity: int, waitlisted: bool) -> str:
    label = f"{code} {name}".strip() if name else code or "món"
    text = f"{label} x{quantity}"
    return f"{text} (đang chờ hàng)" if waitlisted else text


def draft_summary(order: Order) -> str:
    lines = list(order.lines)
    if not lines:
        return f"Shop đã huỷ các món trong đơn {order.code} theo bình luận của bạn."
    shown = [_line_text(ln.name, ln.code, ln.quantity, ln.waitlisted) for ln in lines]
    if len(shown) > MAX_SHOWN_LINES:
        shown = [*shown[:MAX_SHOWN_LINES], f"và {len(shown) - MAX_SHOWN_LINES} món khác"]
    ask = "địa chỉ nhận hàng" if order.buyer_phone else "số điện thoại và địa chỉ nhận hàng"
    return (
        f"Shop đã nhận đơn {order.code}: {', '.join(shown)}. Tạm tính {money(order.subtotal)}. "
        f"Bạn nhắn giúp shop {ask} nhé!"
    )
