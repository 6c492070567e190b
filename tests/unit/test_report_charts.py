"""The report charts: PNGs that open at the size we send, SVGs a page can inline with the
Vietnamese words as text, a clear "no data yet" chart instead of a failure, and the same bytes
for the same figures (in threads too, as the pages and the bot draw them)."""

from __future__ import annotations

import io
import re
import warnings
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from application.report_charts import comments_per_minute, days_chart, staff_revenue, top_codes
from application.report_views import (
    CodeSold,
    DayFigures,
    LiveReport,
    MinuteCount,
    ShopDays,
    StaffFigures,
    StaffReport,
)
from application.wording.reports import CHARTS
from render.charts import SIZE_PX, ChartText, bars

SVG = "{http://www.w3.org/2000/svg}"
START = datetime(2025, 6, 6, 13, 0, tzinfo=UTC)  # 20:00 in Vietnam


def live(**changes: object) -> LiveReport:
    values: dict[str, object] = {
        "video_id": "1234567890",
        "title": "Live tối thứ Sáu: áo dài Đỏ",
        "running": False,
        "started_at": START,
        "ended_at": START + timedelta(minutes=5),
        "comments": 58,
        "buyers": 9,
        "drafts": 9,
        "created": 6,
        "cancelled": 1,
        "shipped": 3,
        "delivered": 1,
        "returned": 0,
        "revenue": 1_450_000,
        "average_order": 290_000,
        "conversion": 5 / 9,
        "top_codes": (CodeSold("A1", 7), CodeSold("B22", 4), CodeSold("C3", 1)),
        "per_minute": tuple(
            MinuteCount(START + timedelta(minutes=i), count)
            for i, count in enumerate((12, 20, 0, 9, 11, 6))
        ),
    }
    values.update(changes)
    return LiveReport(**values)  # type: ignore[arg-type]


def staff(*names: str) -> StaffReport:
    people = tuple(
        StaffFigures(100 + i, name, 3, 2, 1, 1, 500_000 - 100_000 * i, 0)
        for i, name in enumerate(names)
    )
    return StaffReport(date(2025, 6, 1), date(2025, 6, 7), people)


def week(revenues: tuple[int, ...] = (0, 150_000, 900_000, 0, 300_000, 0, 2_000_000)) -> ShopDays:
    first = date(2025, 6, 1)
    return ShopDays(
        first,
        first + timedelta(days=len(revenues) - 1),
        tuple(
            DayFigures(first + timedelta(days=i), 3, 1 if revenue else 0, 0, 0, revenue, 0)
            for i, revenue in enumerate(revenues)
        ),
    )


def png_image(data: bytes) -> Image.Image:
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(data))
    image.load()
    return image.convert("RGB")


def inked(image: Image.Image) -> int:
    """Pixels that are not the white background."""
    histogram = image.convert("L").histogram()
    return sum(histogram[:250])


def svg_texts(data: bytes) -> list[str]:
    root = ET.fromstring(data)
    assert root.tag == f"{SVG}svg"
    return [element.text or "" for element in root.iter(f"{SVG}text")]


CHARTS_OF = {
    "per_minute": lambda language, fmt: comments_per_minute(live(), language, fmt),
    "top_codes": lambda language, fmt: top_codes(live(), language, fmt),
    "staff": lambda language, fmt: staff_revenue(staff("Lan", "Minh"), language, fmt),
    "days": lambda language, fmt: days_chart(week(), language, fmt),
}


@pytest.mark.parametrize("chart", sorted(CHARTS_OF))
def test_png_opens_at_the_size_we_send_and_has_bars(chart: str) -> None:
    image = png_image(CHARTS_OF[chart]("vi", "png"))
    assert image.size == SIZE_PX
    # The bars' blue is there, over a good share of the picture: not a blank or a title only.
    colours = {colour: count for count, colour in image.getcolors(SIZE_PX[0] * SIZE_PX[1])}
    blue = colours.get((0x2F, 0x6F, 0xB0), 0)
    assert blue > 2_000, blue


@pytest.mark.parametrize("chart", sorted(CHARTS_OF))
def test_every_vietnamese_letter_has_a_glyph(chart: str) -> None:
    """matplotlib warns of a glyph missing from the font; Be Vietnam Pro has them all."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        CHARTS_OF[chart]("vi", "png")
        CHARTS_OF[chart]("vi", "svg")


def test_svg_is_xml_with_the_vietnamese_words_as_text() -> None:
    texts = svg_texts(comments_per_minute(live(), "vi", "svg"))
    assert "Bình luận mỗi phút · Live tối thứ Sáu: áo dài Đỏ" in texts
    assert "Số bình luận" in texts
    assert "Giờ (giờ Việt Nam)" in texts
    # The minutes are Vietnam's clock: 13:00 UTC is 20:00 there.
    assert "20:00" in texts and "13:00" not in texts


def test_top_codes_lists_the_codes_with_their_quantities() -> None:
    texts = svg_texts(top_codes(live(), "vi", "svg"))
    assert {"A1", "B22", "C3", "7", "4", "1"} <= set(texts)
    assert "Mã bán chạy · Live tối thứ Sáu: áo dài Đỏ" in texts


def test_money_is_grouped_the_shops_way() -> None:
    vi = svg_texts(days_chart(week(), "vi", "svg"))
    en = svg_texts(days_chart(week(), "en", "svg"))
    assert "2.000.000" in vi and "Doanh thu theo ngày · 01/06/2025 – 07/06/2025" in vi
    assert "Đơn đã tạo" in vi and "07/06" in vi
    assert "2,000,000" in en and "Revenue by day · 01/06/2025 – 07/06/2025" in en


def test_english_charts_carry_no_vietnamese_words() -> None:
    vietnamese = {word for words in CHARTS["vi"].values() for word in words.split()}
    english = {word for words in CHARTS["en"].values() for word in words.split()}
    only_vietnamese = {word for word in vietnamese - english if not word.startswith("{")}
    for chart in CHARTS_OF.values():
        texts = " ".join(svg_texts(chart("en", "svg")))
        assert not {word for word in texts.split() if word in only_vietnamese} - {"Đỏ", "Live"}


def test_the_two_tables_have_the_same_keys_and_fields() -> None:
    assert CHARTS["vi"].keys() == CHARTS["en"].keys()
    for key, words in CHARTS["vi"].items():
        assert re.findall(r"{\w+}", words) == re.findall(r"{\w+}", CHARTS["en"][key]), key


EMPTY = {
    "per_minute": lambda fmt: comments_per_minute(live(per_minute=(), comments=0), "vi", fmt),
    "top_codes": lambda fmt: top_codes(live(top_codes=()), "vi", fmt),
    "staff": lambda fmt: staff_revenue(staff(), "vi", fmt),
    "days": lambda fmt: days_chart(week((0, 0, 0)), "vi", fmt),
}


@pytest.mark.parametrize("chart", sorted(EMPTY))
def test_no_data_yet_is_a_chart_that_says_so(chart: str) -> None:
    image = png_image(EMPTY[chart]("png"))
    assert image.size == SIZE_PX
    assert inked(image) > 500  # the title and the words, on white
    assert "Chưa có số liệu" in svg_texts(EMPTY[chart]("svg"))


@pytest.mark.parametrize("fmt", ["png", "svg"])
def test_the_same_figures_give_the_same_bytes(fmt: str) -> None:
    first = [chart("vi", fmt) for chart in CHARTS_OF.values()]
    again = [chart("vi", fmt) for chart in CHARTS_OF.values()]
    assert first == again
    if fmt == "svg":
        assert all(b"<dc:date>" not in data for data in first)


def test_threads_drawing_at_once_draw_what_one_draws_alone() -> None:
    alone = {name: chart("vi", "png") for name, chart in CHARTS_OF.items()}
    jobs = [name for name in CHARTS_OF for _ in range(3)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        drawn = list(pool.map(lambda name: (name, CHARTS_OF[name]("vi", "png")), jobs))
    assert all(data == alone[name] for name, data in drawn)


def test_a_long_live_shows_a_readable_number_of_times() -> None:
    minutes = tuple(MinuteCount(START + timedelta(minutes=i), (i * 7) % 23) for i in range(3 * 60))
    texts = svg_texts(comments_per_minute(live(per_minute=minutes), "vi", "svg"))
    times = [text for text in texts if re.fullmatch(r"\d\d:\d\d", text)]
    assert 6 <= len(times) <= 13
    assert times[0] == "20:00"


def test_an_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="png or svg"):
        bars([("A", 1)], ChartText("x"), fmt="gif")  # type: ignore[arg-type]


def test_typed_names_are_text_in_the_svg_never_markup() -> None:
    data = staff_revenue(staff("<script>alert(1)</script>", "Tom & Jerry"), "vi", "svg")
    assert b"<script>" not in data
    assert any(text.startswith("<script>") for text in svg_texts(data))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    names=st.lists(st.text(max_size=80), max_size=6),
    title=st.text(max_size=300),
)
def test_whatever_people_typed_draws(names: list[str], title: str) -> None:
    """Staff names and live titles are typed by people: `$x$` is not mathematics, a control
    character or a very long name does not break the chart, and a letter the typeface lacks (an
    emoji) is left out rather than drawn as a box (matplotlib warns of a missing glyph)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        png_image(staff_revenue(staff(*names), "vi", "png"))
        svg_texts(comments_per_minute(live(title=title), "vi", "svg"))
    svg_texts(
        top_codes(live(title=title, top_codes=(CodeSold(title[:40] or "A", 2),)), "en", "svg")
    )
