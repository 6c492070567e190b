"""JSON API of buyers' Messenger messages: the list staff read, and attaching a sender nobody
could link to a customer. The bearer-token gate of `/api` covers these routes."""

from __future__ import annotations

from typing import Annotated

from aiohttp import web
from pydantic import Field

from api.deps import API
from api.encode import message_json
from api.errors import ApiError, invalid
from api.params import MAX_INT32, path_id, query_flag
from api.replies import reply
from api.requests import Body, read_body
from application.buyer_messages import Attached, attach_sender, list_messages


class AttachIn(Body):
    customer_id: Annotated[int, Field(ge=1, le=MAX_INT32)]


def add_routes(app: web.Application) -> None:
    app.router.add_get("/api/messages", get_messages)
    app.router.add_post("/api/messages/{message_id}/customer", post_customer)


async def get_messages(request: web.Request) -> web.Response:
    unlinked = query_flag(request, "unlinked")
    rows = await list_messages(request.app[API].orders, unlinked=unlinked)
    return reply({"messages": [message_json(row) for row in rows]})


async def post_customer(request: web.Request) -> web.Response:
    message_id = path_id(request, "message_id", "message")
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
