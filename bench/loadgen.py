"""A lean HTTP/1.1 load generator: pre-built requests on keep-alive connections.

On a 2-core machine the client shares the CPU with the server it measures. aiohttp's client
spends several times more CPU per request than a small server does answering it, so with it
the benchmark mostly measured the client. Here each request is bytes built before the clock
starts, written on an open connection; the answer is read just far enough to know its status
and its end (Content-Length). That is all Facebook's side of a webhook needs.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass
class Load:
    seconds: float
    latencies: list[float]
    refused: int  # answers other than 200


def raw_request(url: str, body: bytes, headers: Mapping[str, str]) -> bytes:
    parts = urlsplit(url)
    lines = [
        f"POST {parts.path or '/'} HTTP/1.1",
        f"Host: {parts.netloc}",
        f"Content-Length: {len(body)}",
        *(f"{name}: {value}" for name, value in headers.items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


class _Answers(asyncio.Protocol):
    """Reads answers one after another off one connection; `next_answer()` waits for one."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self._buffer = bytearray()
        self._waiter: asyncio.Future[int] | None = None
        self._closed: Exception | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def connection_lost(self, exc: Exception | None) -> None:
        self._closed = exc or ConnectionError("server closed the connection")
        if self._waiter and not self._waiter.done():
            self._waiter.set_exception(self._closed)

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        self._deliver()

    def send(self, request: bytes) -> asyncio.Future[int]:
        assert self.transport is not None
        if self._closed:
            raise self._closed
        self._waiter = asyncio.get_running_loop().create_future()
        self.transport.write(request)
        return self._waiter

    def _deliver(self) -> None:
        end = self._buffer.find(b"\r\n\r\n")
        if end < 0 or self._waiter is None or self._waiter.done():
            return
        head = bytes(self._buffer[:end]).decode("latin-1")
        status = int(head.split(" ", 2)[1])
        length = 0
        for line in head.split("\r\n")[1:]:
            name, _, value = line.partition(":")
            lowered = name.strip().lower()
            if lowered == "content-length":
                length = int(value)
            elif lowered == "transfer-encoding":
                self._waiter.set_exception(ValueError(f"unsupported transfer encoding: {value}"))
                return
        if len(self._buffer) < end + 4 + length:
            return
        del self._buffer[: end + 4 + length]
        self._waiter.set_result(status)


async def blast(requests: Sequence[bytes], url: str, connections: int) -> Load:
    """`connections` clients, each sending the next request as soon as its last was answered."""
    parts = urlsplit(url)
    loop = asyncio.get_running_loop()
    opened = [
        await loop.create_connection(_Answers, parts.hostname, parts.port)
        for _ in range(connections)
    ]
    latencies: list[float] = []
    refused = 0
    next_index = 0

    async def client(answers: _Answers) -> None:
        nonlocal next_index, refused
        while next_index < len(requests):
            index = next_index
            next_index += 1
            sent = time.perf_counter()
            status = await answers.send(requests[index])
            latencies.append(time.perf_counter() - sent)
            refused += status != 200

    started = time.perf_counter()
    try:
        await asyncio.gather(*(client(answers) for _, answers in opened))
        return Load(time.perf_counter() - started, latencies, refused)
    finally:
        for transport, _ in opened:
            transport.close()
