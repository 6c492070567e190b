"""`GET /api/orders.xlsx`: the orders list as an Excel file (`application.orders_xlsx`), every
order the list's filters match rather than one page.

The filters are read as `GET /api/orders` reads them (`api.params.OrderQuery`: an empty one
means no filter), so a filter the list refuses is refused here the same way (422). The list's
paging, `limit` and `cursor`, means nothing for a file and is left unread. The sheets'
headings are in the shop's language.
"""

from __future__ import annotations

from typing import Final

from aiohttp import web

from api.deps import API
from api.params import OrderQuery
from api.requests import validate
from application.orders_xlsx import MEDIA_TYPE, orders_workbook

PAGING: Final = ("limit", "cursor")


async def orders_xlsx(request: web.Request) -> web.Response:
    given = {k: v for k, v in request.query.items() if v != "" and k not in PAGING}
    filters = validate(OrderQuery, given).to_filter()
    api = request.app[API]
    book = await orders_workbook(api.orders, filters, api.printing.shop.language)
    return web.Response(
        body=book.data,
        headers={
            "Content-Type": MEDIA_TYPE,
            "Content-Disposition": f'attachment; filename="{book.filename}"',
            "Cache-Control": "no-store",  # orders change: the next export may differ
            "X-Orders": str(book.orders),
        },
    )
