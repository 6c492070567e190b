"""Livestream screens: the sessions (`GET /live`) and the comments of one, a page at a time
(`GET /live/{video_id}/comments`), each with what it asked for and the order it made: the seed's
"the program shows all comments" screen. During a live the newest come first and new ones
appear on top as they arrive (`GET /live/{video_id}/comments/new`, which the page polls).
Managers also see a form to open a session and a button to stop ordering on each open one
(`views.manage_live` takes them)."""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any, Final

from aiohttp import web
from yarl import URL

from application.comment_pages import (
    CommentSelection,
    UnknownCursor,
    comment_page,
    comments_since,
    live_of_comments,
)
from application.live_reads import SourceCounts, live_comment_sources, live_sessions
from application.page_reads import CommentFilter, filter_choices
from staff_web.context import current_staff
from staff_web.views import stamps
from staff_web.views.common import not_found, page, service, texts, whole

KINDS: Final = ("order", "question", "unknown")
ORDERS: Final = ("newest", "oldest")
DONE: Final = ("opened", "closed")  # what a manager's form just did


@dataclass
class OpenForm:
    """The managers' "open a live session" form on this page (`views.manage_live` posts it)."""

    video_id: str = ""
    title: str = ""
    codes: str = ""
    default_code: str = ""
    errors: dict[str, str] = field(default_factory=dict)


async def show_sessions(
    request: web.Request,
    form: OpenForm | None = None,
    *,
    status: int = 200,
    error: str = "",
    notice: str = "",
) -> web.Response:
    current_staff(request)
    lives = await live_sessions(service(request))
    return page(
        request,
        "live.html",
        status=status,
        lives=lives,
        form=form or OpenForm(),
        error=error,
        notice=notice,
        stamp_url="/stamp",
        stamp=await stamps.stamp_of_everything(request),
    )


async def sessions_page(request: web.Request) -> web.Response:
    staff = current_staff(request)
    done = request.query.get("done", "")
    notice = ""
    if staff.is_manager and done in DONE:
        notice = texts(request)[f"manage.done.{done}"]
    return await show_sessions(request, notice=notice)


async def comments_page(request: web.Request) -> web.Response:
    """A page of a live's comments: oldest first after a live, newest first during one (or as
    `order` asks), 50 at a time. The first page of a live shown newest first follows it: the
    page's script asks `comments/new` for what arrives and puts it on top."""
    current_staff(request)
    found = await live_of_comments(service(request), request.match_info["video_id"][:64])
    if found is None:
        return not_found(request, "live.not_found")
    filters = _filters(request)
    order = request.query.get("order", "")
    newest_first = order == "newest" if order in ORDERS else found.live
    cursor = whole(request.query.get("cursor", ""))
    listed = None
    if cursor is not None:
        with suppress(UnknownCursor):  # a link from another live, or a made-up one
            listed = await comment_page(
                service(request),
                found.ref.id,
                selection_of(filters),
                cursor=cursor,
                newest_first=newest_first,
            )
    if listed is None:
        cursor = None
        listed = await comment_page(
            service(request), found.ref.id, selection_of(filters), newest_first=newest_first
        )
    following = found.live and newest_first and cursor is None
    # Following a live, the page takes new comments in place; otherwise it reloads on changes.
    refresh: dict[str, Any] = {} if following else {"stamp_url": "/stamp"}
    if refresh:
        refresh["stamp"] = await stamps.stamp_of_everything(request)
    choices = await filter_choices(service(request))
    sources = await live_comment_sources(service(request), found.ref.video_id)
    return page(
        request,
        "comments.html",
        live=found.ref,
        sources=sources.get(found.ref.video_id, SourceCounts()),
        is_live=found.live,
        comments=listed.comments,
        newest_first=newest_first,
        following=following,
        feed_url=_feed_url(request, found.ref.video_id) if following else "",
        latest_id=listed.latest_id,
        next_link=_link(request, cursor=listed.next_cursor) if listed.next_cursor else "",
        first_link=_link(request) if cursor is not None else "",
        order_links={
            "newest": _link(request, order="newest"),
            "oldest": _link(request, order="oldest"),
        },
        filters=filters,
        kinds=KINDS,
        staff_choices=choices.staff,
        **refresh,
    )


async def new_comments(request: web.Request) -> web.Response:
    """The comments of a live stored after `after` (a comment id), newest first, as the list
    items the comments page puts on top; `X-Comments-After` is the next poll's `after`."""
    current_staff(request)
    found = await live_of_comments(service(request), request.match_info["video_id"][:64])
    if found is None:
        return not_found(request, "live.not_found")
    after = whole(request.query.get("after", "")) or 0
    feed = await comments_since(
        service(request), found.ref.id, selection_of(_filters(request)), after
    )
    response = page(request, "comments_new.html", comments=feed.comments)
    response.headers["X-Comments-After"] = str(feed.after)
    response.headers["X-Live"] = "1" if found.live else "0"
    return response


def _filters(request: web.Request) -> CommentFilter:
    kind = request.query.get("kind", "")
    return CommentFilter(
        kind=kind if kind in KINDS else "", staff=whole(request.query.get("staff", ""))
    )


def selection_of(filters: CommentFilter) -> CommentSelection:
    """The page's filter as the comment reads take it."""
    return CommentSelection(
        intent="question" if filters.kind == "question" else None,
        made_order=filters.kind == "order",
        unknown_code=filters.kind == "unknown",
        staff=filters.staff,
    )


def _link(request: web.Request, **changes: object) -> str:
    """This page's URL with `changes` to its query, from its first page (no cursor) unless
    a cursor is given."""
    query = {name: value for name, value in request.query.items() if name != "cursor"}
    query.update({name: str(value) for name, value in changes.items()})
    return str(request.rel_url.with_query(query))


def _feed_url(request: web.Request, video_id: str) -> str:
    query = {name: request.query[name] for name in ("kind", "staff") if request.query.get(name)}
    return str(URL.build(path=f"/live/{video_id}/comments/new", query=query))


def add_routes(app: web.Application) -> None:
    app.router.add_get("/live", sessions_page)
    app.router.add_get("/live/{video_id}/comments", comments_page)
    app.router.add_get("/live/{video_id}/comments/new", new_comments)
