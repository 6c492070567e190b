"""The questions a person answers before the bot does what the rules hold back: "the buyer is
flagged: go on?" and "the money has not come in: ship anyway?". Both the card's buttons
(`bot.menus`) and a typed shipper (`bot.prompts`) ask them, in the same words."""

from __future__ import annotations

from bot.strings import text
from orders import errors
from orders.payments import PaymentMethod
from render.formats import format_vnd

Held = errors.RiskyBuyer | errors.AwaitingPayment


def question(held: Held, action: str, language: str) -> str:
    """`Khách bị gắn cờ: bom hàng. Vẫn giao hàng?` or `Đơn DH000123 chưa nhận đủ tiền chuyển
    khoản (còn chờ 150.000 đ). Vẫn giao?`"""
    params = held.params
    if isinstance(held, errors.RiskyBuyer):
        reason = str(params.get("flag_reason") or "—")
        word = text(language, f"action.{action}").lower()
        return text(language, "risky.ask", reason=reason, action=word)
    asked = params.get("asked")
    amount = format_vnd(asked if isinstance(asked, int) else 0)
    kind = "deposit" if params.get("method") == PaymentMethod.DEPOSIT else "transfer"
    return text(language, f"unpaid.ask_{kind}", code=params.get("order") or "", asked=amount)
