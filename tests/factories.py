"""Builders for test data, through the same use cases the service runs."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from application.services import OrderService
from orders.actors import Actor, Source
from orders.catalog import ItemRow, import_items
from orders.changes import LineInput
from orders.drafts import Buyer, NewOrder
from orders.transitions import ShipWith
from orders.views import OrderView

STAFF = Actor(Source.STAFF, "Lan")
BUYER = Buyer(
    name="Nguyễn Thị Hoa",
    phone="0912345678",
    street="12 Lý Thường Kiệt",
    ward="Phường Cửa Nam",
    district="",
    province="Thành phố Hà Nội",
    facebook_id="fb-1001",
)
ITEMS = [
    ItemRow("AO-001", "Áo thun trắng", 150_000, 100, 200, "A1"),
    ItemRow("QUAN-002", "Quần jean xanh", 320_000, 50, 500, "B3"),
    ItemRow("MU-003", "Mũ lưỡi trai", 90_000, 2, 100, None),
]
INDIVIDUAL = ShipWith("individual", "Anh Tuấn", "0987654321")


async def seed_items(sessions: async_sessionmaker[AsyncSession], rows=ITEMS) -> None:
    async with sessions.begin() as session:
        await import_items(session, list(rows))


async def draft(
    service: OrderService,
    *,
    lines: list[LineInput] | None = None,
    buyer: Buyer = BUYER,
    cod_amount: int | None = None,
    shipping_fee: int = 30_000,
) -> OrderView:
    return await service.create_draft(
        NewOrder(
            buyer=buyer,
            lines=lines or [LineInput(quantity=2, code="A1")],
            shipping_fee=shipping_fee,
            cod_amount=cod_amount,
        ),
        STAFF,
    )


# How to bring a fresh draft to each status, through the staff's own actions.
WALKS: dict[str, list[tuple[str, dict[str, Any]]]] = {
    "draft": [],
    "waiting_for_shipping": [("create_order", {})],
    "shipping": [("create_order", {}), ("ship", {"ship_with": INDIVIDUAL})],
    "wait_for_cod": [("create_order", {}), ("ship", {"ship_with": INDIVIDUAL}), ("complete", {})],
    "complete": [
        ("create_order", {}),
        ("ship", {"ship_with": INDIVIDUAL}),
        ("complete", {}),
        ("collect_cod", {}),
    ],
    "failed_to_ship": [("create_order", {}), ("ship", {"ship_with": INDIVIDUAL}), ("failed", {})],
    "returned": [
        ("create_order", {}),
        ("ship", {"ship_with": INDIVIDUAL}),
        ("failed", {}),
        ("return", {}),
    ],
    "cancelled": [("cancel", {})],
    "sent_to_shop": [("send_to_shop", {})],
}


async def order_in(service: OrderService, status: str, **draft_args: Any) -> OrderView:
    order = await draft(service, **draft_args)
    for action, kwargs in WALKS[status]:
        order = await service.act(order.id, action, actor=STAFF, version=order.version, **kwargs)
    assert order.status == status
    return order
