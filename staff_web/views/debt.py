"""The COD debt screen (`GET /debt`): what each carrier and individual shipper collected from
buyers and still owes, with the orders behind it, and what each settled so far (when last, and
the fees carriers kept); each order's Collect COD button posts the same action as the card's,
and comes back here.

A carrier's COD statement is reconciled from here too: `POST /debt/statements` (multipart,
part `file`, CSRF-checked like every page form) reads it as `chotdon cod import` and
`POST /api/cod-statements` do (`application.cod_statements`) and sends staff to its report,
`GET /debt/statements/{id}`. The upload is read with `request.post()`, which the security
middleware has already called for the CSRF check, so the service's request limit for forms
holds here (larger statements go through the API or the CLI)."""

from __future__ import annotations

import asyncio
from typing import Final
from urllib.parse import unquote

from aiohttp import web

from application.cod_files import StatementRefused
from application.cod_statements import (
    StatementReport,
    import_statement,
    list_statements,
    shipper_accounts,
    statement_report,
)
from application.page_reads import order_versions
from application.wording.statements import heading, reason_text, refusal_text
from render.strings import carrier_name
from staff_web.context import current_staff
from staff_web.deps import PAGES
from staff_web.views import stamps
from staff_web.views.common import actor, not_found, page, service, texts, whole

HISTORY_LIMIT: Final = 20
SECTIONS: Final = ("matched", "already", "mismatched", "unknown", "missing")


async def debt_page(request: web.Request) -> web.Response:
    current_staff(request)
    return await _show(request)


async def _show(request: web.Request, *, status: int = 200, error: str = "") -> web.Response:
    # A carrier stays on the page once it owes nothing (its statements and fees are the
    # cashier's to check); an individual shipper who brought every đồng back leaves it.
    accounts = [
        account
        for account in await shipper_accounts(service(request))
        if account.amount or account.kind != "individual"
    ]
    ids = [order_id for account in accounts for order_id in account.order_ids]
    t = texts(request)
    done = request.query.get("done", "")
    notice = t["order.done"].format(action=t[f"action.{done}"]) if f"action.{done}" in t else ""
    return page(
        request,
        "debt.html",
        status=status,
        debts=accounts,
        versions=await order_versions(service(request), ids),
        statements=await list_statements(service(request), HISTORY_LIMIT),
        carriers=_carriers,
        notice=notice,
        error=error,
        stamp_url="/stamp",
        stamp=await stamps.stamp_of_everything(request),
    )


async def upload_statement(request: web.Request) -> web.Response:
    current_staff(request)
    language = request.app[PAGES].language
    posted = await request.post()
    upload = posted.get("file")
    # Browsers and aiohttp's client percent-encode some characters of a file's name.
    filename = unquote(upload.filename or "") if isinstance(upload, web.FileField) else ""
    try:
        if not isinstance(upload, web.FileField):
            raise StatementRefused("no_file")
        data = await asyncio.to_thread(upload.file.read)
        if not data and not filename:  # the form sent without a file chosen
            raise StatementRefused("no_file")
        report = await import_statement(service(request), data, filename, actor(request))
    except StatementRefused as refused:
        reason = refusal_text(refused.reason, refused.params, language)
        if not filename:
            return await _show(request, status=422, error=reason)
        message = texts(request)["cod.refused"].format(filename=filename, reason=reason)
        return await _show(request, status=422, error=message)
    raise web.HTTPSeeOther(f"/debt/statements/{report.statement_id}")


async def statement_page(request: web.Request) -> web.Response:
    current_staff(request)
    statement_id = whole(request.match_info["statement_id"])
    report = await statement_report(service(request), statement_id) if statement_id else None
    if report is None:
        return not_found(request, "cod.not_found")
    language = request.app[PAGES].language
    return page(
        request,
        "cod_statement.html",
        report=report,
        titles={name: heading(name, language) for name in SECTIONS},
        reason=lambda name, problem="": reason_text(name, language, problem),
        carriers=_carriers,
    )


def _carriers(report: StatementReport | object) -> str:
    """`ghn,ghtk` as the carriers' names."""
    text = getattr(report, "carrier", "")
    return ", ".join(carrier_name(name) for name in str(text).split(",") if name)


def add_routes(app: web.Application) -> None:
    app.router.add_get("/debt", debt_page)
    app.router.add_post("/debt/statements", upload_statement)
    app.router.add_get("/debt/statements/{statement_id}", statement_page)
