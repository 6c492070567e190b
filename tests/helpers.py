"""Small things many test modules need: waiting for work with a deadline, a free port."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import pytest

DEADLINE_S = 20.0
T = TypeVar("T")


async def eventually(
    check: Callable[[], Awaitable[T]], what: str, *, deadline_s: float = DEADLINE_S
) -> T:
    """The first truthy answer of `check`, asked until the deadline; no fixed sleeps."""
    deadline = time.monotonic() + deadline_s
    while True:
        answer = await check()
        if answer:
            return answer
        if time.monotonic() > deadline:
            pytest.fail(f"not within {deadline_s} s: {what}")
        await asyncio.sleep(0.02)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
