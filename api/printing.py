"""Bills and shipping notes over the API, as PNG or PDF bytes to show or print as they are.

Printing reads the order and changes nothing: no event, no new version. The order is drawn
from the same snapshot `GET /api/orders/{id}` returns, so the paper and the API agree; the
render worker reads it as well as drawing it (`application.print_jobs`), so neither costs the event
loop that answers webhooks.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import get_args

from aiohttp import web

from api.deps import API
from api.errors import ApiError, invalid
from api.params import order_id
from application import print_batches
from application.print_batches import BatchRefused, PrintedMany
from application.print_jobs import DEFAULT_PAPER, Document, Format, Paper
from application.printing import filename
from application.wording.printing import batch_refusal

DOCUMENTS: tuple[Document, ...] = get_args(Document)
FORMATS: tuple[Format, ...] = get_args(Format)
PAPERS: tuple[Paper, ...] = get_args(Paper)
CONTENT_TYPES: dict[Format, str] = {"png": "image/png", "pdf": "application/pdf"}
Handler = Callable[[web.Request], Awaitable[web.Response]]


def paper_of(request: web.Request, document: Document) -> Paper:
    """`?paper=58mm` for a narrow bill printer; empty or absent means the usual 80 mm."""
    given = request.query.get("paper", "").strip()
    if document != "bill":
        if given:
            raise invalid("A shipping note has one size; 'paper' is only for bills.", field="paper")
        return DEFAULT_PAPER
    if not given:
        return DEFAULT_PAPER
    for paper in PAPERS:
        if given.lower() == paper:
            return paper
    raise invalid(
        f"Unknown paper {given!r}; bills print on {' or '.join(PAPERS)}.",
        field="paper",
    )


def handler(document: Document, fmt: Format) -> Handler:
    """The route handler for one document in one format."""

    async def print_document(request: web.Request) -> web.Response:
        id_ = order_id(request)
        paper = paper_of(request, document)  # refused before the database is asked
        api = request.app[API]
        printed = await api.printer.order(api.printing.request(id_, document, fmt, paper))
        body = printed.body
        disposition = f'inline; filename="{filename(printed.code, id_, document, fmt)}"'
        return web.Response(
            body=body,
            headers={
                "Content-Type": CONTENT_TYPES[fmt],
                "Content-Disposition": disposition,
                "Cache-Control": "no-store",  # the next print may differ: orders change
            },
        )

    return print_document


def _refused(request: web.Request, refused: BatchRefused) -> ApiError:
    """Unknown ids: 404 with the ids; anything else wrong with the query: 422 naming the
    parameter. `params` carries the values the message names."""
    message = batch_refusal(refused, request.app[API].printing.shop.language)
    values = list(refused.values)
    if refused.problem == "unknown_ids":
        return ApiError(404, "not_found", message, params={"ids": values})
    field = {"bad_paper": "paper", "bad_sheet": "sheet"}.get(refused.problem, "ids")
    return ApiError(422, "invalid_input", message, field=field, params={field: values})


def _pdf(printed: PrintedMany, name: str) -> web.Response:
    return web.Response(
        body=printed.body,
        headers={
            "Content-Type": "application/pdf",
            "Content-Disposition": f'inline; filename="{name}"',
            "Cache-Control": "no-store",
            "X-Orders": str(printed.orders),
            "X-Pages": str(printed.pages),
        },
    )


def _many(document: print_batches.Document) -> Callable[[web.Request], Awaitable[web.Response]]:
    """`GET /api/orders/bills.pdf?ids=1,2,3[&paper=80|58]` or
    `/api/orders/shipping-notes.pdf?ids=...[&sheet=a6|a4]`: every order's document in one PDF."""

    async def handler(request: web.Request) -> web.Response:
        api = request.app[API]
        option = request.query.get(print_batches.OPTION[document])
        try:
            printed = await print_batches.print_asked(
                api.orders,
                api.printer,
                api.printing,
                document,
                request.query.getall("ids", []),
                option,
            )
        except BatchRefused as refused:
            raise _refused(request, refused) from None
        return _pdf(printed, print_batches.many_filename(document, printed.orders))

    return handler


bills_pdf = _many("bills")
shipping_notes_pdf = _many("shipping-notes")


def add_many_routes(app: web.Application) -> None:
    """Added before `/api/orders/{order_id}`, which would take `bills.pdf` for an id."""
    app.router.add_get("/api/orders/bills.pdf", bills_pdf)
    app.router.add_get("/api/orders/shipping-notes.pdf", shipping_notes_pdf)


def add_routes(app: web.Application) -> None:
    for document in DOCUMENTS:
        for fmt in FORMATS:
            path = f"/api/orders/{{order_id}}/{document}.{fmt}"
            app.router.add_get(path, handler(document, fmt))
