"""The managers' "needs a look" screen (`GET /manage/parked`): webhook bodies the inbox parked
(status `failed`: unreadable, or still failing after every attempt) and side effects the outbox
gave up on (`dead`), each with its reason and a button that queues it again once its cause is
fixed, the same functions as `chotdon inbox retry` and `chotdon outbox retry`.

A parked row never holds up the rows behind it, so nothing else would tell staff that a carrier
said something chotdon could not read; this screen, and its count in the managers' menu, do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from aiohttp import web
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kernel.inbox.processor import list_messages, retry_message
from kernel.inbox.tables import InboxMessage
from kernel.outbox.jobs import OutboxJob
from kernel.outbox.worker import list_jobs, retry_job
from kernel.work_status import WorkStatus
from render.strings import carrier_name
from staff_web.security import require_manager
from staff_web.views.common import page, service, texts, whole

LIST_LIMIT: Final = 100
REASON_LIMIT: Final = 300  # a reason is for recognising the trouble; the CLI has the rest


@dataclass(frozen=True)
class ParkedRow:
    """One parked inbox body or outbox job as the screen lists it."""

    id: int
    what: str  # the sender (Facebook, GHN, ...) or the job's kind
    at: datetime
    attempts: int
    reason: str


async def parked_count(session: AsyncSession) -> int:
    """Parked inbox bodies and dead outbox jobs together: the number the menu shows."""
    bodies = await session.scalar(
        select(func.count())
        .select_from(InboxMessage)
        .where(InboxMessage.status == WorkStatus.FAILED)
    )
    jobs = await session.scalar(
        select(func.count()).select_from(OutboxJob).where(OutboxJob.status == WorkStatus.DEAD)
    )
    return int(bodies or 0) + int(jobs or 0)


def _sender(source: str) -> str:
    return "Facebook" if source == "facebook" else carrier_name(source)


def _reason(text: str | None) -> str:
    reason = (text or "").strip()
    return reason if len(reason) <= REASON_LIMIT else reason[:REASON_LIMIT] + "…"


async def show(request: web.Request, *, notice: str = "", status: int = 200) -> web.Response:
    require_manager(request)
    async with service(request).reading() as session:
        bodies = await list_messages(session, (WorkStatus.FAILED,), LIST_LIMIT)
        jobs = await list_jobs(session, (WorkStatus.DEAD,), LIST_LIMIT)
    inbox = [
        ParkedRow(m.id, _sender(m.source), m.received_at, m.attempts, _reason(m.last_error))
        for m in bodies
    ]
    outbox = [
        ParkedRow(j.id, j.kind, j.finished_at or j.created_at, j.attempts, _reason(j.last_error))
        for j in jobs
    ]
    return page(
        request,
        "manage_parked.html",
        status=status,
        inbox=inbox,
        outbox=outbox,
        notice=notice,
        section="parked",
    )


async def show_page(request: web.Request) -> web.Response:
    done = request.query.get("done", "")
    notice = texts(request).get(f"parked.done.{done}", "") if done in ("inbox", "outbox") else ""
    return await show(request, notice=notice)


async def retry(request: web.Request) -> web.Response:
    require_manager(request)
    kind = request.match_info["kind"]
    row_id = whole(request.match_info["row_id"])
    retry_row = {"inbox": retry_message, "outbox": retry_job}.get(kind)
    queued = False
    if retry_row is not None and row_id is not None:
        async with service(request).transaction() as session:
            queued = await retry_row(session, row_id)
    if not queued:
        return await show(request, notice=texts(request)["parked.gone"], status=409)
    raise web.HTTPSeeOther(f"/manage/parked?done={kind}")


def add_routes(app: web.Application) -> None:
    app.router.add_get("/manage/parked", show_page)
    app.router.add_post("/manage/parked/{kind}/{row_id}/retry", retry)
