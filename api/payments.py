"""JSON API of the bank's transfers: the list staff read (every transfer, or those no order
code matched) and attaching one to the order staff name. The bearer-token gate of `/api`
covers these routes; the caller is the actor written on the order's history."""

from __future__ import annotations

from typing import Annotated

from aiohttp import web
from pydantic import Field

from api.deps import API
from api.encode import payment_json
from api.orders import encoded
from api.params import MAX_INT32, path_id, query_flag
from api.replies import reply
from api.requests import Body, read_body
from application import payments
from orders.actors import Actor


class AttachIn(Body):
    order_id: Annotated[int, Field(ge=1, le=MAX_INT32)]


def add_routes(app: web.Application) -> None:
    app.router.add_get("/api/payments", get_payments)
    app.router.add_post("/api/payments/{payment_id}/attach", post_attach)


async def get_payments(request: web.Request) -> web.Response:
    unmatched = query_flag(request, "unmatched")
    rows = await payments.list_payments(request.app[API].orders, unmatched=unmatched)
    return reply({"payments": [payment_json(row) for row in rows]})


async def post_attach(request: web.Request) -> web.Response:
    payment_id = path_id(request, "payment_id", "payment")
    body = await read_body(request, AttachIn)
    order = await payments.attach(request.app[API].orders, payment_id, body.order_id, Actor.api())
    return reply(encoded(request, order))
