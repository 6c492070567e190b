"""A live with figures known in advance, made the way the service makes them (comments through
the ingest use case, every change through `OrderService.act` by a signed-in staff member), for
the report pages and the bot's `/report` to show.

What it holds (`EXPECTED`): four comments from four buyers over five minutes, three of them
orders; Hoa's order (2 × A1, 300.000 đ) is created, shipped, delivered and its COD collected;
Mai's (B3) is created then cancelled; Tú's stays a draft; Bình only asked a question.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from application.live_comments import apply_comments
from application.live_ordering import close_ordering
from application.live_sessions import open_session, parse_codes
from application.services import OrderService
from livestream.config import IngestConfig
from livestream.events import CommentEvent
from orders.actors import Actor, Source
from orders.changes import OrderChanges
from orders.queries import OrderFilter
from orders.staff import find_staff
from tests.factories import INDIVIDUAL

PAGE_ID = "999000111"
REPORT_VIDEO = "555444333222"
REPORT_TITLE = "Live tối thứ Bảy: áo thun"
T0 = datetime(2026, 3, 14, 12, 0, tzinfo=UTC)  # 19:00 in Vietnam


@dataclass(frozen=True)
class Expected:
    comments: int = 4
    buyers: int = 3
    drafts: int = 3
    created: int = 2
    cancelled: int = 1
    shipped: int = 1
    delivered: int = 1
    returned: int = 0
    revenue: int = 300_000
    average_order: int = 300_000
    conversion_vi: str = "66,7%"
    conversion_en: str = "66.7%"
    top_code: str = "A1"
    top_quantity: int = 2
    cod_collected: int = 300_000


EXPECTED = Expected()


def comment(n: int, minute: int, message: str, buyer: str, name: str) -> CommentEvent:
    at = T0 + timedelta(minutes=minute)
    video = REPORT_VIDEO
    return CommentEvent("add", f"{video}_{n}", video, buyer, name, message, at, f"p_{video}")


async def seed_report_live(
    sessions: async_sessionmaker[AsyncSession],
    service: OrderService,
    staff_telegram_id: int,
    *,
    close: bool = True,
) -> Actor:
    """The live of `EXPECTED`, acted on by the staff member `staff_telegram_id` (who must
    exist, and the catalog be seeded); ordering is closed unless `close` is false. Returns the
    staff member as an actor."""
    async with sessions.begin() as session:
        member = await find_staff(session, staff_telegram_id)
        assert member is not None
        await open_session(
            session,
            REPORT_VIDEO,
            title=REPORT_TITLE,
            codes=parse_codes("A1=AO-001,B3=QUAN-002"),
        )
    actor = Actor(Source.STAFF, member.name, staff_id=member.id)
    async with sessions.begin() as session:
        await apply_comments(
            session,
            [
                comment(1, 1, "A1 2", "fb-hoa", "Nguyễn Thị Hoa"),
                comment(2, 3, "B3", "fb-mai", "Lê Mai"),
                comment(3, 4, "Còn size M không ạ?", "fb-binh", "Trần Bình"),
                comment(4, 5, "A1 1", "fb-tu", "Phạm Tú"),
            ],
            IngestConfig(page_id=PAGE_ID),
        )
    orders = (await service.list_orders(OrderFilter(video_id=REPORT_VIDEO))).orders
    by_buyer = {order.customer.facebook_id: order for order in orders}
    fill = OrderChanges(
        buyer_phone="0912345678",
        street="12 Lý Thường Kiệt",
        ward="Phường Cửa Nam",
        province="Thành phố Hà Nội",
        staff_id=member.id,
    )
    hoa = by_buyer["fb-hoa"]
    view = await service.act(hoa.id, "edit", actor=actor, version=hoa.version, changes=fill)
    for action, more in (
        ("create_order", {}),
        ("ship", {"ship_with": INDIVIDUAL}),
        ("complete", {}),
        ("collect_cod", {}),
    ):
        view = await service.act(view.id, action, actor=actor, version=view.version, **more)
    assert view.status == "complete"
    mai = by_buyer["fb-mai"]
    view = await service.act(mai.id, "edit", actor=actor, version=mai.version, changes=fill)
    view = await service.act(view.id, "create_order", actor=actor, version=view.version)
    view = await service.act(view.id, "cancel", actor=actor, version=view.version)
    if close:
        await close_ordering(service, REPORT_VIDEO)
    return actor
