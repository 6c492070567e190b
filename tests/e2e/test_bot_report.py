# ruff: noqa: F811  (the group fixtures are imported from test_bot_commands by name)
"""`/report` in the staff group, end to end through the fake Bot API: a member types it, the
bot answers with a photo of a chart (a real PNG, as uploaded) whose caption carries the
figures of `application.reports`, worded as staff read them, within Telegram's caption limit
(the fake refuses a longer one, as Telegram does)."""

from __future__ import annotations

import io
from datetime import timedelta

from PIL import Image

from application.live_sessions import open_session
from bot.commands import COMMANDS, help_text, menu
from chotdon.runtime import RUNTIME
from kernel.tables import utcnow
from render.charts import SIZE_PX
from render.formats import LOCAL_ZONE
from tests.conftest import GROUP
from tests.e2e.test_bot_commands import SALES, STRANGER, Group, fake, group  # noqa: F401
from tests.fakes.telegram import Message
from tests.report_data import EXPECTED, REPORT_TITLE, REPORT_VIDEO, seed_report_live


def photo_of(group: Group, message: Message) -> bytes:
    """The bytes the bot uploaded for `message`."""
    assert message.photo, f"not a photo: {message.text!r}"
    calls = [
        call
        for call in group.fake.calls_of("sendPhoto")
        if call.ok and call.answer["result"]["message_id"] == message.message_id
    ]
    (call,) = calls
    return call.params["photo"].data


def chart_of(group: Group, message: Message) -> Image.Image:
    data = photo_of(group, message)
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(data))
    image.load()
    assert image.format == "PNG" and image.size == SIZE_PX
    return image


async def seed(group: Group, *, close: bool = True) -> None:
    runtime = group.app[RUNTIME]
    await seed_report_live(runtime.sessions, runtime.orders, SALES, close=close)


def today_text() -> str:
    return utcnow().astimezone(LOCAL_ZONE).strftime("%d/%m/%Y")


async def test_report_is_todays_figures_on_a_chart(group: Group) -> None:
    await seed(group)
    answer = await group.say(SALES, "/report")
    chart_of(group, answer)
    assert answer.caption == (
        f"📊 Hôm nay {today_text()}\n"
        "Đơn đã tạo: 2 · Doanh thu: 300.000 đ\n"
        "Đã gửi vận chuyển: 1 · Đã giao: 1\n"
        "COD đã thu: 300.000 đ\n"
        "🏆 Nhân viên: Lan (300.000 đ)"
    )
    bold = [entity for entity in answer.caption_entities if entity["type"] == "bold"]
    assert len(bold) == 3  # the day, the orders created, the revenue


async def test_report_on_a_quiet_day_still_draws_and_says_so(group: Group) -> None:
    answer = await group.say(SALES, "/report")
    chart_of(group, answer)
    assert "Đơn đã tạo: 0 · Doanh thu: 0 đ" in answer.caption
    assert "🏆 Chưa nhân viên nào có doanh thu." in answer.caption


async def test_report_live_is_the_last_lives_figures_on_its_comments_chart(group: Group) -> None:
    await seed(group)
    answer = await group.say(SALES, "/report live")
    image = chart_of(group, answer)
    colours = {colour for _, colour in image.convert("RGB").getcolors(SIZE_PX[0] * SIZE_PX[1])}
    assert (0x2F, 0x6F, 0xB0) in colours  # the bars of the comments, not an empty chart
    assert answer.caption == (
        f"📺 Live: {REPORT_TITLE}\n"
        f"Bình luận: {EXPECTED.comments} · Người đặt: {EXPECTED.buyers} · "
        f"Tỉ lệ chốt đơn: {EXPECTED.conversion_vi}\n"
        f"Đơn nháp: {EXPECTED.drafts} · Đơn đã tạo: {EXPECTED.created} · "
        f"Đã hủy: {EXPECTED.cancelled}\n"
        "Doanh thu: 300.000 đ · Trung bình mỗi đơn: 300.000 đ\n"
        "Đã gửi vận chuyển: 1 · Đã giao: 1 · Bị hoàn: 0\n"
        "🔥 Mã bán chạy: A1 ×2\n"
        f"Xem chi tiết: https://shop.example/reports/lives/{REPORT_VIDEO}"
    )


async def test_report_live_while_it_runs_says_the_figures_are_so_far(group: Group) -> None:
    await seed(group, close=False)
    answer = await group.say(SALES, "/report live")
    chart_of(group, answer)
    assert "🔴 Đang live: số liệu đến lúc này" in answer.caption


async def test_report_live_before_any_live(group: Group) -> None:
    answer = await group.say(SALES, "/report live")
    assert answer.photo is None
    assert answer.text == "Chưa có phiên live nào."


async def test_a_long_title_with_markup_stays_text_within_the_caption_limit(
    group: Group,
) -> None:
    title = "Áo <b>dài</b> & khăn " * 30  # 600 characters of what a title may hold
    async with group.app[RUNTIME].sessions.begin() as session:
        await open_session(session, "42", title=title[:255])
    answer = await group.say(SALES, "/report live")
    chart_of(group, answer)
    assert answer.caption.startswith("📺 Live: Áo <b>dài</b> & khăn")
    assert len(answer.caption) <= 1024


async def test_report_over_days(group: Group) -> None:
    await seed(group)
    today = utcnow().astimezone(LOCAL_ZONE).date()
    start = today - timedelta(days=2)
    answer = await group.say(SALES, f"/report {start} {today}")
    chart_of(group, answer)
    assert answer.caption.startswith(
        f"📊 Từ {start:%d/%m/%Y} đến {today:%d/%m/%Y}\nĐơn đã tạo: 2 · Doanh thu: 300.000 đ"
    )


async def test_wrong_arguments_are_answered_with_the_usage_or_the_reason(group: Group) -> None:
    usage = "Cách dùng: /report · /report live · /report TỪ_NGÀY ĐẾN_NGÀY (năm-tháng-ngày)"
    for words in ("/report hôm-qua", "/report 2026-02-30 2026-03-01", "/report a b c"):
        answer = await group.say(SALES, words)
        assert answer.text == usage, words
    backwards = await group.say(SALES, "/report 2026-03-10 2026-03-01")
    assert backwards.text == "Ngày kết thúc phải từ 2026-03-10 đến 2027-03-10."
    assert not [call for call in group.fake.calls_of("sendPhoto")]


async def test_only_staff_get_reports(group: Group) -> None:
    await seed(group)
    answer = await group.say(STRANGER, "/report")
    assert answer.text == "Chỉ nhân viên của shop mới dùng được lệnh này."
    assert not group.fake.calls_of("sendPhoto")
    assert not [m for m in group.fake.bot_messages(GROUP) if m.photo]


def test_help_and_the_menu_name_report_in_both_languages() -> None:
    assert "report" in COMMANDS
    for language in ("vi", "en"):
        assert "/report [live |" in help_text(language)
        (entry,) = [command for command in menu(language) if command.command == "report"]
        assert entry.description
