"""The managers' "needs a look" screen (`GET /manage/parked`): webhook bodies the inbox parked
(status `failed`: unreadable, or still failing after every attempt) and side effects the outbox
gave up on (`dead`), each with its reason and a button that queues it again once its cause is
fixed, the same functions as `chotdon inbox retry` and `chotdon outbox retry`.

A parked row never holds up the rows behind it, so nothing else would tell staff that a carrier
said something chotdon could not read; this screen, and its count in the managers' menu, do.
"""

from __future__ import annotations

from aiohttp import web

from application.parked_work import INBOX, OUTBOX, parked_work, retry_parked
from staff_web.security import require_manager
from staff_web.views.common import page, service, texts, whole


async def show(request: web.Request, *, notice: str = "", status: int = 200) -> web.Response:
    require_manager(request)
    work = await parked_work(service(request))
    return page(
        request,
        "manage_parked.html",
        status=status,
        inbox=work.inbox,
        outbox=work.outbox,
        notice=notice,
        section="parked",
    )


async def show_page(request: web.Request) -> web.Response:
    done = request.query.get("done", "")
    notice = texts(request).get(f"parked.done.{done}", "") if done in (INBOX, OUTBOX) else ""
    return await show(request, notice=notice)


async def retry(request: web.Request) -> web.Response:
    require_manager(request)
    kind = request.match_info["kind"]
    row_id = whole(request.match_info["row_id"])
    queued = row_id is not None and await retry_parked(service(request), kind, row_id)
    if not queued:
        return await show(request, notice=texts(request)["parked.gone"], status=409)
    raise web.HTTPSeeOther(f"/manage/parked?done={kind}")


def add_routes(app: web.Application) -> None:
    app.router.add_get("/manage/parked", show_page)
    app.router.add_post("/manage/parked/{kind}/{row_id}/retry", retry)
