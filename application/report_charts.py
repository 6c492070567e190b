"""The report views as charts: a `LiveReport`, `StaffReport` or `ShopDays` turned into the
plain labelled values and words `render.charts` draws, in the shop's language.

Drawing takes tens of milliseconds of CPU, so the interfaces call these off the event loop
(`asyncio.to_thread`); `render.charts` uses no global figure state, so threads are safe.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Final

from application.report_views import LiveReport, ShopDays, StaffReport
from application.wording.reports import chart_words, day_text, separator
from render.charts import ChartText, Format, SecondSeries, bars
from render.formats import LOCAL_ZONE

ANNOTATED_BARS: Final = 14  # more bars than this and their numbers would overlap


def comments_per_minute(report: LiveReport, language: str | None, fmt: Format = "png") -> bytes:
    """Comments in each minute of the live, the minutes in Vietnam's time (HH:MM)."""
    words = chart_words(language)
    points = [(_clock(minute.minute), minute.comments) for minute in report.per_minute]
    title = _of(words, "per_minute", report)
    text = ChartText(
        title, words["per_minute.x"], words["per_minute.y"], words["empty"], separator(language)
    )
    return bars(points, text, fmt=fmt)


def top_codes(report: LiveReport, language: str | None, fmt: Format = "png") -> bytes:
    """The live's best-selling codes, best on top, each with its quantity."""
    words = chart_words(language)
    points = [(sold.code, sold.quantity) for sold in report.top_codes]
    title = _of(words, "top_codes", report)
    text = ChartText(title, words["top_codes.x"], "", words["empty"], separator(language))
    return bars(points, text, fmt=fmt, horizontal=True, annotate=True)


def staff_revenue(report: StaffReport, language: str | None, fmt: Format = "png") -> bytes:
    """Each staff member's revenue over the range, in the report's order (most first)."""
    words = chart_words(language)
    points = [
        (
            person.name or words["staff.unnamed"].format(telegram_id=person.telegram_id),
            person.revenue,
        )
        for person in report.staff
    ]
    title = words["staff.title"].format(start=day_text(report.start), end=day_text(report.end))
    text = ChartText(title, "", words["staff.y"], words["empty"], separator(language))
    return bars(points, text, fmt=fmt, annotate=len(points) <= ANNOTATED_BARS)


def days_chart(days: ShopDays, language: str | None, fmt: Format = "png") -> bytes:
    """Revenue per day as bars, with the orders created each day as a line on its own axis."""
    words = chart_words(language)
    points = [(day.day.strftime("%d/%m"), day.revenue) for day in days.days]
    created = SecondSeries(
        words["days.created"], tuple(day.created for day in days.days), words["days.revenue"]
    )
    title = words["days.title"].format(start=day_text(days.start), end=day_text(days.end))
    text = ChartText(title, words["days.x"], words["days.y"], words["empty"], separator(language))
    return bars(points, text, fmt=fmt, annotate=len(points) <= ANNOTATED_BARS, second=created)


def _of(words: Mapping[str, str], chart: str, report: LiveReport) -> str:
    """The chart's title with the live's name (its title, else its video id)."""
    name = report.title.strip() or report.video_id
    return words[f"{chart}.title_of"].format(live=name) if name else words[f"{chart}.title"]


def _clock(minute: datetime) -> str:
    """`20:05` in Vietnam's time; a naive time is UTC, as the database keeps it."""
    if minute.tzinfo is None:
        minute = minute.replace(tzinfo=UTC)
    return minute.astimezone(LOCAL_ZONE).strftime("%H:%M")
