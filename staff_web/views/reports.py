"""The report pages: `/reports` (today's figures and the way to the others), a live's report
(`/reports/lives/{video_id}`: every figure of `application.report_views.LiveReport`, the
comments per minute and best-selling codes as inline SVG charts, and while the live runs a
page that refreshes itself), and the staff and the shop day by day over a range of days
(`/reports/staff`, `/reports/days`, `?from=YYYY-MM-DD&to=YYYY-MM-DD`, the last 7 days by
default).

Charts take tens of milliseconds of CPU, so they are drawn in a thread, never on the loop
that serves every other page and webhook.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from aiohttp import web
from markupsafe import Markup

from application import report_charts
from application.report_views import DayFigures
from application.reports import (
    daily_report,
    latest_live,
    live_report,
    local_today,
    read_day,
    staff_report,
)
from application.wording.reports import day_text, percent
from orders.errors import InvalidInput, NotFound
from staff_web.context import current_staff
from staff_web.deps import PAGES
from staff_web.views.common import not_found, page, refusal_text, service, texts

REFRESH_S: Final = 15  # a running live's report reloads itself this often
WEEK: Final = 7
_PROLOG: Final = re.compile(r"\A.*?(?=<svg\b)", re.DOTALL)


@dataclass(frozen=True, slots=True)
class Range:
    """The days a range page shows, as its form fills in, and what was wrong with them."""

    start: date
    end: date
    start_text: str
    end_text: str
    error: str = ""


async def landing(request: web.Request) -> web.Response:
    current_staff(request)
    today = local_today()
    shown = await daily_report(service(request), today, today)
    video_id = await latest_live(service(request))
    live = None
    if video_id is not None:
        live = await live_report(service(request), video_id)
    return page(
        request,
        "reports.html",
        today=shown.days[0],
        today_text=day_text(today),
        today_query=_query(today, today),
        live=live,
        week_query=_query(today - timedelta(days=WEEK - 1), today),
    )


async def live_page(request: web.Request) -> web.Response:
    current_staff(request)
    video_id = request.match_info["video_id"][:64]
    try:
        report = await live_report(service(request), video_id)
    except NotFound:
        return not_found(request, "live.not_found")
    language = _language(request)
    per_minute, top_codes = await asyncio.gather(
        asyncio.to_thread(report_charts.comments_per_minute, report, language, "svg"),
        asyncio.to_thread(report_charts.top_codes, report, language, "svg"),
    )
    return page(
        request,
        "report_live.html",
        report=report,
        conversion=percent(report.conversion, language),
        per_minute_chart=inline_svg(per_minute),
        top_codes_chart=inline_svg(top_codes),
        refresh=REFRESH_S if report.running else 0,
    )


async def staff_page(request: web.Request) -> web.Response:
    current_staff(request)
    days = _range(request)
    if days.error:
        return _range_page(request, "report_staff.html", days, error=days.error)
    try:
        report = await staff_report(service(request), days.start, days.end)
    except InvalidInput as refused:
        return _range_page(request, "report_staff.html", days, error=refusal_text(request, refused))
    chart = await asyncio.to_thread(report_charts.staff_revenue, report, _language(request), "svg")
    return _range_page(
        request, "report_staff.html", days, rows=report.staff, chart=inline_svg(chart)
    )


async def days_page(request: web.Request) -> web.Response:
    current_staff(request)
    days = _range(request)
    if days.error:
        return _range_page(request, "report_days.html", days, error=days.error)
    try:
        report = await daily_report(service(request), days.start, days.end)
    except InvalidInput as refused:
        return _range_page(request, "report_days.html", days, error=refusal_text(request, refused))
    chart = await asyncio.to_thread(report_charts.days_chart, report, _language(request), "svg")
    return _range_page(
        request,
        "report_days.html",
        days,
        rows=report.days,
        total=report.total,
        chart=inline_svg(chart),
    )


def _range_page(
    request: web.Request,
    template: str,
    days: Range,
    *,
    error: str = "",
    rows: Sequence[object] = (),
    total: DayFigures | None = None,
    chart: Markup | None = None,
) -> web.Response:
    """A range page: the form with what was asked, and the figures, or why there are none
    (a 400: the address asked for something the page cannot show)."""
    heading = texts(request)["reports.range"].format(
        start=day_text(days.start), end=day_text(days.end)
    )
    return page(
        request,
        template,
        status=400 if error else 200,
        form=days,
        error=error,
        heading_range="" if error else heading,
        rows=rows,
        total=total,
        chart=chart or "",
        day_text=day_text,
    )


def _range(request: web.Request) -> Range:
    return read_range(
        request.query.get("from", ""),
        request.query.get("to", ""),
        local_today(),
        texts(request)["reports.bad_day"],
    )


def read_range(start_text: str, end_text: str, today: date, bad_day: str) -> Range:
    """The days asked for: `to` is `today` when left out, `from` six days before `to`; a day
    that is not a real `YYYY-MM-DD` is said back (`bad_day` with its `{value}`), with the
    week's days for the form. Whether the range is too long is the report's to say."""
    start_text, end_text = start_text.strip()[:32], end_text.strip()[:32]
    end = read_day(end_text) if end_text else today
    if end is None:
        error = bad_day.format(value=end_text)
        return Range(today - timedelta(days=WEEK - 1), today, start_text, end_text, error)
    start = read_day(start_text) if start_text else end - timedelta(days=WEEK - 1)
    if start is None:
        error = bad_day.format(value=start_text)
        return Range(end - timedelta(days=WEEK - 1), end, start_text, end_text, error)
    return Range(start, end, start.isoformat(), end.isoformat())


def _query(start: date, end: date) -> str:
    return f"from={start.isoformat()}&to={end.isoformat()}"


def _language(request: web.Request) -> str:
    return request.app[PAGES].language


def inline_svg(data: bytes) -> Markup:
    """matplotlib's SVG document as an element to put in a page: without its XML
    declaration and doctype. Its text is escaped by matplotlib, so it is safe as it is."""
    return Markup(_PROLOG.sub("", data.decode("utf-8"), count=1))


def add_routes(app: web.Application) -> None:
    app.router.add_get("/reports", landing)
    app.router.add_get("/reports/lives/{video_id}", live_page)
    app.router.add_get("/reports/staff", staff_page)
    app.router.add_get("/reports/days", days_page)
