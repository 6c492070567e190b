"""One PDF for many orders (`bills.pdf`, `shipping-notes.pdf`), for the API and the pages.

The ids come from a URL (`?ids=1,2,3`): they are read here, checked against the database in
one query before anything is drawn (an unknown id is refused with the list of them, at once,
rather than after minutes of drawing), drawn in the render worker a chunk at a time
(`Printer.many`), each order's pages coming back as a small PDF, and joined into one PDF in the
web process, which copies the compressed pages and draws nothing (`render.joining`, pypdf).
Copying is pure Python, about 1 ms a page (0.4-0.6 s for 300 bills), so it runs in a thread: the
event loop keeps acknowledging webhooks meanwhile instead of stalling for the whole join.
Printing changes nothing on the orders.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final, Literal

from application.print_jobs import DEFAULT_PAPER, Paper
from application.printing import Printer, PrintSetup
from application.services import OrderService
from orders.print_reads import existing_ids
from render.many import SHEETS, Sheet, join_bills, join_notes

MAX_ORDERS: Final = 500  # a long live's drafts; the PDF is then about 8 MB
MAX_INT32: Final = 2**31 - 1
SHOWN_VALUES: Final = 10  # bad values named in a refusal, at most
PAPER_NAMES: Final[dict[str, Paper]] = {"80": "80mm", "80mm": "80mm", "58": "58mm", "58mm": "58mm"}

Problem = Literal["no_ids", "not_ids", "too_many", "unknown_ids", "bad_paper", "bad_sheet"]


class BatchRefused(Exception):
    """Why the ids or options of a PDF of many are refused: `problem` says which rule, `values`
    the offending values (the unknown ids, the text that is not an id, the paper asked for)."""

    def __init__(self, problem: Problem, values: tuple[object, ...] = ()) -> None:
        super().__init__(problem, values)
        self.problem = problem
        self.values = values


@dataclass(frozen=True, slots=True)
class PrintedMany:
    body: bytes
    orders: int
    pages: int


def order_ids(values: Iterable[str]) -> tuple[int, ...]:
    """The ids of `?ids=1,2,3` (the parameter may also repeat), in the order given, repeats
    kept: a bill asked for twice prints twice. Spaces and empty pieces are ignored."""
    pieces = [piece.strip() for value in values for piece in value.split(",")]
    pieces = [piece for piece in pieces if piece]
    if not pieces:
        raise BatchRefused("no_ids")
    bad = [piece for piece in pieces if _row_id(piece) is None]
    if bad:
        raise BatchRefused("not_ids", tuple(piece[:20] for piece in bad[:SHOWN_VALUES]))
    if len(pieces) > MAX_ORDERS:
        raise BatchRefused("too_many", (len(pieces), MAX_ORDERS))
    return tuple(int(piece) for piece in pieces)


def _row_id(text: str) -> int | None:
    if not (text.isascii() and text.isdigit()) or len(text) > 10:
        return None
    number = int(text)
    return number if 1 <= number <= MAX_INT32 else None


def paper_of(value: str | None) -> Paper:
    """`80` or `58` (`80mm`, `58mm` as for one bill); none: 80 mm."""
    given = (value or "").strip().lower()
    if not given:
        return DEFAULT_PAPER
    if given not in PAPER_NAMES:
        raise BatchRefused("bad_paper", (given[:20],))
    return PAPER_NAMES[given]


def sheet_of(value: str | None) -> Sheet:
    """`a6` (one label a page, the default) or `a4` (four labels a sheet)."""
    given = (value or "").strip().lower()
    if not given:
        return "a6"
    for sheet in SHEETS:
        if given == sheet:
            return sheet
    raise BatchRefused("bad_sheet", (given[:20],))


async def check_ids(service: OrderService, ids: tuple[int, ...]) -> None:
    """Every id an order, or `BatchRefused("unknown_ids", those that are not)`."""
    async with service.reading() as session:
        found = await existing_ids(session, ids)
    unknown = tuple(dict.fromkeys(i for i in ids if i not in found))
    if unknown:
        raise BatchRefused("unknown_ids", unknown)


async def print_bills(
    service: OrderService, printer: Printer, setup: PrintSetup, ids: tuple[int, ...], paper: Paper
) -> PrintedMany:
    """Each order's bill starting on a page of its own, in the order of `ids`."""
    await check_ids(service, ids)
    drawn = await printer.many(setup.many(ids, "bill", paper))
    joined = await asyncio.to_thread(join_bills, drawn)
    return PrintedMany(joined.body, len(ids), joined.pages)


async def print_shipping_notes(
    service: OrderService, printer: Printer, setup: PrintSetup, ids: tuple[int, ...], sheet: Sheet
) -> PrintedMany:
    """Each order's label, an A6 page each or four to an A4 sheet, in the order of `ids`."""
    await check_ids(service, ids)
    drawn = await printer.many(setup.many(ids, "shipping-note"))
    joined = await asyncio.to_thread(join_notes, drawn, sheet)
    return PrintedMany(joined.body, len(ids), joined.pages)


Document = Literal["bills", "shipping-notes"]
# The query parameter that picks each document's form: the bill's paper, the labels' sheet.
OPTION: dict[Document, str] = {"bills": "paper", "shipping-notes": "sheet"}


async def print_asked(
    service: OrderService,
    printer: Printer,
    setup: PrintSetup,
    document: Document,
    typed_ids: Iterable[str],
    option: str | None,
) -> PrintedMany:
    """What a link asks for (`?ids=...&paper=` or `&sheet=`), read and printed: one path for
    the API and the pages, which differ only in how they answer a refusal."""
    ids = order_ids(typed_ids)
    if document == "bills":
        return await print_bills(service, printer, setup, ids, paper_of(option))
    return await print_shipping_notes(service, printer, setup, ids, sheet_of(option))


def many_filename(document: Document, count: int) -> str:
    return f"{document}-{count}.pdf"
