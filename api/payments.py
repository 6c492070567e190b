"""JSON API of the bank's transfers: the list staff read (every transfer, or those no order
code matched) and attaching one to the order staff name. The bearer-token gate of `/api`
covers these routes; the caller is the actor written on the order's history."""

from __future__ import annotations

import re
from typing import Annotated

from aiohttp import web
from pydantic import Field

from api.deps import API
from api.encode import payment_json
from api.errors import ApiError, invalid
from api.orders import encoded
from api.params import MAX_INT32
from api.replies import reply
from api.requests import Body, read_body
from application import payments
from orders.actors import Actor

_WHOLE = re.compile(r"[0-9]{1,10}")
YES = ("1", "true", "yes")
NO = ("", "0", "false", "no")


class AttachIn(Body):
    order_id: Annotated[int, Field(ge=1, le=MAX_INT32)]


def add_routes(app: web.Application) -> None:
    app.router.add_get("/api/payments", get_payments)
    app.router.add_post("/api/payments/{payment_id}/attach", post_attach)


async def get_payments(request: web.Request) -> web.Response:
    flag = request.query.get("unmatched", "").strip().lower()
    if flag not in YES + NO:
        raise invalid("unmatched must be 1 or 0.", field="unmatched")
    rows = await payments.list_payments(request.app[API].orders, unmatched=flag in YES)
    return reply({"payments": [payment_json(row) for row in rows]})


async def post_attach(request: web.Request) -> web.Response:
    text = request.match_info["payment_id"]
    payment_id = int(text) if _WHOLE.fullmatch(text) else 0
    if not 1 <= payment_id <= MAX_INT32:
        raise ApiError(404, "not_found", f"There is no payment {text!r}: ids are whole numbers.")
    body = await read_body(request, AttachIn)
    order = await payments.attach(request.app[API].orders, payment_id, body.order_id, Actor.api())
    return reply(encoded(request, order))
