"""An order's view, as a carrier needs it: receiver, items with weights, COD, sender.

Pure, so what we tell carriers can be tested without one. The shop's own address comes from
one setting (`CHOTDON_SHOP_ADDRESS`) written as people write addresses, comma-separated from
the street to the province; it is read here into its parts.
"""

from __future__ import annotations

from collections.abc import Mapping

from carriers.base import Address, Contact, Instruction, ParcelItem, ShipmentOrder
from orders.views import LineView, OrderRow

# A parcel whose items have no weight in the catalog still needs one: carriers refuse zero.
# Half a kilogram is a common default for a bag of clothes; staff fix the catalog for better fees.
UNKNOWN_WEIGHT_G = 500

_DISTRICT_WORDS = ("quận", "huyện", "thị xã", "q.", "h.", "tx.", "district")


def address_from_text(text: str) -> Address:
    """ "12 Lý Tự Trọng, Phường Bến Nghé, Quận 1, TP Hồ Chí Minh" into its parts. Three parts
    are street, ward and province (the 2025 two-level scheme) unless the middle one names a
    district; everything before the last three is the street."""
    parts = [part.strip() for part in text.split(",") if part.strip()]
    if len(parts) >= 4:
        return Address(", ".join(parts[:-3]), parts[-3], parts[-2], parts[-1])
    if len(parts) == 3:
        street, middle, province = parts
        if middle.lower().startswith(_DISTRICT_WORDS):
            return Address(street, "", middle, province)
        return Address(street, middle, "", province)
    if len(parts) == 2:
        return Address(parts[0], "", "", parts[1])
    return Address(text.strip(), "", "", "")


def shop_contact(name: str, phone: str, address: str) -> Contact:
    return Contact(name, phone, address_from_text(address))


def parcel_from_snapshot(
    order: OrderRow,
    *,
    sender: Contact,
    weights: Mapping[str, int],
    instruction: Instruction = Instruction.ALLOW_VIEWING,
) -> ShipmentOrder:
    """`order` is the order's view (`orders.views`); `weights` are grams per unit by SKU.
    Waitlisted lines are not sold, so they are not shipped."""
    customer = order.customer
    receiver = Contact(
        customer.name,
        customer.phone,
        Address(
            customer.address or "",
            customer.ward or "",
            customer.district or "",
            customer.province or "",
        ),
    )
    items = tuple(
        ParcelItem(
            _line_name(line),
            line.quantity,
            line.unit_price,
            weights.get(line.sku or "", 0),
            line.sku,
        )
        for line in order.lines
        if not line.waitlisted
    )
    weight = sum(item.weight_g * item.quantity for item in items)
    return ShipmentOrder(
        order_code=order.code or "",
        sender=sender,
        receiver=receiver,
        items=items,
        weight_g=weight or UNKNOWN_WEIGHT_G,
        cod_amount=order.cod_amount,
        goods_value=order.subtotal,
        note=order.note or "",
        instruction=instruction,
    )


def _line_name(line: LineView) -> str:
    name = line.name or line.code or "?"
    return f"{name} ({line.variant})" if line.variant else name
