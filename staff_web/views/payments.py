"""The bank transfers screen (`GET /payments`): money the bank reported that named no order
(or named one staff must pick), each with a form to attach it to the order staff name by its
code. Attaching goes through `application.payments.attach`, so the transfer pays that order
once through the one function that changes orders; a transfer already applied is refused in
the shop's language, never counted twice.

`?all=1` lists every transfer, newest first, with the order each paid.
"""

from __future__ import annotations

from aiohttp import web

from application import payments
from application.lookups import order_id_by_code
from application.wording.labels import payment_state_label
from orders.errors import NotFound, OrderError
from render.formats import format_vnd
from staff_web.context import current_staff
from staff_web.deps import PAGES
from staff_web.views import stamps
from staff_web.views.common import actor, not_found, page, refusal_text, service, texts, whole

CODE_LIMIT = 32  # an order code as staff type it; anything longer names no order


async def show(
    request: web.Request,
    *,
    status: int = 200,
    notice: str = "",
    attached: int | None = None,
    error: str = "",
    failed: int | None = None,
    typed: str = "",
) -> web.Response:
    """`attached`: the order a transfer was just attached to (the notice links it);
    `failed`/`typed`: the transfer whose form was refused and the code typed into it."""
    everything = request.query.get("all", "") == "1"
    rows = await payments.list_payments(service(request), unmatched=not everything)
    language = request.app[PAGES].language
    return page(
        request,
        "payments.html",
        status=status,
        rows=rows,
        everything=everything,
        state_label=lambda state: payment_state_label(state, language),
        notice=notice,
        attached=attached,
        error=error,
        failed=failed,
        typed=typed,
        stamp_url="/stamp",
        stamp=await stamps.stamp_of_everything(request),
    )


async def payments_page(request: web.Request) -> web.Response:
    """The list; after an attach, the notice says how much went to which order."""
    current_staff(request)
    order_id = whole(request.query.get("attached", ""))
    amount = whole(request.query.get("amount", ""))
    if order_id is None or amount is None:
        return await show(request)
    try:
        code = (await service(request).detail(order_id)).code or f"#{order_id}"
    except NotFound:
        return await show(request)
    said = texts(request)["payments.attached"].format(amount=format_vnd(amount), code=code)
    return await show(request, notice=said, attached=order_id)


async def attach(request: web.Request) -> web.Response:
    """The transfer pays the order named by its code; refused, the list again with why,
    beside the code staff typed."""
    current_staff(request)
    t = texts(request)
    payment_id = whole(request.match_info["payment_id"])
    if payment_id is None:
        return not_found(request)
    form = await request.post()
    typed_value = form.get("code", "")
    typed = typed_value[:CODE_LIMIT].strip() if isinstance(typed_value, str) else ""
    if not typed:
        return await _refused(request, payment_id, typed, t["payments.need_code"], 422)
    order_id = await order_id_by_code(service(request), typed)
    if order_id is None:
        said = t["payments.no_order"].format(code=typed)
        return await _refused(request, payment_id, typed, said, 404)
    try:
        paid = await payments.attach(service(request), payment_id, order_id, actor(request))
    except NotFound as missing:
        return await _refused(request, payment_id, typed, refusal_text(request, missing), 404)
    except OrderError as refused:
        return await _refused(request, payment_id, typed, refusal_text(request, refused), 409)
    amount = paid.events[-1].details.get("amount", 0) if paid.events else 0
    raise web.HTTPSeeOther(f"/payments?attached={order_id}&amount={amount}")


async def _refused(
    request: web.Request, payment_id: int, typed: str, said: str, status: int
) -> web.Response:
    return await show(request, status=status, error=said, failed=payment_id, typed=typed)


def add_routes(app: web.Application) -> None:
    app.router.add_get("/payments", payments_page)
    app.router.add_post(r"/payments/{payment_id:\d+}/attach", attach)
