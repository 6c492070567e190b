"""Many orders into one PDF against the same orders one by one, in the same run.

For each document (bills on 80 mm, shipping notes on A6 and four to an A4 sheet), the same N
orders (1 to 12 lines each, so bills take one or two pages) are drawn:
- one by one: `render_bill(..., fmt="pdf")` / `render_shipping_note(..., fmt="pdf")` per order,
  as `GET /api/orders/{id}/bill.pdf` does, N PDFs;
- at once: `render.many.render_bills` / `render_shipping_notes`, one PDF, as
  `GET /api/orders/bills.pdf?ids=...` does (the service draws it in chunks of 20 in the render
  worker, which adds no drawing).
In this process, no database or HTTP: the drawing and the PDF writing are what is measured.
Reported: seconds, pages per second, PDF bytes, and the peak resident memory each way added.

    python -m bench.render_many --orders 300 --rounds 3
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time
from collections.abc import Callable
from dataclasses import replace

from PIL import PdfParser

from bench.render import SHOP, sample_order
from render.bill import render_bill
from render.document import PrintOrder
from render.many import render_bills, render_shipping_notes
from render.shipping_note import render_shipping_note


def orders(count: int) -> list[PrintOrder]:
    base = sample_order()
    made = []
    for n in range(count):
        lines = base.lines[: 1 + n % 10] + base.lines[: max(0, n % 13 - 10)]
        subtotal = sum(line.amount for line in lines)
        made.append(
            replace(
                base,
                code=f"DH{n + 1:06d}",
                lines=lines,
                subtotal=subtotal,
                total=subtotal + 30_000,
                cod_amount=subtotal + 30_000,
                tracking_code=f"GHNLBK{n + 1:05d}",
                tracking_url=f"https://shop.example/t/bench-token-{n + 1:08d}",
            )
        )
    return made


def pages_of(pdf: bytes) -> int:
    return len(PdfParser.PdfParser(buf=pdf).pages)


def timed(run: Callable[[], list[bytes]]) -> tuple[float, list[bytes]]:
    started = time.perf_counter()
    pdfs = run()
    return time.perf_counter() - started, pdfs


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def compare(
    name: str,
    one: Callable[[PrintOrder], bytes],
    many: Callable[[], bytes],
    batch: list[PrintOrder],
    rounds: int,
) -> None:
    singles_s, many_s = [], []
    single_pdfs: list[bytes] = []
    many_pdf = b""
    for _ in range(rounds):  # interleaved, so a busy neighbour slows both alike
        seconds, single_pdfs = timed(lambda: [one(order) for order in batch])
        singles_s.append(seconds)
        seconds, [many_pdf] = timed(lambda: [many()])
        many_s.append(seconds)
    single_pages = sum(pages_of(pdf) for pdf in single_pdfs)
    many_pages = pages_of(many_pdf)
    one_s, all_s = statistics.median(singles_s), statistics.median(many_s)
    print(
        f"| {name} | {len(batch)} | one by one: {one_s:.1f} s, {single_pages} pages, "
        f"{single_pages / one_s:.1f} pages/s, {sum(map(len, single_pdfs)) / 1e6:.1f} MB "
        f"| one PDF: {all_s:.1f} s, {many_pages} pages, {many_pages / all_s:.1f} pages/s, "
        f"{len(many_pdf) / 1e6:.1f} MB | {one_s / all_s:.2f}x |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    batch = orders(args.orders)
    render_bill(batch[0], SHOP)  # fonts loaded, caches warm
    print("| document | orders | one by one | one PDF | speed-up |")
    print("|---|---|---|---|---|")
    compare(
        "bills 80 mm",
        lambda order: render_bill(order, SHOP, fmt="pdf"),
        lambda: render_bills(batch, SHOP),
        batch,
        args.rounds,
    )
    compare(
        "shipping notes A6",
        lambda order: render_shipping_note(order, SHOP, fmt="pdf"),
        lambda: render_shipping_notes(batch, SHOP, sheet="a6"),
        batch,
        args.rounds,
    )
    compare(
        "shipping notes A4 (4 a sheet)",
        lambda order: render_shipping_note(order, SHOP, fmt="pdf"),
        lambda: render_shipping_notes(batch, SHOP, sheet="a4"),
        batch,
        args.rounds,
    )
    print(f"peak resident memory of this process: {peak_mb():.0f} MB")


if __name__ == "__main__":
    main()
