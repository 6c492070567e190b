"""The reads the screens make beyond `OrderService`: filter choices, a card's live context,
a session's comments, and the stamps live refresh compares (the order list itself is
`application.reads`, shared with the bot). Each runs in a reader's session
(`OrderService.reading`), so a page never holds a write lock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from application.comment_rows import comment_view
from application.live_sessions import session_title
from application.services import OrderService
from livestream.tables import Comment, LiveSession
from orders.staff import list_staff
from orders.tables import Order, OrderEvent, Staff
from orders.views import OrderRow


async def filter_choices(service: OrderService) -> tuple[list[Staff], list[LiveSession]]:
    """Staff and live sessions for the list's filters, newest session first."""
    async with service.reading() as session:
        staff = await list_staff(session)
        lives = list(await session.scalars(select(LiveSession).order_by(LiveSession.id.desc())))
        session.expunge_all()
    return staff, lives


@dataclass(frozen=True)
class LiveContext:
    title: str | None
    first_comment_at: datetime | None


async def live_context(service: OrderService, order: OrderRow) -> LiveContext:
    """Which live the order came from and when its buyer first commented: what the card says."""
    async with service.reading() as session:
        title = await session_title(session, order.video_id)
        first = await session.scalar(
            select(func.min(Comment.created_time)).where(Comment.order_id == order.id)
        )
    return LiveContext(title, first)


async def live_session(service: OrderService, video_id: str) -> LiveSession | None:
    async with service.reading() as session:
        live = await session.scalar(select(LiveSession).where(LiveSession.video_id == video_id))
        if live is not None:
            session.expunge(live)
        return live


@dataclass(frozen=True)
class CommentFilter:
    kind: str = ""  # "", order, question, unknown
    staff: int | None = None  # the Telegram id of the staff member on the comment's order


async def session_comments(
    service: OrderService, live_id: int, filters: CommentFilter
) -> list[dict[str, Any]]:
    """Every comment of one live in the order it was written, each with its order's code and
    status when it made one (the JSON API's view of a comment, plus the order)."""
    async with service.reading() as session:
        query = (
            select(Comment, Order.code, Order.status)
            .outerjoin(Order, Order.id == Comment.order_id)
            .where(Comment.session_id == live_id)
        )
        if filters.kind == "order":
            query = query.where(Comment.order_id.is_not(None))
        elif filters.kind == "question":
            query = query.where(Comment.intent == "question")
        if filters.staff is not None:
            query = query.join(Staff, Order.staff_id == Staff.id).where(
                Staff.telegram_id == filters.staff
            )
        rows = (await session.execute(query.order_by(Comment.created_time, Comment.id))).all()
    views = []
    for comment, code, status in rows:
        view = comment_view(comment)
        view.update(order_code=code, order_status=status, removed=comment.removed)
        views.append(view)
    if filters.kind == "unknown":
        views = [v for v in views if any(line["sku"] is None for line in v["lines"])]
    return views


async def everything_stamp(session: AsyncSession) -> str:
    """Changes whenever any order or comment does: versions only grow and every change of an
    order adds one, rows are only added, and an edited comment moves its `updated_at`."""
    orders = (await session.execute(select(func.count(Order.id), func.sum(Order.version)))).one()
    comments = (
        await session.execute(select(func.count(Comment.id), func.max(Comment.updated_at)))
    ).one()
    events = await session.scalar(select(func.max(OrderEvent.id)))
    updated = comments[1].isoformat() if comments[1] else "-"
    return f"{orders[0]}.{orders[1] or 0}.{events or 0}.{comments[0]}.{updated}"


async def order_stamp(session: AsyncSession, order_id: int) -> tuple[int, str] | None:
    """(version, stamp) of one order: the stamp also moves on an event that changes no status
    (a carrier's refusal noted, a hand-off delivered)."""
    row = (
        await session.execute(
            select(Order.version, Order.updated_at, Order.shipment_state).where(
                Order.id == order_id
            )
        )
    ).one_or_none()
    if row is None:
        return None
    events = await session.scalar(
        select(func.count(OrderEvent.id)).where(OrderEvent.order_id == order_id)
    )
    updated = row[1].isoformat() if row[1] else "-"
    return int(row[0]), f"{row[0]}.{events or 0}.{updated}.{row[2] or ''}"


async def order_versions(service: OrderService, ids: list[int]) -> dict[int, tuple[int, str]]:
    """(version, status) of some orders, for the buttons of a list."""
    if not ids:
        return {}
    async with service.reading() as session:
        rows = await session.execute(
            select(Order.id, Order.version, Order.status).where(Order.id.in_(ids))
        )
        return {int(i): (int(v), str(s)) for i, v, s in rows.all()}
