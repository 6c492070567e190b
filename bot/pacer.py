"""The group's slots handed out by priority: a storm's digests before new cards before edits.

`bot.pacing` says when a slot is free; this decides who gets it. Only the digest flusher ever
waits for a slot here (`take`). Outbox handlers only ask for one now (`try_take`) and, when
there is none, hand their job back with `eta` as the delay (`RetryLater`): the outbox worker
delivers a batch at a time and claims the next batch only when the whole batch has finished,
so one handler waiting for the group's next slot would stop every other kind of job (carrier
calls, Graph API replies) and the storm's own new drafts from being picked up at all.

Priority is what makes "every draft reachable within a minute" hold while edits still go out:
while a full digest is waiting, it gets the next slot and edits wait; when the digests keep up,
the spare slots go to edits.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import logging
from enum import IntEnum

from bot.pacing import Limits

log = logging.getLogger(__name__)


class Priority(IntEnum):
    DIGEST = 0
    CARD = 1
    EDIT = 2


class Pacer:
    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self._waiting: dict[int, list[tuple[int, int, asyncio.Future[None]]]] = {}
        self._order = itertools.count()
        self._dispatchers: dict[int, asyncio.Task[None]] = {}

    def _queue(self, chat_id: int) -> list[tuple[int, int, asyncio.Future[None]]]:
        queue = self._waiting.setdefault(chat_id, [])
        while queue and queue[0][2].done():  # given up (cancelled)
            heapq.heappop(queue)
        return queue

    def waiting(self, chat_id: int, priority: Priority) -> int:
        """How many wait for this chat at `priority` or higher."""
        return sum(1 for p, _, f in self._queue(chat_id) if p <= priority and not f.done())

    def try_take(self, chat_id: int, priority: Priority) -> bool:
        """A slot now, unless there is none or someone at this priority or higher waits."""
        if self.waiting(chat_id, priority):
            return False
        return self.limits.take(chat_id)

    async def take(self, chat_id: int, priority: Priority) -> None:
        """Wait for a slot; served before anyone of a lower priority, in order within one."""
        if self.try_take(chat_id, priority):
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._queue(chat_id), (priority, next(self._order), future))
        task = self._dispatchers.get(chat_id)
        if task is None or task.done():
            self._dispatchers[chat_id] = asyncio.create_task(
                self._dispatch(chat_id), name=f"telegram-pacer-{chat_id}"
            )
        await future

    def eta(self, chat_id: int, priority: Priority, ahead: int = 0) -> float:
        """About how long until a send at `priority` would get a slot, with `ahead` more sends
        known to go first: a delay for handing a job back, not a promise."""
        queued = self.waiting(chat_id, priority) + ahead
        return self.limits.wait(chat_id) + queued * self.limits.group.interval_s

    def block(self, chat_id: int, seconds: float) -> None:
        self.limits.block(chat_id, seconds)

    async def _dispatch(self, chat_id: int) -> None:
        queue = self._queue(chat_id)
        while self._queue(chat_id):
            wait = self.limits.wait(chat_id)
            if wait > 0:
                await asyncio.sleep(wait)
                continue
            if self.limits.take(chat_id):
                _, _, future = heapq.heappop(queue)
                if future.done():
                    continue  # cancelled as the slot came: a slot lost, nothing worse
                future.set_result(None)

    async def aclose(self) -> None:
        for task in self._dispatchers.values():
            task.cancel()
        for task in self._dispatchers.values():
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._dispatchers.clear()
        for queue in self._waiting.values():
            for _, _, future in queue:
                future.cancel()
        self._waiting.clear()
