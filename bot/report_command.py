"""`/report`: the shop's figures as a photo of a chart with the figures as its caption.

- `/report`: today (the day in Vietnam): orders created, revenue, shipped, delivered, COD
  collected and the staff with the most revenue, on the chart of the last 7 days;
- `/report live`: the live under way, else the last one (`application.reports.latest_live`),
  on the chart of its comments per minute;
- `/report FROM TO` (`YYYY-MM-DD`): the shop over those days, on their chart.

The figures are `application.reports`' (defined in `application.report_views`), the same the
pages and the API show. The chart is drawn in a thread (tens of milliseconds of CPU), and the
caption keeps within Telegram's 1024 characters whatever the names and titles.
"""

from __future__ import annotations

import asyncio
import html
import re
from datetime import date, timedelta
from typing import Final

from telegram.constants import ParseMode
from telegram.ext import CommandHandler

from application import report_charts
from application.report_views import StaffReport
from application.reports import (
    daily_report,
    latest_live,
    live_report,
    local_today,
    read_day,
    staff_report,
)
from application.wording.reports import day_text, percent
from bot.cards import escaped, utf16_length
from bot.command_kit import Said, command
from bot.deps import BotSettings
from render.formats import format_vnd

CAPTION_LIMIT: Final = 1024  # Telegram's, counted on the text people see (tags not counted)
WEEK: Final = 7
TOP_STAFF: Final = 3
TOP_CODES: Final = 5
NAME_CAP: Final = 40  # UTF-16 units of a staff name or a code in the caption
_TAG: Final = re.compile(r"<[^>]+>")


def handlers(settings: BotSettings) -> list[CommandHandler]:
    return [command("report", report, settings)]


async def report(said: Said) -> None:
    args = [arg.strip() for arg in said.args]
    if not args:
        today = local_today()
        await _shop(said, today - timedelta(days=WEEK - 1), today, today_only=True)
    elif len(args) == 1 and args[0].lower() == "live":
        await _live(said)
    elif len(args) == 2:
        start, end = read_day(args[0]), read_day(args[1])
        if start is None or end is None:
            raise said.usage("report")
        await _shop(said, start, end, today_only=False)
    else:
        raise said.usage("report")


async def _shop(said: Said, start: date, end: date, *, today_only: bool) -> None:
    """The shop over `start`..`end` (refused by the report when the range is wrong); with
    `today_only`, the caption is the last day's and the chart the whole range."""
    days = await daily_report(said.service, start, end)
    first = end if today_only else start
    people = await staff_report(said.service, first, end)
    if today_only:
        head = said.t("report.today", day=day_text(end))
        shown = days.days[-1]
    else:
        head = said.t("report.range", start=day_text(start), end=day_text(end))
        shown = days.total
    lines = [
        head,
        said.t(
            "report.shop",
            created=shown.created,
            revenue=format_vnd(shown.revenue),
            shipped=shown.shipped,
            delivered=shown.delivered,
            cod=format_vnd(shown.cod_collected),
        ),
        _top_staff(said, people),
    ]
    chart = await asyncio.to_thread(report_charts.days_chart, days, said.language, "png")
    await _send(said, chart, lines, "days")


async def _live(said: Said) -> None:
    video_id = await latest_live(said.service)
    if video_id is None:
        raise said.refuse("report.no_live")
    live = await live_report(said.service, video_id)
    lines = [said.t("report.live", live=live.title or live.video_id)]  # escaped by `t`
    if live.running:
        lines.append(said.t("report.live_running"))
    lines.append(
        said.t(
            "report.live_figures",
            comments=live.comments,
            buyers=live.buyers,
            conversion=percent(live.conversion, said.language),
            drafts=live.drafts,
            created=live.created,
            cancelled=live.cancelled,
            revenue=format_vnd(live.revenue),
            average=format_vnd(live.average_order),
            shipped=live.shipped,
            delivered=live.delivered,
            returned=live.returned,
        )
    )
    if live.top_codes:
        codes = ", ".join(
            f"{escaped(sold.code, NAME_CAP)} ×{sold.quantity}"
            for sold in live.top_codes[:TOP_CODES]
        )
        lines.append(said.t("report.top_codes").format(codes=codes))
    if said.settings.public_url:
        url = f"{said.settings.public_url.rstrip('/')}/reports/lives/{live.video_id}"
        lines.append(said.t("report.page", url=url))
    chart = await asyncio.to_thread(report_charts.comments_per_minute, live, said.language, "png")
    await _send(said, chart, lines, f"live-{live.video_id}")


def _top_staff(said: Said, people: StaffReport) -> str:
    """The staff with revenue, most first (the report's order), at most three."""
    earning = [person for person in people.staff if person.revenue > 0][:TOP_STAFF]
    if not earning:
        return said.t("report.no_staff")
    named = ", ".join(
        f"{escaped(person.name or str(person.telegram_id), NAME_CAP)} "
        f"({format_vnd(person.revenue)})"
        for person in earning
    )
    return said.t("report.top_staff").format(staff=named)


async def _send(said: Said, chart: bytes, lines: list[str], name: str) -> None:
    await said.message.reply_photo(
        chart,
        caption=fit_caption(lines),
        parse_mode=ParseMode.HTML,
        filename=f"report-{name}.png"[:64],
    )


def fit_caption(lines: list[str]) -> str:
    """The lines that fit in a caption, last ones dropped first: each is whole HTML, so
    nothing is cut inside a tag or an entity."""
    kept = list(lines)
    while len(kept) > 1 and visible_length("\n".join(kept)) > CAPTION_LIMIT:
        kept.pop()
    return "\n".join(kept)


def visible_length(caption: str) -> int:
    """What Telegram counts: the text with its tags parsed away and entities read."""
    return utf16_length(html.unescape(_TAG.sub("", caption)))
