"""Typed, frozen views of orders: what the application hands every adapter and what the
bill, the label and a carrier's parcel are drawn from.

They live in the domain, not in `application/`, because the domain both builds them (from
ORM rows inside the reading session, in `orders.queries`) and reads them: `render.document`
and `carriers.parcels` are domain packages and may not import the application. A view is data
and stays true after the session is gone; JSON is made from it only by the API adapter
(`api/encode.py`), which keeps the wire shape the field names here follow (`customer`,
`shipper`, `staff`), so the names staff pages and the API use stay one vocabulary.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypedDict

from orders.lifecycle import PRINT_ACTIONS, Status, allowed_actions
from orders.tables import Customer, Order, OrderEvent, OrderLine

RISKY_DELIVERIES = 2  # failed plus returned orders that make a buyer risky without a flag


def is_risky(flagged: bool, failed: int, returned: int) -> bool:
    """Flagged by staff, or two or more parcels failed or came back: the one rule every view
    of a buyer shows."""
    return flagged or failed + returned >= RISKY_DELIVERIES


@dataclass(frozen=True, slots=True)
class CustomerView:
    """The buyer as written on this order (not the customer row, which may have moved on),
    with what the customer row knows of the buyer across every order: the Messenger link,
    staff's flag and the delivery record."""

    name: str
    phone: str
    address: str  # the street part
    ward: str
    district: str
    province: str
    facebook_id: str | None
    id: int | None = None  # the customer row; None for an order without one
    messenger_id: str | None = None
    flagged: bool = False
    flag_reason: str = ""
    delivered: int = 0
    failed: int = 0
    returned: int = 0

    @property
    def risky(self) -> bool:
        return is_risky(self.flagged, self.failed, self.returned)


@dataclass(frozen=True, slots=True)
class BuyerHistory:
    """The buyer's earlier deliveries, read with one order's detail to warn of risky buyers."""

    delivered: int
    failed: int
    returned: int


@dataclass(frozen=True, slots=True)
class LineView:
    id: int
    code: str
    sku: str | None  # None: a code the catalog did not know when the comment came
    name: str
    quantity: int
    unit_price: int
    variant: str
    needs_review: bool
    waitlisted: bool
    comment_id: str | None
    review_reason: str = ""  # why it needs checking: a machine code (`number_as_variant`)
    review_value: str = ""  # what it is about (`90`)

    @property
    def amount(self) -> int:
        return self.quantity * self.unit_price


@dataclass(frozen=True, slots=True)
class ShipperView:
    kind: str  # a carrier's name or "individual"
    tracking_code: str | None
    name: str | None
    phone: str | None
    carrier_status: str | None
    fee: int | None
    expected_delivery: datetime | None
    # requesting / cancelling: the carrier is being asked; refused: it said no (note)
    state: str | None
    note: str
    attempt: int


@dataclass(frozen=True, slots=True)
class PaymentView:
    """How the order is paid and where its money stands (`orders.payments`): `due` is the
    total less what came in (negative when the buyer sent too much), `transfer_asked` what
    the buyer is asked to send by transfer now (what a VietQR code asks; 0 for none)."""

    method: str = "cod"
    deposit: int = 0
    paid: int = 0
    due: int = 0
    transfer_asked: int = 0

    @property
    def overpaid(self) -> int:
        return max(-self.due, 0)

    @property
    def awaiting_transfer(self) -> bool:
        return self.transfer_asked > 0


@dataclass(frozen=True, slots=True)
class StaffView:
    telegram_id: int
    name: str


@dataclass(frozen=True, slots=True)
class EventView:
    at: datetime | None
    actor: str
    source: str
    action: str
    from_status: str | None
    to_status: str | None
    # What the event carries varies by action (edited fields, a carrier's words); it is the
    # stored JSON column, read-only here.
    details: Mapping[str, object]


@dataclass(frozen=True, slots=True)
class OrderRow:
    """An order as a list shows it: everything but its history."""

    id: int
    code: str | None
    status: str
    version: int
    source: str
    video_id: str | None
    customer: CustomerView
    lines: tuple[LineView, ...]
    note: str
    subtotal: int
    shipping_fee: int
    total: int
    cod_amount: int
    shipper: ShipperView | None  # None until a shipper is chosen
    manual_override: bool
    staff: StaffView | None
    allowed_actions: tuple[str, ...]  # the lifecycle's, prints left out
    created_at: datetime
    updated_at: datetime
    buyer_confirmation: str | None = None  # None, awaiting, confirmed, declined
    prefilled: tuple[str, ...] = ()  # fields filled from the buyer's earlier orders
    address_review: bool = False  # an address written by the buyer that matched no place
    discount: int = 0  # VND off the subtotal
    tracking_token: str = ""  # the buyer's public page is `/t/<token>`
    payment: PaymentView = PaymentView()

    @property
    def label(self) -> str:
        """The code staff know it by, or its row id before it has one."""
        return self.code or f"#{self.id}"


@dataclass(frozen=True, slots=True)
class OrderView(OrderRow):
    """One order with its events and, when it has a customer row, the buyer's history."""

    history: BuyerHistory | None = None
    events: tuple[EventView, ...] = ()


@dataclass(frozen=True, slots=True)
class OrderPage:
    """One page of a list: its rows and the cursor of the next page (None at the end)."""

    orders: tuple[OrderRow, ...]
    next_cursor: int | None


@dataclass(frozen=True, slots=True)
class ItemView:
    """An item of the catalog as the edit screen's picker and the API's item list show it."""

    sku: str
    name: str
    price: int
    stock: int
    weight_g: int
    code: str | None  # the item's own short code, if it has one


def _line(line: OrderLine) -> LineView:
    return LineView(
        id=line.id,
        code=line.code,
        sku=line.sku,
        name=line.name,
        quantity=line.quantity,
        unit_price=line.unit_price,
        variant=line.variant,
        needs_review=line.needs_review,
        waitlisted=line.waitlisted,
        comment_id=line.comment_id,
        review_reason=line.review_reason or "",
        review_value=line.review_value or "",
    )


def _shipper(order: Order) -> ShipperView | None:
    if not order.shipper_kind:
        return None
    return ShipperView(
        kind=order.shipper_kind,
        tracking_code=order.tracking_code,
        name=order.shipper_name,
        phone=order.shipper_phone,
        carrier_status=order.carrier_status,
        fee=order.carrier_fee,
        expected_delivery=order.expected_delivery,
        state=order.shipment_state,
        note=order.shipment_note,
        attempt=order.shipment_attempt,
    )


def _event(event: OrderEvent) -> EventView:
    return EventView(
        at=event.at,
        actor=event.actor,
        source=event.source,
        action=event.action,
        from_status=event.from_status,
        to_status=event.to_status,
        details=event.details,
    )


class _RowFields(TypedDict):
    """The fields of `OrderRow`, typed, so a row and a view are built from one place."""

    id: int
    code: str | None
    status: str
    version: int
    source: str
    video_id: str | None
    customer: CustomerView
    lines: tuple[LineView, ...]
    note: str
    subtotal: int
    shipping_fee: int
    total: int
    cod_amount: int
    shipper: ShipperView | None
    manual_override: bool
    staff: StaffView | None
    allowed_actions: tuple[str, ...]
    created_at: datetime
    updated_at: datetime
    buyer_confirmation: str | None
    prefilled: tuple[str, ...]
    address_review: bool
    discount: int
    tracking_token: str
    payment: PaymentView


def _customer(order: Order) -> CustomerView:
    record = order.customer
    return CustomerView(
        name=order.buyer_name,
        phone=order.buyer_phone,
        address=order.street,
        ward=order.ward,
        district=order.district,
        province=order.province,
        facebook_id=order.facebook_id,
        id=order.customer_id,
        messenger_id=record.messenger_id if record else None,
        flagged=bool(record and record.flagged),
        flag_reason=record.flag_reason if record else "",
        delivered=record.delivered_count if record else 0,
        failed=record.failed_count if record else 0,
        returned=record.returned_count if record else 0,
    )


def _row_fields(order: Order) -> _RowFields:
    return {
        "id": order.id,
        "code": order.code,
        "status": order.status,
        "version": order.version,
        "source": order.source,
        "video_id": order.video_id,
        "customer": _customer(order),
        "lines": tuple(_line(line) for line in order.lines),
        "note": order.note,
        "subtotal": order.subtotal,
        "shipping_fee": order.shipping_fee,
        "total": order.total,
        "cod_amount": order.cod_amount,
        "shipper": _shipper(order),
        "manual_override": order.manual_override,
        "staff": StaffView(order.staff.telegram_id, order.staff.name) if order.staff else None,
        "allowed_actions": tuple(
            a.value for a in allowed_actions(Status(order.status)) if a not in PRINT_ACTIONS
        ),
        "created_at": order.created_at,
        "updated_at": order.updated_at,
        "buyer_confirmation": order.buyer_confirmation,
        "prefilled": tuple(order.prefilled or ()),
        "address_review": order.address_review,
        "discount": order.discount,
        "tracking_token": order.tracking_token or "",
        "payment": _payment(order),
    }


def _payment(order: Order) -> PaymentView:
    money = order.money
    return PaymentView(
        method=money.method,
        deposit=money.deposit,
        paid=money.paid,
        due=money.due,
        transfer_asked=money.transfer_asked,
    )


def order_row(order: Order) -> OrderRow:
    return OrderRow(**_row_fields(order))


def order_view(
    order: Order, events: Sequence[OrderEvent], customer: Customer | None = None
) -> OrderView:
    history = (
        BuyerHistory(customer.delivered_count, customer.failed_count, customer.returned_count)
        if customer is not None
        else None
    )
    return OrderView(
        **_row_fields(order),
        history=history,
        events=tuple(_event(event) for event in events),
    )


def risky_count(order: OrderRow) -> int:
    """Failed plus returned deliveries of the buyer over all their orders."""
    return order.customer.failed + order.customer.returned
