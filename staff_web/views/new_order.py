"""The new order screen (`GET/POST /orders/new`): an order taken by phone or Messenger.

Staff find the buyer by phone or name (the customers' search, as `/customers`) and take the
details on file with one button, pick items from the catalog by typing their code or name (a
datalist: the browser filters as they type), set a price, a discount, the shipping fee or free
shipping and a note; "Create draft" makes a `manual` draft through `OrderService.create_draft`
(a known buyer's phone and address fill what was left empty, as for every draft) and shows the
order. Everything works without JavaScript: finding, picking the buyer, more item rows and the
ward list are buttons of the same form. Whatever goes wrong, the form comes back as typed, each
problem beside its field.
"""

from __future__ import annotations

from aiohttp import web

from application import customers
from application.views import CustomerRecord
from orders.addresses import provinces, wards
from orders.changes import OrderChanges
from orders.errors import InvalidInput, NotFound, OrderError
from orders.lifecycle import Action
from orders.views import OrderView
from staff_web.context import current_staff
from staff_web.deps import PAGES
from staff_web.views import edit, edit_form, payment_box
from staff_web.views import new_order_form as forms
from staff_web.views.common import actor, page, refusal_text, service, texts, whole
from staff_web.views.new_order_form import NewOrderForm


async def show(
    request: web.Request,
    form: NewOrderForm,
    *,
    found: list[CustomerRecord] | None = None,
    status: int = 200,
    error: str = "",
) -> web.Response:
    items = sorted(await service(request).items(), key=lambda i: (i.code or "~", i.name))
    province = form.province_code()
    return page(
        request,
        "new_order.html",
        status=status,
        form=form,
        items=items,
        found=found,
        province_choices=provinces(),
        ward_choices=wards(province) if province in dict(provinces()) else [],
        payment_methods=payment_box.method_choices(request.app[PAGES].language),
        error=error,
    )


async def new_page(request: web.Request) -> web.Response:
    current_staff(request)
    form = forms.empty_form()
    phone = request.query.get("phone", "")[:32]
    if phone:  # from a buyer's page: "new order for this buyer"
        form.values["q"] = phone
        return await _find(request, form)
    return await show(request, form)


async def _find(request: web.Request, form: NewOrderForm) -> web.Response:
    query = form.value("q").strip() or form.value("phone").strip() or form.value("name").strip()
    if not query:
        form.errors["q"] = texts(request)["new.type_to_find"]
        return await show(request, form, status=422)
    found = await customers.search(service(request), query)
    if len(found) == 1:  # the one buyer: fill the form at once
        return await show(request, forms.prefilled(form, found[0]), found=found)
    return await show(request, form, found=found)


async def submit(request: web.Request) -> web.Response:
    staff = current_staff(request)
    posted = await request.post()
    form = forms.from_submitted(posted)
    do = str(posted.get("do", "create"))
    picked = whole(posted.get("pick", ""))
    if picked is not None:
        try:
            record = await customers.customer(service(request), picked)
        except NotFound:
            return await show(request, form, status=404, error=texts(request)["buyer.not_found"])
        return await show(request, forms.prefilled(form, record))
    if do == "find":
        return await _find(request, form)
    if do == "more":
        return await show(request, forms.with_more_rows(form))
    if do == "wards":
        return await show(request, form)
    t = texts(request)
    paying = forms.payment_of(form, t)
    new = forms.new_order(form, await service(request).items(), staff.id, t)
    if new is None:
        return await show(request, form, status=422, error=t["edit.fix_errors"])
    try:
        order = await service(request).create_draft(new, actor(request))
    except OrderError as refused:
        said = refusal_text(request, refused)
        where = forms.domain_field(refused.field)
        if isinstance(refused, InvalidInput) and where:
            form.errors[where] = said
        return await show(request, form, status=422, error=said)
    if paying is not None:
        return await _paid_by(request, order, form, paying)
    raise web.HTTPSeeOther(f"/orders/{order.id}?done=save_draft")


async def _paid_by(
    request: web.Request, order: OrderView, form: NewOrderForm, paying: OrderChanges
) -> web.Response:
    """A draft is made paid by COD; another method is saved on it at once. Refused (a
    deposit above the total), the new draft's edit page says why, with the method typed."""
    try:
        await service(request).act(
            order.id, Action.SAVE_DRAFT, actor=actor(request), version=order.version, changes=paying
        )
    except OrderError as refused:
        fresh = await service(request).detail(order.id)
        typed = edit_form.from_order(fresh)
        typed.values.update(
            payment_method=form.value("payment_method"), deposit=form.value("deposit")
        )
        said = refusal_text(request, refused)
        where = edit_form.domain_field(refused.field)
        if where:
            typed.errors[where] = said
        code = fresh.code or f"#{fresh.id}"
        error = texts(request)["pay.draft_made"].format(code=code, reason=said)
        return await edit.show(request, fresh, typed, status=422, error=error)
    raise web.HTTPSeeOther(f"/orders/{order.id}?done=save_draft")


def add_routes(app: web.Application) -> None:
    app.router.add_get("/orders/new", new_page)
    app.router.add_post("/orders/new", submit)
