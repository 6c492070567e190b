"""The order screens of the seeds, one module per screen under `staff_web.views`."""

from __future__ import annotations

from aiohttp import web

from staff_web.views import (
    batches,
    buyer,
    debt,
    edit,
    line_review,
    live,
    manage_catalog,
    manage_live,
    manage_parked,
    manage_staff,
    messages,
    new_order,
    order_page,
    orders_list,
    payments,
    printouts,
    reports,
    stamps,
    tracking,
)


def add_routes(app: web.Application) -> None:
    """Adds the page routes: list, order, edit, prints, live comments, COD debt, stamps, bank
    transfers, and the managers' staff, catalog and live-session forms and what waits for a
    person."""
    # `/orders/new` before `/orders/{order_id}`, which would take "new" for an id.
    screens = (
        *(new_order, orders_list, order_page, edit, printouts, live, debt, stamps, buyer),
        line_review,
    )
    for screen in (*screens, manage_staff, manage_catalog, manage_live, manage_parked, messages):
        screen.add_routes(app)
    tracking.add_routes(app)  # the buyer's public page, `/t/<token>`
    batches.add_routes(app)  # many orders at once, from the list's selection
    payments.add_routes(app)  # bank transfers that named no order, attached by hand
    reports.add_routes(app)  # a live's figures, the staff's and the shop's over days
