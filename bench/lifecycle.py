"""Order lifecycle throughput: N orders walked create -> ship -> complete -> collect COD.

Each order is one task's work: create a draft, then create_order, ship (individual shipper),
complete (to wait_for_cod) and collect_cod, each its own transaction through the same
`OrderService` the API uses. Every order has its own buyer and all buy the same item, as in a
live sale, so the item's stock row is the one row every transaction contends for.
Reports transitions per second and p50/p99 latency per step.

    python -m bench.lifecycle --backend sqlite --orders 10000 --concurrency 32
    python -m bench.lifecycle --backend postgres --url postgresql+asyncpg://postgres@127.0.0.1/test
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

from sqlalchemy import text

from application.services import OrderService
from chotdon.migrate import upgrade
from chotdon.schema import metadata
from kernel.database import create_engine, session_factory
from orders.actors import Actor, Source
from orders.catalog import ItemRow, import_items
from orders.changes import LineInput
from orders.drafts import Buyer, NewOrder
from orders.transitions import ShipWith

STAFF = Actor(Source.STAFF, "bench")
BUYER = Buyer("Trần Văn Bình", "0912345678", "5 Hàng Bông", "Phường Hoàn Kiếm", "", "Hà Nội")
SHIPPER = ShipWith("individual", "Anh Tuấn", "0987654321")
STEPS = ("create_order", "ship", "complete", "collect_cod")


async def _prepare(url: str) -> None:
    engine = create_engine(url)
    try:
        if not url.startswith("sqlite"):
            names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
            async with engine.begin() as connection:
                await connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        async with session_factory(engine).begin() as session:
            await import_items(session, [ItemRow("BENCH-1", "Áo bench", 150_000, 10**9, 200, "A1")])
    finally:
        await engine.dispose()


def _pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] * 1000


async def run(url: str, orders: int, concurrency: int) -> dict[str, object]:
    await _prepare(url)
    engine = create_engine(url)
    service = OrderService(session_factory(engine))
    timings: dict[str, list[float]] = defaultdict(list)
    queue: asyncio.Queue[int] = asyncio.Queue()
    for n in range(orders):
        queue.put_nowait(n)

    async def walk() -> None:
        while not queue.empty():
            n = queue.get_nowait()
            buyer = replace(BUYER, phone=f"09{n:08d}", facebook_id=f"fb{n}")  # one each, as live
            started = time.perf_counter()
            order = await service.create_draft(
                NewOrder(buyer=buyer, lines=[LineInput(quantity=1, code="A1")]), STAFF
            )
            timings["create_draft"].append(time.perf_counter() - started)
            for step in STEPS:
                started = time.perf_counter()
                order = await service.act(
                    order.id, step, actor=STAFF, version=order.version,
                    ship_with=SHIPPER if step == "ship" else None,
                )  # fmt: skip
                timings[step].append(time.perf_counter() - started)

    began = time.perf_counter()
    await asyncio.gather(*(walk() for _ in range(concurrency)))
    elapsed = time.perf_counter() - began
    await engine.dispose()
    every = [t for values in timings.values() for t in values]
    return {
        "orders": orders,
        "concurrency": concurrency,
        "seconds": elapsed,
        "transitions_per_s": orders * len(STEPS) / elapsed,
        "operations_per_s": len(every) / elapsed,
        "p50_ms": _pct(every, 50),
        "p99_ms": _pct(every, 99),
        "per_step": {k: (_pct(v, 50), _pct(v, 99)) for k, v in timings.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--url", help="database URL (postgres); sqlite uses a fresh temp file")
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.url or (
            f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
            if args.backend == "sqlite"
            else "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
        )
        upgrade(url)
        result = asyncio.run(run(url, args.orders, args.concurrency))
    print(
        f"{args.backend}: {result['orders']} orders, {result['concurrency']} tasks, "
        f"{result['seconds']:.1f} s; {result['transitions_per_s']:.0f} transitions/s "
        f"({result['operations_per_s']:.0f} operations/s incl. draft creation); "
        f"p50 {result['p50_ms']:.1f} ms, p99 {result['p99_ms']:.1f} ms"
    )
    for step, (p50, p99) in result["per_step"].items():  # type: ignore[union-attr]
        print(f"  {step:<13} p50 {p50:6.1f} ms   p99 {p99:6.1f} ms")


if __name__ == "__main__":
    main()
