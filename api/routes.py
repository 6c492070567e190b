"""Route table of the JSON API; every path under /api passes the bearer-token gate first."""

from __future__ import annotations

from aiohttp import web

from api import batch, catalog, customers, debts, messages, orders, payments, printing, quotes
from api.auth import api_guard
from api.cod_statements import add_routes as add_cod_statement_routes
from api.reports import add_routes as add_report_routes
from api.xlsx import orders_xlsx


def add_routes(app: web.Application) -> None:
    app.middlewares.append(api_guard)
    app.router.add_get("/api/orders", orders.list_orders)
    app.router.add_get("/api/orders.xlsx", orders_xlsx)  # the list as a file, every page
    app.router.add_post("/api/orders", orders.create_order)
    printing.add_many_routes(app)  # /api/orders/bills.pdf, shipping-notes.pdf: before {order_id}
    app.router.add_post("/api/orders/batch", batch.post_batch)
    app.router.add_get("/api/orders/{order_id}", orders.get_order)
    app.router.add_patch("/api/orders/{order_id}", orders.patch_order)
    app.router.add_post("/api/orders/{order_id}/actions/{action}", orders.post_action)
    app.router.add_get("/api/orders/{order_id}/quotes", quotes.order_quotes)
    app.router.add_get("/api/items", catalog.list_items)
    app.router.add_get("/api/shippers/debt", debts.shipper_debts)
    add_cod_statement_routes(app)  # /api/cod-statements, /api/cod-statements/{statement_id}
    messages.add_routes(app)  # /api/messages, /api/messages/{message_id}/customer
    customers.add_routes(app)  # /api/customers, /api/customers/{customer_id}
    payments.add_routes(app)  # /api/payments, /api/payments/{payment_id}/attach
    printing.add_routes(app)  # /api/orders/{order_id}/bill.png, .pdf, shipping-note.png, .pdf
    add_report_routes(app)  # /api/reports/lives/{video_id}, /api/reports/staff, /api/reports/days
