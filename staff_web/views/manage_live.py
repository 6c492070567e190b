"""The managers' live-session buttons on `GET /live`: `POST /manage/live/open` creates or updates
a session and opens ordering, `POST /manage/live/{video_id}/close` stops it; the same
`application.live_sessions` functions as `chotdon live open/close`.

A mistake brings the sessions page back with what was typed and the reason; done, a redirect to
`/live` says so.
"""

from __future__ import annotations

from typing import Final

from aiohttp import web

from application.live_ordering import close_live_session, open_live_session
from application.live_sessions import CodeSpec, parse_codes
from orders.errors import InvalidInput, NotFound
from staff_web.security import require_manager
from staff_web.views.common import not_found, refusal_text, service, texts
from staff_web.views.live import OpenForm, show_sessions
from staff_web.views.manage_staff import text_field

VIDEO_ID_LIMIT: Final = 64  # the sessions table's column
TITLE_LIMIT: Final = 255
CODES_LIMIT: Final = 4000
# The form's inputs, as the domain names them in a refusal (`InvalidInput.field`).
FIELDS: Final = frozenset({"video_id", "title", "codes", "default_code"})


async def open_live(request: web.Request) -> web.Response:
    require_manager(request)
    t = texts(request)
    posted = await request.post()
    form = OpenForm(
        video_id=text_field(posted, "video_id").strip()[:200],
        title=text_field(posted, "title").strip()[:1000],
        codes=text_field(posted, "codes").strip()[:CODES_LIMIT],
        default_code=text_field(posted, "default_code").strip()[:100],
    )
    if not 1 <= len(form.video_id) <= VIDEO_ID_LIMIT:
        form.errors["video_id"] = t["manage.need_video_id"]
    if len(form.title) > TITLE_LIMIT:
        form.errors["title"] = t["manage.too_long"].format(limit=TITLE_LIMIT)
    codes: list[CodeSpec] = []
    try:
        codes = parse_codes(form.codes)
    except InvalidInput as refused:
        form.errors["codes"] = refusal_text(request, refused)
    if form.errors:
        return await show_sessions(request, form, status=422, error=t["manage.fix_errors"])
    try:
        await open_live_session(
            service(request),
            form.video_id,
            title=form.title or None,
            codes=codes,
            default_code=form.default_code or None,
        )
    except InvalidInput as refused:
        said = refusal_text(request, refused)
        where = refused.field
        if where is not None and where in FIELDS:  # beside the field it names
            form.errors[where] = said
            return await show_sessions(request, form, status=422, error=t["manage.fix_errors"])
        error = t["manage.not_opened"].format(reason=said)
        return await show_sessions(request, form, status=422, error=error)
    raise web.HTTPSeeOther("/live?done=opened")


async def close_live(request: web.Request) -> web.Response:
    require_manager(request)
    video_id = request.match_info["video_id"]
    if len(video_id) > VIDEO_ID_LIMIT:
        return not_found(request, "live.not_found")
    try:
        await close_live_session(service(request), video_id)
    except NotFound:
        return not_found(request, "live.not_found")
    raise web.HTTPSeeOther("/live?done=closed")


def add_routes(app: web.Application) -> None:
    app.router.add_post("/manage/live/open", open_live)
    app.router.add_post("/manage/live/{video_id}/close", close_live)
