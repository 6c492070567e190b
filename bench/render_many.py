"""Many orders into one PDF against the same orders one by one, in the same run.

For each document (bills on 80 mm, shipping notes on A6 and four to an A4 sheet), the same N
orders (1 to 12 lines each, so bills take one or two pages) are drawn:
- one by one: `render_bill(..., fmt="pdf")` / `render_shipping_note(..., fmt="pdf")` per order,
  as `GET /api/orders/{id}/bill.pdf` does, N PDFs;
- at once: `render.many.bill_pdf` / `note_pdf` per order (what the render worker does, 20
  orders a job), then `join_bills` / `join_notes` (pypdf, what the web process does), one PDF,
  as `GET /api/orders/bills.pdf?ids=...` does. The join is also timed on its own.
With `--pillow-all`, a third way for bills: every page drawn first and saved by Pillow's own
multi-page save (`save_all`), which holds them all decoded: the memory the per-order PDFs avoid.

Each way runs in a fresh process (spawned, fonts loaded and caches warm before the clock
starts), so its peak resident memory (`getrusage` max RSS) above that warm start is its own.
No database or HTTP: the drawing and the PDF writing are what is measured. Rounds interleave
the ways, so a busy neighbour slows them alike; medians are reported.

    python -m bench.render_many --orders 300 --rounds 3
"""

from __future__ import annotations

import argparse
import io
import multiprocessing
import resource
import statistics
import time
from dataclasses import dataclass, replace
from typing import Literal

from pypdf import PdfReader

from bench.render import SHOP, sample_order
from render.bill import PDF_PAGE_HEIGHT_MM, bill_paper, build_bill, render_bill
from render.document import PrintOrder
from render.many import Sheet, bill_pdf, join_bills, join_notes, note_pdf
from render.output import mm_to_px, pdf_bytes
from render.shipping_note import render_shipping_note
from render.strings import labels

Document = Literal["bills", "a6", "a4"]
Way = Literal["one by one", "one PDF", "Pillow save_all"]


@dataclass(frozen=True)
class Result:
    seconds: float
    join_seconds: float  # the web process's share of "one PDF"
    pages: int
    megabytes: float
    files: int
    added_mb: float  # peak resident memory above the warm start


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
    return len(PdfReader(io.BytesIO(pdf)).pages)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def one_by_one(batch: list[PrintOrder], document: Document) -> list[bytes]:
    if document == "bills":
        return [render_bill(order, SHOP, fmt="pdf") for order in batch]
    return [render_shipping_note(order, SHOP, fmt="pdf") for order in batch]


def one_pdf(batch: list[PrintOrder], document: Document) -> tuple[bytes, float]:
    """The PDF and the seconds its join took."""
    if document == "bills":
        drawn = [bill_pdf(order, SHOP, language="vi", paper="80mm") for order in batch]
        started = time.perf_counter()
        body = join_bills(drawn).body
    else:
        sheet: Sheet = document
        drawn = [note_pdf(order, SHOP, language="vi") for order in batch]
        started = time.perf_counter()
        body = join_notes(drawn, sheet).body
    return body, time.perf_counter() - started


def pillow_save_all(batch: list[PrintOrder]) -> bytes:
    """Every bill page decoded at once, then one `save_all`: what `render.many` avoids."""
    spec = bill_paper("80mm")
    height = mm_to_px(PDF_PAGE_HEIGHT_MM)
    pages = [
        page
        for order in batch
        for page in build_bill(order, SHOP, labels("vi"), spec).pages(height, trim_last=True)
    ]
    return pdf_bytes(pages, paper_width_px=spec.paper_width_px)


def measure(way: Way, document: Document, count: int) -> Result:
    """Runs in a fresh process."""
    batch = orders(count)
    render_bill(batch[0], SHOP, fmt="pdf")  # fonts loaded, caches warm
    render_shipping_note(batch[0], SHOP, fmt="pdf")
    join_notes([note_pdf(batch[0], SHOP, language="vi")] * 4, "a4")  # pypdf imported and warm
    warm = peak_mb()
    started = time.perf_counter()
    join_s = 0.0
    if way == "one by one":
        pdfs = one_by_one(batch, document)
    elif way == "one PDF":
        body, join_s = one_pdf(batch, document)
        pdfs = [body]
    else:
        pdfs = [pillow_save_all(batch)]
    seconds = time.perf_counter() - started
    pages = sum(pages_of(pdf) for pdf in pdfs)
    size = sum(map(len, pdfs)) / 1e6
    return Result(seconds, join_s, pages, size, len(pdfs), peak_mb() - warm)


def compare(name: str, document: Document, ways: tuple[Way, ...], count: int, rounds: int) -> None:
    runs: dict[Way, list[Result]] = {way: [] for way in ways}
    context = multiprocessing.get_context("spawn")
    with context.Pool(1, maxtasksperchild=1) as pool:  # a fresh process for every run
        for _ in range(rounds):
            for way in ways:
                runs[way].append(pool.apply(measure, (way, document, count)))

    def median(way: Way, field: str) -> float:
        return statistics.median(getattr(result, field) for result in runs[way])

    for way in ways:
        first = runs[way][0]
        seconds = median(way, "seconds")
        join = f", join {median(way, 'join_seconds'):.2f} s" if way == "one PDF" else ""
        print(
            f"| {name} | {way} | {seconds:.1f} s{join} | {first.pages} pages, "
            f"{first.pages / seconds:.1f} pages/s | {first.megabytes:.1f} MB in {first.files} "
            f"file(s) | +{median(way, 'added_mb'):.0f} MB |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pillow-all", action="store_true", help="also bills by save_all")
    args = parser.parse_args()
    bill_ways: tuple[Way, ...] = ("one by one", "one PDF")
    if args.pillow_all:
        bill_ways += ("Pillow save_all",)
    print("| document | way | time (median) | pages | PDF | peak memory added |")
    print("|---|---|---|---|---|---|")
    both: tuple[Way, ...] = ("one by one", "one PDF")
    compare("bills 80 mm", "bills", bill_ways, args.orders, args.rounds)
    compare("shipping notes A6", "a6", both, args.orders, args.rounds)
    compare("shipping notes A4 (4 a sheet)", "a4", both, args.orders, args.rounds)


if __name__ == "__main__":
    main()
