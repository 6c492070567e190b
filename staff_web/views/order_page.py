"""The Order screen (`GET /orders/{id}`): everything the bot's card shows, the event history,
and the card's buttons as small POST forms that go through the same `OrderService.act`.

The payment box's two forms post actions here too: `edit` with the payment method and deposit
(`OrderChanges`), and `record_payment` with the money staff say came in (`PaymentIn`). An action
a flagged buyer or money not yet in holds back comes back as a question, and the confirming
form posts it again with `approve_risky` or `approve_unpaid`."""

from __future__ import annotations

from typing import Any, Final

from aiohttp import web

from application.page_reads import live_context
from application.wording.history import history_line
from orders.changes import OrderChanges
from orders.errors import (
    AwaitingPayment,
    InvalidInput,
    NotFound,
    OrderError,
    RiskyBuyer,
    StaleVersion,
)
from orders.lifecycle import EDIT_ACTIONS, Action
from orders.payments import PaymentIn
from orders.transitions import parse_action
from orders.views import OrderRow, risky_count
from staff_web.context import current_staff
from staff_web.deps import PAGES
from staff_web.views import payment_box, stamps
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

# Buttons that are links to another screen rather than a one-tap POST: `ship` needs a carrier
# or a shipper, the edits need the form.
ON_EDIT_PAGE: Final = frozenset({Action.EDIT.value, Action.SAVE_DRAFT.value, Action.SHIP.value})
# Asked twice by the browser: these cannot be undone from here.
CONFIRM: Final = frozenset(
    {Action.CANCEL.value, Action.FAILED.value, Action.RETURN.value, Action.COLLECT_COD.value}
)


def buttons(order: OrderRow) -> list[dict[str, Any]]:
    """The actions of the order's status in the card's order, each a form or a link."""
    allowed = order.allowed_actions
    shown: list[dict[str, Any]] = []
    if Action.EDIT.value in allowed:
        shown.append({"action": "edit", "href": f"/orders/{order.id}/edit"})
    for name in allowed:
        if name == Action.SHIP.value:
            shown.append({"action": name, "href": f"/orders/{order.id}/edit#ship"})
        elif name not in ON_EDIT_PAGE:
            shown.append({"action": name, "href": None, "confirm": name in CONFIRM})
    return shown


async def show(
    request: web.Request,
    order_id: int,
    *,
    status: int = 200,
    notice: str = "",
    error: str = "",
    risky_ask: str = "",
    unpaid_ask: str = "",
    unpaid_said: str = "",
    typed: payment_box.Typed | None = None,
) -> web.Response:
    """`risky_ask`: the action a flagged buyer's order waits to have confirmed; `unpaid_ask`:
    the one waiting because the money is not in yet (`unpaid_said` says how much); `typed`: a
    refused payment form, given back as it was filled."""
    try:
        order = await service(request).detail(order_id)
    except NotFound:
        return not_found(request, "order.not_found")
    live = await live_context(service(request), order)
    pages = request.app[PAGES]
    language = pages.language
    return page(
        request,
        "order.html",
        status=status,
        order=order,
        live=live,
        risky=risky_count(order),
        buttons=buttons(order),
        history=[history_line(event, language) for event in reversed(order.events)],
        notice=notice,
        error=error,
        risky_ask=risky_ask,
        unpaid_ask=unpaid_ask,
        unpaid_said=unpaid_said,
        money=payment_box.payment_box(order, pages.printing.shop.bank, language),
        typed=typed or payment_box.Typed(payment_method=order.payment.method),
        stamp_url=f"/orders/{order_id}/stamp",
        stamp=await stamps.stamp_of_order(request, order_id),
    )


async def order_page(request: web.Request) -> web.Response:
    current_staff(request)
    order_id = whole(request.match_info["order_id"])
    if order_id is None:
        return not_found(request, "order.not_found")
    done = request.query.get("done", "")
    t = texts(request)
    notice = t["order.done"].format(action=t[f"action.{done}"]) if f"action.{done}" in t else ""
    notice = t.get(f"buyer.{done}", notice) if done.endswith("flagged_saved") else notice
    notice = t.get(f"done.{done}", notice)
    return await show(request, order_id, notice=notice)


async def act(request: web.Request) -> web.Response:
    """One button: the action at the version the page showed. Stale: the fresh page says so;
    refused: the refusal in the shop's language."""
    current_staff(request)
    order_id = whole(request.match_info["order_id"])
    if order_id is None:
        return not_found(request, "order.not_found")
    form = await request.post()
    version = whole(str(form.get("version", "")))
    back = safe_next(form.get("next"), f"/orders/{order_id}")
    entered = payment_box.typed(form)
    done = ""
    try:
        action = parse_action(request.match_info["action"])
        changes, payment, said = _payment_fields(action, entered, texts(request))
        if said:
            return await show(request, order_id, status=422, error=said, typed=entered)
        done = "payment_method" if changes is not None else action.value
        if changes is not None and await _changes_nothing(request, order_id, changes):
            raise web.HTTPSeeOther(f"{back}{'&' if '?' in back else '?'}done={done}")
        await service(request).act(
            order_id,
            action,
            actor=actor(request),
            version=version,
            changes=changes,
            payment=payment,
            approve_risky=str(form.get("approve_risky", "")) == "1",
            approve_unpaid=str(form.get("approve_unpaid", "")) == "1",
        )
    except NotFound:
        return not_found(request, "order.not_found")
    except RiskyBuyer:
        return await show(request, order_id, status=409, risky_ask=action.value)
    except AwaitingPayment as waiting:
        said = refusal_text(request, waiting)
        return await show(request, order_id, status=409, unpaid_ask=action.value, unpaid_said=said)
    except StaleVersion:
        return await show(request, order_id, status=409, error=texts(request)["order.stale"])
    except OrderError as refused:
        status = 422 if isinstance(refused, InvalidInput) else 409
        said = refusal_text(request, refused)
        return await show(request, order_id, status=status, error=said, typed=entered)
    separator = "&" if "?" in back else "?"
    raise web.HTTPSeeOther(f"{back}{separator}done={done}")


async def _changes_nothing(request: web.Request, order_id: int, changes: OrderChanges) -> bool:
    """The method and deposit as they are: saved again, they would only add an empty edit to
    the history."""
    money = (await service(request).detail(order_id)).payment
    same_deposit = changes.deposit is None or changes.deposit == money.deposit
    return changes.payment_method == money.method and same_deposit


def _payment_fields(
    action: Action, entered: payment_box.Typed, t: dict[str, str]
) -> tuple[OrderChanges | None, PaymentIn | None, str]:
    """What the payment box's forms add to their action: the method and deposit of an
    `edit`, the money of a `record_payment`; the third is why the form is refused, if it is."""
    if action is Action.RECORD_PAYMENT:
        payment, said = payment_box.payment_in(entered.amount, entered.reference, t)
        return None, payment, said
    if action in EDIT_ACTIONS:
        if not entered.payment_method:
            return None, None, t["pay.choose_method"]
        changes, said = payment_box.method_changes(entered.payment_method, entered.deposit, t)
        return changes, None, said
    return None, None, ""


def add_routes(app: web.Application) -> None:
    app.router.add_get("/orders/{order_id}", order_page, name="order")
    app.router.add_post("/orders/{order_id}/actions/{action}", act)
