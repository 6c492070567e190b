"""The buyer screens: find a customer (`GET /customers?q=`), and one buyer's page
(`GET /customers/{id}`): their orders across lives, the delivery record, the details on file
with their source, a form to correct them (last write wins, as `PATCH /api/customers`) and the
flag staff set on a buyer who refused parcels. Flagging from an order's page posts here too,
with `next` leading back to the order."""

from __future__ import annotations

from aiohttp import web

from application import customers
from application.customers import CustomerChanges
from orders.errors import InvalidInput, NotFound, OrderError
from staff_web.context import current_staff
from staff_web.views.common import (
    actor,
    not_found,
    page,
    refusal_text,
    safe_next,
    service,
    texts,
    whole,
)

EDITED = ("name", "phone", "address", "ward", "district", "province")


async def search(request: web.Request) -> web.Response:
    current_staff(request)
    query = request.query.get("q", "")
    found = await customers.search(service(request), query)
    return page(request, "buyers.html", customers=found, q=query)


async def show(
    request: web.Request,
    customer_id: int,
    *,
    status: int = 200,
    notice: str = "",
    error: str = "",
    typed: dict[str, str] | None = None,
) -> web.Response:
    try:
        buyer = await customers.buyer_page(service(request), customer_id)
    except NotFound:
        return not_found(request, "buyer.not_found")
    record = buyer.customer
    values = typed or {
        "name": record.name,
        "phone": record.phone,
        "address": record.address,
        "ward": record.ward,
        "district": record.district,
        "province": record.province,
    }
    return page(
        request,
        "buyer.html",
        status=status,
        buyer=record,
        orders=buyer.orders,
        values=values,
        notice=notice,
        error=error,
    )


def _id(request: web.Request) -> int | None:
    return whole(request.match_info["customer_id"])


async def buyer_page(request: web.Request) -> web.Response:
    current_staff(request)
    customer_id = _id(request)
    if customer_id is None:
        return not_found(request, "buyer.not_found")
    done = request.query.get("done", "")
    t = texts(request)
    return await show(request, customer_id, notice=t.get(f"buyer.{done}", ""))


async def save(request: web.Request) -> web.Response:
    """The edit form: every field as typed (an empty one clears it)."""
    current_staff(request)
    customer_id = _id(request)
    if customer_id is None:
        return not_found(request, "buyer.not_found")
    form = await request.post()
    typed = {name: str(form.get(name, "")) for name in EDITED}
    try:
        changes = CustomerChanges(
            name=typed["name"],
            phone=typed["phone"],
            address=typed["address"],
            ward=typed["ward"],
            district=typed["district"],
            province=typed["province"],
        )
        await customers.update(service(request), customer_id, changes, actor(request))
    except NotFound:
        return not_found(request, "buyer.not_found")
    except InvalidInput as refused:
        said = refusal_text(request, refused)
        return await show(request, customer_id, status=422, error=said, typed=typed)
    raise web.HTTPSeeOther(f"/customers/{customer_id}?done=saved")


async def flag(request: web.Request) -> web.Response:
    """Flag (with a reason) or unflag; back to `next` (the order page it came from)."""
    current_staff(request)
    customer_id = _id(request)
    if customer_id is None:
        return not_found(request, "buyer.not_found")
    form = await request.post()
    flagged = str(form.get("flagged", "")) == "1"
    reason = str(form.get("flag_reason", "")) if flagged else ""
    back = safe_next(form.get("next"), f"/customers/{customer_id}")
    try:
        await customers.update(
            service(request),
            customer_id,
            CustomerChanges(flagged=flagged, flag_reason=reason),
            actor(request),
        )
    except NotFound:
        return not_found(request, "buyer.not_found")
    except OrderError as refused:
        return await show(request, customer_id, status=422, error=refusal_text(request, refused))
    done = "flagged_saved" if flagged else "unflagged_saved"
    separator = "&" if "?" in back else "?"
    raise web.HTTPSeeOther(f"{back}{separator}done={done}")


def add_routes(app: web.Application) -> None:
    app.router.add_get("/customers", search)
    app.router.add_get("/customers/{customer_id}", buyer_page)
    app.router.add_post("/customers/{customer_id}", save)
    app.router.add_post("/customers/{customer_id}/flag", flag)
