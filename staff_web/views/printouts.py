"""Bills and shipping notes for signed-in staff: the same drawings as the API's
(`api.printing`), from the render pool, and a print page that shows the PNG with a
Print button. Printing changes nothing on the order."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Final, get_args

from aiohttp import web

from application import print_batches
from application.print_batches import BatchRefused, PrintedMany
from application.print_jobs import DEFAULT_PAPER, Document, Format, Paper
from application.printing import filename
from application.wording.printing import batch_refusal
from orders.errors import NotFound
from staff_web.context import current_staff
from staff_web.deps import PAGES
from staff_web.views.common import not_found, page, service, whole

DOCUMENTS: Final[tuple[Document, ...]] = get_args(Document)
FORMATS: Final[tuple[Format, ...]] = get_args(Format)
PAPERS: Final[tuple[Paper, ...]] = get_args(Paper)
CONTENT_TYPES: Final[dict[str, str]] = {"png": "image/png", "pdf": "application/pdf"}
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def paper_of(request: web.Request, document: Document) -> Paper:
    """`?paper=58mm` for a narrow bill printer; anything else is the usual 80 mm."""
    given = request.query.get("paper", "").strip().lower()
    if document == "bill":
        for paper in PAPERS:
            if given == paper:
                return paper
    return DEFAULT_PAPER


def handler(document: Document, fmt: Format) -> Handler:
    async def print_document(request: web.Request) -> web.StreamResponse:
        current_staff(request)
        order_id = whole(request.match_info["order_id"])
        if order_id is None:
            return not_found(request, "order.not_found")
        pages = request.app[PAGES]
        job = pages.printing.request(order_id, document, fmt, paper_of(request, document))
        try:
            printed = await pages.printer.order(job)
        except NotFound:
            return not_found(request, "order.not_found")
        name = filename(printed.code, order_id, document, fmt)
        return web.Response(
            body=printed.body,
            headers={
                "Content-Type": CONTENT_TYPES[fmt],
                "Content-Disposition": f'inline; filename="{name}"',
                "Cache-Control": "no-store",
            },
        )

    return print_document


async def print_page(request: web.Request) -> web.Response:
    """The PNG as it will print, a Print button (the browser's print dialog) and the PDF."""
    current_staff(request)
    order_id = whole(request.match_info["order_id"])
    document = request.match_info["document"]
    if order_id is None or document not in DOCUMENTS:
        return not_found(request, "order.not_found")
    try:
        order = await service(request).detail(order_id)
    except NotFound:
        return not_found(request, "order.not_found")
    return page(request, "print.html", order=order, document=document, printing=True)


def _many_refused(request: web.Request, refused: BatchRefused) -> web.Response:
    """The reason on the pages' error page: 404 for orders that do not exist, 400 for a link
    that asks for something else wrong."""
    status = 404 if refused.problem == "unknown_ids" else 400
    message = batch_refusal(refused, request.app[PAGES].language)
    return page(request, "not_found.html", status=status, message=message)


def _many_pdf(printed: PrintedMany, name: str) -> web.Response:
    return web.Response(
        body=printed.body,
        headers={
            "Content-Type": "application/pdf",
            "Content-Disposition": f'inline; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


def _many(document: print_batches.Document) -> Callable[[web.Request], Awaitable[web.Response]]:
    """`/print/bills.pdf?ids=1,2,3[&paper=80|58]` or `/print/shipping-notes.pdf?ids=...
    [&sheet=a6|a4]`: what the API's multi-order PDFs answer, for signed-in staff (the orders
    list's print buttons open them)."""

    async def handler(request: web.Request) -> web.Response:
        current_staff(request)
        pages = request.app[PAGES]
        option = request.query.get(print_batches.OPTION[document])
        try:
            printed = await print_batches.print_asked(
                pages.orders,
                pages.printer,
                pages.printing,
                document,
                request.query.getall("ids", []),
                option,
            )
        except BatchRefused as refused:
            return _many_refused(request, refused)
        return _many_pdf(printed, print_batches.many_filename(document, printed.orders))

    return handler


bills_pdf = _many("bills")
shipping_notes_pdf = _many("shipping-notes")


def add_routes(app: web.Application) -> None:
    app.router.add_get("/print/bills.pdf", bills_pdf)
    app.router.add_get("/print/shipping-notes.pdf", shipping_notes_pdf)
    for document in DOCUMENTS:
        for fmt in FORMATS:
            app.router.add_get(f"/orders/{{order_id}}/{document}.{fmt}", handler(document, fmt))
    app.router.add_get("/orders/{order_id}/print/{document}", print_page)
