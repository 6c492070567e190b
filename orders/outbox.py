"""The kinds of side effect the order domain queues in the outbox (`kernel.outbox.jobs`)."""

from __future__ import annotations

ORDER_CHANGED = "order.changed"
CARRIER_CREATE_SHIPMENT = "carrier.create_shipment"
CARRIER_CANCEL_SHIPMENT = "carrier.cancel_shipment"
SHOP_HANDOFF = "shop.handoff"
