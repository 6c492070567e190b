"""Livestream screens: the sessions (`GET /live`) and every comment of one in the order it was
written (`GET /live/{video_id}/comments`), those that made an order marked with a link to it:
the seed's "the program shows all comments" screen. Managers also see a form to open a session
and a button to stop ordering on each open one (`views.manage_live` takes them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from aiohttp import web

from application.live_reads import live_by_video, live_sessions
from application.page_reads import CommentFilter, filter_choices, session_comments
from staff_web.context import current_staff
from staff_web.views import stamps
from staff_web.views.common import not_found, page, service, texts, whole

KINDS: Final = ("order", "question", "unknown")
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
    current_staff(request)
    video_id = request.match_info["video_id"][:64]
    live = await live_by_video(service(request), video_id)
    if live is None:
        return not_found(request, "live.not_found")
    kind = request.query.get("kind", "")
    filters = CommentFilter(
        kind=kind if kind in KINDS else "", staff=whole(request.query.get("staff", ""))
    )
    choices = await filter_choices(service(request))
    return page(
        request,
        "comments.html",
        live=live,
        comments=await session_comments(service(request), live.id, filters),
        filters=filters,
        kinds=KINDS,
        staff_choices=choices.staff,
        stamp_url="/stamp",
        stamp=await stamps.stamp_of_everything(request),
    )


def add_routes(app: web.Application) -> None:
    app.router.add_get("/live", sessions_page)
    app.router.add_get("/live/{video_id}/comments", comments_page)
