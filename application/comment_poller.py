"""Catch-up polling: the comments Facebook's webhook missed, read from Graph and fed to the
inbox as if the webhook had sent them (`livestream.sources`).

Facebook's webhook is at-least-once in principle, but deliveries do go missing (an app briefly
unsubscribed, an outage on either side), and a missed comment is a missed order. So while a
Facebook live takes orders (grace period included), one loop reads each live's newest comments
every `CHOTDON_COMMENT_POLL_SECONDS`, newest first, following `paging.next` until it meets a
comment it read in an earlier round (on its first round for a live: to the end). A comment
that is not stored yet goes into the inbox in the webhook's own shape, tagged `poll`; the
handler applies it as a webhook comment, and `Comment.comment_id` being unique makes a
comment both sources deliver count once.

Polling must never starve hiding and private replies, which use the same Page budget: a
rate-limit answer (codes 4, 17, 32, 613...) pauses the Page for the time Graph names or an
exponential backoff, and usage headers above `CHOTDON_POLL_BUDGET_PERCENT` pause it too. Any
other trouble is logged once per kind (then now and again with a count) and the next round
tries again: the loop never stops the worker process.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import httpx
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kernel.polling import backoff_delay
from kernel.tables import utcnow
from livestream.graph import GraphClient, GraphError, GraphPage
from livestream.sources import PolledComment, poll_body
from livestream.tables import Comment, LiveSession

log = logging.getLogger(__name__)

TokenFor = Callable[[str | None], GraphPage | None]
"""The Page a live's `page_id` names (None: the live names none), or None when the service
has no token for it. The composition root injects it (one Page today, a registry later)."""
Store = Callable[[str, bytes, str], Awaitable[None]]
"""`InboxWriter.store(source, body, content_type)`: returns once the body is committed."""

INBOX_SOURCE = "facebook"  # the inbox handler that reads Page webhook bodies
CONTENT_TYPE = "application/json"
MAX_PAGES = 50  # 5,000 comments a round at most: a first round on a long live stops there
COMPLAIN_EVERY_S = 600.0  # a trouble that goes on is logged again this often, with a count


@dataclass(frozen=True)
class PollPace:
    """How often to read, how much of the Page's budget to use, how long to stay away."""

    interval_s: float
    budget_percent: float = 50.0
    budget_pause_s: float = 60.0  # usage above the share: look again after this
    backoff_base_s: float = 30.0  # a rate-limit answer without a named wait
    backoff_cap_s: float = 900.0


@dataclass(frozen=True, slots=True)
class PollTarget:
    video_id: str
    page_id: str | None


async def lives_to_poll(session: AsyncSession, now: datetime) -> list[PollTarget]:
    """Facebook lives taking orders at `now`; Instagram lives are not polled."""
    rows = await session.execute(
        select(LiveSession.video_id, LiveSession.page_id)
        .where(
            LiveSession.platform == "facebook",
            LiveSession.ordering_open.is_(True),
            or_(LiveSession.closes_at.is_(None), LiveSession.closes_at > now),
        )
        .order_by(LiveSession.id)
    )
    return [PollTarget(video_id, page_id) for video_id, page_id in rows]


async def stored_ids(session: AsyncSession, ids: Iterable[str]) -> set[str]:
    wanted = list(set(ids))
    found: set[str] = set()
    for start in range(0, len(wanted), 500):  # bound the IN list
        chunk = wanted[start : start + 500]
        found.update(
            await session.scalars(select(Comment.comment_id).where(Comment.comment_id.in_(chunk)))
        )
    return found


class _Complaints:
    """One log line when a kind of trouble starts, then one every `every_s` with a count."""

    def __init__(self, every_s: float, clock: Callable[[], float]) -> None:
        self._every_s = every_s
        self._clock = clock
        self._last: dict[str, float] = {}
        self._since: dict[str, int] = {}

    def note(self, kind: str, detail: str) -> None:
        now = self._clock()
        last = self._last.get(kind)
        if last is not None and now - last < self._every_s:
            self._since[kind] = self._since.get(kind, 0) + 1
            return
        again = self._since.pop(kind, 0)
        self._last[kind] = now
        more = f" ({again} more since the last report)" if again else ""
        log.warning("comment poller: %s: %s; trying again next round%s", kind, detail, more)


class CommentPoller:
    """One loop for every open live; `calls` counts Graph requests (benchmarks, tests)."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        http: httpx.AsyncClient,
        token_for: TokenFor,
        store: Store,
        pace: PollPace,
        *,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        self.sessions = sessions
        self.http = http
        self.token_for = token_for
        self.store = store
        self.pace = pace
        self.calls = 0
        self.recovered = 0  # comments stored that were not stored yet
        self.rounds = 0  # rounds finished, failed ones included
        self._clock = clock
        self._rng = rng or random.Random()
        self._read: dict[str, set[str]] = {}  # by video: comment ids read in earlier rounds
        self._paused: dict[str, float] = {}  # by Page: no call before this clock time
        self._strikes: dict[str, int] = {}  # by Page: rate-limit answers in a row
        self._clients: dict[tuple[str, str, str | None], GraphClient] = {}
        self._complaints = _Complaints(COMPLAIN_EVERY_S, clock)

    async def run(self, stop: asyncio.Event) -> None:
        log.info("comment poller started (every %s s)", self.pace.interval_s)
        while not stop.is_set():
            started = self._clock()
            try:
                await self.poll_once()
            except Exception as error:  # the database, most likely: next round tries again
                self._complaints.note(type(error).__name__, _first_line(error))
            self.rounds += 1
            pause = max(0.0, self.pace.interval_s - (self._clock() - started))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=pause)
        log.info("comment poller stopped")

    async def poll_once(self) -> int:
        """One round over every live taking orders; how many comments it stored."""
        async with self.sessions() as session:
            targets = await lives_to_poll(session, utcnow())
        for video_id in set(self._read) - {target.video_id for target in targets}:
            del self._read[video_id]  # closed: forget it
        stored = 0
        for target in targets:
            page = self.token_for(target.page_id)
            if page is None or not page.access_token:
                self._complaints.note("no Page token", f"live {target.video_id} is not polled")
                continue
            key = page.page_id or target.page_id or "me"
            if self._clock() < self._paused.get(key, 0.0):
                continue
            try:
                stored += await self._poll_live(target, page, key)
            except GraphError as error:
                self._refused(key, error)
        return stored

    async def _poll_live(self, target: PollTarget, page: GraphPage, key: str) -> int:
        client = self._client(page)
        read = self._read.get(target.video_id)
        found: dict[str, PolledComment] = {}
        next_url: str | None = None
        complete = False
        for _ in range(MAX_PAGES):
            self.calls += 1
            answer = await client.live_comments(target.video_id, next_url)
            self._strikes.pop(key, None)
            met = False
            for comment in answer.comments:
                if read is not None and comment.id in read:
                    met = True
                else:
                    found.setdefault(comment.id, comment)
            over = answer.usage is not None and answer.usage >= self.pace.budget_percent
            if over:
                self._paused[key] = self._clock() + self.pace.budget_pause_s
            if met or answer.next_url is None:
                complete = True
                break
            if over:
                break
            next_url = answer.next_url
        stored = await self._store(target, page, list(found.values()))
        if complete:  # a walk cut short is walked again from the top next time
            self._read.setdefault(target.video_id, set()).update(found)
        return stored

    async def _store(
        self, target: PollTarget, page: GraphPage, comments: Sequence[PolledComment]
    ) -> int:
        if not comments:
            return 0
        async with self.sessions() as session:
            known = await stored_ids(session, (comment.id for comment in comments))
        missing = sorted(
            (comment for comment in comments if comment.id not in known),
            key=lambda comment: comment.created_time,
        )
        if missing:
            page_id = target.page_id or page.page_id or ""
            await self.store(
                INBOX_SOURCE, poll_body(page_id, target.video_id, missing), CONTENT_TYPE
            )
            self.recovered += len(missing)
        return len(missing)

    def _refused(self, key: str, error: GraphError) -> None:
        if not error.rate_limited:
            kind = f"Graph code {error.code}" if error.code is not None else "Graph unreachable"
            self._complaints.note(kind, str(error))
            return
        strikes = self._strikes.get(key, 0) + 1
        self._strikes[key] = strikes
        wait = error.retry_after or backoff_delay(
            strikes, base=self.pace.backoff_base_s, cap=self.pace.backoff_cap_s, rng=self._rng
        )
        self._paused[key] = self._clock() + wait
        self._complaints.note(
            "Graph rate limit", f"{error}; Page {key} not polled for {wait:.0f} s"
        )

    def _client(self, page: GraphPage) -> GraphClient:
        token = page.access_token or ""
        key = (page.graph_url, token, page.page_id)
        client = self._clients.get(key)
        if client is None:
            client = GraphClient(
                self.http, base_url=page.graph_url, access_token=token, page_id=page.page_id
            )
            self._clients[key] = client
        return client


def _first_line(error: BaseException) -> str:
    return (str(error).strip() or type(error).__name__).splitlines()[0]
