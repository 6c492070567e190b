"""Outbox handlers that act on Facebook (hide a comment, send a private reply, open a live
that Facebook says started, answer an Instagram live comment).

What staff need to see lands on the order as an append-only event: Facebook's refusal, or
that the comment was hidden / answered. A refusal ends the job (`PermanentFailure`, so it is
dead and listed by `chotdon outbox list`) instead of being retried for ever; a passing failure
is raised as is, and the worker retries it with backoff (or after the wait Facebook names, without
spending an attempt). On the last allowed attempt the
passing failure is written on the order too, since the worker is about to give up.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any, NoReturn

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from application.live_reads import LIVE_OPENED
from application.live_sessions import LIVE, auto_open_session
from kernel.outbox.jobs import Job, OutboxJob, enqueue
from kernel.outbox.worker import Delivery, Handler, PermanentFailure, RetryLater
from kernel.tables import utcnow
from livestream.graph import ALREADY_REPLIED, GraphClient, GraphError, SentMessage
from livestream.pages import FacebookPages
from livestream.tables import LiveSession
from orders.actors import Source
from orders.confirmations import Confirmation
from orders.tables import Customer, Order, OrderEvent

log = logging.getLogger(__name__)

HIDE_COMMENT = "facebook.hide_comment"
PRIVATE_REPLY = "facebook.private_reply"
MESSENGER_REPLY = "facebook.messenger_reply"
# A picture after a Messenger answer (the VietQR code of an order asking a transfer): queued by
# the answer's job once the answer is sent, so the buyer reads the words before the picture.
MESSENGER_IMAGE = "facebook.messenger_image"
OPEN_LIVE = "facebook.open_live"
INSTAGRAM_REPLY = "instagram.private_reply"

ACTOR = "facebook"
FACEBOOK_ERROR = "facebook_error"
COMMENT_HIDDEN = "comment_hidden"
PRIVATE_REPLY_SENT = "private_reply_sent"
MESSENGER_REPLY_SENT = "messenger_reply_sent"
# Messenger's standard messaging window: a Page answers within 24 hours of the buyer's message.
REPLY_WINDOW = timedelta(hours=24)
OUTSIDE_WINDOW = "outside the 24-hour window after the buyer's message"
INSTAGRAM_REPLY_SKIPPED = "instagram_reply_skipped"
# Instagram allows a private reply to a live comment only during the broadcast.
LIVE_OVER = "the Instagram live is over: Instagram allows private replies only during it"

# Which of a Page's clients' methods sends a job's reply (a private reply, or Instagram's).
Send = Callable[[GraphClient], Callable[[str, str, list[dict[str, Any]]], Awaitable[SentMessage]]]

AfterNote = Callable[[AsyncSession, Order], Awaitable[None]]


PAGE_GONE = "Page {page_id} is not configured (FACEBOOK_PAGES / FACEBOOK_PAGE_ID)"
NO_PAGE = "the job names no Page and several Pages are configured"


def on_page(payload: dict[str, Any], page_id: str | None) -> dict[str, Any]:
    """A job's payload naming the Page whose token must do it, when that Page is known (a job
    without one goes to the only Page configured)."""
    return {**payload, "page_id": page_id} if page_id else payload


def outbox_handlers(
    pages: FacebookPages, sessions: async_sessionmaker[AsyncSession], http: httpx.AsyncClient
) -> dict[str, Handler]:
    """Handlers by outbox kind; empty when no Page access token is configured (the jobs are
    then skipped by the worker, with the reason, rather than failing)."""
    if not pages:
        return {}
    jobs = FacebookJobs(PageClients(pages, http), sessions)
    return {
        HIDE_COMMENT: jobs.hide_comment,
        PRIVATE_REPLY: jobs.private_reply,
        MESSENGER_REPLY: jobs.messenger_reply,
        MESSENGER_IMAGE: jobs.messenger_image,
        OPEN_LIVE: jobs.open_live,
        INSTAGRAM_REPLY: jobs.instagram_reply,
    }


class PageClients:
    """One Graph client per Page, made on first use and kept: each holds its Page's token and
    the waits Facebook named for that Page."""

    def __init__(self, pages: FacebookPages, http: httpx.AsyncClient) -> None:
        self.pages = pages
        self.http = http
        self._clients: dict[str | None, GraphClient] = {}

    def for_page(self, page_id: str | None) -> GraphClient | None:
        """The client of the job's Page (None: the only Page), or None when that Page is not
        configured (any more)."""
        page = self.pages.for_page(page_id)
        if page is None or not page.access_token:
            return None
        client = self._clients.get(page.page_id)
        if client is None:
            client = GraphClient(
                self.http,
                base_url=page.graph_url,
                access_token=page.access_token,
                page_id=page.page_id,
            )
            self._clients[page.page_id] = client
        return client


class FacebookJobs:
    def __init__(self, clients: PageClients, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.clients = clients
        self.sessions = sessions

    async def _graph(
        self, job: Delivery, target: dict[str, Any], *, then: AfterNote | None = None
    ) -> GraphClient:
        """The client of the Page the job acts for; a Page no longer configured ends the job,
        said on the order, since waiting will not bring its token back."""
        raw = job.payload.get("page_id")
        page_id = str(raw) if raw else None
        client = self.clients.for_page(page_id)
        if client is not None:
            return client
        reason = PAGE_GONE.format(page_id=page_id) if page_id else NO_PAGE
        details = {"kind": job.kind, **target, "page_id": page_id, "message": reason}
        await self._note(job, FACEBOOK_ERROR, details, then=then)
        raise PermanentFailure(f"{job.kind}: {reason}")

    async def hide_comment(self, job: Delivery) -> None:
        comment_id = _field(job, "comment_id")
        graph = await self._graph(job, {"comment_id": comment_id})
        try:
            await graph.hide_comment(comment_id)
        except GraphError as error:
            await self._failed(job, comment_id, error)
        await self._note(job, COMMENT_HIDDEN, {"comment_id": comment_id})

    async def private_reply(self, job: Delivery) -> None:
        await self._reply(job, lambda graph: graph.private_reply)

    async def instagram_reply(self, job: Delivery) -> None:
        """An Instagram live comment's private reply: only while the live is on (not in the
        grace period after it stopped); afterwards nothing is sent and the order says why."""
        comment_id, video_id = _field(job, "comment_id"), _field(job, "video_id")
        if not await self._live_on(video_id):
            details = {"comment_id": comment_id, "reason": LIVE_OVER}
            await self._note(job, INSTAGRAM_REPLY_SKIPPED, details, then=_not_awaiting)
            return
        await self._reply(job, lambda graph: graph.instagram_reply)

    async def _live_on(self, video_id: str) -> bool:
        async with self.sessions() as session:
            live = await session.scalar(select(LiveSession).where(LiveSession.video_id == video_id))
        return live is not None and live.ordering_open and live.closes_at is None

    async def open_live(self, job: Delivery) -> None:
        """Facebook said a live started: ask which video it streams and its title, and open that
        video's session as `chotdon live open` would (`auto_open_session`: what staff set by
        hand wins), telling the staff group in the same transaction."""
        live_video_id = _field(job, "live_video_id")
        graph = await self._graph(job, {"live_video_id": live_video_id})
        try:
            info = await graph.live_video(live_video_id)
        except GraphError as error:
            if not error.retryable:
                raise PermanentFailure(
                    f"Facebook did not say which video live {live_video_id} streams: {error}"
                ) from error
            if error.retry_after:
                raise RetryLater(error.retry_after, f"Facebook asks to wait: {error}") from error
            raise
        if info.status and info.status != LIVE:
            log.info("live %s is %s already: not opened", live_video_id, info.status)
            return
        async with self.sessions.begin() as session:
            done = await auto_open_session(
                session, info.video_id, live_video_id=live_video_id, title=info.title
            )
            if done.opened:
                key = f"{LIVE_OPENED}:{done.live.id}:{live_video_id}"
                await enqueue(session, Job(LIVE_OPENED, key, {"session_id": done.live.id}))
        log.info(
            "live %s (video %s) %s",
            live_video_id,
            info.video_id,
            "opened" if done.opened else "was opened by staff: left as it is",
        )

    async def _reply(self, job: Delivery, send: Send) -> None:
        comment_id, text = _field(job, "comment_id"), _field(job, "message")
        buttons = job.payload.get("quick_replies")
        buttons = [b for b in buttons if isinstance(b, dict)] if isinstance(buttons, list) else []
        graph = await self._graph(job, {"comment_id": comment_id}, then=_not_awaiting)
        try:
            sent = await send(graph)(comment_id, text, buttons)
        except GraphError as error:
            if error.code == ALREADY_REPLIED and job.attempt > 1:
                # An earlier attempt whose answer we lost (a timeout, a 5xx after the send)
                # most likely went through; sending is over either way.
                details = {"comment_id": comment_id, "already_replied": True}
                await self._note(job, PRIVATE_REPLY_SENT, details)
                return
            await self._failed(job, comment_id, error, then=_not_awaiting)
        details = {
            "comment_id": comment_id,
            "message_id": sent.message_id,
            "recipient_id": sent.recipient_id,
        }
        await self._note(job, PRIVATE_REPLY_SENT, details, then=_linker(sent.recipient_id))

    async def messenger_reply(self, job: Delivery) -> None:
        """The service's answer to a buyer's message; never outside Messenger's window, which
        only the buyer's own message opens. An answer with an `image_url` queues the picture,
        in the transaction that notes the answer as sent (`messenger_image`)."""
        psid, text = _field(job, "recipient_id"), _field(job, "message")
        await self._in_window(job, psid)
        graph = await self._graph(job, {"recipient_id": psid})
        try:
            sent = await graph.send_message(psid, text)
        except GraphError as error:
            await self._failed(job, psid, error, field="recipient_id")
        details = {"recipient_id": psid, "message_id": sent.message_id}
        image_url = job.payload.get("image_url")
        then = _image_after(job, str(image_url)) if image_url else None
        await self._note(job, MESSENGER_REPLY_SENT, details, then=then)

    async def messenger_image(self, job: Delivery) -> None:
        """A picture sent by URL after an answer (Facebook fetches it as it sends), within the
        same window; noted on the order as an answer sent, with the attachment's type."""
        psid, url = _field(job, "recipient_id"), _field(job, "image_url")
        await self._in_window(job, psid)
        graph = await self._graph(job, {"recipient_id": psid})
        try:
            sent = await graph.send_image(psid, url)
        except GraphError as error:
            await self._failed(job, psid, error, field="recipient_id")
        details = {"recipient_id": psid, "message_id": sent.message_id, "attachment": "image"}
        await self._note(job, MESSENGER_REPLY_SENT, details)

    async def _in_window(self, job: Delivery, psid: str) -> None:
        """Ends the job, said on the order, once Messenger's 24 hours are over."""
        wrote = _moment(job.payload.get("replied_to_at"))
        if wrote is None or utcnow() - wrote > REPLY_WINDOW:
            details = {"kind": job.kind, "recipient_id": psid, "message": OUTSIDE_WINDOW}
            await self._note(job, FACEBOOK_ERROR, details)
            raise PermanentFailure(f"{job.kind}: {OUTSIDE_WINDOW}")

    async def _failed(
        self,
        job: Delivery,
        target: str,
        error: GraphError,
        *,
        then: AfterNote | None = None,
        field: str = "comment_id",
    ) -> NoReturn:
        """Always raises: `PermanentFailure` when retrying cannot help, else the error itself.
        `then` runs with the note when the job is over (refused, or out of attempts)."""
        details: dict[str, Any] = {
            "kind": job.kind,
            field: target,
            "code": error.code,
            "subcode": error.subcode,
            "message": error.message,
            "attempt": job.attempt,
        }
        if not error.retryable:
            await self._note(job, FACEBOOK_ERROR, details, then=then)
            raise PermanentFailure(f"Facebook refused {job.kind}: {error}") from error
        if error.retry_after:  # Facebook said how long to wait: no attempt is spent on it
            raise RetryLater(error.retry_after, f"Facebook asks to wait: {error}") from error
        if await self._is_last_attempt(job):
            await self._note(job, FACEBOOK_ERROR, {**details, "gave_up": True}, then=then)
        raise error

    async def _is_last_attempt(self, job: Delivery) -> bool:
        async with self.sessions() as session:
            allowed = await session.scalar(
                select(OutboxJob.max_attempts).where(OutboxJob.id == job.id)
            )
        return allowed is not None and job.attempt >= allowed

    async def _note(
        self,
        job: Delivery,
        action: str,
        details: dict[str, Any],
        *,
        then: AfterNote | None = None,
    ) -> None:
        """One event on the job's order, in a transaction of its own; the status is unchanged,
        so from and to are both the order's current status. `then` changes what the outcome
        changes on the order or its buyer, in the same transaction."""
        order_id = job.payload.get("order_id")
        if order_id is None:
            return
        async with self.sessions.begin() as session:
            order = await session.get(Order, int(order_id))
            if order is None:
                log.warning(
                    "outbox job %s: order %s is gone; %s not recorded", job.id, order_id, action
                )
                return
            session.add(
                OrderEvent(
                    order_id=order.id,
                    actor=ACTOR,
                    source=Source.SYSTEM.value,
                    action=action,
                    from_status=order.status,
                    to_status=order.status,
                    details=details,
                )
            )
            if then is not None:
                await then(session, order)


def _linker(psid: str) -> AfterNote:
    """The private reply's recipient is the buyer's Messenger id: later messages from it are
    this customer's. An id another customer already holds is left there (said in the log)."""

    async def link(session: AsyncSession, order: Order) -> None:
        if not psid or order.customer_id is None:
            return
        holder = await session.scalar(select(Customer.id).where(Customer.messenger_id == psid))
        if holder is not None:
            if holder != order.customer_id:
                log.warning(
                    "order %s: Messenger id of its buyer is already customer %s's; not linked",
                    order.id,
                    holder,
                )
            return
        customer = await session.get(Customer, order.customer_id)
        if customer is not None:
            customer.messenger_id = psid

    return link


def _image_after(job: Delivery, url: str) -> AfterNote:
    """The picture's own job, keyed by the answer's: queued once, however often the answer's
    job runs, and only once the answer went out."""
    payload = {
        "recipient_id": job.payload.get("recipient_id"),
        "image_url": url,
        "order_id": job.payload.get("order_id"),
        "replied_to_at": job.payload.get("replied_to_at"),
    }
    page_id = job.payload.get("page_id")
    key = f"{MESSENGER_IMAGE}:{job.idempotency_key}"

    async def queue(session: AsyncSession, _order: Order) -> None:
        await enqueue(session, Job(MESSENGER_IMAGE, key, on_page(payload, page_id)))

    return queue


async def _not_awaiting(session: AsyncSession, order: Order) -> None:
    """The buyer was never asked after all: the order does not wait for an answer."""
    if order.buyer_confirmation == Confirmation.AWAITING.value:
        order.buyer_confirmation = None


def _moment(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else None


def _field(job: Delivery, name: str) -> str:
    """A job without what it needs will not get it by waiting: dead at once, not retried."""
    value = job.payload.get(name)
    if value is None or value == "":
        raise PermanentFailure(f"{job.kind} job without {name!r}")
    return str(value)
