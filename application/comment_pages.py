"""A live's comments a page at a time, and the ones stored since a page was shown.

A two-hour live leaves hundreds of comments: the staff pages and the JSON API read them a page
at a time, in the order they were written (oldest first after a live, newest first during one),
each page resuming after the last comment of the one before (a cursor: that comment's row id,
standing for its `(created_time, id)` place in the order). The index on
`(session_id, created_time)` makes a page one short range read.

During a live the comments page asks every few seconds for what was stored since it was shown
(`comments_since`): rows whose id is above the highest it has seen, so a comment that arrives
late, with an earlier time, still shows up. Both run in a reader's session
(`OrderService.reading`): a page never holds the write lock the comment worker needs.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Final

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from application.comment_rows import comment_view
from application.live_reads import LiveRef
from application.live_sessions import ordering_open_at
from application.services import OrderService
from application.views import CommentView
from kernel.tables import utcnow
from livestream.tables import Comment, LiveSession
from orders.tables import Order, Staff

PAGE_SIZE: Final = 50
MAX_PAGE: Final = 500
# Comments read at a time when a filter is applied after reading (an unknown code lives in the
# lines' JSON, which SQLite and PostgreSQL query differently).
SCAN: Final = 200
# A comment with its order's code and status, when it made one.
Rows = Select[Comment, str | None, str]
# New comments handed to one poll of the feed at most; the next poll takes the rest.
FEED_LIMIT: Final = 100


@dataclass(frozen=True, slots=True)
class CommentSelection:
    """Which comments of a live to list; every field narrows the list."""

    intent: str | None = None  # order, cancel, question, none
    made_order: bool = False  # only those that fed an order
    unknown_code: bool = False  # only those with a line whose code matched no item
    staff: int | None = None  # the Telegram id of the staff member on the comment's order

    def keeps(self, comment: CommentView) -> bool:
        """What the query cannot say: a line's code matched no item."""
        return comment.unknown_code or not self.unknown_code


@dataclass(frozen=True, slots=True)
class LiveOfComments:
    """The live whose comments are shown, and whether it is on: ordering open, or closing
    within its grace period. During a live the page shows the newest first and follows."""

    ref: LiveRef
    live: bool


@dataclass(frozen=True, slots=True)
class CommentPage:
    comments: tuple[CommentView, ...]
    next_cursor: int | None  # the last one's id when more follow, else None
    latest_id: int  # the highest comment id of the live when read: where the feed starts


@dataclass(frozen=True, slots=True)
class CommentFeed:
    comments: tuple[CommentView, ...]  # newest first
    after: int  # the highest comment id seen: the next poll's cursor


class UnknownCursor(LookupError):
    """The cursor names no comment of this live."""


async def live_of_comments(
    service: OrderService, video_id: str, now: datetime | None = None
) -> LiveOfComments | None:
    """The session of `video_id` and whether it is live now; None when there is none."""
    async with service.reading() as session:
        live = await session.scalar(select(LiveSession).where(LiveSession.video_id == video_id))
        if live is None:
            return None
        return LiveOfComments(LiveRef.of(live), ordering_open_at(live, now or utcnow()))


async def live_id_of(service: OrderService, video_id: str) -> int | None:
    async with service.reading() as session:
        found = await session.scalar(select(LiveSession.id).where(LiveSession.video_id == video_id))
        return None if found is None else int(found)


async def comment_page(
    service: OrderService,
    live_id: int,
    selection: CommentSelection,
    *,
    cursor: int | None = None,
    limit: int | None = PAGE_SIZE,
    newest_first: bool = False,
) -> CommentPage:
    """One page of a live's comments in the order they were written (or its reverse), from
    just past the comment `cursor` names; `limit` None is every one. `UnknownCursor` when the
    cursor is no comment of this live."""
    async with service.reading() as session:
        query = _selected(live_id, selection)
        if cursor is not None:
            query = query.where(await _past(session, live_id, cursor, newest_first=newest_first))
        key = (Comment.created_time, Comment.id)
        query = query.order_by(*(column.desc() for column in key) if newest_first else key)
        found = await _read(session, query, selection, limit, newest_first=newest_first)
        latest = await session.scalar(
            select(func.max(Comment.id)).where(Comment.session_id == live_id)
        )
    more = limit is not None and len(found) > limit
    shown = tuple(found[:limit]) if limit is not None else tuple(found)
    return CommentPage(shown, shown[-1].id if more and shown else None, int(latest or 0))


async def comments_since(
    service: OrderService, live_id: int, selection: CommentSelection, after: int
) -> CommentFeed:
    """The comments of a live stored after the one numbered `after`, newest first."""
    async with service.reading() as session:
        query = (
            _selected(live_id, selection)
            .where(Comment.id > after)
            .order_by(Comment.id)
            .limit(FEED_LIMIT)
        )
        rows = (await session.execute(query)).all()
    # The last id read, kept or not: the next poll resumes past what this one looked at.
    last = max((comment.id for comment, _, _ in rows), default=after)
    views = [_view(*row) for row in rows]
    kept = sorted(
        (view for view in views if selection.keeps(view)),
        key=lambda view: (view.created_time, view.id or 0),
        reverse=True,
    )
    return CommentFeed(tuple(kept), last)


def _selected(live_id: int, selection: CommentSelection) -> Rows:
    query = (
        select(Comment, Order.code, Order.status)
        .outerjoin(Order, Order.id == Comment.order_id)
        .where(Comment.session_id == live_id)
    )
    if selection.intent is not None:
        query = query.where(Comment.intent == selection.intent)
    if selection.made_order:
        query = query.where(Comment.order_id.is_not(None))
    if selection.staff is not None:
        query = query.join(Staff, Order.staff_id == Staff.id).where(
            Staff.telegram_id == selection.staff
        )
    return query


async def _past(session: AsyncSession, live_id: int, cursor: int, *, newest_first: bool) -> Any:
    """The condition "after the comment `cursor` in the page's order"."""
    at = await session.scalar(
        select(Comment.created_time).where(Comment.id == cursor, Comment.session_id == live_id)
    )
    if at is None:
        raise UnknownCursor(cursor)
    return _beyond(at, cursor, newest_first=newest_first)


async def _read(
    session: AsyncSession,
    query: Rows,
    selection: CommentSelection,
    limit: int | None,
    *,
    newest_first: bool,
) -> list[CommentView]:
    """`limit` + 1 comments that the selection keeps (the extra one says more follow), read a
    chunk at a time when some are left out after reading."""
    if limit is None:
        rows = (await session.execute(query)).all()
        return [view for view in map(_view_of, rows) if selection.keeps(view)]
    if not selection.unknown_code:
        return [_view_of(row) for row in (await session.execute(query.limit(limit + 1))).all()]
    kept: list[CommentView] = []
    chunk = max(SCAN, limit + 1)
    scanned = query
    while True:
        rows = (await session.execute(scanned.limit(chunk))).all()
        for row in rows:
            view = _view_of(row)
            if selection.keeps(view):
                kept.append(view)
        if len(kept) > limit or len(rows) < chunk:
            return kept
        last: Comment = rows[-1][0]
        scanned = query.where(_beyond(last.created_time, last.id, newest_first=newest_first))


def _beyond(at: datetime, row_id: int, *, newest_first: bool) -> Any:
    """Past the comment written at `at` with id `row_id`, in the page's order."""
    if newest_first:
        return or_(Comment.created_time < at, and_(Comment.created_time == at, Comment.id < row_id))
    return or_(Comment.created_time > at, and_(Comment.created_time == at, Comment.id > row_id))


def _view_of(row: Any) -> CommentView:
    return _view(*row)


def _view(comment: Comment, code: str | None, status: str | None) -> CommentView:
    return replace(
        comment_view(comment), order_code=code, order_status=status, removed=comment.removed
    )
