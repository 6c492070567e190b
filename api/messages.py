"""JSON API of buyers' Messenger messages: the list staff read, and attaching a sender nobody
could link to a customer. The bearer-token gate of `/api` covers these routes."""

from __future__ import annotations

import re
from typing import Annotated

from aiohttp import web
from pydantic import Field

from api.deps import API
from api.encode import message_json
from api.errors import ApiError, invalid
from api.params import MAX_INT32
from api.replies import reply
from api.requests import Body, read_body
from application.buyer_messages import Attached, attach_sender, list_messages

_WHOLE = re.compile(r"[0-9]{1,10}")
YES = ("1", "true", "yes")
NO = ("", "0", "false", "no")


class AttachIn(Body):
    customer_id: Annotated[int, Field(ge=1, le=MAX_INT32)]


def add_routes(app: web.Application) -> None:
    app.router.add_get("/api/messages", get_messages)
    app.router.add_post("/api/messages/{message_id}/customer", post_customer)


async def get_messages(request: web.Request) -> web.Response:
    flag = request.query.get("unlinked", "").strip().lower()
    if flag not in YES + NO:
        raise invalid("unlinked must be 1 or 0.", field="unlinked")
    rows = await list_messages(request.app[API].orders, unlinked=flag in YES)
    return reply({"messages": [message_json(row) for row in rows]})


async def post_customer(request: web.Request) -> web.Response:
    text = request.match_info["message_id"]
    message_id = int(text) if _WHOLE.fullmatch(text) else 0
    if not 1 <= message_id <= MAX_INT32:
        raise ApiError(404, "not_found", f"There is no message {text!r}: ids are whole numbers.")
    body = await read_body(request, AttachIn)
    done = await attach_sender(request.app[API].orders, message_id, body.customer_id)
    if done.result is Attached.NO_MESSAGE:
        raise ApiError(404, "not_found", f"There is no message {message_id}.")
    if done.result is Attached.NO_CUSTOMER:
        raise invalid(f"There is no customer {body.customer_id}.", field="customer_id")
    if done.result is Attached.TAKEN:
        raise ApiError(
            409,
            "messenger_id_taken",
            f"This sender is already linked to customer {done.customer_id}.",
            customer_id=done.customer_id,
        )
    assert done.message is not None  # linked
    return reply(message_json(done.message))
