"""Bills and shipping notes: how long one takes to draw, and what drawing them costs the webhooks.

1. In this process: median and p95 time per bill (10 lines, 80 mm PNG) and per shipping note
   (PNG), and in the same run the time Pillow alone takes to draw the same text lines with the
   same font sizes on a blank image of the same size (Be Vietnam Pro Regular, `ImageDraw.text`
   line by line). The ratio of the two is what the renderer's own work costs (target <= 1.5x).
2. Over HTTP, `chotdon serve` on SQLite started as `bench.ingest_http` starts it: webhook
   acknowledgement p50/p99 for one-comment signed webhooks from 64 connections, once alone and
   once while 20 clients keep requesting a bill from the API (each asks again as soon as it
   has its answer). Each run gets a fresh server and database; the pairs of runs are repeated
   and the medians reported, since a single run's p99 moves by half from one run to the next.

    python -m bench.render --renders 40 --requests 8000 --connections 64 --bills 20 --rounds 3
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import fontpkg_be_vietnam_pro
from PIL import Image, ImageDraw, ImageFont

from bench.ingest_http import (
    URL_PATH,
    Load,
    Server,
    blast,
    bodies,
    free_port,
    fresh_database,
    service_env,
    start,
)
from kernel.database import create_engine, session_factory
from orders.catalog import ItemRow, import_items
from render.bill import render_bill
from render.document import PrintLine, PrintOrder, Shop
from render.shipping_note import render_shipping_note

FONT = fontpkg_be_vietnam_pro.ROOT / "files" / "BeVietnamPro-Regular.ttf"
TOKEN = "bench-token"
SHOP = Shop("Shop Hoa Mai", "0281234567", "45 Đường Láng, Phường Láng Thượng, Đống Đa, Hà Nội")
PRODUCTS = [
    ("Áo thun cổ tròn trắng", 150_000, 200, "Size M"),
    ("Quần jean ống đứng xanh", 320_000, 500, "Size 29"),
    ("Mũ lưỡi trai thêu chữ", 90_000, 100, ""),
    ("Váy hoa nhí dáng dài", 280_000, 300, "Màu đỏ"),
    ("Áo khoác dù hai lớp", 350_000, 600, "Size L"),
    ("Dép quai hậu nữ", 120_000, 400, "Size 37"),
    ("Túi xách da mềm", 450_000, 700, "Màu be"),
    ("Khăn lụa tơ tằm", 210_000, 80, ""),
    ("Thắt lưng da bò", 190_000, 250, "Dài 110 cm"),
    ("Tất cổ ngắn (5 đôi)", 60_000, 150, "Màu hỗn hợp"),
]
CUSTOMER = {
    "name": "Nguyễn Thị Hằng",
    "phone": "0912345678",
    "address": "12 Lý Thường Kiệt",
    "ward": "Phường Cửa Nam",
    "district": "Quận Hoàn Kiếm",
    "province": "Thành phố Hà Nội",
}
START_DEADLINE_S = 120.0


# 1. Drawing, in this process


def sample_order() -> PrintOrder:
    lines = tuple(
        PrintLine(name, 1 + n % 3, price, variant, f"B{n + 1}")
        for n, (name, price, _, variant) in enumerate(PRODUCTS)
    )
    subtotal = sum(line.amount for line in lines)
    return PrintOrder(
        code="DH000123",
        created_at=datetime(2025, 11, 20, 12, 30, tzinfo=UTC),
        buyer_name=CUSTOMER["name"],
        buyer_phone=CUSTOMER["phone"],
        address=", ".join(CUSTOMER[k] for k in ("address", "ward", "district", "province")),
        lines=lines,
        subtotal=subtotal,
        shipping_fee=30_000,
        total=subtotal + 30_000,
        cod_amount=subtotal + 30_000,
        note="Giao giờ hành chính, gọi trước khi giao",
        staff="Lan",
        shipper_kind="ghn",
        tracking_code="GHNLBK3F9QX",
        weight_g=sum(weight * (1 + n % 3) for n, (_, _, weight, _) in enumerate(PRODUCTS)),
    )


@dataclass(frozen=True)
class TextCall:
    xy: tuple[float, float]
    text: str
    size: int
    anchor: str | None


@contextmanager
def recording_text() -> Iterator[list[TextCall]]:
    """Every `ImageDraw.text` call made inside the block, passed on unchanged: the strings and
    sizes the renderer really drew, so the baseline draws exactly those and nothing else."""
    calls: list[TextCall] = []
    original = ImageDraw.ImageDraw.text

    def text(self: ImageDraw.ImageDraw, xy: Any, text: Any, *args: Any, **kwargs: Any) -> Any:
        font = kwargs.get("font")
        size = int(getattr(font, "size", 10))
        calls.append(TextCall(tuple(xy), str(text), size, kwargs.get("anchor")))
        return original(self, xy, text, *args, **kwargs)

    ImageDraw.ImageDraw.text = text  # type: ignore[method-assign]
    try:
        yield calls
    finally:
        ImageDraw.ImageDraw.text = original  # type: ignore[method-assign]


def pillow_alone(size: tuple[int, int], calls: list[TextCall]) -> Callable[[], Image.Image]:
    """The baseline: a blank image of the document's size and the same lines drawn on it."""
    fonts = {call.size: ImageFont.truetype(str(FONT), call.size) for call in calls}

    def draw() -> Image.Image:
        canvas = Image.new("L", size, 255)
        pen = ImageDraw.Draw(canvas)
        for call in calls:
            pen.text(call.xy, call.text, font=fonts[call.size], fill=0, anchor=call.anchor)
        return canvas

    return draw


def paired_timings(
    work: Callable[[], object], baseline: Callable[[], object], rounds: int
) -> tuple[dict[str, float], dict[str, float]]:
    """Both timed in turns, one of each per round: a burst of load from elsewhere on the
    machine then slows both alike instead of skewing their ratio."""
    samples: tuple[list[float], list[float]] = ([], [])
    for _ in range(rounds):
        for task, into in ((work, samples[0]), (baseline, samples[1])):
            started = time.perf_counter()
            task()
            into.append(time.perf_counter() - started)
    return summary(samples[0]), summary(samples[1])


def summary(samples: list[float]) -> dict[str, float]:
    p95 = statistics.quantiles(samples, n=20, method="inclusive")[18]
    median = statistics.median(samples)
    return {"median_ms": round(median * 1000, 1), "p95_ms": round(p95 * 1000, 1)}


def drawing(name: str, render: Callable[[], bytes], rounds: int) -> dict[str, Any]:
    with recording_text() as calls:
        first = render()  # also warms the font cache, as a running service has it warm
    size = Image.open(io.BytesIO(first)).size
    document, baseline = paired_timings(render, pillow_alone(size, calls), rounds)
    return {
        "document": name,
        "size_px": list(size),
        "text_lines": len(calls),
        "render": document,
        "pillow_text_alone": baseline,
        "ratio": round(document["median_ms"] / baseline["median_ms"], 2),
    }


def drawing_report(rounds: int) -> list[dict[str, Any]]:
    order = sample_order()
    return [
        drawing("bill_80mm_10_lines", lambda: render_bill(order, SHOP, paper="80mm"), rounds),
        drawing("shipping_note", lambda: render_shipping_note(order, SHOP), rounds),
    ]


# 2. Webhooks while bills print, over HTTP


async def seed_products(url: str) -> None:
    rows = [
        ItemRow(f"BENCH-{n:02d}", name, price, 10**9, weight, f"B{n + 1}")
        for n, (name, price, weight, _) in enumerate(PRODUCTS)
    ]
    engine = create_engine(url)
    try:
        async with session_factory(engine).begin() as session:
            await import_items(session, rows)
    finally:
        await engine.dispose()


def serve(directory: Path, name: str) -> Server:
    """`chotdon serve` on a fresh SQLite database with the bench catalog."""
    _, url = fresh_database(directory, name)
    asyncio.run(seed_products(url))
    port = free_port()
    return start(
        [sys.executable, "-m", "chotdon", "serve", "--port", str(port)],
        port,
        directory / f"{name}.log",
        ready="inbox processor",  # logged once the worker process is up
        **service_env(url),
        CHOTDON_API_TOKEN=TOKEN,
        CHOTDON_SHOP_NAME=SHOP.name,
        CHOTDON_SHOP_PHONE=SHOP.phone,
        CHOTDON_SHOP_ADDRESS=SHOP.address,
    )


async def create_order(base: str) -> int:
    """A manual order of 10 lines, as a shop would take one by phone."""
    lines = [
        {"sku": f"BENCH-{n:02d}", "quantity": 1 + n % 3, "variant": variant}
        for n, (_, _, _, variant) in enumerate(PRODUCTS)
    ]
    body = {"customer": CUSTOMER, "lines": lines, "shipping_fee": 30_000}
    headers = {"Authorization": f"Bearer {TOKEN}"}
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{base}/api/orders", json=body, headers=headers) as answer,
    ):
        order = await answer.json()
        if answer.status != 201:
            raise SystemExit(f"could not create the bench order: {order}")
        return int(order["id"])


@dataclass
class Bills:
    latencies: list[float] = field(default_factory=list)
    failed: int = 0
    first: asyncio.Event = field(default_factory=asyncio.Event)

    def report(self, seconds: float) -> dict[str, float]:
        quantiles = statistics.quantiles(self.latencies, n=100, method="inclusive")
        return {
            "printed": len(self.latencies),
            "per_s": round(len(self.latencies) / seconds, 1),
            "p50_ms": round(quantiles[49] * 1000, 1),
            "p99_ms": round(quantiles[98] * 1000, 1),
            "failed": self.failed,
        }


async def keep_printing(url: str, clients: int, bills: Bills, stop: asyncio.Event) -> None:
    """`clients` at once, each asking for the bill again as soon as it has the last one."""
    headers = {"Authorization": f"Bearer {TOKEN}"}
    connector = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(connector=connector) as http:

        async def client() -> None:
            while not stop.is_set():
                sent = time.perf_counter()
                async with http.get(url, headers=headers) as answer:
                    body = await answer.read()
                ok = answer.status == 200 and body.startswith(b"\x89PNG")
                bills.failed += not ok
                bills.latencies.append(time.perf_counter() - sent)
                bills.first.set()

        await asyncio.gather(*(client() for _ in range(clients)))


async def webhooks_while_printing(
    server: Server, payloads: list[bytes], connections: int, clients: int
) -> tuple[Load, dict[str, float]]:
    order_id = await create_order(server.url)
    bills, stop = Bills(), asyncio.Event()
    url = f"{server.url}/api/orders/{order_id}/bill.png"
    printing = asyncio.create_task(keep_printing(url, clients, bills, stop))
    async with asyncio.timeout(START_DEADLINE_S):
        await bills.first.wait()  # the render pool is up and bills are coming out
    started = time.perf_counter()
    load = await blast(server.url + URL_PATH, payloads, connections)
    seconds = time.perf_counter() - started
    stop.set()
    await printing
    return load, bills.report(seconds)


def webhook_run(
    directory: Path, name: str, payloads: list[bytes], connections: int, bill_clients: int
) -> dict[str, Any]:
    """One fresh server: warmed up, then the webhooks, with `bill_clients` printing (or none)."""
    server = serve(directory, name)
    try:
        asyncio.run(blast(server.url + URL_PATH, [b"warm-up"] * 50, 8))
        if not bill_clients:
            load = asyncio.run(blast(server.url + URL_PATH, payloads, connections))
            return {"webhooks": load.report(1)}
        load, bills = asyncio.run(
            webhooks_while_printing(server, payloads, connections, bill_clients)
        )
        return {"webhooks": load.report(1), "bills": bills}
    finally:
        server.stop()


def _median_of(runs: list[dict[str, Any]], key: str) -> dict[str, float]:
    """Per figure, the median over the rounds: one run's p99 moves by half from run to run."""
    figures = runs[0][key].keys()
    return {name: statistics.median(run[key][name] for run in runs) for name in figures}


def http_report(requests: int, connections: int, bill_clients: int, rounds: int) -> dict[str, Any]:
    """`rounds` pairs of runs, alone then printing, so slow spells of the machine hit both."""
    payloads = bodies(requests, 1)
    alone, printing = [], []
    with tempfile.TemporaryDirectory() as name:
        directory = Path(name)
        for n in range(rounds):
            alone.append(webhook_run(directory, f"alone-{n}", payloads, connections, 0))
            printing.append(
                webhook_run(directory, f"printing-{n}", payloads, connections, bill_clients)
            )
    quiet, busy = _median_of(alone, "webhooks"), _median_of(printing, "webhooks")
    return {
        "requests": requests,
        "connections": connections,
        "concurrent_bill_requests": bill_clients,
        "rounds": rounds,
        "alone": quiet,
        "while_printing": busy,
        "bills_during_webhooks": _median_of(printing, "bills"),
        "p99_ratio": round(busy["p99_ms"] / quiet["p99_ms"], 2),
        "p99_ms_each_round": [
            [run["webhooks"]["p99_ms"], other["webhooks"]["p99_ms"]]
            for run, other in zip(alone, printing, strict=True)
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=40, help="timed renders of each kind")
    parser.add_argument("--requests", type=int, default=8000, help="one comment each")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--bills", type=int, default=20, help="bill requests kept in flight")
    parser.add_argument("--rounds", type=int, default=3, help="pairs of webhook runs")
    args = parser.parse_args()
    for result in drawing_report(args.renders):
        print(json.dumps(result, ensure_ascii=False), flush=True)
    if args.requests:
        report = http_report(args.requests, args.connections, args.bills, args.rounds)
        print(json.dumps(report), flush=True)


if __name__ == "__main__":
    main()
