"""Order handlers: parse the request, call `OrderService`, answer with the order as JSON.

Every change goes through `OrderService.act` with the API as actor, so the transition table,
the version check, stock and COD apply here exactly as they do for staff in Telegram.
"""

from __future__ import annotations

from collections.abc import Collection

from aiohttp import web

from api.deps import API
from api.encode import order_json
from api.errors import ApiError, invalid
from api.params import encode_cursor, order_id, order_query
from api.replies import reply
from api.requests import ActionIn, NewOrderIn, read_body
from application.services import OrderService
from orders.actors import Actor
from orders.changes import OrderChanges
from orders.lifecycle import Action
from orders.shipper_kinds import CARRIERS, INDIVIDUAL
from orders.transitions import ShipWith, parse_action
from orders.views import OrderRow


def _service(request: web.Request) -> OrderService:
    return request.app[API].orders


async def _staff_id(service: OrderService, telegram_id: int | None) -> int | None:
    if telegram_id is None:
        return None
    staff_id = await service.staff_id(telegram_id)
    if staff_id is None:
        raise invalid(
            f"No staff member has Telegram id {telegram_id}; add them with 'chotdon staff add'.",
            field="staff",
        )
    return staff_id


def _ship_with(body: ActionIn, configured: Collection[str]) -> ShipWith | None:
    """A partner carrier without a token is refused here, before the order is touched."""
    if body.carrier is None:
        return None  # the domain names the choices
    carrier = body.carrier.strip().lower()
    if carrier in CARRIERS and carrier not in configured:
        offered = ", ".join([*configured, INDIVIDUAL])
        raise ApiError(
            422,
            "carrier_not_configured",
            f"The carrier {carrier} is not configured on this service "
            f"(set {carrier.upper()}_TOKEN); choose one of: {offered}.",
            carrier=carrier,
        )
    return ShipWith(carrier, body.shipper_name, body.shipper_phone)


def encoded(request: web.Request, order: OrderRow) -> dict[str, object]:
    """The order as JSON: `CHOTDON_PUBLIC_URL` starts its `tracking_url`, and the shop's bank
    account is what its `payment.vietqr` asks money into."""
    printing = request.app[API].printing
    return order_json(order, printing.public_url, printing.shop.bank)


async def _act(request: web.Request, id_: int, action: Action, body: ActionIn) -> web.Response:
    body.check_fits(action)
    service = _service(request)
    changes: OrderChanges | None = None
    if action in (Action.EDIT, Action.SAVE_DRAFT):
        changes = body.to_changes(await _staff_id(service, body.staff))
        if changes is None and action is Action.SAVE_DRAFT:
            changes = OrderChanges()  # "save draft" with nothing new just records the save
    ship_with = _ship_with(body, list(request.app[API].shipping)) if action is Action.SHIP else None
    order = await service.act(
        id_,
        action,
        actor=Actor.api(),
        version=body.version,
        changes=changes,
        ship_with=ship_with,
        reason=body.reason,
        approve_risky=body.approve_risky,
        approve_unpaid=body.approve_unpaid,
        payment=body.to_payment() if action is Action.RECORD_PAYMENT else None,
    )
    return reply(encoded(request, order))


async def list_orders(request: web.Request) -> web.Response:
    query = order_query(request)
    page = await _service(request).list_orders(query.to_filter())
    orders = [encoded(request, order) for order in page.orders]
    return reply({"orders": orders, "next_cursor": encode_cursor(page.next_cursor)})


async def create_order(request: web.Request) -> web.Response:
    body = await read_body(request, NewOrderIn)
    service = _service(request)
    new = body.to_new_order(await _staff_id(service, body.staff))
    order = await service.create_draft(new, Actor.api())
    location = {"Location": f"/api/orders/{order.id}"}
    return reply(encoded(request, order), status=201, headers=location)


async def get_order(request: web.Request) -> web.Response:
    order = await _service(request).detail(order_id(request))
    return reply(encoded(request, order))


async def patch_order(request: web.Request) -> web.Response:
    id_ = order_id(request)
    return await _act(request, id_, Action.EDIT, await read_body(request, ActionIn))


async def post_action(request: web.Request) -> web.Response:
    id_ = order_id(request)
    action = parse_action(request.match_info["action"])
    return await _act(request, id_, action, await read_body(request, ActionIn))
