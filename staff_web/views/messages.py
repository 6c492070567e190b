"""The Messages screen (`GET /messages`): buyers' Messenger messages, newest first, with what
the service made of each; a sender no customer is linked to is marked and can be attached to a
customer by id or phone (`POST /messages/{id}/customer`), after which the sender's later
messages fill and confirm that buyer's orders."""

from __future__ import annotations

from aiohttp import web

from application.buyer_messages import Attached, attach_sender, find_customer, list_messages
from staff_web.context import current_staff
from staff_web.views.common import page, service, texts, whole

MAX_GIVEN = 64


async def show(
    request: web.Request, *, notice: str = "", error: str = "", status: int = 200
) -> web.Response:
    current_staff(request)
    unlinked = request.query.get("unlinked", "") == "1"
    rows = await list_messages(service(request), unlinked=unlinked)
    return page(
        request,
        "messages.html",
        status=status,
        messages=rows,
        unlinked=unlinked,
        notice=notice,
        error=error,
    )


async def messages_page(request: web.Request) -> web.Response:
    linked = whole(request.query.get("linked", ""))
    notice = texts(request)["messages.attached"].format(id=linked) if linked else ""
    return await show(request, notice=notice)


async def attach(request: web.Request) -> web.Response:
    """Staff type a customer id or phone; a refusal comes back on the same screen."""
    current_staff(request)
    t = texts(request)
    message_id = whole(request.match_info["message_id"])
    form = await request.post()
    given = str(form.get("customer", "")).strip()[:MAX_GIVEN]
    customer_id = await find_customer(service(request), given) if given else None
    if customer_id is None:
        error = t["messages.no_customer"].format(given=given)
        return await show(request, error=error, status=422)
    done = await attach_sender(service(request), message_id or 0, customer_id)
    if done.result is Attached.NO_MESSAGE:
        return await show(request, error=t["messages.no_message"], status=404)
    if done.result is Attached.TAKEN:
        return await show(
            request, error=t["messages.taken"].format(id=done.customer_id), status=409
        )
    raise web.HTTPSeeOther(f"/messages?linked={customer_id}")


def add_routes(app: web.Application) -> None:
    app.router.add_get("/messages", messages_page, name="messages")
    app.router.add_post("/messages/{message_id}/customer", attach)
