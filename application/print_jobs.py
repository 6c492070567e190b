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
from orders.views import OrderView
from render.bill import render_bill
from render.document import DeliveryInstruction, Shop, from_snapshot
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


@dataclass(frozen=True)
class Printed:
    code: str  # the order's code, for the file name
    body: bytes


def print_order(request: PrintRequest) -> Printed:
    """Runs in the render worker. An unknown order raises `orders.errors.NotFound`, which
    reaches the web process as it is (its message is its only argument)."""
    view, weight_g = _reader(request.database_url).printable(request.order_id)
    order = from_snapshot(
        view, weight_g=weight_g, delivery_instruction=request.delivery_instruction
    )
    if request.document == "bill":
        body = render_bill(
            order, request.shop, language=request.language, paper=request.paper, fmt=request.fmt
        )
    else:
        body = render_shipping_note(order, request.shop, language=request.language, fmt=request.fmt)
    return Printed(order.code, body)


class _Reader:
    """An event loop and an order service of the worker's own, kept from job to job."""

    def __init__(self, url: str) -> None:
        self.loop = asyncio.new_event_loop()
        engine = create_engine(url, poolclass=NullPool)
        self.orders = OrderService(session_factory(engine))

    def printable(self, order_id: int) -> tuple[OrderView, int]:
        return self.loop.run_until_complete(self.orders.printable(order_id))


_readers = threading.local()  # a thread pool (measured against, never the default) has several


def _reader(url: str) -> _Reader:
    known: dict[str, _Reader] = _readers.__dict__.setdefault("by_url", {})
    if url not in known:
        known[url] = _Reader(url)
    return known[url]
