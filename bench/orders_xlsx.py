"""The orders list as an Excel file: N orders (two lines each) read from the database and
written (`application.orders_xlsx.orders_workbook`, what `GET /api/orders.xlsx`, the pages'
`/orders.xlsx` and the bot's `/excel` run).

Reports the wall time, the process's CPU time (reads and writing: the writing runs in a worker
thread), the peak resident memory above the start, the file's size, and how late a ticker on
the event loop ran while the export went on (what a webhook answered meanwhile would wait).
The orders are written to the tables directly, not through the use cases, so seeding 20,000
takes seconds; seeding runs in a process of its own, so the peak memory is the export's.

    python -m bench.orders_xlsx --orders 20000
    python -m bench.orders_xlsx --backend postgres --url postgresql+asyncpg://postgres@127.0.0.1/test
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import resource
import tempfile
import time
from pathlib import Path

from sqlalchemy import text

from application.orders_xlsx import orders_workbook
from application.services import OrderService
from chotdon.migrate import upgrade
from chotdon.schema import metadata
from kernel.database import create_engine, session_factory
from orders.queries import OrderFilter
from orders.tables import Order, OrderLine

TICK_S = 0.01


async def _seed(url: str, count: int) -> None:
    engine = create_engine(url)
    try:
        if not url.startswith("sqlite"):
            names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
            async with engine.begin() as connection:
                await connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        for start in range(0, count, 1000):
            async with session_factory(engine).begin() as session:
                for n in range(start + 1, min(start + 1000, count) + 1):
                    order = Order(
                        code=f"DH{n:06d}",
                        status="waiting_for_shipping",
                        source="livestream",
                        video_id="1234567890123456",
                        buyer_name=f"Nguyễn Thị Khách {n}",
                        buyer_phone=f"09{n:08d}",
                        street=f"{n} Lý Thường Kiệt",
                        ward="Phường Cửa Nam",
                        province="Thành phố Hà Nội",
                        shipping_fee=30_000,
                        note="Gọi trước khi giao" if n % 3 else "",
                    )
                    order.lines = [
                        OrderLine(position=0, code="A1", sku="AO-001", name="Áo thun trắng",
                                  unit_price=150_000, quantity=1 + n % 3, variant="M"),
                        OrderLine(position=1, code="B3", sku="QUAN-002", name="Quần jean xanh",
                                  unit_price=320_000, quantity=1),
                    ]  # fmt: skip
                    session.add(order)
    finally:
        await engine.dispose()


def seed(url: str, count: int) -> None:
    asyncio.run(_seed(url, count))


async def run(url: str, count: int) -> dict[str, float]:
    engine = create_engine(url)
    service = OrderService(session_factory(engine))
    late: list[float] = []
    done = asyncio.Event()

    async def ticker() -> None:
        while not done.is_set():
            asked = time.perf_counter()
            await asyncio.sleep(TICK_S)
            late.append(time.perf_counter() - asked - TICK_S)

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    ticking = asyncio.create_task(ticker())
    cpu, wall = time.process_time(), time.perf_counter()
    book = await orders_workbook(service, OrderFilter(), "vi")
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    done.set()
    await ticking
    await engine.dispose()
    assert book.orders == count
    late.sort()
    return {
        "orders": book.orders,
        "lines": book.lines,
        "wall_s": wall,
        "cpu_s": cpu,
        "added_mb": (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024,
        "file_mb": len(book.data) / 1024 / 1024,
        "loop_late_p99_ms": late[int(len(late) * 0.99)] * 1000 if late else 0.0,
        "loop_late_max_ms": late[-1] * 1000 if late else 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--url", help="database URL (postgres); sqlite uses a fresh temp file")
    parser.add_argument("--orders", type=int, default=20_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.url or (
            f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
            if args.backend == "sqlite"
            else "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
        )
        upgrade(url)
        seeding = multiprocessing.get_context("spawn").Process(target=seed, args=(url, args.orders))
        seeding.start()
        seeding.join()
        r = asyncio.run(run(url, args.orders))
    print(
        f"{args.backend}: {r['orders']:.0f} orders, {r['lines']:.0f} lines: {r['wall_s']:.1f} s "
        f"({r['cpu_s']:.1f} s CPU), +{r['added_mb']:.0f} MB peak, file {r['file_mb']:.1f} MB; "
        f"event loop late p99 {r['loop_late_p99_ms']:.0f} ms, max {r['loop_late_max_ms']:.0f} ms"
    )


if __name__ == "__main__":
    main()
