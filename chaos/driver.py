"""Facebook's side: signed comment webhooks from many buyers, sent again until answered 200.

Facebook delivers at least once: a delivery refused or unanswered is sent again, and now and
then one it already had answered too. The driver does the same and keeps each comment's fate
(every answer it got), so a scenario can say what was acknowledged and when. Bodies are built
and signed by the project's own `livestream.simulate` and `kernel.http.signatures`.

`bench/loadgen.py` is not used here: it is built to measure, and stops at the first closed
connection, which is exactly what this suite causes; the resending is what matters here, so
this is `chotdon simulate`'s httpx client with a retry loop and a ledger.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import httpx

from chaos.backends import VIDEO_ID
from kernel.http import signatures
from livestream.simulate import DEFAULT_PAGE_ID, SimulatedComment, webhook_body

SECRET = "chaos-app-secret"
PAGE_ID = DEFAULT_PAGE_ID
PATH = "/webhooks/facebook"
REQUEST_TIMEOUT_S = 10.0  # Facebook waits 20 s; a loaded machine answers well within 10


def comments_of(
    buyers: Sequence[int], per_buyer: int, tag: str, *, first_round: int = 0
) -> list[SimulatedComment]:
    """`per_buyer` ordering comments from each buyer, buyers taking turns; each of a buyer's
    comments asks a different quantity, so none is the "same words twice" the ingest rightly
    counts once. `tag` keeps comment ids apart between the phases of one scenario."""
    now = int(time.time())
    out = []
    for round_ in range(first_round, first_round + per_buyer):
        for buyer in buyers:
            n = len(out)
            out.append(
                SimulatedComment(
                    video_id=VIDEO_ID,
                    comment_id=f"{PAGE_ID}_{VIDEO_ID}_{tag}{n}",
                    from_id=f"9{buyer:09d}",
                    from_name=f"Khách {buyer}",
                    message=f"A1 {round_ + 1} 09{buyer:08d}",
                    created_time=now + n // 100,
                )
            )
    return out


def signed(body: bytes) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        signatures.HEADER: signatures.sign(SECRET, body),
    }


@dataclass
class Fate:
    comment: SimulatedComment
    answers: list[int | None] = field(default_factory=list)  # None: no answer

    @property
    def acked(self) -> bool:
        return 200 in self.answers


@dataclass
class Driver:
    base_url: str
    lanes: int = 8
    retry_after_s: float = 0.25
    resend_every: int = 0  # > 0: every n-th acknowledged comment is delivered once more
    rate: float | None = None  # deliveries a second over all lanes: a stream, not a burst
    fates: dict[str, Fate] = field(default_factory=dict)
    answers: list[tuple[float, int | None]] = field(default_factory=list)  # (monotonic, status)
    _next_slot: float = 0.0

    @property
    def acked(self) -> set[str]:
        return {cid for cid, fate in self.fates.items() if fate.acked}

    def buyers_acked(self) -> set[str]:
        return {f.comment.from_id for f in self.fates.values() if f.acked}

    def unacked(self) -> list[SimulatedComment]:
        return [f.comment for f in self.fates.values() if not f.acked]

    def answered_since(self, since: float, until: float | None = None) -> Counter[int | None]:
        end = until if until is not None else float("inf")
        return Counter(status for moment, status in self.answers if since <= moment <= end)

    async def send(self, comments: Sequence[SimulatedComment], deadline_s: float) -> bool:
        """Deliver each comment until it is answered 200 or `deadline_s` passes; a buyer's
        comments go down one lane in order, as Facebook sends them. True when all were."""
        for comment in comments:
            self.fates.setdefault(comment.comment_id, Fate(comment))
        lanes: list[list[SimulatedComment]] = [[] for _ in range(self.lanes)]
        for comment in comments:
            lanes[hash(comment.from_id) % self.lanes].append(comment)
        give_up = time.monotonic() + deadline_s
        limits = httpx.Limits(max_connections=self.lanes, max_keepalive_connections=self.lanes)
        async with httpx.AsyncClient(timeout=REQUEST_TIMEOUT_S, limits=limits) as client:
            await asyncio.gather(*(self._lane(client, lane, give_up) for lane in lanes))
        return all(self.fates[c.comment_id].acked for c in comments)

    async def _lane(
        self, client: httpx.AsyncClient, comments: Sequence[SimulatedComment], give_up: float
    ) -> None:
        for comment in comments:
            while not await self.deliver(client, comment):
                if time.monotonic() > give_up:
                    return
                await asyncio.sleep(self.retry_after_s)
            acked = len(self.acked)
            if self.resend_every and acked % self.resend_every == 0:
                await self.deliver(client, comment)  # the same delivery again

    async def deliver(self, client: httpx.AsyncClient, comment: SimulatedComment) -> bool:
        if self.rate:
            now = time.monotonic()
            self._next_slot = max(now, self._next_slot) + 1 / self.rate
            await asyncio.sleep(self._next_slot - now)
        body = webhook_body([comment], page_id=PAGE_ID)
        try:
            response = await client.post(self.base_url + PATH, content=body, headers=signed(body))
            status: int | None = response.status_code
        except httpx.HTTPError:
            status = None
        self.fates[comment.comment_id].answers.append(status)
        self.answers.append((time.monotonic(), status))
        return status == 200
