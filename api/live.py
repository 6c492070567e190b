"""JSON API of live sessions: the sessions, and every comment of one with what it did.

The comments view is the seed's "all comments" screen: staff see each comment in the order it
was written, and which ones made an order. The bearer-token gate of `/api` covers these routes.
"""

from __future__ import annotations

from aiohttp import web

from api.deps import API
from api.encode import comment_json, live_session_json
from api.errors import ApiError, invalid
from api.replies import reply
from application.live_reads import live_comments, live_sessions

INTENTS = ("order", "cancel", "question", "none")
YES = ("1", "true", "yes")


def add_routes(app: web.Application) -> None:
    app.router.add_get("/api/live-sessions", list_live_sessions)
    app.router.add_get("/api/live-sessions/{video_id}/comments", list_comments)


async def list_live_sessions(request: web.Request) -> web.Response:
    lives = await live_sessions(request.app[API].orders)
    return reply({"live_sessions": [live_session_json(live) for live in lives]})


async def list_comments(request: web.Request) -> web.Response:
    video_id = request.match_info["video_id"]
    intent = request.query.get("intent") or None
    if intent is not None and intent not in INTENTS:
        raise invalid(f"intent must be one of {', '.join(INTENTS)}.", field="intent")
    made_order = request.query.get("made_order", "").lower() in YES
    unknown_code = request.query.get("unknown_code", "").lower() in YES
    rows = await live_comments(
        request.app[API].orders, video_id, intent=intent, made_order=made_order
    )
    if rows is None:
        raise ApiError(404, "not_found", f"There is no live session for video {video_id}.")
    if unknown_code:
        rows = [row for row in rows if row.unknown_code]
    return reply({"comments": [comment_json(row) for row in rows]})
