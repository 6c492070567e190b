"""Many orders at once from the orders list: the selection bar's POST starts a batch that runs
in the background of the web process (`application.batch`), and the batch page follows it.

- `POST /batches`: the ticked orders, or with `all=1` every order the tab's filters name (the
  filters travel in the form, not the ids of the page shown), and the action with its fields.
  The run is a `BatchRun` row; staff land on its page at once.
- `GET /batches/{id}`: a progress bar while it runs, then what was done and what was refused
  and why, in the shop's language; the same page after the fact.
- `GET /batches/{id}.json`: the progress the page polls every second (no reload).
- `POST /batches/print`: the selection as one PDF of bills or shipping notes, by a redirect
  to the print routes (`/print/bills.pdf?ids=`, `/print/shipping-notes.pdf?ids=&sheet=`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any, Final

from aiohttp import web
from multidict import MultiDictProxy

from application import batch
from application.wording.labels import status_label
from orders.actors import Actor
from orders.lifecycle import Action
from orders.phones import normalize_phone
from orders.shipper_kinds import CARRIERS, INDIVIDUAL
from render.formats import format_vnd
from staff_web.context import current_staff
from staff_web.deps import PAGES
from staff_web.views.common import actor, not_found, page, service, texts, whole
from staff_web.views.orders_list import filters_from, link

log = logging.getLogger(__name__)

# What the selection bar offers; `ask` marks those the browser asks about first.
ACTIONS: Final = (
    Action.CREATE_ORDER.value,
    Action.SHIP.value,
    Action.COMPLETE.value,
    Action.COLLECT_COD.value,
    Action.CANCEL.value,
)
ASK_FIRST: Final = frozenset({Action.COLLECT_COD.value, Action.CANCEL.value})
PRINTS: Final = {
    "bills": "/print/bills.pdf?{query}",
    "notes_a6": "/print/shipping-notes.pdf?{query}&sheet=a6",
    "notes_a4": "/print/shipping-notes.pdf?{query}&sheet=a4",
}
TASKS: Final = web.AppKey("batch_tasks", set)  # the batches this process runs now


class Back(Exception):
    """Send staff back to the list with one of `batch.error.*`."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


async def _selected(form: MultiDictProxy[Any], request: web.Request) -> list[int]:
    """The ids ticked, or every order of the tab's filters when "all of this tab" is ticked."""
    if str(form.get("all", "")) == "1":
        ids = await batch.matching_ids(service(request), filters_from(form))
    else:
        ids = []
        for given in form.getall("ids", []):
            number = whole(str(given))
            if number is not None and number not in ids:
                ids.append(number)
    if not ids:
        raise Back("none")
    if len(ids) > batch.MAX_IDS:
        raise Back("too_many")
    return ids


def _ship(form: MultiDictProxy[Any], request: web.Request) -> batch.Ship:
    """One carrier for every order; filling in a shipper's name and phone picks them."""
    kind = str(form.get("carrier", "")).strip().lower()
    name = str(form.get("shipper_name", "")).strip()[:255]
    phone = str(form.get("shipper_phone", "")).strip()[:32]
    if not kind and (name or phone):
        kind = INDIVIDUAL
    if kind == INDIVIDUAL:
        if not name or normalize_phone(phone) is None:
            raise Back("shipper")
        return batch.Ship(INDIVIDUAL, name=name, phone=phone)
    if kind not in CARRIERS or kind not in request.app[PAGES].shipping:
        raise Back("carrier")
    return batch.Ship(kind, service=str(form.get("service", "")).strip()[:32])


async def start(request: web.Request) -> web.Response:
    current_staff(request)
    form = await request.post()
    filters = filters_from(form)
    try:
        action = str(form.get("action", ""))
        if action not in ACTIONS:
            raise Back("action")
        ids = await _selected(form, request)
        ask = batch.BatchAsk(
            action=action,
            ids=tuple(ids),
            ship=_ship(form, request) if action == Action.SHIP.value else None,
            approve_risky=str(form.get("approve_risky", "")) == "1",
            approve_unpaid=str(form.get("approve_unpaid", "")) == "1",
        )
    except Back as back:
        target = link(filters)
        raise web.HTTPSeeOther(
            f"{target}{'&' if '?' in target else '?'}batch_error={back.key}"
        ) from None
    run_id = await launch(request, ask, actor(request))
    raise web.HTTPSeeOther(f"/batches/{run_id}")


async def launch(request: web.Request, ask: batch.BatchAsk, who: Actor) -> int:
    """Start the batch's row and run it in the background of this process."""
    deps = request.app[PAGES]
    orders = deps.orders
    run_id = await batch.start(orders, ask, who)
    job = batch.run(
        orders,
        run_id,
        ask,
        who,
        shipping=batch.Shipping(deps.shipping, deps.printing.shop),
        language=deps.language,
    )
    task = asyncio.create_task(_logged(job, run_id), name=f"batch-{run_id}")
    tasks: set[asyncio.Task[None]] = request.app[TASKS]
    tasks.add(task)
    task.add_done_callback(tasks.discard)
    return run_id


async def _logged(job: Any, run_id: int) -> None:
    try:
        await job
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("batch %s stopped", run_id)


async def print_selection(request: web.Request) -> web.Response:
    """The selection (ticked, or all of the tab) as one PDF, by the print routes."""
    current_staff(request)
    form = await request.post()
    kind = str(form.get("print", ""))
    try:
        if kind not in PRINTS:
            raise Back("action")
        ids = await _selected(form, request)
    except Back as back:
        target = link(filters_from(form))
        raise web.HTTPSeeOther(
            f"{target}{'&' if '?' in target else '?'}batch_error={back.key}"
        ) from None
    query = "ids=" + ",".join(str(i) for i in ids)  # whole numbers: nothing to escape
    raise web.HTTPSeeOther(PRINTS[kind].format(query=query))


def _result_json(result: batch.Result, t: Mapping[str, str], language: str) -> dict[str, Any]:
    words = status_label(result.status, language) if result.ok else result.message
    if result.ok and result.fee is not None:
        words += " · " + t["batch.quoted"].format(fee=format_vnd(result.fee))
    return {
        "id": result.id,
        "code": result.code or f"#{result.id}",
        "ok": result.ok,
        "words": words,
        "href": f"/orders/{result.id}",
    }


def _state_words(view: batch.BatchView, t: Mapping[str, str]) -> str:
    if view.state == batch.RUNNING:
        return t["batch.running"].format(done=view.done, total=view.total)
    if view.state == batch.STOPPED:
        return t["batch.stopped"].format(done=view.done, total=view.total)
    return t["batch.finished"].format(ok=len(view.succeeded), refused=len(view.refused))


def progress_json(view: batch.BatchView, t: Mapping[str, str], language: str) -> dict[str, Any]:
    return {
        "id": view.id,
        "state": view.state,
        "finished": view.finished,
        "done": view.done,
        "total": view.total,
        "percent": view.percent,
        "words": _state_words(view, t),
        "results": [_result_json(result, t, language) for result in view.results],
    }


async def _found(request: web.Request) -> batch.BatchView | None:
    run_id = whole(request.match_info["batch_id"])
    return await batch.read(service(request), run_id) if run_id is not None else None


async def batch_json(request: web.Request) -> web.Response:
    current_staff(request)
    view = await _found(request)
    if view is None:
        raise web.HTTPNotFound()
    t = texts(request)
    answer = progress_json(view, t, request.app[PAGES].language)
    return web.json_response(answer, headers={"Cache-Control": "no-store"})


async def batch_page(request: web.Request) -> web.Response:
    current_staff(request)
    view = await _found(request)
    if view is None:
        return not_found(request, "batch.not_found")
    t = texts(request)
    progress = progress_json(view, t, request.app[PAGES].language)
    return page(
        request,
        "batch.html",
        run=view,
        progress=progress,
        action_label=t.get(f"action.{view.action}", view.action),
    )


async def _stop_all(app: web.Application) -> None:
    """The service stops: running batches end as `stopped` (their rows say how far)."""
    tasks: set[asyncio.Task[None]] = app[TASKS]
    for task in list(tasks):
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


def add_routes(app: web.Application) -> None:
    app[TASKS] = set()
    app.on_shutdown.append(_stop_all)
    app.router.add_post("/batches", start)
    app.router.add_post("/batches/print", print_selection)
    app.router.add_get(r"/batches/{batch_id:\d+}.json", batch_json)
    app.router.add_get(r"/batches/{batch_id:\d+}", batch_page)
