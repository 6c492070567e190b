"""The shape the full disk and the unreachable database share: comments flow, the suite
breaks something, comments keep coming (and probes ask /healthz and /api what they think),
the suite mends it, and then everything refused is sent again and everything acknowledged
must be in a draft. The service is never restarted by the suite in between."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import httpx

from chaos.context import API_TOKEN, Run
from chaos.driver import Driver, comments_of
from chaos.ledger import wait_in_drafts
from chaos.service import Service
from chaos.waits import until

PROBE_TIMEOUT_S = 5.0
RECOVERY_DEADLINE_S = 60.0


@dataclass
class Window:
    healthz: Counter[int | None] = field(default_factory=Counter)
    api: Counter[int | None] = field(default_factory=Counter)
    webhooks: Counter[int | None] = field(default_factory=Counter)


def shown(counter: Counter[int | None]) -> str:
    return ", ".join(
        f"{n}x{status or 'no answer'}" for status, n in sorted(counter.items(), key=str)
    )


async def status_of(client: httpx.AsyncClient, url: str) -> int | None:
    try:
        return (await client.get(url)).status_code
    except httpx.HTTPError:
        return None


async def outage(
    run: Run,
    service: Service,
    *,
    what: str,
    window_s: float,
    breaks: Callable[[], Awaitable[None]],
    mends: Callable[[], Awaitable[None]],
    ask_api: bool = False,
) -> None:
    outcome, profile = run.outcome, run.profile
    driver = Driver(service.base_url)
    buyers = range(3000, 3000 + profile.buyers)
    before = comments_of(buyers, 1, tag="a")
    await driver.send(before, profile.drafts_deadline_s)
    await wait_in_drafts(run.database, driver.acked, profile.drafts_deadline_s)

    await breaks()
    started = time.monotonic()
    window = Window()
    during = comments_of(buyers, 1, tag="b", first_round=1)
    sending = asyncio.create_task(driver.send(during, window_s))
    headers = {"Authorization": f"Bearer {API_TOKEN}"}
    async with httpx.AsyncClient(timeout=PROBE_TIMEOUT_S, headers=headers) as client:
        # The probes run for the whole window, not only while comments are still being
        # refused: when every one is stored at once (SQLite's write-ahead log may have room),
        # the window would hold a single probe, and that one may get the answer /healthz
        # keeps from before the break (`chotdon.health.STALE_S`).
        while not sending.done() or time.monotonic() - started < window_s:
            window.healthz[await status_of(client, service.base_url + "/healthz")] += 1
            if ask_api:
                window.api[await status_of(client, service.base_url + "/api/orders?limit=1")] += 1
            await asyncio.sleep(0.3)
    await sending
    window.webhooks = driver.answered_since(started)
    await mends()
    mended = time.monotonic()

    async def healthy() -> bool:
        return await service.health() == 200

    back = await until(healthy, RECOVERY_DEADLINE_S, every_s=0.2)
    outcome.check(
        "/healthz 200 again by itself",
        bool(back) and not service.exited(),
        f"after {time.monotonic() - mended:.1f} s" if back else "not within 60 s",
    )
    refused = len(driver.unacked())
    after = await driver.send(driver.unacked(), profile.drafts_deadline_s)
    outcome.check(
        "what was refused is accepted when sent again",
        after,
        f"{refused} resent, {len(driver.unacked())} still refused",
    )
    bad = {s: n for s, n in window.webhooks.items() if s not in (200, 503)}
    outcome.notes.append(
        f"{what} for {window_s:.0f} s: webhooks {shown(window.webhooks)}; "
        f"/healthz {shown(window.healthz)}" + (f"; /api {shown(window.api)}" if ask_api else "")
    )
    # 200 only for what was stored (the loss check below proves it), else 503: SQLite may
    # still take a body into room its write-ahead log already has, so a 503 is not owed.
    outcome.check(
        f"webhooks answer 503, or 200 once stored, while {what}",
        not bad and sum(window.webhooks.values()) > 0,
        shown(window.webhooks),
    )
    outcome.check(
        f"/healthz answers 503 while {what}",
        window.healthz[503] > 0 and set(window.healthz) <= {200, 503},
        shown(window.healthz),
    )
    if ask_api:
        outcome.check(
            f"/api answers 503 while {what}",
            window.api[503] > 0 and set(window.api) <= {200, 503},
            shown(window.api),
        )
    await run.finish(driver)
