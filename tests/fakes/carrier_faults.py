"""Trouble a fake carrier can be told to make for its next requests, shared by every fake.

A fake wraps its app in `Faults.middleware`; a test queues troubles with `fail_next`. Each
trouble meets one request (optionally only requests whose path contains `path`):

- `http500`: HTTP 500 with an HTML page, as a gateway in trouble answers;
- `envelope`: HTTP 200 with the carrier's own error envelope (the fake says what that is);
- `timeout`: the request is held until `release()` (the client gives up first);
- `lost_answer`: the request is carried out, then its answer held until `release()`: the
  carrier made the shipment but we never heard so.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web

HTTP500 = "http500"
ENVELOPE = "envelope"
TIMEOUT = "timeout"
LOST_ANSWER = "lost_answer"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class Trouble:
    kind: str
    path: str = ""  # only requests whose path contains this
    message: str = ""  # for `envelope`: the carrier's words


class Faults:
    def __init__(self, envelope: Callable[[str], web.Response]) -> None:
        """`envelope(message)` answers as the carrier does when it refuses a request."""
        self._envelope = envelope
        self._queue: deque[Trouble] = deque()
        self._released = asyncio.Event()

    def fail_next(self, kind: str, times: int = 1, *, path: str = "", message: str = "") -> None:
        self._queue.extend(Trouble(kind, path, message) for _ in range(times))

    def clear(self) -> None:
        """Drop the troubles not met yet: the carrier is back."""
        self._queue.clear()

    def release(self) -> None:
        """Let held requests go (their clients are usually long gone)."""
        self._released.set()

    def _take(self, path: str) -> Trouble | None:
        for trouble in self._queue:
            if trouble.path in path:
                self._queue.remove(trouble)
                return trouble
        return None

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        trouble = self._take(request.path)
        if trouble is None:
            return await handler(request)
        if trouble.kind == HTTP500:
            return web.Response(
                status=500,
                text="<html><body>500 Internal Server Error</body></html>",
                content_type="text/html",
            )
        if trouble.kind == ENVELOPE:
            return self._envelope(trouble.message or "Fake carrier refused the request")
        if trouble.kind == TIMEOUT:
            await self._released.wait()
            return web.Response(status=504, text="released")
        if trouble.kind == LOST_ANSWER:
            answer = await handler(request)
            await self._released.wait()
            return answer
        raise ValueError(f"unknown trouble {trouble.kind!r}")
