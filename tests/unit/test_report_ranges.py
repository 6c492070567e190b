"""The days the report pages and `/report` read from what people type (the address's
`from` and `to`, the command's arguments): anything at all gives a range to show or words
saying what was wrong, never an exception (a 500, or a silent command)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from application.reports import TYPED_YEARS, read_day
from bot.report_command import fit_caption, visible_length
from staff_web.strings_reports import REPORTS
from staff_web.views.reports import read_range

TODAY = date(2026, 3, 14)
BAD = REPORTS["vi"]["reports.bad_day"]
typed = st.one_of(
    st.text(max_size=40),
    st.dates().map(date.isoformat),
    st.from_regex(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", fullmatch=True),
)


@given(start=typed, end=typed)
def test_any_range_typed_is_a_week_to_show_or_said_back(start: str, end: str) -> None:
    days = read_range(start, end, TODAY, BAD)
    assert TYPED_YEARS[0] - 1 <= days.start.year and days.end.year <= TYPED_YEARS[1]
    if days.error:
        assert days.error.startswith("Ngày không hợp lệ: ")
        assert days.end - days.start == timedelta(days=6)
    else:
        assert days.start_text == days.start.isoformat()
        assert days.end_text == days.end.isoformat()


def test_left_out_days_are_the_last_week() -> None:
    days = read_range("", "", TODAY, BAD)
    assert (days.start, days.end, days.error) == (date(2026, 3, 8), TODAY, "")
    days = read_range("", "2026-01-31", TODAY, BAD)
    assert (days.start, days.end) == (date(2026, 1, 25), date(2026, 1, 31))
    days = read_range("2026-02-29", "", TODAY, BAD)  # 2026 is not a leap year
    assert days.error == "Ngày không hợp lệ: 2026-02-29 (cần dạng năm-tháng-ngày)."


@given(st.text(max_size=40))
def test_a_typed_day_is_a_day_or_nothing(text: str) -> None:
    day = read_day(text)
    assert day is None or (day.isoformat() == text and 1970 <= day.year <= 2999)


@given(st.lists(st.text(max_size=400), min_size=1, max_size=12))
def test_a_caption_keeps_within_telegrams_limit_by_whole_lines(lines: list[str]) -> None:
    """Lines are dropped from the end, whole, until the caption fits (the first always stays:
    it names what the chart is)."""
    caption = fit_caption(lines)
    kept = next(k for k in range(len(lines), 0, -1) if "\n".join(lines[:k]) == caption)
    assert kept == 1 or visible_length(caption) <= 1024
    if kept < len(lines):
        assert visible_length("\n".join(lines[: kept + 1])) > 1024
