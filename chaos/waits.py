"""Waiting for a condition with a deadline: the suite never sleeps a fixed time and hopes."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def until(
    check: Callable[[], Awaitable[T]], deadline_s: float, *, every_s: float = 0.1
) -> T | None:
    """The first truthy answer of `check`, or None once `deadline_s` has passed (the caller
    records the failure: a scenario counts what happened rather than stopping half-way)."""
    deadline = time.monotonic() + deadline_s
    while True:
        answer = await check()
        if answer:
            return answer
        if time.monotonic() > deadline:
            return None
        await asyncio.sleep(every_s)
