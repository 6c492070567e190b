"""Bills and shipping notes through real HTTP, on SQLite and PostgreSQL: the bytes a printer or
a browser gets, opened the way they would open them."""

from __future__ import annotations

import asyncio
import gc
import io
import json
import logging
import multiprocessing
import os
import signal
import time
from dataclasses import dataclass

import pytest
import zxingcpp
from aiohttp.test_utils import TestClient
from PIL import Image
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from application.print_jobs import PrintRequest
from application.printing import open_printer
from application.services import OrderService
from chotdon.app import create_app
from orders.changes import LineInput
from orders.drafts import NewOrder
from orders.tables import OrderLine
from orders.views import OrderView
from render.document import Shop
from tests.conftest import API_TOKEN, make_settings
from tests.factories import BUYER, STAFF, order_in, seed_items

AUTH = {"Authorization": f"Bearer {API_TOKEN}"}
SHOP = {
    "shop_name": "Shop Hoa Mai",
    "shop_phone": "0281234567",
    "shop_address": "45 Đường Láng, Đống Đa, Hà Nội",
}
DEADLINE_S = 120  # the most a slow CI machine could need; a hang fails here, never sleeps


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def image(self) -> Image.Image:
        return Image.open(io.BytesIO(self.body))


@dataclass
class Printing:
    client: TestClient
    service: OrderService

    async def get(self, path: str, headers: dict[str, str] | None = None) -> Answer:
        async with self.client.get(path, headers=AUTH if headers is None else headers) as answer:
            return Answer(answer.status, dict(answer.headers), await answer.read())

    async def order(self, status: str = "waiting_for_shipping") -> OrderView:
        return await order_in(self.service, status)


@pytest.fixture
async def printing(
    aiohttp_client, db_url: str, sessions: async_sessionmaker[AsyncSession], service: OrderService
) -> Printing:
    await seed_items(sessions)
    app = create_app(make_settings(db_url, **SHOP), run_worker=False)
    return Printing(await aiohttp_client(app), service)


# --- each route, opened as a printer would ----------------------------------------------------


@pytest.mark.parametrize(
    ("document", "size"),
    [
        ("bill.png", (576, None)),
        ("bill.png?paper=58mm", (384, None)),
        ("shipping-note.png", (800, 1200)),
    ],
    ids=["bill 80mm", "bill 58mm", "shipping note"],
)
async def test_png_routes_answer_an_image_of_the_paper_size(
    printing: Printing, document: str, size: tuple[int, int | None]
) -> None:
    order = await printing.order()
    answer = await printing.get(f"/api/orders/{order.id}/{document}")
    assert answer.status == 200, answer.body[:200]
    assert answer.headers["Content-Type"] == "image/png"
    image = answer.image()
    assert image.format == "PNG"
    width, height = size
    assert image.width == width
    assert height is None or image.height == height
    name = document.split("?")[0]
    assert answer.headers["Content-Disposition"] == f'inline; filename="{order.code}-{name}"'


@pytest.mark.parametrize("document", ["bill.pdf", "bill.pdf?paper=58mm", "shipping-note.pdf"])
async def test_pdf_routes_answer_a_pdf(printing: Printing, document: str) -> None:
    order = await printing.order()
    answer = await printing.get(f"/api/orders/{order.id}/{document}")
    assert answer.status == 200, answer.body[:200]
    assert answer.headers["Content-Type"] == "application/pdf"
    assert answer.body.startswith(b"%PDF")
    name = document.split("?")[0]
    assert answer.headers["Content-Disposition"] == f'inline; filename="{order.code}-{name}"'


async def test_the_bill_barcode_reads_back_as_the_order_code(printing: Printing) -> None:
    order = await printing.order()
    answer = await printing.get(f"/api/orders/{order.id}/bill.png")
    texts = {found.text for found in zxingcpp.read_barcodes(answer.image())}
    assert order.code in texts


async def test_shipping_note_of_an_order_with_an_individual_shipper(printing: Printing) -> None:
    order = await printing.order("shipping")
    assert order.shipper.kind == "individual"
    for fmt in ("png", "pdf"):
        answer = await printing.get(f"/api/orders/{order.id}/shipping-note.{fmt}")
        assert answer.status == 200, answer.body[:200]
    note = (await printing.get(f"/api/orders/{order.id}/shipping-note.png")).image()
    assert note.size == (800, 1200)
    barcode = order.shipper.tracking_code or order.code  # no tracking code by hand
    assert barcode in {found.text for found in zxingcpp.read_barcodes(note)}


async def test_a_draft_with_a_line_nobody_knows_still_prints(printing: Printing) -> None:
    """A comment's unknown code stays on the draft without an item; staff print it anyway."""
    order = await printing.service.create_draft(
        NewOrder(
            buyer=BUYER,
            lines=[LineInput(quantity=1, code="Z9"), LineInput(quantity=2, code="A1")],
            source="livestream",
            video_id="v-1",
        ),
        STAFF,
    )
    assert order.lines[0].sku is None
    for document in ("bill.png", "bill.pdf", "shipping-note.png", "shipping-note.pdf"):
        answer = await printing.get(f"/api/orders/{order.id}/{document}")
        assert answer.status == 200, (document, answer.body[:200])


async def test_printing_changes_nothing(printing: Printing) -> None:
    order = await printing.order()
    for document in ("bill.png", "shipping-note.pdf"):
        assert (await printing.get(f"/api/orders/{order.id}/{document}")).status == 200
    after = await printing.service.detail(order.id)
    assert after.version == order.version
    assert after.events == order.events


# --- refusals ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer wrong-token"}], ids=["no token", "wrong token"]
)
async def test_refused_without_the_token(printing: Printing, headers: dict[str, str]) -> None:
    order = await printing.order()
    for document in ("bill.png", "bill.pdf", "shipping-note.png", "shipping-note.pdf"):
        answer = await printing.get(f"/api/orders/{order.id}/{document}", headers=headers)
        assert answer.status == 401
        assert b'"unauthorized"' in answer.body


@pytest.mark.parametrize("order_id", ["999999", "0", "abc", "99999999999"])
async def test_an_unknown_order_is_a_404(printing: Printing, order_id: str) -> None:
    for document in ("bill.png", "shipping-note.pdf"):
        answer = await printing.get(f"/api/orders/{order_id}/{document}")
        assert answer.status == 404
        assert answer.headers["Content-Type"].startswith("application/json")
        assert b'"not_found"' in answer.body


@pytest.mark.parametrize(
    ("document", "words"),
    [
        ("bill.png?paper=A4", ["A4", "80mm", "58mm"]),
        ("bill.pdf?paper=57mm", ["57mm"]),
        ("shipping-note.png?paper=58mm", ["bills"]),
    ],
)
async def test_a_paper_we_do_not_print_on_is_a_422(
    printing: Printing, document: str, words: list[str]
) -> None:
    order = await printing.order()
    answer = await printing.get(f"/api/orders/{order.id}/{document}")
    assert answer.status == 422
    body = json.loads(answer.body)
    assert (body["error"], body["field"]) == ("invalid_input", "paper")
    assert all(word in body["message"] for word in words)


# --- what the printout is drawn from ----------------------------------------------------------


async def test_weight_counts_known_items_on_lines_that_are_sold(
    printing: Printing, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """A1 weighs 200 g and B3 500 g in the test catalog; the waitlisted B3 and the unknown Z9
    are not in the parcel (or not known to the scale)."""
    order = await printing.service.create_draft(
        NewOrder(
            buyer=BUYER,
            lines=[
                LineInput(quantity=2, code="A1"),
                LineInput(quantity=1, code="B3"),
                LineInput(quantity=3, code="B3", waitlisted=True),
                LineInput(quantity=4, code="Z9"),
            ],
            source="livestream",
            video_id="v-1",
        ),
        STAFF,
    )
    snapshot, weight_g = await printing.service.printable(order.id)
    assert weight_g == 2 * 200 + 500
    assert snapshot.code == order.code
    async with sessions.begin() as session:  # a line accepted from the waitlist counts
        await session.execute(update(OrderLine).values(waitlisted=False))
    assert (await printing.service.printable(order.id))[1] == 2 * 200 + 500 + 3 * 500


# --- while it draws, the service keeps answering -----------------------------------------------


async def test_twenty_bills_at_once_all_print_while_health_checks_answer(
    printing: Printing,
) -> None:
    order = await printing.order()
    path = f"/api/orders/{order.id}/bill.png"
    assert (await printing.get(path)).status == 200  # the render pool is up
    # The probe has a finding to give before the clock starts (`chotdon.health`): the first
    # one waits for its writes over fresh connections, which is not the drawing's doing.
    assert (await printing.get("/healthz", headers={})).status == 200
    # The suite's own heap (over half a million objects late in a whole run) is not the
    # service's: frozen out of the collector, a full collection cannot stall this loop for
    # 0.4 s and be counted as a health check waiting for the drawing.
    gc.collect()
    gc.freeze()
    try:
        async with asyncio.timeout(DEADLINE_S):
            drawing = time.perf_counter()
            bills = [asyncio.create_task(printing.get(path)) for _ in range(20)]
            checks: list[tuple[int, float]] = []
            while not all(bill.done() for bill in bills):
                started = time.perf_counter()
                answer = await printing.get("/healthz", headers={})
                checks.append((answer.status, time.perf_counter() - started))
            answers = await asyncio.gather(*bills)
            drawing = time.perf_counter() - drawing
    finally:
        gc.unfreeze()
    assert [a.status for a in answers] == [200] * 20
    assert all(a.image().width == 576 for a in answers)
    # Drawn on the event loop, the 20 bills let two or three health checks through, one of
    # them waiting for most of the drawing; off it, hundreds are answered meanwhile, none
    # waiting for more than a small part of it (however slow a loaded machine makes both).
    assert len(checks) >= 20, f"only {len(checks)} health checks answered while bills drew"
    assert all(status == 200 for status, _ in checks)
    slowest = max(seconds for _, seconds in checks)
    assert slowest < drawing / 4, f"a health check waited {slowest:.2f} s of {drawing:.2f} s"


async def test_start_up_says_which_text_layout_is_in_use(aiohttp_client, db_url, caplog) -> None:
    caplog.set_level(logging.INFO, logger="chotdon.app")
    await aiohttp_client(create_app(make_settings(db_url), run_worker=False))
    lines = [r.getMessage() for r in caplog.records if "raqm" in r.getMessage()]
    assert len(lines) == 1 and "NFC" in lines[0]


def bill_of(database_url: str, order_id: int) -> PrintRequest:
    return PrintRequest(
        database_url=database_url,
        order_id=order_id,
        document="bill",
        fmt="png",
        paper="80mm",
        language="vi",
        shop=Shop("Shop Hoa Mai"),
        delivery_instruction="allow_viewing",
    )


async def test_a_render_worker_that_dies_is_replaced(
    db_url: str, service: OrderService, caplog
) -> None:
    """Killed by the OOM killer or an operator: the next print still comes out."""
    await seed_items(service.sessions)
    order = await order_in(service, "waiting_for_shipping")
    async with asyncio.timeout(DEADLINE_S), open_printer() as printer:
        await printer.order(bill_of(db_url, order.id))
        workers = multiprocessing.active_children()
        assert workers, "the bill was not drawn in a worker process"
        for worker in workers:
            os.kill(worker.pid, signal.SIGKILL)
        again = await printer.order(bill_of(db_url, order.id))
    assert again.code == order.code
    assert Image.open(io.BytesIO(again.body)).width == 576
    assert "render worker died" in caplog.text
