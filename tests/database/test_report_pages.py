"""The report pages over real HTTP against the whole app, on each backend, signed in for real:
a live's figures as staff read them (in Vietnamese, with no English left over), its charts
inline, the note and the refresh while it runs, the staff and the days over a range with the
form that picks it, and a clear answer to any range the address may hold."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from html import unescape
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from application import web_logins as auth
from application.wording.reports import CHARTS
from chotdon.app import create_app
from chotdon.runtime import RUNTIME
from kernel.database import create_engine, session_factory
from kernel.tables import utcnow
from orders.staff import add_staff
from render.formats import LOCAL_ZONE
from staff_web.security import COOKIE
from staff_web.strings_reports import REPORTS
from tests.conftest import make_settings
from tests.factories import seed_items
from tests.report_data import EXPECTED, REPORT_TITLE, REPORT_VIDEO, seed_report_live

LAN = 4242


@dataclass
class Web:
    client: TestClient
    cookie: str

    async def get(self, path: str, status: int = 200, **headers: str) -> str:
        async with self.client.get(
            path, headers={"Cookie": f"{COOKIE}={self.cookie}", **headers}
        ) as response:
            body = await response.text()
            assert response.status == status, body[:2000]
            return body

    async def seed(self, *, close: bool = True) -> None:
        runtime = self.client.app[RUNTIME]
        await seed_report_live(runtime.sessions, runtime.orders, LAN, close=close)


async def _web(aiohttp_client: Any, db_url: str, **settings: Any) -> Web:
    engine = create_engine(db_url)
    try:
        await seed_items(session_factory(engine))
        async with session_factory(engine).begin() as session:
            row = await add_staff(session, LAN, "Lan", "sales")
            started = await auth.start_session(session, row, "link")
    finally:
        await engine.dispose()
    app = create_app(
        make_settings(db_url, **settings), run_worker=False, run_inbox=False, run_bot=False
    )
    return Web(await aiohttp_client(app), started.token)


@pytest.fixture
async def web(aiohttp_client: Any, db_url: str) -> Web:
    """The pages of a shop that kept the default language, Vietnamese."""
    return await _web(aiohttp_client, db_url)


def text_of(html: str) -> str:
    """The page as a person reads it: tags dropped, entities decoded, spaces squeezed."""
    html = re.sub(r"<(style|script)\b.*?</\1>", " ", html, flags=re.DOTALL)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def figure(page: str, label: str) -> str:
    """The value shown under `label` in the page's grid of figures."""
    found = re.search(rf"<dt>{re.escape(label)}</dt><dd>([^<]*)</dd>", page.replace("&amp;", "&"))
    assert found, f"no figure {label!r}"
    return unescape(found.group(1))


def svgs(page: str) -> list[str]:
    return re.findall(r"<svg\b.*?</svg>", page, flags=re.DOTALL)


def english_leaks(page: str) -> set[str]:
    """Words only the English tables have (the pages' and the charts'), found in the page."""
    vietnamese = {*REPORTS["vi"].values(), *CHARTS["vi"].values()}
    shown = text_of(page) + " " + " ".join(re.findall(r">([^<>]+)</text>", page))
    leaks = set()
    for words in {*REPORTS["en"].values(), *CHARTS["en"].values()} - vietnamese:
        for part in re.split(r"\{\w+\}", words):
            part = part.strip(" ·:()–-")
            if len(part) > 3 and part not in ("Live", "COD", "Live now") and part in shown:
                leaks.add(part)
    return leaks


def today() -> date:
    return utcnow().astimezone(LOCAL_ZONE).date()


async def test_a_lives_report_shows_every_figure_in_vietnamese(web: Web) -> None:
    await web.seed()
    page = await web.get(f"/reports/lives/{REPORT_VIDEO}")
    text = text_of(page)
    assert f"Báo cáo live: {REPORT_TITLE}" in text
    shown = {
        "Bình luận": str(EXPECTED.comments),
        "Người đặt": str(EXPECTED.buyers),
        "Đơn nháp": str(EXPECTED.drafts),
        "Đơn đã tạo": str(EXPECTED.created),
        "Đã hủy": str(EXPECTED.cancelled),
        "Tỉ lệ chốt đơn": EXPECTED.conversion_vi,
        "Doanh thu": "300.000 đ",
        "Giá trị đơn trung bình": "300.000 đ",
        "Đã gửi vận chuyển": str(EXPECTED.shipped),
        "Đã giao": str(EXPECTED.delivered),
        "Bị hoàn": "0",
    }
    assert {label: figure(page, label) for label in shown} == shown
    # The first and last comments in Vietnam's time, and the way to the comments.
    assert "Bắt đầu: 14/03/2026 19:01 · Bình luận cuối: 14/03/2026 19:05" in text
    assert f'href="/live/{REPORT_VIDEO}/comments"' in page
    # The best-selling codes as a table, then both charts inline, with their words as text.
    assert re.search(r"<td>A1</td><td class=\"number\">2</td>", page)
    per_minute, top_codes = svgs(page)
    assert f"Bình luận mỗi phút · {REPORT_TITLE}" in per_minute
    assert ">19:01</text>" in per_minute and ">19:05</text>" in per_minute
    assert f"Mã bán chạy · {REPORT_TITLE}" in top_codes and ">A1</text>" in top_codes
    assert "<?xml" not in page and "<!DOCTYPE svg" not in page
    # Over: no "live now" note, no refresh.
    assert "Đang live" not in text and 'http-equiv="refresh"' not in page
    assert english_leaks(page) == set()


async def test_while_the_live_runs_the_report_says_so_and_refreshes(web: Web) -> None:
    await web.seed(close=False)
    page = await web.get(f"/reports/lives/{REPORT_VIDEO}")
    assert "Đang live: số liệu đến lúc này" in text_of(page)
    assert '<meta http-equiv="refresh" content="15">' in page
    assert figure(page, "Đơn đã tạo") == str(EXPECTED.created)


async def test_a_live_nobody_opened_is_a_plain_404(web: Web) -> None:
    page = await web.get("/reports/lives/no-such-video", status=404)
    assert "Không có phiên live này." in text_of(page)


async def test_the_landing_shows_today_and_leads_to_every_report(web: Web) -> None:
    empty = await web.get("/reports")
    assert "Chưa có phiên live nào." in text_of(empty)
    assert figure(empty, "Doanh thu") == "0 đ"
    await web.seed()
    page = await web.get("/reports")
    text = text_of(page)
    day = today()
    assert f"Hôm nay ({day:%d/%m/%Y})" in text
    assert figure(page, "Đơn đã tạo") == str(EXPECTED.created)
    assert figure(page, "Doanh thu") == "300.000 đ"
    assert figure(page, "COD đã thu") == "300.000 đ"
    week = f"from={day - timedelta(days=6)}&amp;to={day}"
    assert f'href="/reports/lives/{REPORT_VIDEO}">Live gần nhất: {REPORT_TITLE}</a>' in page
    assert f'href="/reports/staff?{week}"' in page
    assert f'href="/reports/days?{week}"' in page
    assert f'href="/reports/days?from={day}&amp;to={day}"' in page
    assert english_leaks(page) == set()
    # Every page's menu leads here, and each live on /live to its report.
    assert '<a href="/reports">Báo cáo</a>' in page
    lives = await web.get("/live")
    assert f'href="/reports/lives/{REPORT_VIDEO}"' in lives


async def test_the_staff_over_the_last_week(web: Web) -> None:
    await web.seed()
    page = await web.get("/reports/staff")
    day = today()
    assert f'name="from" value="{day - timedelta(days=6)}"' in page
    assert f'name="to" value="{day}"' in page
    row = re.search(r'<tr data-telegram-id="4242">(.*?)</tr>', page, flags=re.DOTALL)
    assert row
    assert text_of(row.group(1)) == "Lan 2 2 1 1 300.000 đ 300.000 đ"
    header = text_of(re.search(r"<thead>.*?</thead>", page, flags=re.DOTALL).group(0))
    assert header == (
        "Nhân viên Đơn nhận chăm sóc Đơn đã tạo Đã gửi vận chuyển Đã giao Doanh thu COD đã thu"
    )
    (chart,) = svgs(page)
    assert f"Doanh thu theo nhân viên · {day - timedelta(days=6):%d/%m/%Y} – {day:%d/%m/%Y}" in (
        chart
    )
    assert ">Lan</text>" in chart and ">300.000</text>" in chart
    assert english_leaks(page) == set()
    # A week with nothing done: everyone listed with zeros, the chart says there is nothing.
    quiet = await web.get("/reports/staff?from=2020-01-01&to=2020-01-07")
    assert "Lan 0 0 0 0 0 đ 0 đ" in text_of(quiet)
    assert ">Chưa có số liệu</text>" in svgs(quiet)[0]


async def test_the_shop_day_by_day(web: Web) -> None:
    await web.seed()
    day = today()
    page = await web.get(f"/reports/days?from={day - timedelta(days=2)}&to={day}")
    rows = re.findall(r'<tr data-day="([^"]+)">(.*?)</tr>', page, flags=re.DOTALL)
    assert [when for when, _ in rows] == [str(day - timedelta(days=n)) for n in (2, 1, 0)]
    assert text_of(rows[-1][1]) == f"{day:%d/%m/%Y} 3 2 1 1 300.000 đ 300.000 đ"
    assert text_of(rows[0][1]) == f"{day - timedelta(days=2):%d/%m/%Y} 0 0 0 0 0 đ 0 đ"
    total = re.search(r'<tr class="total">(.*?)</tr>', page, flags=re.DOTALL)
    assert total and text_of(total.group(1)) == "Tổng 3 2 1 1 300.000 đ 300.000 đ"
    (chart,) = svgs(page)
    assert "Doanh thu theo ngày" in chart and "Đơn đã tạo" in chart
    assert f">{day:%d/%m}</text>" in chart
    assert english_leaks(page) == set()


@pytest.mark.parametrize(
    ("query", "said"),
    [
        ("from=2026-02-30&to=2026-03-01", "Ngày không hợp lệ: 2026-02-30"),
        ("from=hôm-qua", "Ngày không hợp lệ: hôm-qua"),
        ("to=0001-01-01", "Ngày không hợp lệ: 0001-01-01"),
        ("from=9999-12-31&to=9999-12-31", "Ngày không hợp lệ: 9999-12-31"),
        ("from=%00%3Cscript%3E", "Ngày không hợp lệ:"),
        ("from=2026-03-10&to=2026-03-01", "Ngày kết thúc phải từ 2026-03-10"),
        ("from=2020-01-01&to=2026-03-01", "Ngày kết thúc phải từ 2020-01-01 đến 2020-12-31"),
    ],
)
async def test_a_range_the_pages_cannot_show_is_said_back(web: Web, query: str, said: str) -> None:
    for path in ("/reports/staff", "/reports/days"):
        page = await web.get(f"{path}?{query}", status=400)
        error = re.search(r'<p class="error" role="alert">(.*?)</p>', page, flags=re.DOTALL)
        assert error and said in unescape(error.group(1)), page
        assert "<script>" not in page.split("</header>", 1)[1]
        assert 'name="from"' in page  # the form is there to put it right
        assert svgs(page) == []


async def test_an_english_shop_reads_its_reports_in_english(aiohttp_client, db_url) -> None:
    web = await _web(aiohttp_client, db_url, language="en")
    await web.seed()
    page = await web.get(f"/reports/lives/{REPORT_VIDEO}")
    assert figure(page, "Conversion") == EXPECTED.conversion_en
    assert figure(page, "Revenue") == "300.000 đ"
    assert f"Comments per minute · {REPORT_TITLE}" in svgs(page)[0]
    assert "Báo cáo" not in text_of(page) and "Doanh thu" not in page


async def test_the_reports_are_for_signed_in_staff_only(web: Web) -> None:
    await web.seed()
    for path in ("/reports", f"/reports/lives/{REPORT_VIDEO}", "/reports/staff", "/reports/days"):
        async with web.client.get(path, allow_redirects=False) as response:
            body = await response.text()
            assert response.status in (302, 303, 401, 403), (path, response.status)
            assert "300.000 đ" not in body
