"""JSON API of the reports: one live's figures, each staff member's over a range of days, and
the shop day by day (`application.reports`; the figures' definitions are in
`application.report_views`). Dates are days in Asia/Ho_Chi_Minh, `YYYY-MM-DD`, both ends
included; times are ISO 8601 UTC like the rest of the API.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from aiohttp import web

from api.deps import API
from api.errors import invalid
from api.replies import reply
from application.report_views import DayFigures, LiveReport, StaffFigures
from application.reports import daily_report, live_report, staff_report

JSONObject = dict[str, object]
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def add_routes(app: web.Application) -> None:
    app.router.add_get("/api/reports/lives/{video_id}", get_live_report)
    app.router.add_get("/api/reports/staff", get_staff_report)
    app.router.add_get("/api/reports/days", get_daily_report)


async def get_live_report(request: web.Request) -> web.Response:
    report = await live_report(request.app[API].orders, request.match_info["video_id"])
    return reply(live_report_json(report))


async def get_staff_report(request: web.Request) -> web.Response:
    start, end = _range(request)
    report = await staff_report(request.app[API].orders, start, end)
    staff = [staff_figures_json(row) for row in report.staff]
    return reply({"from": report.start.isoformat(), "to": report.end.isoformat(), "staff": staff})


async def get_daily_report(request: web.Request) -> web.Response:
    start, end = _range(request)
    report = await daily_report(request.app[API].orders, start, end)
    days = [day_json(row) for row in report.days]
    return reply({"from": report.start.isoformat(), "to": report.end.isoformat(), "days": days})


def _range(request: web.Request) -> tuple[date, date]:
    """`from` and `to`, both required; their order and span are the report's to check."""
    return _day(request, "from"), _day(request, "to")


def _day(request: web.Request, name: str) -> date:
    text = request.query.get(name, "").strip()
    if _DAY.fullmatch(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    raise invalid(f"{name} must be a date written YYYY-MM-DD.", field=name)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def live_report_json(report: LiveReport) -> JSONObject:
    """The contract's keys first, in its order, then ours."""
    return {
        "video_id": report.video_id,
        "comments": report.comments,
        "buyers": report.buyers,
        "drafts": report.drafts,
        "created": report.created,
        "cancelled": report.cancelled,
        "revenue": report.revenue,
        "average_order": report.average_order,
        "top_codes": [{"code": row.code, "quantity": row.quantity} for row in report.top_codes],
        "per_minute": [
            {"minute": row.minute.isoformat(), "comments": row.comments}
            for row in report.per_minute
        ],
        "title": report.title,
        "running": report.running,
        "shipped": report.shipped,
        "delivered": report.delivered,
        "returned": report.returned,
        "conversion": round(report.conversion, 4),
        "started_at": _iso(report.started_at),
        "ended_at": _iso(report.ended_at),
    }


def staff_figures_json(row: StaffFigures) -> JSONObject:
    return {
        "telegram_id": row.telegram_id,
        "name": row.name,
        "claimed": row.claimed,
        "created": row.created,
        "shipped": row.shipped,
        "delivered": row.delivered,
        "revenue": row.revenue,
        "cod_collected": row.cod_collected,
    }


def day_json(row: DayFigures) -> JSONObject:
    return {
        "day": row.day.isoformat(),
        "drafts": row.drafts,
        "created": row.created,
        "shipped": row.shipped,
        "delivered": row.delivered,
        "revenue": row.revenue,
        "cod_collected": row.cod_collected,
    }
