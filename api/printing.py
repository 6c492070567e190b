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
from api.errors import invalid
from api.params import order_id
from application.print_jobs import DEFAULT_PAPER, Document, Format, Paper
from application.printing import filename

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


def add_routes(app: web.Application) -> None:
    for document in DOCUMENTS:
        for fmt in FORMATS:
            path = f"/api/orders/{{order_id}}/{document}.{fmt}"
            app.router.add_get(path, handler(document, fmt))
