"""Order views built by hand for the pure functions that read them (cards, keyboards, the
renderer, a carrier's parcel, history lines), so a test says only what it is about.

Each builder fills every field with a plausible order (a livestream draft of two white T-shirts
for a buyer in Ho Chi Minh City) and takes keyword overrides; `lines` may be any sequence.
An order's `allowed_actions` follow its status unless a test gives them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from orders.lifecycle import PRINT_ACTIONS, Status, allowed_actions
from orders.views import (
    BuyerHistory,
    CustomerView,
    EventView,
    LineView,
    OrderRow,
    OrderView,
    ShipperView,
    StaffView,
)

CREATED_AT = datetime(2026, 12, 1, 14, 5, tzinfo=UTC)


def customer(**overrides: Any) -> CustomerView:
    fields: dict[str, Any] = {
        "name": "Nguyễn Thị Lan",
        "phone": "0912345678",
        "address": "12 Lê Lợi",
        "ward": "Phường Bến Nghé",
        "district": "Quận 1",
        "province": "TP Hồ Chí Minh",
        "facebook_id": "fb1",
    }
    return CustomerView(**(fields | overrides))


def line(code: str = "A1", **overrides: Any) -> LineView:
    fields: dict[str, Any] = {
        "id": 1,
        "code": code,
        "sku": f"SKU-{code}",
        "name": "Áo thun trắng",
        "quantity": 2,
        "unit_price": 150_000,
        "variant": "M",
        "needs_review": False,
        "waitlisted": False,
        "comment_id": "c1",
    }
    return LineView(**(fields | overrides))


def shipper(kind: str = "individual", **overrides: Any) -> ShipperView:
    fields: dict[str, Any] = {
        "kind": kind,
        "tracking_code": None,
        "name": None,
        "phone": None,
        "carrier_status": None,
        "fee": None,
        "expected_delivery": None,
        "state": None,
        "note": "",
        "attempt": 0,
    }
    return ShipperView(**(fields | overrides))


def staff(name: str = "Mai", telegram_id: int = 5) -> StaffView:
    return StaffView(telegram_id=telegram_id, name=name)


def history(delivered: int = 0, failed: int = 0, returned: int = 0) -> BuyerHistory:
    return BuyerHistory(delivered=delivered, failed=failed, returned=returned)


def event(action: str = "create", **overrides: Any) -> EventView:
    fields: dict[str, Any] = {
        "at": CREATED_AT,
        "actor": "Lan",
        "source": "staff",
        "action": action,
        "from_status": None,
        "to_status": None,
        "details": {},
    }
    return EventView(**(fields | overrides))


def _row_fields(overrides: Mapping[str, Any]) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "id": 42,
        "code": "CD000042",
        "status": "draft",
        "version": 3,
        "source": "livestream",
        "video_id": "v1",
        "customer": customer(),
        "lines": (line(),),
        "note": "",
        "subtotal": 300_000,
        "shipping_fee": 0,
        "total": 300_000,
        "cod_amount": 300_000,
        "shipper": None,
        "manual_override": False,
        "staff": None,
        "created_at": CREATED_AT,
        "updated_at": CREATED_AT,
    } | dict(overrides)
    fields["lines"] = tuple(fields["lines"])
    if "allowed_actions" not in fields:
        fields["allowed_actions"] = tuple(
            a.value for a in allowed_actions(Status(fields["status"])) if a not in PRINT_ACTIONS
        )
    return fields


def order_row(**overrides: Any) -> OrderRow:
    """An order as a list holds it (no history, no events)."""
    return OrderRow(**_row_fields(overrides))


def order_view(
    *, history: BuyerHistory | None = None, events: Sequence[EventView] = (), **overrides: Any
) -> OrderView:
    """One order's detail: a row with the buyer's `history` and its `events`."""
    return OrderView(**_row_fields(overrides), history=history, events=tuple(events))
