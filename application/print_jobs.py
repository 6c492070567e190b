"""A print request carried out wholly in the render worker: read the order, then draw it.

Reading an order's view is ORM work, about 6 ms of CPU (`GET /api/orders/{id}` answers in
8.6 ms where `/healthz` takes 1 ms). Done on the web process's event loop, every print held up
the webhook acknowledgements queued behind it for that long. In the worker, at the lowest CPU
priority, the web process only hands over a few arguments and gets the bytes back.

The worker reads through an engine of its own without a pool: each print opens and closes its
connection, so no connection thread outlives the job and keeps the worker from exiting when
the pool shuts down. Opening a SQLite file costs far less than drawing a bill.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass
from typing import Literal

from sqlalchemy.pool import NullPool

from application.services import OrderService
from kernel.database import create_engine, session_factory
from orders.errors import NotFound, Reason
from orders.print_reads import printable_rows
from orders.vietqr import BankAccount
from orders.views import OrderRow, OrderView
from render.bill import render_bill
from render.document import DeliveryInstruction, PrintOrder, Shop, from_snapshot
from render.many import bill_pdf, note_pdf
from render.shipping_note import render_shipping_note

Document = Literal["bill", "shipping-note"]
Paper = Literal["80mm", "58mm"]
Format = Literal["png", "pdf"]
DEFAULT_PAPER: Paper = "80mm"


@dataclass(frozen=True)
class PrintRequest:
    database_url: str
    order_id: int
    document: Document
    fmt: Format
    paper: Paper  # bills only
    language: str
    shop: Shop
    delivery_instruction: DeliveryInstruction
    public_url: str = ""  # `CHOTDON_PUBLIC_URL`: the bill's QR code opens the tracking page
    bank: BankAccount | None = None  # `CHOTDON_BANK_*`: a transfer's VietQR code on the bill


@dataclass(frozen=True)
class ManyRequest:
    """Part of a PDF of many orders: these orders' bills or shipping notes, in this order."""

    database_url: str
    order_ids: tuple[int, ...]
    document: Document
    paper: Paper  # bills only
    language: str
    shop: Shop
    delivery_instruction: DeliveryInstruction
    public_url: str
    bank: BankAccount | None = None


@dataclass(frozen=True)
class Printed:
    code: str  # the order's code, for the file name
    body: bytes


def print_order(request: PrintRequest) -> Printed:
    """Runs in the render worker. An unknown order raises `orders.errors.NotFound`, which
    reaches the web process as it is (its message is its only argument)."""
    view, weight_g = _reader(request.database_url).printable(request.order_id)
    order = from_snapshot(
        view,
        weight_g=weight_g,
        delivery_instruction=request.delivery_instruction,
        public_url=request.public_url,
        bank=request.bank,
    )
    if request.document == "bill":
        body = render_bill(
            order, request.shop, language=request.language, paper=request.paper, fmt=request.fmt
        )
    else:
        body = render_shipping_note(order, request.shop, language=request.language, fmt=request.fmt)
    return Printed(order.code, body)


def print_many(request: ManyRequest) -> list[bytes]:
    """Runs in the render worker: for each order of the request, in its order, a small PDF of
    the bill's pages or of the one label (`render.many`); the web process joins them. An order
    gone since the request was checked raises `NotFound`."""
    rows = _reader(request.database_url).printable_rows(request.order_ids)
    drawn: list[bytes] = []
    for order_id in request.order_ids:
        if order_id not in rows:
            raise NotFound(Reason.NO_ORDER, order=order_id)
        order = _printed(request, *rows[order_id])
        if request.document == "bill":
            drawn.append(
                bill_pdf(order, request.shop, language=request.language, paper=request.paper)
            )
        else:
            drawn.append(note_pdf(order, request.shop, language=request.language))
    return drawn


def _printed(request: ManyRequest, row: OrderRow, weight_g: int) -> PrintOrder:
    return from_snapshot(
        row,
        weight_g=weight_g,
        delivery_instruction=request.delivery_instruction,
        public_url=request.public_url,
        bank=request.bank,
    )


class _Reader:
    """An event loop and an order service of the worker's own, kept from job to job."""

    def __init__(self, url: str) -> None:
        self.loop = asyncio.new_event_loop()
        engine = create_engine(url, poolclass=NullPool)
        self.orders = OrderService(session_factory(engine))

    def printable(self, order_id: int) -> tuple[OrderView, int]:
        return self.loop.run_until_complete(self.orders.printable(order_id))

    def printable_rows(self, ids: tuple[int, ...]) -> dict[int, tuple[OrderRow, int]]:
        return self.loop.run_until_complete(self._rows(ids))

    async def _rows(self, ids: tuple[int, ...]) -> dict[int, tuple[OrderRow, int]]:
        async with self.orders.reading() as session:
            return await printable_rows(session, ids)


_readers = threading.local()  # a thread pool (measured against, never the default) has several


def _reader(url: str) -> _Reader:
    known: dict[str, _Reader] = _readers.__dict__.setdefault("by_url", {})
    if url not in known:
        known[url] = _Reader(url)
    return known[url]
