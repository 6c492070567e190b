"""The words on the report charts, one table per language with the same keys: the pages and
the bot draw the same charts (`application.report_charts`), so they are worded once.

Values may hold `str.format` fields; both languages use the same ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Final

from application.wording.languages import language_key

CHARTS: Final[Mapping[str, Mapping[str, str]]] = {
    "vi": {
        "empty": "Chưa có số liệu",
        "per_minute.title": "Bình luận mỗi phút",
        "per_minute.title_of": "Bình luận mỗi phút · {live}",
        "per_minute.x": "Giờ (giờ Việt Nam)",
        "per_minute.y": "Số bình luận",
        "top_codes.title": "Mã bán chạy",
        "top_codes.title_of": "Mã bán chạy · {live}",
        "top_codes.x": "Số lượng đã bán",
        "staff.title": "Doanh thu theo nhân viên · {start} – {end}",
        "staff.y": "Doanh thu (đ)",
        "staff.unnamed": "Nhân viên {telegram_id}",
        "days.title": "Doanh thu theo ngày · {start} – {end}",
        "days.x": "Ngày",
        "days.y": "Doanh thu (đ)",
        "days.revenue": "Doanh thu",
        "days.created": "Đơn đã tạo",
    },
    "en": {
        "empty": "No data yet",
        "per_minute.title": "Comments per minute",
        "per_minute.title_of": "Comments per minute · {live}",
        "per_minute.x": "Time (Vietnam)",
        "per_minute.y": "Comments",
        "top_codes.title": "Best-selling codes",
        "top_codes.title_of": "Best-selling codes · {live}",
        "top_codes.x": "Quantity sold",
        "staff.title": "Revenue by staff member · {start} – {end}",
        "staff.y": "Revenue (VND)",
        "staff.unnamed": "Staff {telegram_id}",
        "days.title": "Revenue by day · {start} – {end}",
        "days.x": "Day",
        "days.y": "Revenue (VND)",
        "days.revenue": "Revenue",
        "days.created": "Orders created",
    },
}

SEPARATOR: Final[Mapping[str, str]] = {"vi": ".", "en": ","}


def chart_words(language: str | None) -> Mapping[str, str]:
    return CHARTS[language_key(language)]


def separator(language: str | None) -> str:
    """Between groups of thousands on a chart's numbers: `1.500.000` or `1,500,000`."""
    return SEPARATOR[language_key(language)]


def day_text(day: date) -> str:
    """`01/06/2025`: how Vietnamese shops write a day, in either language."""
    return day.strftime("%d/%m/%Y")


def percent(share: float, language: str | None) -> str:
    """`66,7%` in Vietnamese (the decimal comma), `66.7%` in English; a whole number without
    its `,0`. The conversion rate, as the pages and the bot write it."""
    written = f"{share * 100:.1f}".removesuffix(".0")
    return (written.replace(".", ",") if language_key(language) == "vi" else written) + "%"
