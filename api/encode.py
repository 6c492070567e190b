"""The application's views as the API's JSON: the one place an order, an item, a live session
or a comment becomes a JSON object.

The keys and their order are the API's contract (README, tests/test_api.py); a list row has
no `events` and no buyer `history`, a detail has `events` and, when the order has a customer
row, `customer.history`. The shop hand-off sends the same object, so its encoder is handed in
from here by the composition root.
"""

from __future__ import annotations

from datetime import datetime

from application.buyer_messages import MessageView
from application.payments import PaymentRow
from application.views import CommentView, CustomerRecord, LiveSessionRow
from orders.payments import PaymentMethod
from orders.tracking import tracking_url
from orders.vietqr import BankAccount, order_qr
from orders.views import EventView, ItemView, LineView, OrderRow, OrderView, ShipperView

JSONObject = dict[str, object]


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _line(line: LineView) -> JSONObject:
    return {
        "id": line.id,
        "code": line.code,
        "sku": line.sku,
        "name": line.name,
        "quantity": line.quantity,
        "unit_price": line.unit_price,
        "amount": line.amount,
        "variant": line.variant,
        "needs_review": line.needs_review,
        "waitlisted": line.waitlisted,
        "comment_id": line.comment_id,
    }


def _shipper(shipper: ShipperView | None) -> JSONObject | None:
    if shipper is None:
        return None
    return {
        "kind": shipper.kind,
        "tracking_code": shipper.tracking_code,
        "name": shipper.name,
        "phone": shipper.phone,
        "carrier_status": shipper.carrier_status,
        "fee": shipper.fee,
        "expected_delivery": _iso(shipper.expected_delivery),
        "state": shipper.state,
        "note": shipper.note,
        "attempt": shipper.attempt,
    }


def _event(event: EventView) -> JSONObject:
    return {
        "at": _iso(event.at),
        "actor": event.actor,
        "source": event.source,
        "action": event.action,
        "from_status": event.from_status,
        "to_status": event.to_status,
        "details": dict(event.details),
    }


def _payment(order: OrderRow, bank: BankAccount | None) -> JSONObject:
    """How the order is paid and what is still due (negative: the buyer sent too much), and
    the VietQR payload asking what is to be sent by transfer now, when the shop's account is
    set and something is asked."""
    payment = order.payment
    return {
        "method": payment.method,
        "deposit": payment.deposit if payment.method == PaymentMethod.DEPOSIT else None,
        "paid": payment.paid,
        "due": payment.due,
        "overpaid": payment.overpaid,
        "transfer_asked": payment.transfer_asked,
        "vietqr": order_qr(bank, order),
    }


def order_json(
    order: OrderRow, public_url: str = "", bank: BankAccount | None = None
) -> JSONObject:
    """A list row or, for an `OrderView`, the detail with its history. `public_url`
    (`CHOTDON_PUBLIC_URL`) starts `tracking_url`; without it the link is relative (`/t/...`).
    `bank` is the shop's account (`CHOTDON_BANK_*`), which `payment.vietqr` asks money into."""
    buyer = order.customer
    customer: JSONObject = {
        "name": buyer.name,
        "phone": buyer.phone,
        "address": buyer.address,
        "ward": buyer.ward,
        "district": buyer.district,
        "province": buyer.province,
        "facebook_id": buyer.facebook_id,
        "id": buyer.id,
        "messenger_id": buyer.messenger_id,
        "flagged": buyer.flagged,
        "flag_reason": buyer.flag_reason,
        "delivered": buyer.delivered,
        "failed": buyer.failed,
        "returned": buyer.returned,
        "risky": buyer.risky,
    }
    encoded: JSONObject = {
        "id": order.id,
        "code": order.code,
        "status": order.status,
        "version": order.version,
        "source": order.source,
        "video_id": order.video_id,
        "customer": customer,
        "lines": [_line(line) for line in order.lines],
        "note": order.note,
        "subtotal": order.subtotal,
        "discount": order.discount,
        "shipping_fee": order.shipping_fee,
        "total": order.total,
        "cod_amount": order.cod_amount,
        "payment": _payment(order, bank),
        "shipper": _shipper(order.shipper),
        "manual_override": order.manual_override,
        "staff": {"telegram_id": order.staff.telegram_id, "name": order.staff.name}
        if order.staff
        else None,
        "allowed_actions": list(order.allowed_actions),
        "created_at": _iso(order.created_at),
        "updated_at": _iso(order.updated_at),
        "buyer_confirmation": order.buyer_confirmation,
        "prefilled": list(order.prefilled),
        "address_review": order.address_review,
        "tracking_url": tracking_url(public_url, order.tracking_token)
        if order.tracking_token
        else None,
    }
    if isinstance(order, OrderView):
        if order.history is not None:
            customer["history"] = {
                "delivered": order.history.delivered,
                "failed": order.history.failed,
                "returned": order.history.returned,
            }
        encoded["events"] = [_event(event) for event in order.events]
    return encoded


def item_json(item: ItemView) -> JSONObject:
    return {
        "sku": item.sku,
        "name": item.name,
        "price": item.price,
        "stock": item.stock,
        "weight_g": item.weight_g,
        "code": item.code,
    }


def live_session_json(live: LiveSessionRow) -> JSONObject:
    return {
        "video_id": live.video_id,
        "live_video_id": live.live_video_id,
        "title": live.title,
        "platform": live.platform,
        "page_id": live.page_id,
        "ordering_open": live.ordering_open,
        "opened_at": live.created_at.isoformat(),
        "closes_at": _iso(live.closes_at),
        "default_code": live.default_code,
        "max_qty": live.max_qty,
        "codes": [{"code": row.code, "sku": row.sku, "cap": row.cap} for row in live.codes],
        "comments": live.comments,
        "orders": live.orders,
        "drafts": live.drafts,
        "created_at": live.created_at.isoformat(),
    }


def comment_json(comment: CommentView) -> JSONObject:
    """A comment of `/api/live-sessions/{video_id}/comments`: its lines show only what the
    parse made of them (`code`, `sku`, `quantity`, `variant`, `needs_review`, and `cancel`:
    true for a code a cancel comment cancels); `address` is the one it carried, as written."""
    return {
        "comment_id": comment.comment_id,
        "from_id": comment.from_id,
        "from_name": comment.from_name,
        "message": comment.message,
        "created_time": comment.created_time.isoformat(),
        "verb": comment.verb,
        "intent": comment.intent,
        "lines": [
            {
                "code": line.code,
                "sku": line.sku,
                "quantity": line.quantity,
                "variant": line.variant,
                "needs_review": line.needs_review,
                "cancel": line.cancel,
            }
            for line in comment.lines
        ],
        "phone": comment.phone,
        "address": comment.address,
        "order_id": comment.order_id,
        "flags": list(comment.flags),
    }


def message_json(message: MessageView) -> JSONObject:
    """A buyer's Messenger message of `/api/messages`: the contract's keys first, then what the
    service made of it."""
    return {
        "id": message.id,
        "sender_id": message.sender_id,
        "text": message.text,
        "at": message.at.isoformat(),
        "customer_id": message.customer_id,
        "kind": message.kind,
        "payload": message.payload,
        "order_id": message.order_id,
        "outcome": message.outcome,
        "reply": message.reply,
    }


def customer_json(customer: CustomerRecord) -> JSONObject:
    """A customer of `/api/customers`: the details on file and where they came from, the
    Messenger link, staff's flag and the delivery record."""
    return {
        "id": customer.id,
        "name": customer.name,
        "phone": customer.phone,
        "address": customer.address,
        "ward": customer.ward,
        "district": customer.district,
        "province": customer.province,
        "facebook_id": customer.facebook_id,
        "messenger_id": customer.messenger_id,
        "flagged": customer.flagged,
        "flag_reason": customer.flag_reason,
        "delivered": customer.delivered,
        "failed": customer.failed,
        "returned": customer.returned,
        "risky": customer.risky,
        "details_source": customer.details_source or None,
        "details_at": _iso(customer.details_at),
    }


def payment_json(payment: PaymentRow) -> JSONObject:
    """A bank transfer of `/api/payments`: the contract's keys first (`at` is the bank's time
    when it gave one), then what the service made of it: `state` (`applied`, `unmatched`,
    `ignored`), `note` (why nothing matched) and the order's code."""
    return {
        "id": payment.id,
        "amount": payment.amount,
        "content": payment.content,
        "at": payment.at.isoformat(),
        "reference": payment.reference,
        "order_id": payment.order_id,
        "order_code": payment.order_code,
        "state": payment.state,
        "note": payment.note,
        "direction": payment.direction,
        "gateway": payment.gateway,
        "attached_by": payment.attached_by or None,
    }
