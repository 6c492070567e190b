"""JSON API of buyers: find them, read one, correct or flag one (`PATCH`, last write wins).

The body's fields are checked here by hand rather than by a model, so that a wrong type is a
domain refusal (`not_text`, `not_boolean`) said in the shop's language like every other
refusal of a field, and never a 500.
"""

from __future__ import annotations

from aiohttp import web

from api.deps import API
from api.encode import customer_json
from api.params import path_id
from api.replies import reply
from api.requests import read_object
from application import customers
from application.customers import CustomerChanges
from orders.actors import Actor
from orders.errors import InvalidInput, Reason

TEXT_FIELDS = ("name", "phone", "address", "ward", "district", "province", "flag_reason")


def add_routes(app: web.Application) -> None:
    app.router.add_get("/api/customers", list_customers)
    app.router.add_get("/api/customers/{customer_id}", get_customer)
    app.router.add_patch("/api/customers/{customer_id}", patch_customer)


def changes_of(body: dict[str, object]) -> CustomerChanges:
    """The fields the body gives (unknown keys are ignored, as elsewhere in the API)."""
    text = {name: _text(body, name) for name in TEXT_FIELDS}
    flagged = body.get("flagged")
    if flagged is not None and not isinstance(flagged, bool):
        raise InvalidInput(Reason.NOT_BOOLEAN, field="flagged")
    return CustomerChanges(
        name=text["name"],
        phone=text["phone"],
        address=text["address"],
        ward=text["ward"],
        district=text["district"],
        province=text["province"],
        flagged=flagged,
        flag_reason=text["flag_reason"],
    )


def _text(body: dict[str, object], name: str) -> str | None:
    value = body.get(name)
    if value is not None and not isinstance(value, str):
        raise InvalidInput(Reason.NOT_TEXT, field=name)
    return value


async def list_customers(request: web.Request) -> web.Response:
    found = await customers.search(request.app[API].orders, request.query.get("q", ""))
    return reply({"customers": [customer_json(record) for record in found]})


async def get_customer(request: web.Request) -> web.Response:
    customer_id = path_id(request, "customer_id", "customer")
    record = await customers.customer(request.app[API].orders, customer_id)
    return reply(customer_json(record))


async def patch_customer(request: web.Request) -> web.Response:
    customer_id = path_id(request, "customer_id", "customer")
    body = await read_object(request)
    record = await customers.update(
        request.app[API].orders, customer_id, changes_of(body), Actor.api()
    )
    return reply(customer_json(record))
