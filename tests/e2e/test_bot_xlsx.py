"""`/excel` in the staff group, end to end through the fake Bot API on SQLite and PostgreSQL:
the orders list as an Excel document sent to the chat (multipart `sendDocument`, as Telegram
takes it), read as `/orders` reads its words, and read back with openpyxl."""

from __future__ import annotations

import re
from typing import Any

import aiohttp
import pytest

from application.live_sessions import open_session
from chotdon.app import create_app
from orders.changes import LineInput
from orders.drafts import NewOrder
from orders.staff import find_staff
from tests.conftest import GROUP, bot_settings
from tests.e2e.test_bot_commands import (
    SALES,
    STRANGER,
    VIDEO,
    Group,
    new_order,
    started,
)
from tests.factories import BUYER, STAFF, draft, order_in
from tests.fakes.telegram import Call, FakeTelegram, Message
from tests.unit.test_orders_xlsx import Sheet, read_book

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def fake() -> FakeTelegram:
    return FakeTelegram(group_limit=1000, overall_limit=1000)


@pytest.fixture
async def group(root, fake, aiohttp_client, db_url) -> Group:
    app = create_app(bot_settings(db_url, root), run_worker=False, run_inbox=False)
    return await started(await aiohttp_client(app), fake)


def document_of(group: Group, reply: Message) -> tuple[Call, list[Sheet]]:
    """The `sendDocument` call that made `reply`, and the workbook it carried."""
    assert reply.document is not None, reply.text
    calls = [
        call
        for call in group.fake.calls_of("sendDocument")
        if call.ok and call.answer["result"]["message_id"] == reply.message_id
    ]
    assert len(calls) == 1
    upload = calls[0].params["document"]
    assert calls[0].content_type == "multipart/form-data"
    return calls[0], read_book(upload.data)


def codes(sheet: Sheet) -> list[str]:
    return [row[0].value for row in sheet.rows]


async def test_excel_sends_every_order_as_a_document(group: Group) -> None:
    orders = [await draft(group.orders) for _ in range(3)]
    shipped = await order_in(group.orders, "shipping")
    reply = await group.say(SALES, "/excel")
    call, (orders_sheet, lines_sheet) = document_of(group, reply)
    upload = call.params["document"]
    assert re.fullmatch(r"don-hang-\d{8}-\d{4}\.xlsx", upload.filename), upload.filename
    assert reply.document and reply.document["file_name"] == upload.filename
    assert reply.caption == "📊 Tất cả: 4 đơn, 4 dòng hàng"
    assert codes(orders_sheet) == [shipped.code, *[o.code for o in orders[::-1]]]
    assert orders_sheet.headings[:2] == ["Mã đơn", "Trạng thái"]
    assert orders_sheet.row_of(shipped.code or "")["Trạng thái"].value == "Đang vận chuyển"
    assert orders_sheet.row_of(shipped.code or "")["SĐT"].value == BUYER.phone
    assert len(lines_sheet.rows) == 4
    assert (GROUP, "upload_document") in group.fake.chat_actions


async def test_excel_reads_a_tab_a_staff_member_and_a_live_as_orders_does(group: Group) -> None:
    async with group.orders.transaction() as session:
        lan = await find_staff(session, SALES)
        assert lan is not None
        await open_session(session, VIDEO, title="Sale 12/12")
    kept = await group.orders.create_draft(
        NewOrder(buyer=BUYER, lines=[LineInput(quantity=1, code="A1")], staff_id=lan.id), STAFF
    )
    await draft(group.orders)  # nobody's
    in_live = [await new_order(group.orders, n, video_id=VIDEO) for n in range(2)]
    await order_in(group.orders, "waiting_for_shipping")

    reply = await group.say(SALES, "/excel draft mine")
    _, (orders_sheet, _) = document_of(group, reply)
    assert codes(orders_sheet) == [kept.code]
    assert reply.caption == "📊 Nháp · Lan: 1 đơn, 1 dòng hàng"

    reply = await group.say(SALES, "/excel @Lan")
    assert codes(document_of(group, reply)[1][0]) == [kept.code]

    reply = await group.say(SALES, f"/excel live {VIDEO} draft")
    _, (orders_sheet, _) = document_of(group, reply)
    assert codes(orders_sheet) == [o.code for o in in_live[::-1]]
    assert reply.caption == "📊 Nháp · Live: Sale 12/12: 2 đơn, 2 dòng hàng"


async def test_nothing_to_export_is_said_in_words_and_mistakes_get_the_usage(group: Group) -> None:
    await draft(group.orders)
    empty = await group.say(SALES, "/excel returned")
    assert empty.text == "Không có đơn nào trong Đã hoàn: không có gì để xuất."
    for words in ("/excel draft draft", "/excel everything", "/excel mine mine"):
        wrong = await group.say(SALES, words)
        assert (wrong.text or "").startswith("Cách dùng: /excel"), words
    unknown = await group.say(SALES, "/excel @Nobody")
    assert unknown.text == "Không có nhân viên nào tên Nobody."
    stranger = await group.say(STRANGER, "/excel")
    assert "Chỉ nhân viên" in (stranger.text or "")
    assert group.fake.calls_of("sendDocument") == []


async def test_help_and_the_menu_name_excel(group: Group) -> None:
    helped = await group.say(SALES, "/help")
    assert "/excel [trạng thái | mine | live …]: tải danh sách đơn" in (helped.text or "")


async def test_the_fake_refuses_a_document_as_telegram_does(root: str, fake: FakeTelegram) -> None:
    """What the bot's upload meets: multipart with the file in `document`; without one, or with
    an empty file, Telegram answers 400 and sends nothing."""
    url = f"{root}/bot{fake.token}/sendDocument"
    async with aiohttp.ClientSession() as http:

        async def send(**parts: Any) -> dict[str, Any]:
            form = aiohttp.FormData()
            form.add_field("chat_id", str(GROUP))
            for name, (data, filename) in parts.items():
                form.add_field(name, data, filename=filename, content_type=MEDIA_TYPE)
            async with http.post(url, data=form) as answer:
                return await answer.json()

        missing = await send()
        assert missing["ok"] is False and missing["error_code"] == 400
        assert "no document" in missing["description"]
        empty = await send(document=(b"", "x.xlsx"))
        assert empty["ok"] is False and empty["error_code"] == 400
        sent = await send(document=(b"PK\x03\x04 a workbook", "don-hang.xlsx"))
        assert sent["ok"] is True
        assert sent["result"]["document"]["file_name"] == "don-hang.xlsx"
        assert sent["result"]["document"]["mime_type"] == MEDIA_TYPE
    assert [m.document["file_name"] for m in fake.chat(GROUP) if m.document] == ["don-hang.xlsx"]
