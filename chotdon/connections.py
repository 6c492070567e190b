"""Bounded connections for `chotdon serve`: a deadline for reading each request, a cap on open
connections, quiet accept errors, and malformed requests refused in one line.

aiohttp reads a request with no time limit. A client that sends its headers, or its body, a byte
at a time holds its connection (a file descriptor) as long as it likes, also when its headers
carry a valid-looking signature, since the receiver then waits for the body to check it. A
thousand of them exhaust a `ulimit -n 1024` process: every accept fails with EMFILE (logged
thousands of times a second), and `/healthz` and webhooks go unanswered.

The deadline: one clock per request, from its first byte (for a connection's first request,
from the accept) to its body being whole. A request that misses it is answered 408 where that can
still be written, and its connection is closed the way HTTP servers close after an answer the
client did not wait for (a "lingering close"): the answer says `Connection: close`, the
server's side is shut (the client reads the answer, then end of file), and what the client still
sends is read and dropped for at most `LINGER_S` or `LINGER_BYTES`, whichever comes first, before
the socket is closed. Closed at once instead, a socket with the client's latest bytes unread (or
receiving more) makes the kernel send a reset, which can reach the client before it has read the
answer: it would see "connection reset" instead of the 408.

The time between requests on a keep-alive connection is aiohttp's keep-alive timeout's business;
the time a handler spends on a whole request is ours, not the client's, so it does not count.

The cap: at most `max_connections` open at once (`chotdon.open_files` derives it from the file
limit). A connection beyond it makes room by closing the one that matters least: the longest
idle keep-alive connection, else the one that has been reading its request longest (a request
from Facebook or a carrier is read in milliseconds; the slowest reader is the likeliest
attacker). A connection already answered and lingering goes before either: it holds a file like
any other and counts against the cap, and it is bounded by the linger, not by its client. So
a fresh `/healthz` gets through a cap full of slow clients at once, not only once their deadline
frees them. Only when every connection holds a whole request that a handler is
working on is the newcomer refused (503, closed at once: there is no room for it to linger)
rather than left to starve the listener. A connection closed to make room is closed at once too,
for the same reason.

Clients that are closed this way are not logged one by one: a summary line at most every few
seconds says how many, as for accept errors. aiohttp has no hook for any of this, so the request
handler below extends its `RequestHandler`, using a few of its private attributes (kept to this
module, and exercised by `tests/e2e/test_connections.py` against a real `chotdon serve`).
"""

from __future__ import annotations

import asyncio
import errno
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.streams import StreamReader
from aiohttp.web_protocol import RequestHandler

from chotdon.log_throttle import LogThrottle

log = logging.getLogger(__name__)

LOG_EVERY_S = 5.0
# After a handler waiting for a body has been told the deadline passed, how long it has to
# answer (it needs microseconds) before its connection is closed regardless.
ANSWER_GRACE_S = 2.0
# After a 408, how long and how much of what the client still sends is read and dropped before
# the close (see the module's docstring); a client that sends more, or longer, is cut off.
LINGER_S = 2.0
LINGER_BYTES = 2**20
# Connections busy with whole requests skipped over, at most, when looking for one to close.
BUSY_SCAN = 64

_TIMED_OUT = b"HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
_NO_ROOM = (
    b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nRetry-After: 1\r\n"
    b"Connection: close\r\n\r\n"
)
_MALFORMED = "400 Bad Request: the request line or headers are malformed or too long.\n"
_RESOURCE_ERRORS = (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM)

# What the summary line says for each way a connection was closed.
MISSED, SHED, REFUSED = "missed", "shed", "refused"


@dataclass(frozen=True)
class ConnectionLimits:
    max_connections: int
    request_deadline_s: float
    linger_s: float = LINGER_S


class ConnectionGuard:
    """The connections of one listener: which are reading a request (oldest clock first), which
    are not (longest quiet first), which missed their deadline and are being closed (answered or
    lingering), and the summary of those it closed."""

    def __init__(self, limits: ConnectionLimits, *, log_every_s: float = LOG_EVERY_S) -> None:
        self.limits = limits
        self._reading: dict[BoundedRequestHandler, None] = {}
        self._quiet: dict[BoundedRequestHandler, None] = {}
        self._closing: dict[BoundedRequestHandler, None] = {}
        self._closed = LogThrottle(self._log_closed, log_every_s)

    @property
    def open(self) -> int:
        return len(self._reading) + len(self._quiet) + len(self._closing)

    def protocol_factory(self, server: web.Server) -> Callable[[], BoundedRequestHandler]:
        """What `loop.create_server` calls for each accepted connection: aiohttp's request
        handler, built with the same arguments as aiohttp's own `Server.__call__` passes."""
        loop = asyncio.get_running_loop()
        options: dict[str, Any] = server._kwargs  # aiohttp has no public accessor for them
        return lambda: BoundedRequestHandler(server, self, loop=loop, **options)

    def flush_log(self) -> None:
        self._closed.flush()

    def admit(self, connection: BoundedRequestHandler) -> bool:
        """Whether `connection` may stay, closing another one to make room if need be."""
        if self.open >= self.limits.max_connections:
            victim = self._least_needed()
            if victim is None:
                self._closed.note(REFUSED)
                return False
            if victim not in self._closing:  # those are counted as missed already
                self._closed.note(SHED)
            self.forget(victim)
            victim.shed()
        self._quiet[connection] = None
        return True

    def reading(self, connection: BoundedRequestHandler) -> None:
        self._quiet.pop(connection, None)
        self._reading.pop(connection, None)
        self._reading[connection] = None

    def quiet(self, connection: BoundedRequestHandler) -> None:
        self._reading.pop(connection, None)
        self._quiet.pop(connection, None)
        self._quiet[connection] = None

    def closing(self, connection: BoundedRequestHandler) -> None:
        """`connection` missed its deadline: it is answered, lingers, and goes first."""
        self._reading.pop(connection, None)
        self._quiet.pop(connection, None)
        self._closing[connection] = None

    def forget(self, connection: BoundedRequestHandler) -> None:
        self._reading.pop(connection, None)
        self._quiet.pop(connection, None)
        self._closing.pop(connection, None)

    def missed_deadline(self) -> None:
        self._closed.note(MISSED)

    def _least_needed(self) -> BoundedRequestHandler | None:
        """One being closed after its deadline, else the longest idle connection, else the
        longest reading one; None when all are busy. Busy ones met on the way go to the back,
        so the next search does not meet them first."""
        if self._closing:
            return next(iter(self._closing))
        busy: list[BoundedRequestHandler] = []
        victim = None
        while self._quiet and len(busy) < BUSY_SCAN:
            candidate = next(iter(self._quiet))
            if candidate.idle:
                victim = candidate
                break
            del self._quiet[candidate]
            busy.append(candidate)
        for connection in busy:
            self._quiet[connection] = None
        if victim is None and self._reading:
            victim = next(iter(self._reading))
        return victim

    def _log_closed(self, counts: Counter[str]) -> None:
        parts = []
        if counts[MISSED]:
            parts.append(
                f"{counts[MISSED]} closed for not sending a whole request within "
                f"{self.limits.request_deadline_s:g} s"
            )
        if counts[SHED]:
            parts.append(f"{counts[SHED]} closed to make room for new ones")
        if counts[REFUSED]:
            parts.append(f"{counts[REFUSED]} refused while every one was busy")
        log.warning(
            "connections: %s (at most %d open, %d now)",
            "; ".join(parts),
            self.limits.max_connections,
            self.open,
        )


class BoundedRequestHandler(RequestHandler):
    """aiohttp's protocol for one connection, with the clock of the request being read."""

    __slots__ = ("_body", "_clock", "_closer", "_cut", "_dropped", "_guard", "_linger_after")

    def __init__(self, manager: web.Server, guard: ConnectionGuard, **options: Any) -> None:
        super().__init__(manager, **options)
        self._guard = guard
        self._clock: asyncio.TimerHandle | None = None
        self._body: StreamReader | None = None  # the body being read, once its headers are
        self._cut = False  # closed by the guard: its request is not access-logged
        self._linger_after = False  # a handler's answer, once written, is followed by a linger
        self._dropped: int | None = None  # bytes read and dropped while lingering
        self._closer: asyncio.TimerHandle | None = None  # closes it after a grace or a linger

    @property
    def idle(self) -> bool:
        """Between requests on a keep-alive connection: closing it loses nothing."""
        return self._clock is None and not self._request_in_progress and not self._messages

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        if not self._guard.admit(self):
            self._cut = True
            self._answer_and_close(_NO_ROOM)
            return
        self._start_clock()

    def connection_lost(self, exc: BaseException | None) -> None:
        super().connection_lost(exc)  # the last event: nothing registers it again after this
        self._stop_clock()
        if self._closer is not None:
            self._closer.cancel()
        self._guard.forget(self)

    def data_received(self, data: bytes) -> None:
        if self._dropped is not None:
            self._drop(data)
            return
        if self._clock is None and data and not self._cut:
            self._start_clock()
        parsed = self._request_count
        super().data_received(data)
        if self._request_count != parsed and self._messages:
            _, body = self._messages[-1]  # only the last request parsed can lack its body
            if body.is_eof():
                self._request_read()
            else:
                self._body = body
                body.on_eof(self._request_read)
                if self._clock is None:
                    self._start_clock()

    def handle_error(
        self,
        request: web.BaseRequest,
        status: int = 500,
        exc: BaseException | None = None,
        message: str | None = None,
    ) -> web.StreamResponse:
        """A request aiohttp could not parse: 400 and one line naming what was wrong, without
        aiohttp's traceback and without the line itself (a URL may carry a token)."""
        if status != 400 or not isinstance(exc, HttpProcessingError):
            return super().handle_error(request, status, exc, message)
        log.warning(
            "malformed HTTP request from %s refused with 400 (%s)",
            request.remote,
            type(exc).__name__,
        )
        response = web.Response(status=400, text=_MALFORMED)
        response.force_close()
        return response

    async def finish_response(
        self, request: web.BaseRequest, resp: web.StreamResponse, start_time: float | None
    ) -> tuple[web.StreamResponse, bool]:
        """aiohttp's writing of an answer; after a handler's answer to a request whose body
        missed the deadline, the linger (aiohttp would close the socket at once)."""
        finished = await super().finish_response(request, resp, start_time)
        if self._linger_after:
            self._linger()
        return finished

    def log_access(
        self, request: web.BaseRequest, response: web.StreamResponse, time: float | None
    ) -> None:
        if not self._cut:
            super().log_access(request, response, time)

    def shed(self) -> None:
        """Closed at once to make room for a new connection; between requests without a word,
        as any server may close an idle keep-alive connection; lingering, without waiting for
        the rest of its linger (its client has had the 408)."""
        settled = self.idle or self._cut
        self._cut = True
        self._stop_clock()
        if settled:
            self.force_close()
        else:
            self._give_up(_NO_ROOM, web.HTTPServiceUnavailable, linger=False)

    def _start_clock(self) -> None:
        if self.transport is None or self._cut:
            return  # closing: connection_lost forgets it
        deadline = self._loop.time() + self._guard.limits.request_deadline_s
        self._clock = self._loop.call_at(deadline, self._deadline_passed)
        self._guard.reading(self)

    def _stop_clock(self) -> None:
        if self._clock is not None:
            self._clock.cancel()
            self._clock = None

    def _request_read(self) -> None:
        self._stop_clock()
        self._body = None
        if self.transport is not None and not self._cut:
            self._guard.quiet(self)

    def _deadline_passed(self) -> None:
        self._clock = None
        if self._answering_an_earlier_request():
            self._start_clock()
            return
        self._cut = True
        self._guard.missed_deadline()
        self._guard.closing(self)
        self._give_up(_TIMED_OUT, web.HTTPRequestTimeout, linger=True)

    def _answering_an_earlier_request(self) -> bool:
        """Whether the request being read waits behind a whole one a handler is answering
        (pipelining): that time is ours, not the client's, so its clock starts again."""
        if not (self._request_in_progress or self._messages):
            return False
        request = self._current_request
        return self._body is None or request is None or request.content is not self._body

    def _give_up(self, answer: bytes, error: type[web.HTTPException], *, linger: bool) -> None:
        """Ends the request being read: before its headers are whole, `answer` is written
        as is; a handler waiting for the body gets `error` from its read (aiohttp answers with
        it, unless the connection is already closed, and within `ANSWER_GRACE_S`); then the
        connection lingers (`linger`) or is closed at once."""
        body, request = self._body, self._current_request
        if self._answering_an_earlier_request():
            self.force_close()  # no answer of ours may cut into the one being written
        elif body is None:
            self._answer(answer)
            if linger:
                self._linger()
            else:
                self.force_close()
        elif request is not None and request.content is body:
            self._lingering_time = 0.0  # aiohttp would read the rest of the body, unbounded
            timed_out = error()
            timed_out.force_close()  # the answer says `Connection: close`
            body.set_exception(timed_out)
            if linger:
                self._linger_after = True  # finish_response starts it once the answer is out
                self._closer = self._loop.call_later(ANSWER_GRACE_S, self.force_close)
            else:
                self.force_close()
        else:
            self.force_close()  # already answered, or queued behind another request

    def _answer_and_close(self, answer: bytes) -> None:
        self._answer(answer)
        self.force_close()

    def _answer(self, answer: bytes) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(answer)

    def _linger(self) -> None:
        """The answer is written: the server's side is shut once it is sent (the client reads
        it, then end of file), and the client's bytes are dropped until it closes too, for
        `linger_s` (`LINGER_S`) or `LINGER_BYTES` at most; then it is closed regardless."""
        transport = self.transport
        if self._closer is not None:
            self._closer.cancel()
        if transport is None or transport.is_closing():
            self.force_close()
            return
        self._linger_after = False
        self._dropped = 0
        self._force_close = True  # aiohttp: no further request, and no close of its own
        if self._waiter is not None:
            self._waiter.cancel()  # its wait for a request that will not come
        if transport.can_write_eof():
            transport.write_eof()  # sent after the answer, once that is flushed
        transport.resume_reading()  # were the body's buffer full, the client's bytes would wait
        self._closer = self._loop.call_later(self._guard.limits.linger_s, self.force_close)

    def _drop(self, data: bytes) -> None:
        assert self._dropped is not None
        self._dropped += len(data)
        if self._dropped > LINGER_BYTES:
            self.force_close()


class AcceptErrorLog:
    """The event loop's exception handler: asyncio's accept loop reports each failed accept
    (EMFILE when out of files) through it, and on Python 3.11 tries again up to the backlog's
    length per retry, each time with a traceback. Those are summed up in a line every
    `every_s`; everything else goes to asyncio's default handler."""

    def __init__(self, every_s: float = LOG_EVERY_S) -> None:
        self._throttle = LogThrottle(self._log, every_s)

    def __call__(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        error = context.get("exception")
        accepting = "accept" in str(context.get("message", ""))
        if accepting and isinstance(error, OSError) and error.errno in _RESOURCE_ERRORS:
            self._throttle.note(f"[Errno {error.errno}] {error.strerror}")
        else:
            loop.default_exception_handler(context)

    def flush(self) -> None:
        self._throttle.flush()

    @staticmethod
    def _log(counts: Counter[str]) -> None:
        for reason, count in counts.items():
            times = "once" if count == 1 else f"{count} times"
            log.error("accepting connections failed %s: %s", times, reason)
