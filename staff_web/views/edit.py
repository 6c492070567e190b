"""The Edit order screen (`GET/POST /orders/{id}/edit`, the seed's "Edit order screen"):
lines with a picker for unknown codes, buyer, address pickers, note, COD, shipping fee, and
the buttons Save, Create order, Send to shop, Ship (carrier quotes side by side, or an
individual shipper) and Cancel.

A button that moves the order first saves the edit (at the form's version), then takes the
action at the version the edit produced; both go through `OrderService.act`. Whatever goes
wrong (a bad phone, a stale version, a refusal), the form comes back with everything typed.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Final

from aiohttp import web

from application import quotes
from application.lookups import recent_shippers
from application.order_codes import codes_for
from orders.addresses import provinces, wards
from orders.errors import AwaitingPayment, InvalidInput, NotFound, OrderError, StaleVersion
from orders.lifecycle import Action, Status
from orders.transitions import ShipWith
from orders.views import OrderView
from staff_web.context import current_staff
from staff_web.deps import PAGES
from staff_web.views import edit_form, payment_box, stamps
from staff_web.views.common import actor, not_found, page, refusal_text, service, texts, whole
from staff_web.views.edit_form import Catalog, EditForm

log = logging.getLogger(__name__)

QUOTE_WAIT_S: Final = 8.0
MOVES: Final = (Action.CREATE_ORDER, Action.SEND_TO_SHOP, Action.SHIP)
# The action bar keeps Save and the first of these in sight; the rest go under "more".
MAIN_MOVES: Final = (Action.CREATE_ORDER.value, Action.SHIP.value)
BAR_MOVES: Final[tuple[str, ...]] = ("create_order", "send_to_shop", "ship", "cancel")
# Where on the form each field's error shows, top to bottom: the first one is focused.
FIELD_ORDER: Final = (
    "lines",
    "new",
    "name",
    "phone",
    "province",
    "ward",
    "street",
    "note",
    "shipping_fee",
    "cod",
    "payment_method",
    "deposit",
    "carrier",
    "shipper_name",
    "shipper_phone",
)


async def catalog_of(request: web.Request, order: OrderView) -> Catalog:
    """The catalog, and the codes this order's live session gives its items."""
    items = {item.sku: item for item in await service(request).items()}
    table = await codes_for(service(request), order)
    session_codes: dict[str, str] = {}
    for code, sku in sorted(table.codes.items()):
        session_codes.setdefault(sku, code)
    return Catalog(items, session_codes)


async def quoted(request: web.Request, order: OrderView) -> dict[str, Any]:
    """Each configured carrier's price for this order, cheapest first; nothing is asked when
    the order cannot ship now or no carrier is configured."""
    pages = request.app[PAGES]
    shipping = pages.shipping
    if Action.SHIP.value not in order.allowed_actions or not shipping:
        return {"quotes": [], "unquoted": list(shipping), "errors": {}}
    shippable, weights = await service(request).shippable(order.id)
    try:
        compared = await asyncio.wait_for(
            quotes.compare(shipping, shippable, weights, pages.printing.shop), QUOTE_WAIT_S
        )
    except TimeoutError:
        log.info("edit page of order %s: quotes took over %.0f s", order.id, QUOTE_WAIT_S)
        return {"quotes": [], "unquoted": list(shipping), "errors": {}}
    have = {quote.carrier for quote in compared.quotes}
    return {
        "quotes": compared.quotes,
        "unquoted": [name for name in shipping if name not in have],
        "errors": compared.errors,
    }


def first_error(form: EditForm) -> str:
    """The field whose error comes first on the page, so the page opens there (not at the top,
    away from the message); "" when none."""
    if any(line.error for line in form.lines):
        return "lines"
    return next((name for name in FIELD_ORDER if form.errors.get(name)), "")


def action_bar(order: OrderView, editable: bool) -> tuple[list[str], list[str]]:
    """The bar's buttons: in sight (Save and the main move) and under "more" (the rest), so
    the bar is one row on a phone."""
    allowed = order.allowed_actions
    moves = [name for name in BAR_MOVES if name in allowed]
    main = next((name for name in MAIN_MOVES if name in moves), None)
    shown: list[str] = (["save"] if editable else []) + ([main] if main else [])
    if not shown and moves:
        shown = moves[:1]
    return shown, [name for name in moves if name not in shown]


async def show(
    request: web.Request,
    order: OrderView,
    form: EditForm,
    *,
    status: int = 200,
    notice: str = "",
    error: str = "",
    unpaid_ask: bool = False,
) -> web.Response:
    """`unpaid_ask`: shipping was refused because the money is not in yet; the page asks
    staff to confirm it with the `approve_unpaid` box."""
    catalog = await catalog_of(request, order)
    province = form.province_code()
    ward_choices = wards(province) if province in dict(provinces()) else []
    recent = await recent_shippers(service(request), 10)
    editable = Action.EDIT.value in order.allowed_actions
    shown, more = action_bar(order, editable)
    return page(
        request,
        "edit.html",
        status=status,
        order=order,
        form=form,
        catalog=catalog,
        item_choices=sorted(
            catalog.items.values(),
            key=lambda i: (catalog.session_codes.get(i.sku) or i.code or "~", i.name),
        ),
        province_choices=provinces(),
        ward_choices=ward_choices,
        shipping=await quoted(request, order),
        recent_shippers=recent,
        editable=editable,
        stored_lines={str(line.id): line for line in order.lines},
        first_error=first_error(form),
        bar=shown,
        bar_more=more,
        notice=notice,
        error=error,
        unpaid_ask=unpaid_ask,
        payment_methods=payment_box.method_choices(request.app[PAGES].language),
        stamp_url=f"/orders/{order.id}/stamp",
        stamp=await stamps.stamp_of_order(request, order.id),
    )


async def edit_page(request: web.Request) -> web.Response:
    current_staff(request)
    order_id = whole(request.match_info["order_id"])
    try:
        order = await service(request).detail(order_id or 0)
    except NotFound:
        return not_found(request, "order.not_found")
    return await show(request, order, edit_form.from_order(order))


def _save_action(order: OrderView) -> Action:
    return Action.SAVE_DRAFT if order.status == Status.DRAFT.value else Action.EDIT


async def submit(request: web.Request) -> web.Response:
    current_staff(request)
    order_id = whole(request.match_info["order_id"])
    try:
        order = await service(request).detail(order_id or 0)
    except NotFound:
        return not_found(request, "order.not_found")
    t = texts(request)
    posted = await request.post()
    form = edit_form.from_submitted(posted)
    do = str(posted.get("do", "save"))
    if do == "wards":  # no JavaScript: the province was chosen, now its wards are listed
        return await show(request, order, form)
    version = whole(form.version)
    if do == Action.CANCEL.value:
        return await _run(request, order, form, [(Action.CANCEL, None, None)], version)
    edit_form.accept_line(form, do)
    changes = edit_form.changes_of(form, order, await catalog_of(request, order), t)
    steps: list[tuple[Action, Any, ShipWith | None]] = []
    if not edit_form.is_empty(changes) or do == "save":
        steps.append((_save_action(order), changes, None))
    move = next((action for action in MOVES if action.value == do), None)
    if move is Action.SHIP:
        offered = list(request.app[PAGES].shipping)
        steps.append((move, None, edit_form.ship_with(form, offered, t)))
    elif move is not None:
        steps.append((move, None, None))
    if form.errors or any(line.error for line in form.lines):
        return await show(request, order, form, status=422, error=t["edit.fix_errors"])
    approve = str(posted.get("approve_risky", "")) == "1"
    unpaid = str(posted.get("approve_unpaid", "")) == "1"
    return await _run(
        request, order, form, steps, version, approve_risky=approve, approve_unpaid=unpaid
    )


async def _run(
    request: web.Request,
    order: OrderView,
    form: EditForm,
    steps: list[tuple[Action, Any, ShipWith | None]],
    version: int | None,
    *,
    approve_risky: bool = False,
    approve_unpaid: bool = False,
) -> web.Response:
    """The steps in turn, each at the version the one before left; on a problem, the form
    again with what was typed, the order as it is now and the version to save over."""
    t = texts(request)
    done: Action | None = None
    for action, changes, ship in steps:
        if action in (Action.EDIT, Action.SAVE_DRAFT) and (
            changes is None or edit_form.is_empty(changes)
        ):
            done = action
            continue
        try:
            order = await service(request).act(
                order.id,
                action,
                actor=actor(request),
                version=version,
                changes=changes,
                ship_with=ship,
                approve_risky=approve_risky,
                approve_unpaid=approve_unpaid,
            )
        except StaleVersion:
            fresh = await service(request).detail(order.id)
            form = edit_form.with_version(form, fresh.version)
            return await show(request, fresh, form, status=409, notice=t["edit.stale"])
        except OrderError as refused:
            fresh = await service(request).detail(order.id)
            form = edit_form.with_version(form, fresh.version)
            said = refusal_text(request, refused)
            where = edit_form.domain_field(refused.field)
            if isinstance(refused, InvalidInput) and where:
                form.errors[where] = said
            status = 422 if isinstance(refused, InvalidInput) else 409
            unpaid = isinstance(refused, AwaitingPayment)
            return await show(request, fresh, form, status=status, error=said, unpaid_ask=unpaid)
        version = order.version
        done = action
    suffix = f"?done={done.value}" if done else ""
    raise web.HTTPSeeOther(f"/orders/{order.id}{suffix}")


async def ward_list(request: web.Request) -> web.Response:
    """`{"wards": [{"code", "name"}]}` of one province, for the ward picker's JavaScript."""
    current_staff(request)
    code = whole(request.query.get("province", ""))
    if code is None or code not in dict(provinces()):
        return web.json_response({"error": "not_found", "wards": []}, status=404)
    return web.json_response(
        {"wards": [{"code": c, "name": name} for c, name in wards(code)]},
        headers={"Cache-Control": "max-age=86400"},
    )


def add_routes(app: web.Application) -> None:
    app.router.add_get("/orders/{order_id}/edit", edit_page)
    app.router.add_post("/orders/{order_id}/edit", submit)
    app.router.add_get("/places/wards", ward_list)
