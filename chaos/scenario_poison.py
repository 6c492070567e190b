"""Poison bodies on every route, then good comments: no 5xx, and every good comment becomes
a draft within the deadline (one stuck body must not stop the line behind it).

The bot runs in webhook mode against the project's fake Bot API (`tests/fakes/telegram.py`),
so `/telegram/webhook` gets its share.
"""

from __future__ import annotations

import asyncio
from collections import Counter

import httpx
from aiohttp import web

from chaos import poison
from chaos.context import Run
from chaos.driver import Driver, comments_of
from tests.fakes.telegram import DEFAULT_TOKEN, FakeTelegram
from tests.helpers import free_port

STAFF_GROUP = -1001234567890
POISON_TIMEOUT_S = 30.0
AT_ONCE = 4


async def run(run: Run) -> None:
    outcome, profile = run.outcome, run.profile
    fake = FakeTelegram()
    runner = web.AppRunner(fake.app())
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        service = run.service(
            env={
                "TELEGRAM_BOT_TOKEN": DEFAULT_TOKEN,
                "TELEGRAM_API_URL": f"http://127.0.0.1:{port}",
                "TELEGRAM_STAFF_CHAT_ID": str(STAFF_GROUP),
                "TELEGRAM_WEBHOOK_SECRET": poison.TELEGRAM_SECRET,
                "CHOTDON_PUBLIC_URL": "https://shop.example",
            }
        )
        if not await run.start(service):
            return
        bodies = poison.every(with_telegram=True)
        answers = await _send_all(service.base_url, bodies)
        _check_answers(run, bodies, answers)
        outcome.check("/healthz after the poison", await service.health() == 200, "answers 200")
        good = comments_of(range(1000, 1000 + profile.buyers), 1, tag="g")
        driver = Driver(service.base_url)
        acked = await driver.send(good, profile.drafts_deadline_s)
        outcome.check("good comments acknowledged", acked, f"{len(driver.acked)} of {len(good)}")
        await run.finish(driver, deadline_s=profile.drafts_deadline_s / 2, others_may_order=True)
    finally:
        await runner.cleanup()


async def _send_all(base_url: str, bodies: list[poison.Poison]) -> list[int | None]:
    answers: list[int | None] = [None] * len(bodies)
    gate = asyncio.Semaphore(AT_ONCE)

    async def one(client: httpx.AsyncClient, index: int, item: poison.Poison) -> None:
        async with gate:
            try:
                response = await client.post(
                    base_url + item.path, content=item.body, headers=item.headers
                )
                answers[index] = response.status_code
            except httpx.HTTPError:
                answers[index] = None

    async with httpx.AsyncClient(timeout=POISON_TIMEOUT_S) as client:
        await asyncio.gather(*(one(client, i, item) for i, item in enumerate(bodies)))
    return answers


def _check_answers(run: Run, bodies: list[poison.Poison], answers: list[int | None]) -> None:
    bad = [
        (item, status)
        for item, status in zip(bodies, answers, strict=True)
        if status is None or status >= 500
    ]
    by_status = Counter(answers)
    run.outcome.notes.append(
        f"{len(bodies)} poison bodies answered "
        + ", ".join(f"{n}x{status}" for status, n in sorted(by_status.items(), key=str))
    )
    grouped: dict[str, list[str]] = {}
    for item, status in bad:
        grouped.setdefault(item.route, []).append(f"{item.label} ({status or 'no answer'})")
    shown = "; ".join(f"{route}: {', '.join(labels)}" for route, labels in grouped.items())
    more = ""
    run.outcome.check(
        "no 5xx and no silence on poison",
        not bad,
        f"{len(bad)} bad: {shown}{more}" if bad else f"all {len(bodies)} answered below 500",
    )
