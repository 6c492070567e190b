"""The managers' catalog screen (`GET/POST /manage/catalog`): the items, a CSV upload read
exactly as `chotdon items import` reads its file (`sku,name,price,stock,weight_g,code`, items
updated by SKU, a stock change logged as a movement), and a small form for one item.

The whole file is checked first: a bad row (or a value too long for its column) shows the
reason and leaves the catalog as it was. It is then written in short transactions
(`application.catalog_import`), so webhooks and other pages keep answering during a large import;
if the database stops it half-way, the page says how far it got and that uploading the same
file again finishes it. The upload is read with `request.post()`, which the security
middleware has already called for the CSRF check (aiohttp keeps the parsed form).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from aiohttp import web

from application.catalog_import import Imported, import_through
from kernel.database import outage_of
from orders.catalog import (
    CODE_LIMIT,
    MAX_COUNT,
    MAX_PRICE,
    NAME_LIMIT,
    SKU_LIMIT,
    ItemRow,
    parse_items_csv,
)
from orders.errors import InvalidInput
from orders.views import ItemView
from staff_web.security import require_manager
from staff_web.views.common import page, refusal_text, service, texts
from staff_web.views.manage_staff import text_field

log = logging.getLogger(__name__)

ITEM_FIELDS: Final = ("sku", "name", "price", "stock", "weight_g", "code")


@dataclass
class ItemForm:
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def value(self, name: str) -> str:
        return self.values.get(name, "")


async def show(
    request: web.Request,
    form: ItemForm | None = None,
    *,
    status: int = 200,
    error: str = "",
    notice: str = "",
    items: list[ItemView] | None = None,
) -> web.Response:
    require_manager(request)
    if items is None:
        items = await service(request).items()
    return page(
        request,
        "manage_catalog.html",
        status=status,
        items=items,
        form=form or ItemForm(),
        error=error,
        notice=notice,
        section="catalog",
    )


async def catalog_page(request: web.Request) -> web.Response:
    require_manager(request)
    return await show(request)


async def post(request: web.Request) -> web.Response:
    require_manager(request)
    posted = await request.post()
    if text_field(posted, "do") == "item":
        return await save_item(request, posted)
    return await upload(request, posted)


async def _import(request: web.Request, rows: list[ItemRow]) -> Imported:
    return await import_through(service(request), rows)


async def upload(request: web.Request, posted: Mapping[str, Any]) -> web.Response:
    t = texts(request)
    upload = posted.get("file")
    if not isinstance(upload, web.FileField):
        return await show(request, status=422, error=t["manage.no_file"])
    data = await asyncio.to_thread(upload.file.read)
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else str(data)
    except UnicodeDecodeError:
        error = t["manage.import_failed"].format(reason=t["manage.not_utf8"])
        return await show(request, status=422, error=error)
    try:
        result = await _import(request, parse_items_csv(text))
    except InvalidInput as refused:
        error = t["manage.import_failed"].format(reason=refusal_text(request, refused))
        return await show(request, status=422, error=error)
    if result.stop is not None:
        return await _stopped(request, result)
    notice = t["manage.imported"].format(created=result.created, updated=result.updated)
    return await show(request, notice=notice)


async def _stopped(request: web.Request, result: Imported) -> web.Response:
    """How far an import got before the database stopped it, and that uploading the same file
    again finishes it."""
    t = texts(request)
    stop = result.stop
    assert stop is not None
    if stop.outage is not None:
        reason, status = t["manage.import_unavailable"], 503
    else:
        reason, status = t["manage.import_refused"].format(detail=stop.detail), 422
    error = t["manage.import_stopped"].format(
        saved=result.saved,
        total=result.total,
        created=result.created,
        updated=result.updated,
        row=stop.row,
        reason=reason,
    )
    try:
        return await show(request, status=status, error=error)
    except Exception as unreadable:  # the database went away: say how far it got anyway
        if outage_of(unreadable) is None:
            raise
        return await show(request, status=status, error=error, items=[])


def _whole(form: ItemForm, name: str, t: Mapping[str, str], limit: int, *, blank: str) -> int:
    typed = form.value(name) or blank
    text = typed.replace(".", "").replace(",", "").replace("_", "").replace(" ", "")
    if not (text.isascii() and text.isdigit()):
        form.errors[name] = t["manage.bad_whole"].format(typed=typed)
        return 0
    if len(text) > 18 or int(text) > limit:
        form.errors[name] = t["manage.too_big"]
        return 0
    return int(text)


async def save_item(request: web.Request, posted: Mapping[str, Any]) -> web.Response:
    t = texts(request)
    form = ItemForm({name: text_field(posted, name).strip()[:400] for name in ITEM_FIELDS})
    form.values["code"] = form.value("code").upper()
    sku, name, code = form.value("sku"), form.value("name"), form.value("code")
    for key, limit, needed in (
        ("sku", SKU_LIMIT, "manage.need_sku"),
        ("name", NAME_LIMIT, "manage.need_item_name"),
        ("code", CODE_LIMIT, None),
    ):
        if needed and not form.value(key):
            form.errors[key] = t[needed]
        elif len(form.value(key)) > limit:
            form.errors[key] = t["manage.too_long"].format(limit=limit)
    price = _whole(form, "price", t, MAX_PRICE, blank="")
    stock = _whole(form, "stock", t, MAX_COUNT, blank="0")
    weight = _whole(form, "weight_g", t, MAX_COUNT, blank="0")
    if form.errors:
        return await show(request, form, status=422, error=t["manage.fix_errors"])
    row = ItemRow(sku=sku, name=name, price=price, stock=stock, weight_g=weight, code=code or None)
    try:
        await _import(request, [row])
    except InvalidInput as refused:
        return await show(request, form, status=422, error=refusal_text(request, refused))
    return await show(request, notice=t["manage.item_saved"].format(sku=sku))


def add_routes(app: web.Application) -> None:
    app.router.add_get("/manage/catalog", catalog_page)
    app.router.add_post("/manage/catalog", post)
