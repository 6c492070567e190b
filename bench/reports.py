"""Reports over 100,000 orders: a live's report, the staff report and the shop's days.

Builds a database (a fresh SQLite file, or the PostgreSQL of `--url`, emptied first) holding
`--orders` orders over `--lives` lives and `--days` days, with `--staff` staff members: their
lines, their events (draft -> created -> shipped -> delivered / cancelled / returned, in a
realistic mix), a few comments per order and the COD ledger rows of delivered and collected
orders. Rows go in with Core bulk inserts (executemany), not through the order core: the bench
measures the reads, and a million rows through the core would take an hour.

Lives are of uneven size (the k-th has weight 1/k), so the biggest holds about a fifth of the
orders. Then, in the same run, each report is timed (best and p50 of `--runs`) next to floors
that read the same rows with nothing around them: `SELECT count(*) FROM orders WHERE
video_id = ?`, the live's revenue summed by one SQL text through the same engine, and (SQLite)
the same sum by a raw sqlite3 query; the ratios are to the last floor measured.

    python -m bench.reports                       # SQLite, 100,000 orders
    python -m bench.reports --url postgresql+asyncpg://postgres@127.0.0.1:5432/bench
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from application.reports import daily_report, live_report, staff_report
from application.services import OrderService
from chotdon.migrate import upgrade
from chotdon.schema import metadata
from kernel.database import create_engine, session_factory
from livestream.tables import Comment, LiveSession
from orders.tables import CodLedgerEntry, Order, OrderEvent, OrderLine, Staff

START = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)  # 19:00 in Vietnam: lives are evenings
CHUNK = 5_000
CODES = [f"{letter}{n}" for letter in "ABCDE" for n in range(1, 11)]
PRICES = {code: 50_000 + 10_000 * (i % 45) for i, code in enumerate(CODES)}
# (fate, weight): what became of the orders, roughly a shop's month.
FATES = [
    ("draft", 8),
    ("draft_cancelled", 5),
    ("waiting", 8),
    ("cancelled", 7),
    ("shipping", 10),
    ("wait_for_cod", 15),
    ("complete", 40),
    ("returned", 5),
    ("sent_to_shop", 2),
]


def _chunks(rows: Sequence[dict[str, Any]]) -> Iterator[Sequence[dict[str, Any]]]:
    for at in range(0, len(rows), CHUNK):
        yield rows[at : at + CHUNK]


def build_rows(orders: int, lives: int, days: int, staff: int, seed: int) -> dict[str, list[Any]]:
    """Every row of the bench's shop, as dicts for Core inserts, ids given."""
    rng = random.Random(seed)
    rows: dict[str, list[Any]] = {name: [] for name in ("staff", "lives", "orders", "lines")}
    rows |= {"events": [], "comments": [], "ledger": []}
    for n in range(1, staff + 1):
        rows["staff"].append(
            {"id": n, "telegram_id": 10_000 + n, "name": f"Nhân viên {n}", "role": "sales"}
        )
    starts = []
    for n in range(1, lives + 1):
        opened = START + timedelta(days=(n - 1) * days // lives)
        starts.append(opened)
        rows["lives"].append(
            {
                "id": n,
                "video_id": f"bench{n:04d}",
                "title": f"Live {n}",
                "ordering_open": False,
                "created_at": opened,
                "updated_at": opened,
            }
        )
    weights = [1 / k for k in range(1, lives + 1)]
    live_of = rng.choices(range(1, lives + 1), weights=weights, k=orders)
    fate_names = [name for name, _ in FATES]
    fate_of = rng.choices(fate_names, weights=[w for _, w in FATES], k=orders)
    event_id = line_id = comment_id = ledger_id = 0

    def event(order_id: int, at: datetime, action: str, before: str | None, after: str) -> None:
        nonlocal event_id
        event_id += 1
        person = action not in ("create", "complete", "failed", "return")
        rows["events"].append(
            {
                "id": event_id,
                "order_id": order_id,
                "at": at,
                "actor": "bench",
                "source": "staff" if person else "carrier",
                "action": action,
                "from_status": before,
                "to_status": after,
                "details": {},
                "staff_id": rng.randint(1, staff) if person else None,
            }
        )

    for n in range(1, orders + 1):
        live = live_of[n - 1]
        made = starts[live - 1] + timedelta(seconds=rng.randint(0, 7_200))
        buyer = f"fb{live}-{rng.randint(1, 3_000)}"
        total = 0
        for position in range(rng.randint(1, 3)):
            code = rng.choice(CODES)
            quantity = rng.randint(1, 3)
            waitlisted = rng.random() < 0.02 and fate_of[n - 1] == "draft"
            line_id += 1
            rows["lines"].append(
                {
                    "id": line_id,
                    "order_id": n,
                    "position": position,
                    "code": code,
                    "name": f"Hàng {code}",
                    "unit_price": PRICES[code],
                    "quantity": quantity,
                    "waitlisted": waitlisted,
                }
            )
            total += 0 if waitlisted else PRICES[code] * quantity
        fee = rng.choice((0, 20_000, 30_000))
        total += fee
        fate = fate_of[n - 1]
        status = {
            "draft_cancelled": "cancelled",
            "waiting": "waiting_for_shipping",
        }.get(fate, fate)
        rows["orders"].append(
            {
                "id": n,
                "code": f"DH{n:07d}",
                "status": status,
                "source": "livestream",
                "video_id": f"bench{live:04d}",
                "buyer_name": "Khách bench",
                "facebook_id": buyer,
                "shipping_fee": fee,
                "staff_id": rng.randint(1, staff) if rng.random() < 0.8 else None,
                "created_at": made,
                "updated_at": made,
            }
        )
        for k in range(rng.randint(2, 4)):
            comment_id += 1
            ordering = k == 0
            rows["comments"].append(
                {
                    "id": comment_id,
                    "comment_id": f"c{comment_id}",
                    "session_id": live,
                    "from_id": buyer,
                    "from_name": "Khách bench",
                    "message": "A1 2" if ordering else "đẹp quá",
                    "created_time": made - timedelta(seconds=rng.randint(0, 60) + 60 * k),
                    "intent": "order" if ordering else "none",
                    "order_id": n if ordering else None,
                }
            )
        event(n, made, "create", None, "draft")
        at = made + timedelta(minutes=rng.randint(5, 600))
        if fate == "draft":
            continue
        if fate == "draft_cancelled":
            event(n, at, "cancel", "draft", "cancelled")
            continue
        if fate == "sent_to_shop":
            event(n, at, "send_to_shop", "draft", "sent_to_shop")
            continue
        event(n, at, "create_order", "draft", "waiting_for_shipping")
        if fate == "waiting":
            continue
        if fate == "cancelled":
            event(n, at + timedelta(hours=3), "cancel", "waiting_for_shipping", "cancelled")
            continue
        at += timedelta(hours=rng.randint(6, 30))
        event(n, at, "ship", "waiting_for_shipping", "shipping")
        if fate == "shipping":
            continue
        at += timedelta(hours=rng.randint(20, 72))
        if fate == "returned":
            event(n, at, "failed", "shipping", "failed_to_ship")
            event(n, at + timedelta(days=2), "return", "failed_to_ship", "returned")
            continue
        event(n, at, "complete", "shipping", "wait_for_cod")
        ledger_id += 1
        rows["ledger"].append({"id": ledger_id, "shipper": "ghn", "order_id": n, "amount": total})
        rows["ledger"][-1]["at"] = at
        if fate == "complete":
            at += timedelta(days=rng.randint(3, 7))
            event(n, at, "collect_cod", "wait_for_cod", "complete")
            ledger_id += 1
            rows["ledger"].append(
                {"id": ledger_id, "shipper": "ghn", "order_id": n, "amount": -total, "at": at}
            )
    return rows


TABLES = [
    ("staff", Staff),
    ("lives", LiveSession),
    ("orders", Order),
    ("lines", OrderLine),
    ("events", OrderEvent),
    ("comments", Comment),
    ("ledger", CodLedgerEntry),
]


async def load(engine: AsyncEngine, rows: dict[str, list[Any]]) -> None:
    async with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
            await connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        for key, model in TABLES:
            for chunk in _chunks(rows[key]):
                await connection.execute(insert(model), list(chunk))
    # Statistics, as a database in use has them (PostgreSQL's autovacuum would gather them).
    async with engine.begin() as connection:
        await connection.execute(text("ANALYZE"))


async def timed(call: Callable[[], Awaitable[object]], runs: int) -> tuple[float, float]:
    """(best, p50) in milliseconds, after one warm-up call."""
    await call()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        await call()
        times.append((time.perf_counter() - started) * 1000)
    return min(times), statistics.median(times)


REVENUE_SQL = """
    SELECT coalesce(sum(
        (SELECT coalesce(sum(l.quantity * l.unit_price), 0) FROM order_lines l
         WHERE l.order_id = o.id AND NOT l.waitlisted) - o.discount + o.shipping_fee), 0)
    FROM orders o
    WHERE o.video_id = {video} AND o.status != 'cancelled' AND o.status != 'draft'
"""


def raw_revenue(path: str, video_id: str) -> int:
    """The live's revenue by hand, in one raw sqlite3 query: the floor of the live's report
    (by status alone, which is what the report's events come to for this bench's orders)."""
    with sqlite3.connect(path) as connection:
        query = REVENUE_SQL.format(video="?")
        (value,) = connection.execute(query, (video_id,)).fetchone()
    return int(value)


async def run(url: str, args: argparse.Namespace) -> list[tuple[str, float, float, str]]:
    began = time.perf_counter()
    rows = build_rows(args.orders, args.lives, args.days, args.staff, args.seed)
    built = time.perf_counter() - began
    engine = create_engine(url)
    try:
        began = time.perf_counter()
        await load(engine, rows)
        loaded = time.perf_counter() - began
        count = {key: len(value) for key, value in rows.items()}
        print(
            f"{engine.dialect.name}: {count['orders']:,} orders, {count['lines']:,} lines, "
            f"{count['events']:,} events, {count['comments']:,} comments, "
            f"{count['ledger']:,} ledger rows (built {built:.1f} s, loaded {loaded:.1f} s)"
        )
        sizes: dict[int, int] = {}
        for order in rows["orders"]:
            live = int(order["video_id"][5:])
            sizes[live] = sizes.get(live, 0) + 1
        biggest, size = max(sizes.items(), key=lambda item: item[1])
        video = f"bench{biggest:04d}"
        del rows
        service = OrderService(session_factory(engine))
        last = (START + timedelta(days=args.days, hours=7)).date()
        month = (last - timedelta(days=29), last)
        results: list[tuple[str, float, float, str]] = []

        async def count_floor() -> object:
            async with engine.connect() as connection:
                query = text("SELECT count(*) FROM orders WHERE video_id = :v")
                return (await connection.execute(query, {"v": video})).scalar_one()

        best, p50 = await timed(count_floor, args.runs)
        results.append(("floor: count(*) of the live's orders", best, p50, ""))
        floor = best

        async def revenue_text() -> int:
            async with engine.connect() as connection:
                query = text(REVENUE_SQL.format(video=":v"))
                return int((await connection.execute(query, {"v": video})).scalar_one())

        best, p50 = await timed(revenue_text, args.runs)
        results.append(("floor: the live's revenue, one SQL text", best, p50, ""))
        floor = best
        if engine.dialect.name == "sqlite":
            path = str(make_url(url).database)

            async def revenue_floor() -> object:
                return raw_revenue(path, video)

            best, p50 = await timed(revenue_floor, args.runs)
            results.append(("floor: raw sqlite3 revenue of the live", best, p50, ""))
            floor = best
        report = await live_report(service, video)
        raw = await revenue_text()
        same = "the same" if raw == report.revenue else f"NOT the same: {raw:,} by hand"
        print(f"the live's revenue: {report.revenue:,} VND by the report, {same}")
        cases: list[tuple[str, Callable[[], Awaitable[object]]]] = [
            (f"live_report ({size:,} orders, {report.comments:,} comments)", _live(service, video)),
            (f"staff_report {month[0]}..{month[1]}", _staff(service, *month)),
            (f"daily_report {month[0]}..{month[1]}", _daily(service, *month)),
        ]
        for name, call in cases:
            best, p50 = await timed(call, args.runs)
            results.append((name, best, p50, f"{best / floor:.1f}x"))
        return results
    finally:
        await engine.dispose()


def _live(service: OrderService, video: str) -> Callable[[], Awaitable[object]]:
    return lambda: live_report(service, video)


def _staff(service: OrderService, start: date, end: date) -> Callable[[], Awaitable[object]]:
    return lambda: staff_report(service, start, end)


def _daily(service: OrderService, start: date, end: date) -> Callable[[], Awaitable[object]]:
    return lambda: daily_report(service, start, end)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="PostgreSQL URL (emptied!); default: a fresh SQLite file")
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--lives", type=int, default=100)
    parser.add_argument("--staff", type=int, default=10)
    parser.add_argument("--days", type=int, default=90, help="days the lives are spread over")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=19)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.url or f"sqlite+aiosqlite:///{Path(folder) / 'reports.db'}"
        upgrade(url)
        results = asyncio.run(run(url, args))
    print(f"{'':<52} {'best ms':>9} {'p50 ms':>9} {'vs floor':>9}")
    for name, best, p50, ratio in results:
        print(f"{name:<52} {best:9.1f} {p50:9.1f} {ratio:>9}")


if __name__ == "__main__":
    main()
