"""The reads the staff pages make beyond `OrderService` and the order list
(`application.reads`): the list's filter choices, a card's live context, a session's comments
with their orders, and the versions behind a list's buttons. Each runs in a reader's session
(`OrderService.reading`), so a page never holds a write lock."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import func, select

from application.comment_rows import comment_view
from application.live_reads import LiveRef
from application.live_sessions import session_title
from application.services import OrderService
from application.views import CommentView
from livestream.tables import Comment, LiveSession
from orders.staff import StaffMember, list_staff
from orders.tables import Order, Staff
from orders.views import OrderRow


@dataclass(frozen=True, slots=True)
class FilterChoices:
    staff: tuple[StaffMember, ...]  # by name
    lives: tuple[LiveRef, ...]  # newest first


async def filter_choices(service: OrderService) -> FilterChoices:
    """Staff and live sessions for the list's filters."""
    async with service.reading() as session:
        staff = await list_staff(session)
        lives = await session.scalars(select(LiveSession).order_by(LiveSession.id.desc()))
        return FilterChoices(
            tuple(StaffMember.of(row) for row in staff), tuple(LiveRef.of(live) for live in lives)
        )


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
class CommentFilter:
    kind: str = ""  # "", order, question, unknown
    staff: int | None = None  # the Telegram id of the staff member on the comment's order


async def session_comments(
    service: OrderService, live_id: int, filters: CommentFilter
) -> list[CommentView]:
    """Every comment of one live in the order it was written, each with its order's code and
    status when it made one, and whether Facebook removed it."""
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
        views = [
            replace(
                comment_view(comment), order_code=code, order_status=status, removed=comment.removed
            )
            for comment, code, status in rows
        ]
    if filters.kind == "unknown":
        views = [view for view in views if view.unknown_code]
    return views


async def order_versions(service: OrderService, ids: list[int]) -> dict[int, tuple[int, str]]:
    """(version, status) of some orders, for the buttons of a list."""
    if not ids:
        return {}
    async with service.reading() as session:
        rows = await session.execute(
            select(Order.id, Order.version, Order.status).where(Order.id.in_(ids))
        )
        return {int(i): (int(v), str(s)) for i, v, s in rows.all()}
