"""What the background workers (outbox worker, inbox processor) share: their names, their
backoff, and the loop that looks for work, sleeps until woken, and rides out a database outage.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import socket
import uuid
from collections.abc import Awaitable, Callable

MAX_PAUSE_S = 60.0


def backoff_delay(attempt: int, *, base: float, cap: float, rng: random.Random) -> float:
    """Exponential with "equal jitter": never sooner than half the step, so a burst spreads out
    without a retry coming back immediately."""
    step = min(cap, base * 2.0 ** max(0, attempt - 1))
    return step / 2 + rng.uniform(0, step / 2)


def worker_name() -> str:
    """Unique across hosts and restarts: leases are fenced by it."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


async def poll_until_stopped(
    step: Callable[[], Awaitable[int]],
    *,
    stop: asyncio.Event,
    wake: asyncio.Event,
    poll_interval: float,
    what: str,
    log: logging.Logger,
) -> None:
    """Call `step` (which returns how much it did) until `stop` is set.

    Busy: at once again. Idle: wait for `wake`, `stop` or the poll interval. Failing (the
    database is down): wait longer each time, up to a minute, with one traceback when the trouble
    starts and one line now and again after.
    """
    log.info("%s started", what)
    failures = 0
    while not stop.is_set():
        wake.clear()  # before looking, so a wake that comes while we look is not lost
        try:
            done = await step()
        except Exception as error:
            failures += 1
            done = 0
            if failures == 1:
                log.exception("%s: cannot reach its work; will keep trying", what)
            elif failures % 10 == 0:
                log.warning("%s: still failing (%r)", what, error)
        else:
            if failures:
                log.info("%s: database answers again", what)
            failures = 0
        if done:
            continue
        pause = min(MAX_PAUSE_S, poll_interval * 2 ** min(failures, 10))
        waits = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(wake.wait())]
        await asyncio.wait(waits, timeout=pause, return_when=asyncio.FIRST_COMPLETED)
        for waiter in waits:
            waiter.cancel()
    log.info("%s stopped", what)
