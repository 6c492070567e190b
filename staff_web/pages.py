"""The order screens of the seeds, one module per screen under `staff_web.views`."""

from __future__ import annotations

from aiohttp import web

from staff_web.views import debt, edit, live, order_page, orders_list, printouts, stamps


def add_routes(app: web.Application) -> None:
    """Adds the page routes: list, order, edit, prints, live comments, COD debt, stamps."""
    for screen in (orders_list, order_page, edit, printouts, live, debt, stamps):
        screen.add_routes(app)
