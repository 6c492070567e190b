"""JSON API of live sessions: the sessions, and every comment of one with what it did.

The comments view is the seed's "all comments" screen: staff see each comment in the order it
was written, and which ones made an order; a client may read them a page at a time (`limit`,
`cursor`), as the orders list pages. The bearer-token gate of `/api` covers these routes.
"""

from __future__ import annotations

from aiohttp import web

from api.deps import API
from api.encode import comment_json, live_session_json
from api.errors import ApiError, invalid
from api.params import MAX_INT32, encode_cursor
from api.replies import reply
from application.comment_pages import (
    MAX_PAGE,
    CommentSelection,
    UnknownCursor,
    comment_page,
    live_id_of,
)
from application.live_reads import live_sessions

INTENTS = ("order", "cancel", "question", "none")
YES = ("1", "true", "yes")


def add_routes(app: web.Application) -> None:
    app.router.add_get("/api/live-sessions", list_live_sessions)
    app.router.add_get("/api/live-sessions/{video_id}/comments", list_comments)


async def list_live_sessions(request: web.Request) -> web.Response:
    lives = await live_sessions(request.app[API].orders)
    return reply({"live_sessions": [live_session_json(live) for live in lives]})


async def list_comments(request: web.Request) -> web.Response:
    """The comments of one live in the order they were written: every one, or with `limit` a
    page of them and `next_cursor` to ask for the next (null on the last page)."""
    video_id = request.match_info["video_id"]
    intent = request.query.get("intent") or None
    if intent is not None and intent not in INTENTS:
        raise invalid(f"intent must be one of {', '.join(INTENTS)}.", field="intent")
    limit, cursor = _paging(request)
    service = request.app[API].orders
    live_id = await live_id_of(service, video_id)
    if live_id is None:
        raise ApiError(404, "not_found", f"There is no live session for video {video_id}.")
    selection = CommentSelection(
        intent=intent,
        made_order=request.query.get("made_order", "").lower() in YES,
        unknown_code=request.query.get("unknown_code", "").lower() in YES,
    )
    try:
        page = await comment_page(service, live_id, selection, cursor=cursor, limit=limit)
    except UnknownCursor:
        raise _bad_cursor() from None
    return reply(
        {
            "comments": [comment_json(row) for row in page.comments],
            "next_cursor": encode_cursor(page.next_cursor),
        }
    )


def _paging(request: web.Request) -> tuple[int | None, int | None]:
    """`limit` (1 to 500; none: every comment) and `cursor` (a `next_cursor` handed out)."""
    limit_text = request.query.get("limit", "")
    limit = None
    if limit_text:
        if not (limit_text.isascii() and limit_text.isdigit() and len(limit_text) <= 4):
            raise invalid(f"limit must be a whole number from 1 to {MAX_PAGE}.", field="limit")
        limit = int(limit_text)
        if not 1 <= limit <= MAX_PAGE:
            raise invalid(f"limit must be a whole number from 1 to {MAX_PAGE}.", field="limit")
    cursor_text = request.query.get("cursor", "")
    cursor = None
    if cursor_text:
        if not (cursor_text.isascii() and cursor_text.isdigit() and len(cursor_text) <= 10):
            raise _bad_cursor()
        cursor = int(cursor_text)
        if not 1 <= cursor <= MAX_INT32:
            raise _bad_cursor()
    return limit, cursor


def _bad_cursor() -> ApiError:
    return invalid(
        "cursor is not a cursor this API handed out for this live; start again without one.",
        field="cursor",
    )
