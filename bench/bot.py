"""The staff bot under load: how fast a tap shows on its card, and a comment storm against the
group's 20 messages a minute.

Everything runs in this process on one event loop, as `chotdon serve` runs its bot: the app
(webhook route, bot, outbox worker, card notifier) on a fresh SQLite file, the fake Bot API of
`tests/fakes/telegram.py` on loopback as Telegram, enforcing its flood limits with 429s.

1. Taps: `--staff` members each tap "create order" on cards of their own, one tap after the
   other (the next once the last one's card was edited), all at once. Measured per tap: from
   just before the update is POSTed to `/telegram/webhook` to the fake receiving the card's
   editMessageText (`Call.received`, the same monotonic clock): the server's whole path
   (queue, handler, transition, outbox, notifier, pacing), p50/p99. The limits are scaled by
   `--tap-minute-s` (a "minute" of that many seconds on both sides): at Telegram's real 20
   edits a minute, 50 staff tapping would measure the queue, not the server.
2. Storm: `--drafts` drafts made evenly over one "minute" of `--storm-minute-s` seconds (60:
   real time). Reported: counted messages in the busiest minute and on average, 429s (all, and
   after the first minute), the seconds from the storm's start until the last draft is
   reachable from the chat (has a card, or a digest button `card:<id>`), and the longest any
   draft waited.

    python -m bench.bot --staff 50 --taps 4 --tap-minute-s 0.05 --drafts 600 --storm-minute-s 60
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from sqlalchemy import func, select
from telegram.constants import ParseMode

from application.chat_cards import store_card
from application.chat_tables import TelegramCard
from bot.cards import card_text
from bot.keyboards import card_keyboard
from bot.lifecycle import BOT
from bot.webhook import SECRET_HEADER
from chotdon.app import create_app
from chotdon.migrate import upgrade
from chotdon.runtime import RUNTIME, Pace
from chotdon.settings import Settings
from kernel.outbox.jobs import OutboxJob
from orders.drafts import Buyer
from orders.staff import add_staff
from orders.views import OrderView
from tests.factories import BUYER, ITEMS, draft, seed_items
from tests.fakes.telegram import DEFAULT_TOKEN, FakeTelegram
from tests.storm import counted, most_in_any_window, reachable, too_many

GROUP = -1001234567890
SECRET = "bench-secret_1"
FIRST_STAFF = 5000
DEADLINE_S = 600.0


def pace(minute_s: float) -> Pace:
    return Pace(outbox_poll_s=0.05, outbox_backoff_base_s=0.05, telegram_minute_s=minute_s)


def buyer(n: int) -> Buyer:
    return replace(BUYER, name=f"Khách {n}", phone=f"09{n:08d}", facebook_id=f"fb-bench-{n}")


class Stack:
    """The fake Telegram and the app, each on a loopback port."""

    def __init__(self, directory: Path, name: str, minute_s: float) -> None:
        self.url = f"sqlite+aiosqlite:///{directory / name}.db"
        self.minute_s = minute_s
        self.fake = FakeTelegram(group_window_s=minute_s, overall_window_s=minute_s / 60)
        self.runners: list[web.AppRunner] = []

    async def _serve(self, app: web.Application) -> str:
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self.runners.append(runner)
        port = runner.addresses[0][1]
        return f"http://127.0.0.1:{port}"

    async def __aenter__(self) -> Stack:
        await asyncio.to_thread(upgrade, self.url)
        root = await self._serve(self.fake.app())
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            database_url=self.url,
            inbox_database_url=self.url,
            api_token="bench-token",
            language="en",
            telegram_bot_token=DEFAULT_TOKEN,
            telegram_api_url=root,
            telegram_staff_chat_id=GROUP,
            telegram_webhook_secret=SECRET,
            public_url="https://shop.example",
        )
        self.app = create_app(settings, run_inbox=False, pace=pace(self.minute_s))
        self.base = await self._serve(self.app)
        # Stock for every tap's order: creating an order reserves its lines.
        await seed_items(self.app[RUNTIME].sessions, [replace(ITEMS[0], stock=1_000_000)])
        await asyncio.wait_for(self.app[BOT].started.wait(), 30)
        self.http = aiohttp.ClientSession()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.http.close()
        for runner in reversed(self.runners):
            await runner.cleanup()
        self.fake.release()

    async def tap(self, user: int, message_id: int, data: str) -> str:
        """POSTs the tap as Telegram would; returns the callback query's id."""
        update = self.fake.callback_update(self.fake.user(user), GROUP, message_id, data)
        async with self.http.post(
            f"{self.base}/telegram/webhook", json=update, headers={SECRET_HEADER: SECRET}
        ) as answer:
            assert answer.status == 200, await answer.text()
        return update["callback_query"]["id"]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def taps(directory: Path, staff: int, per_staff: int, minute_s: float) -> dict[str, Any]:
    async with Stack(directory, "taps", minute_s) as stack:
        runtime = stack.app[RUNTIME]
        users = [FIRST_STAFF + n for n in range(staff)]
        async with runtime.sessions.begin() as session:
            for user in users:
                await add_staff(session, user, f"Staff {user}", "sales")
        # Setup, not measured: the notifier posts the cards (limits lifted); a draft it listed
        # in a digest instead gets its card posted here.
        stack.fake.group_limit, limit = 10**9, stack.fake.group_limit
        made = [await draft(runtime.orders, buyer=buyer(n)) for n in range(staff * per_staff)]
        await _settled(stack)
        cards: dict[int, list[tuple[int, str]]] = {user: [] for user in users}
        for n, order in enumerate(made):
            message_id = await _card_of(stack, order)
            [data] = [
                d
                for d in stack.fake.message(GROUP, message_id).callback_data
                if d.startswith("create_order:")
            ]
            cards[users[n % staff]].append((message_id, data))
        stack.fake.group_limit = limit
        latencies: list[float] = []
        refused: list[str] = []  # taps answered with an alert (nothing to time)

        async def member(user: int) -> None:
            for message_id, data in cards[user]:
                edited = len(stack.fake.calls)
                started = time.monotonic()
                query = await stack.tap(user, message_id, data)
                arrived = await _edit_of(stack.fake, message_id, edited, query)
                if arrived is None:
                    refused.append(stack.fake.callback_answers[query].get("text", ""))
                else:
                    latencies.append(arrived - started)

        started = time.monotonic()
        await asyncio.gather(*(member(user) for user in users))
        elapsed = time.monotonic() - started
    return {
        "taps": len(latencies),
        "p50": percentile(latencies, 0.50),
        "p99": percentile(latencies, 0.99),
        "max": max(latencies),
        "per_s": len(latencies) / elapsed,
        "429s": len(too_many(stack.fake)),
        "refused": len(refused),
        "reasons": sorted(set(refused)),
    }


async def _card_of(stack: Stack, order: OrderView) -> int:
    runtime = stack.app[RUNTIME]
    async with runtime.sessions() as session:
        message_id = await session.scalar(
            select(TelegramCard.message_id).where(TelegramCard.order_id == order.id)
        )
    if message_id is not None:
        return int(message_id)
    sent = await stack.app[BOT].application.bot.send_message(
        GROUP,
        card_text(order, language="en"),
        parse_mode=ParseMode.HTML,
        reply_markup=card_keyboard(order, language="en"),
    )
    await store_card(runtime.orders, order.id, GROUP, sent.message_id, order.version)
    return sent.message_id


async def _edit_of(fake: FakeTelegram, message_id: int, after: int, query: str) -> float | None:
    """When the card's edit arrived; None if the tap was refused with an alert."""
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        if (fake.callback_answers.get(query) or {}).get("show_alert"):
            return None
        for call in fake.calls[after:]:
            if (
                call.ok
                and call.method.lower() == "editmessagetext"
                and call.params.get("message_id") == message_id
            ):
                return call.received
        await asyncio.sleep(0.002)
    raise TimeoutError(f"card {message_id} was never edited")


async def _settled(stack: Stack) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        async with stack.app[RUNTIME].sessions() as session:
            left = await session.scalar(
                select(func.count()).where(OutboxJob.status.in_(("pending", "running")))
            )
        if not left:
            return
        await asyncio.sleep(0.05)
    raise TimeoutError("outbox jobs left undone")


async def storm(directory: Path, drafts: int, minute_s: float) -> dict[str, Any]:
    async with Stack(directory, "storm", minute_s) as stack:
        orders = stack.app[RUNTIME].orders
        created: dict[int, float] = {}
        limit = asyncio.Semaphore(8)
        start = time.monotonic()

        async def one(n: int) -> None:
            await asyncio.sleep(max(0.0, start + n * minute_s / drafts - time.monotonic()))
            async with limit:
                order = await draft(orders, buyer=buyer(n))
            created[order.id] = time.monotonic()

        await asyncio.gather(*(one(n) for n in range(drafts)))
        made = time.monotonic() - start
        deadline = time.monotonic() + DEADLINE_S
        while True:
            shown = reachable(stack.fake, GROUP)
            if set(created) <= set(shown) or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.05)
        missing = len(set(created) - set(shown))
        waits = [shown[i] - created[i] for i in created if i in shown]
        sends = counted(stack.fake, GROUP)
        span = max(c.at for c in sends) - min(c.at for c in sends)
        refused = too_many(stack.fake)
    return {
        "made_s": made,
        "messages": len(sends),
        "busiest_minute": most_in_any_window((c.at for c in sends), minute_s),
        "per_minute": len(sends) / max(1.0, span / minute_s),
        "429s": len(refused),
        "429s_after_first_minute": sum(1 for c in refused if c.received > start + minute_s),
        "last_reachable_s": max(shown[i] for i in created if i in shown) - start,
        "longest_wait_s": max(waits),
        "median_wait_s": statistics.median(waits),
        "missing": missing,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--staff", type=int, default=50)
    parser.add_argument("--taps", type=int, default=4, help="taps per staff member")
    parser.add_argument("--tap-minute-s", type=float, default=0.05)
    parser.add_argument("--drafts", type=int, default=600)
    parser.add_argument("--storm-minute-s", type=float, default=60.0)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="chotdon-bench-bot-") as folder:
        directory = Path(folder)
        tapped = asyncio.run(taps(directory, args.staff, args.taps, args.tap_minute_s))
        stormed = asyncio.run(storm(directory, args.drafts, args.storm_minute_s))
    scale = 60.0 / args.tap_minute_s
    print(
        f"\n1. taps: {args.staff} staff x {args.taps} taps, limits x{scale:g} "
        f"(a minute of {args.tap_minute_s:g} s: {18 * scale:g} edits/min for the notifier)"
    )
    print(
        f"{'taps':>6} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'taps/s':>8} {'429s':>6} "
        f"{'refused':>7}"
    )
    print(
        f"{tapped['taps']:>6} {tapped['p50'] * 1000:>8.1f} {tapped['p99'] * 1000:>8.1f} "
        f"{tapped['max'] * 1000:>8.1f} {tapped['per_s']:>8.1f} {tapped['429s']:>6} "
        f"{tapped['refused']:>7}"
    )
    if tapped["reasons"]:
        print("refused with:", "; ".join(tapped["reasons"]))
    unit = args.storm_minute_s
    print(
        f"\n2. storm: {args.drafts} drafts in a minute of {unit:g} s "
        f"(made in {stormed['made_s']:.1f} s); times in seconds of that clock"
    )
    print(
        f"{'msgs':>5} {'busiest min':>11} {'avg/min':>8} {'429s':>5} {'after 1st':>9} "
        f"{'last reachable':>14} {'longest wait':>12} {'median wait':>11} {'missing':>7}"
    )
    print(
        f"{stormed['messages']:>5} {stormed['busiest_minute']:>11} "
        f"{stormed['per_minute']:>8.1f} {stormed['429s']:>5} "
        f"{stormed['429s_after_first_minute']:>9} {stormed['last_reachable_s']:>14.1f} "
        f"{stormed['longest_wait_s']:>12.1f} {stormed['median_wait_s']:>11.1f} "
        f"{stormed['missing']:>7}"
    )


if __name__ == "__main__":
    main()
