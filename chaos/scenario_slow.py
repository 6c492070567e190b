"""Slow clients: a few hundred connections that send their headers and then a body one byte
every few seconds (Content-Length large), some with a valid-looking signature, some a valid
carrier secret, some trickling the headers themselves. Meanwhile /healthz answers, good
comments are accepted and become drafts, and the server closes every slow one within its
request deadline (`CHOTDON_REQUEST_DEADLINE_SECONDS`, 3 s here) plus a margin for a loaded
machine. The service runs with `ulimit -n` of the profile (1,024), as in the issue.
"""

from __future__ import annotations

import asyncio
import contextlib
import statistics
import time
from collections import Counter
from dataclasses import dataclass

from chaos.context import CARRIER_SECRETS, REQUEST_DEADLINE_S, Run
from chaos.driver import Driver, comments_of
from chaos.service import Service

TRICKLE_S = 2.0  # one byte this often
MARGIN_S = 7.0  # past the deadline, for a loaded machine to get round to closing
# A request answered before its body was read (401 to an unsigned one) is followed by
# aiohttp's lingering read of the rest, 10 s by default, before the close: that bound applies.
LINGER_S = 10.0
GIVE_UP_S = REQUEST_DEADLINE_S + MARGIN_S + 5.0  # a slow one still open then is held for good
HEALTH_TIMEOUT_S = 5.0
CONNECT_TIMEOUT_S = 10.0
SIGNATURE = "sha256=" + "ab" * 32
KINDS = ("signed body", "carrier body", "unsigned body", "trickled headers")


@dataclass
class Slow:
    kind: str
    opened: float = 0.0
    closed: float | None = None
    answer: str = ""  # the status line, if the server answered before closing
    connected: bool = False

    @property
    def held_s(self) -> float | None:
        return None if self.closed is None else self.closed - self.opened


def head(kind: str, host: str) -> tuple[bytes, bytes]:
    """What is sent at once, and what then trickles."""
    if kind == "trickled headers":
        start = f"POST /webhooks/facebook HTTP/1.1\r\nHost: {host}\r\n".encode()
        return start, b"X-Slow: " + b"a" * 200
    if kind == "carrier body":
        path = f"/webhooks/carriers/ghn?token={CARRIER_SECRETS['GHN_WEBHOOK_TOKEN']}"
        extra = ""
    else:
        path = "/webhooks/facebook"
        extra = f"X-Hub-Signature-256: {SIGNATURE}\r\n" if kind == "signed body" else ""
    start = (
        f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
        f"Content-Length: 100000\r\n{extra}\r\n"
    ).encode()
    return start, b"{" + b" " * 99_999


async def trickle(service: Service, slow: Slow) -> None:
    host = f"127.0.0.1:{service.port}"
    start, rest = head(slow.kind, host)
    slow.opened = time.monotonic()
    try:
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection("127.0.0.1", service.port), CONNECT_TIMEOUT_S
        )
    except (OSError, TimeoutError):
        slow.closed = time.monotonic()  # refused at the door: holds nothing
        return
    slow.connected = True

    async def watch() -> None:
        with contextlib.suppress(OSError):
            first = await reader.readline()
            slow.answer = first.decode("latin-1").strip()
            while await reader.read(4096):
                pass
        slow.closed = slow.closed or time.monotonic()

    watcher = asyncio.create_task(watch())
    try:
        writer.write(start)
        for byte in rest:
            if slow.closed or time.monotonic() - slow.opened > GIVE_UP_S:
                break
            writer.write(bytes([byte]))
            await writer.drain()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(watcher), TRICKLE_S)
    except OSError:
        slow.closed = slow.closed or time.monotonic()
    finally:
        watcher.cancel()
        await asyncio.wait([watcher])  # an outer cancellation still goes through
        writer.close()


def _allowed(slow: Slow) -> float:
    return (LINGER_S if slow.answer else REQUEST_DEADLINE_S) + MARGIN_S


async def run(run: Run) -> None:
    outcome, profile = run.outcome, run.profile
    service = run.service(file_limit=profile.file_limit)
    if not await run.start(service):
        return
    log_before = service.log.stat().st_size
    slows = [Slow(KINDS[i % len(KINDS)]) for i in range(profile.slow_clients)]
    trickling = asyncio.gather(*(trickle(service, s) for s in slows))
    probes: list[tuple[int | None, float]] = []

    async def probe_health() -> None:
        while not trickling.done():
            sent = time.monotonic()
            probes.append((await service.health(HEALTH_TIMEOUT_S), time.monotonic() - sent))
            await asyncio.sleep(0.5)

    prober = asyncio.create_task(probe_health())
    await asyncio.sleep(1.0)  # the slow ones are in; now the real traffic
    driver = Driver(service.base_url)
    good = comments_of(range(2000, 2000 + profile.buyers), 1, tag="s")
    acked = await driver.send(good, GIVE_UP_S + 30)
    await trickling
    await prober

    slowest = max((s.held_s for s in slows if s.held_s is not None), default=0.0)
    held = [s for s in slows if s.held_s is None or s.held_s > _allowed(s)]
    kinds_held = Counter(s.kind for s in held)
    for kind in KINDS:
        mine = [s for s in slows if s.kind == kind]
        times = sorted(s.held_s for s in mine if s.held_s is not None)
        answers = Counter(s.answer.split(" ")[1] if s.answer else "none" for s in mine)
        outcome.notes.append(
            f"{kind}: {len(times)} closed"
            + (f" after {times[0]:.1f}-{times[-1]:.1f} s" if times else "")
            + f", answers {dict(answers)}"
        )
    outcome.notes.append(
        f"{len(slows)} slow clients ({sum(s.connected for s in slows)} connected), "
        f"{len(slows) - len(held)} closed in time (slowest {slowest:.1f} s)"
    )
    outcome.check(
        "slow clients closed by the server in time",
        not held,
        f"{len(held)} held past {REQUEST_DEADLINE_S} s (answered: {LINGER_S:.0f} s) "
        f"+ {MARGIN_S:.0f} s: " + ", ".join(f"{n} {kind}" for kind, n in kinds_held.items())
        if held
        else f"all {len(slows)}",
    )
    answered = [latency for status, latency in probes if status == 200]
    outcome.check(
        "/healthz answers meanwhile",
        len(answered) == len(probes) and bool(probes),
        f"{len(answered)} of {len(probes)} probes 200 within {HEALTH_TIMEOUT_S:.0f} s"
        + (f", median {statistics.median(answered):.2f} s" if answered else ""),
    )
    outcome.check("good comments accepted meanwhile", acked, f"{len(driver.acked)} of {len(good)}")
    grown = service.log.stat().st_size - log_before
    floods = service.log_text().count("Too many open files")
    outcome.check(
        "the log stays small",
        grown < 5 * 1024 * 1024,
        f"grew {grown / 1024:.0f} KiB; {floods} 'Too many open files'",
    )
    await run.finish(driver)
