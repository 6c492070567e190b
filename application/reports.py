"""The reports: what a live sold, what each staff member closed, and the shop day by day,
read with aggregate queries (never by loading every order). The figures are defined in
`application.report_views`.

(Stubs: the queries are being written; every function keeps this signature.)
"""

from __future__ import annotations

from datetime import date

from application.report_views import LiveReport, ShopDays, StaffReport
from application.services import OrderService


async def live_report(service: OrderService, video_id: str) -> LiveReport:
    """The live's figures, so far while it runs; `NotFound(Reason.NO_LIVE_SESSION)` for a
    video with no session."""
    raise NotImplementedError


async def latest_live(service: OrderService) -> str | None:
    """The video id of the live under way (open, or in its grace period), else of the live
    most recently opened; None before any live."""
    raise NotImplementedError


async def staff_report(service: OrderService, start: date, end: date) -> StaffReport:
    """Every staff member over the days `start`..`end` (Asia/Ho_Chi_Minh, both included),
    most revenue first; refused (`InvalidInput`) when `end` is before `start` or the range
    is longer than 366 days."""
    raise NotImplementedError


async def daily_report(service: OrderService, start: date, end: date) -> ShopDays:
    """The shop day by day over `start`..`end`, empty days included; the same refusals."""
    raise NotImplementedError
