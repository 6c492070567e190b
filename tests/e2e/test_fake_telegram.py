"""The fake Bot API (tests/fakes/telegram.py) driven by python-telegram-bot itself over HTTP."""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import AsyncIterator

import httpx
import pytest
import telegram
from PIL import Image
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Conflict, InvalidToken, NetworkError, RetryAfter, TimedOut
from telegram.ext import Application, CallbackQueryHandler, ContextTypes
from telegram.request import HTTPXRequest

from bot import ptb_periods
from bot.ptb_periods import retry_after_s
from tests.fakes.telegram import (
    DEFAULT_TOKEN,
    NOT_MODIFIED,
    FakeClock,
    FakeTelegram,
)
from tests.helpers import eventually

GROUP = -1001234567890
STAFF = 1001


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def fake(clock: FakeClock) -> FakeTelegram:
    return FakeTelegram(clock=clock)


def make_bot(root: str, token: str = DEFAULT_TOKEN, *, read_timeout: float = 5.0) -> telegram.Bot:
    def request() -> HTTPXRequest:
        return HTTPXRequest(read_timeout=read_timeout, httpx_kwargs={"trust_env": False})

    ptb_periods.opt_in()
    return telegram.Bot(
        token,
        base_url=f"{root}/bot",
        base_file_url=f"{root}/file/bot",
        request=request(),
        get_updates_request=request(),
    )


@pytest.fixture
async def bot(root: str) -> AsyncIterator[telegram.Bot]:
    async with make_bot(root) as bot:  # initialize() calls getMe
        yield bot


def keyboard(*data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(d, callback_data=d) for d in data]])


def png(width: int = 120, height: int = 200) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(out, format="PNG")
    return out.getvalue()


async def test_get_me_and_the_wire_format_ptb_uses(fake: FakeTelegram, bot: telegram.Bot):
    me = await bot.get_me()
    assert (me.id, me.is_bot, me.username) == (123456789, True, "chotdon_test_bot")
    assert bot.username == "chotdon_test_bot"

    await bot.send_message(GROUP, "hi", reply_markup=keyboard("o:1:ship:v1"))
    sent = fake.calls_of("sendMessage")[-1]
    assert sent.content_type == "application/x-www-form-urlencoded"
    assert sent.params["chat_id"] == GROUP  # decoded from the form's "-1001234567890"
    assert sent.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "o:1:ship:v1"
    assert sent.answer["ok"] is True and sent.answer["result"]["chat"]["type"] == "supergroup"


async def test_wrong_token_and_unknown_method(fake: FakeTelegram, root: str, bot: telegram.Bot):
    with pytest.raises(InvalidToken):
        async with make_bot(root, "42:wrong") as wrong:
            await wrong.get_me()
    assert fake.calls[-1].status == 401 and fake.calls[-1].description == "Unauthorized"

    async with httpx.AsyncClient(trust_env=False) as http:
        answer = await http.post(f"{root}/bot{DEFAULT_TOKEN}/sendCarrierPigeon", data={"x": "1"})
    assert answer.status_code == 404
    assert answer.json() == {"ok": False, "error_code": 404, "description": "Not Found"}


async def test_send_edit_then_not_modified(fake: FakeTelegram, bot: telegram.Bot):
    card = await bot.send_message(GROUP, "<b>A1</b> draft", parse_mode="HTML")
    assert card.text == "A1 draft" and card.entities[0].type == "bold"

    edited = await bot.edit_message_text(
        "<b>A1</b> shipping",
        chat_id=GROUP,
        message_id=card.message_id,
        parse_mode="HTML",
        reply_markup=keyboard("o:1:done:v2"),
    )
    assert edited.text == "A1 shipping"
    shown = fake.message(GROUP, card.message_id)
    assert (
        shown.text == "A1 shipping" and shown.callback_data == ["o:1:done:v2"] and shown.edits == 1
    )

    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text(
            "<b>A1</b> shipping",
            chat_id=GROUP,
            message_id=card.message_id,
            parse_mode="HTML",
            reply_markup=keyboard("o:1:done:v2"),
        )
    assert fake.calls[-1].status == 400 and fake.calls[-1].description == NOT_MODIFIED

    await bot.edit_message_reply_markup(GROUP, card.message_id)  # None: the keyboard goes
    assert fake.message(GROUP, card.message_id).reply_markup is None
    with pytest.raises(BadRequest, match=r"(?i)not modified"):
        await bot.edit_message_reply_markup(GROUP, card.message_id)

    assert await bot.delete_message(GROUP, card.message_id) is True
    assert fake.chat(GROUP) == []
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("again", chat_id=GROUP, message_id=card.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(GROUP, card.message_id)


async def test_refusals_telegram_makes(fake: FakeTelegram, bot: telegram.Bot):
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await bot.send_message(GROUP, "card", reply_markup=keyboard("x" * 65))
    assert fake.calls[-1].description == "Bad Request: BUTTON_DATA_INVALID"
    await bot.send_message(GROUP, "card", reply_markup=keyboard("x" * 64))
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await bot.send_message(GROUP, "card", reply_markup=keyboard("đ" * 33))  # 66 bytes

    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(GROUP, "x" * 4097)
    await bot.send_message(GROUP, "<b>" + "x" * 4096 + "</b>", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(GROUP, "   ")
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(GROUP, "<b>open", parse_mode="HTML")
    assert fake.calls[-1].description == (
        "Bad Request: can't parse entities: Can't find end tag corresponding to start tag b"
    )
    with pytest.raises(BadRequest, match=r'(?i)unsupported start tag "br"'):
        await bot.send_message(GROUP, "a<br>b", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(GROUP, "<b><i>x</b></i>", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r'(?i)unsupported start tag ""'):
        await bot.send_message(GROUP, "total < 500k", parse_mode="HTML")
    await bot.send_message(
        GROUP, "a &lt; b &amp; <a href='https://x.example'>c</a>", parse_mode="HTML"
    )
    assert fake.bot_messages(GROUP)[-1].text == "a < b & c"

    with pytest.raises(BadRequest, match=r"(?i)caption is too long"):
        await bot.send_photo(GROUP, png(), caption="x" * 1025, filename="bill.png")
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query("12345")
    assert len(fake.bot_messages(GROUP)) == 3  # nothing refused reached the chat


async def test_flood_limit_per_group_with_an_injected_clock(clock: FakeClock, aiohttp_server):
    fake = FakeTelegram(clock=clock, group_limit=3, group_window_s=60.0)
    server = await aiohttp_server(fake.app())
    async with make_bot(str(server.make_url("")).rstrip("/")) as bot:
        first = await bot.send_message(GROUP, "1")
        clock.advance(10)
        await bot.send_message(GROUP, "2")
        await bot.edit_message_text("1 edited", chat_id=GROUP, message_id=first.message_id)
        clock.advance(5)
        with pytest.raises(RetryAfter) as refused:
            await bot.send_message(GROUP, "4")
        assert retry_after_s(refused.value) == 45  # the first slot frees 60 s after it
        call = fake.calls[-1]
        assert call.status == 429
        assert call.answer == {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 45",
            "parameters": {"retry_after": 45},
        }
        await bot.send_message(STAFF, "private chats are not held back by the group")

        clock.advance(45)
        await bot.send_message(GROUP, "4")
        assert [m.text for m in fake.bot_messages(GROUP)] == ["1 edited", "2", "4"]


async def test_flood_limit_overall(clock: FakeClock, aiohttp_server):
    fake = FakeTelegram(clock=clock, overall_limit=2, overall_window_s=1.0)
    server = await aiohttp_server(fake.app())
    async with make_bot(str(server.make_url("")).rstrip("/")) as bot:
        await bot.send_message(1, "a")
        await bot.send_message(2, "b")
        with pytest.raises(RetryAfter) as refused:
            await bot.send_message(3, "c")
        assert retry_after_s(refused.value) == 1
        await bot.send_chat_action(3, "typing")  # not counted
        clock.advance(1)
        await bot.send_message(3, "c")


async def test_photo_and_document_uploads(fake: FakeTelegram, bot: telegram.Bot):
    card = await bot.send_message(GROUP, "card")
    image = png(576, 1000)
    photo = await bot.send_photo(
        GROUP, image, caption="Bill A1", filename="bill42.png", reply_to_message_id=card.message_id
    )
    assert photo.caption == "Bill A1" and photo.reply_to_message.message_id == card.message_id
    assert (photo.photo[-1].width, photo.photo[-1].height) == (576, 1000)
    assert photo.photo[0].height == 90
    sent = fake.calls_of("sendPhoto")[-1]
    assert sent.content_type == "multipart/form-data"
    upload = sent.params["photo"]
    assert (upload.filename, upload.content_type, upload.data) == ("bill42.png", "image/png", image)
    assert sent.params["caption"] == "Bill A1" and sent.params["chat_id"] == GROUP

    document = await bot.send_document(
        GROUP, b"%PDF-1.4 label", filename="label42.pdf", caption="Label A1"
    )
    assert document.document.file_name == "label42.pdf"
    assert document.document.mime_type == "application/pdf"
    shown = fake.message(GROUP, document.message_id)
    assert shown.caption == "Label A1" and shown.document["file_size"] == 14
    file = await bot.get_file(document.document.file_id)
    assert bytes(await file.download_as_bytearray()) == b"%PDF-1.4 label"

    with pytest.raises(BadRequest, match=r"(?i)image_process_failed"):
        await bot.send_photo(GROUP, b"not an image", filename="x.png")


async def test_get_updates_long_polls_and_honours_offset(fake: FakeTelegram, bot: telegram.Bot):
    assert await bot.get_updates(timeout=0) == ()
    card = await bot.send_message(GROUP, "card", reply_markup=keyboard("o:7:ship:v1"))

    waiting = asyncio.create_task(bot.get_updates(timeout=10))
    await eventually(
        lambda: asyncio.sleep(0, len(fake.calls_of("getUpdates")) == 2), "the long poll arrived"
    )
    assert not waiting.done()
    tap = fake.callback_update(STAFF, GROUP, card.message_id, "o:7:ship:v1", queue=True)
    first = await asyncio.wait_for(waiting, 5)
    assert [u.update_id for u in first] == [tap["update_id"]]

    text = fake.text_update(STAFF, GROUP, "/orders", queue=True)
    again = await bot.get_updates(timeout=0)  # not confirmed yet: both
    assert [u.update_id for u in again] == [tap["update_id"], text["update_id"]]
    assert again[1].message.text == "/orders" and again[1].message.entities[0].type == "bot_command"
    after = await bot.get_updates(offset=tap["update_id"] + 1, timeout=0)
    assert [u.update_id for u in after] == [text["update_id"]]
    assert [u["update_id"] for u in fake.pending_updates] == [text["update_id"]]

    only_taps = await bot.get_updates(timeout=0, allowed_updates=["callback_query"])
    assert only_taps == ()
    await bot.set_webhook("https://shop.example/telegram/webhook", secret_token="s3cret")
    with pytest.raises(Conflict):
        await bot.get_updates(timeout=0)
    info = await bot.get_webhook_info()
    assert info.url == "https://shop.example/telegram/webhook"
    assert info.allowed_updates == ("callback_query",)
    assert fake.webhook["secret_token"] == "s3cret"
    assert await bot.delete_webhook() is True


async def test_a_tap_parsed_by_ptb_and_answered_once(fake: FakeTelegram, bot: telegram.Bot):
    card = await bot.send_message(GROUP, "A1 draft", reply_markup=keyboard("o:7:ship:v1"))
    raw = fake.callback_update(fake.user(STAFF, "Ngọc"), GROUP, card.message_id, "o:7:ship:v1")
    update = Update.de_json(raw, bot)
    query = update.callback_query
    assert query.data == "o:7:ship:v1" and query.from_user.id == STAFF
    assert query.message.message_id == card.message_id and query.message.chat.id == GROUP
    assert query.message.reply_markup.inline_keyboard[0][0].callback_data == "o:7:ship:v1"

    assert await query.answer("Đã nhận", show_alert=True) is True
    assert fake.callback_answers[query.id]["show_alert"] is True
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await query.answer()

    prompt = await bot.send_message(GROUP, "Số điện thoại?", reply_markup=telegram.ForceReply())
    reply = Update.de_json(fake.reply_update(STAFF, GROUP, prompt.message_id, "0912345678"), bot)
    assert reply.message.reply_to_message.message_id == prompt.message_id
    assert reply.message.text == "0912345678" and reply.message.chat.type == "supergroup"


async def test_fail_next(fake: FakeTelegram, root: str):
    async with make_bot(root, read_timeout=0.3) as bot:
        fake.fail_next("sendMessage", "http500")
        with pytest.raises(NetworkError):
            await bot.send_message(GROUP, "a")
        fake.fail_next("sendMessage", "too_many", retry_after=7)
        with pytest.raises(RetryAfter) as refused:
            await bot.send_message(GROUP, "b")
        assert retry_after_s(refused.value) == 7
        fake.fail_next("sendMessage", "timeout")
        with pytest.raises(TimedOut):
            await bot.send_message(GROUP, "c")
        fake.release()
        fake.fail_next("sendMessage", "lost_answer")
        with pytest.raises(TimedOut):
            await bot.send_message(GROUP, "d")
        fake.release()
        await bot.send_message(GROUP, "e")
    assert [m.text for m in fake.bot_messages(GROUP)] == ["d", "e"]  # the lost answer was sent
    assert [c.fault for c in fake.calls_of("sendMessage")] == [
        "http500",
        "too_many",
        "timeout",
        "lost_answer",
        None,
    ]


async def test_commands_and_chat_action(fake: FakeTelegram, bot: telegram.Bot):
    await bot.set_my_commands([("orders", "Đơn hàng"), ("help", "Trợ giúp")])
    assert [c.command for c in await bot.get_my_commands()] == ["orders", "help"]
    with pytest.raises(BadRequest, match=r"(?i)bot_command_invalid"):
        await bot.set_my_commands([("Bad Command", "x")])
    assert await bot.send_chat_action(GROUP, "upload_photo") is True
    assert fake.chat_actions == [(GROUP, "upload_photo")]


async def test_a_second_poll_ends_the_first_and_json_bodies_are_taken_too(
    fake: FakeTelegram, root: str, bot: telegram.Bot
):
    first = asyncio.create_task(bot.get_updates(timeout=10))
    await eventually(
        lambda: asyncio.sleep(0, len(fake.calls_of("getUpdates")) == 1), "the first poll arrived"
    )
    assert await bot.get_updates(timeout=0) == ()
    with pytest.raises(Conflict, match=r"(?i)terminated by other getUpdates request"):
        await asyncio.wait_for(first, 5)

    async with httpx.AsyncClient(trust_env=False) as http:
        answer = await http.post(
            f"{root}/bot{DEFAULT_TOKEN}/sendMessage",
            json={"chat_id": GROUP, "text": "json", "reply_markup": keyboard("o:1").to_dict()},
        )
    assert answer.status_code == 200 and answer.json()["result"]["text"] == "json"
    assert fake.bot_messages(GROUP)[-1].callback_data == ["o:1"]
    update = fake.text_update(STAFF, GROUP, "/order@chotdon_test_bot A1")
    assert Update.de_json(json.loads(json.dumps(update)), bot).message.entities[0].length == 23


async def test_ptb_polling_application_handles_a_tap(fake: FakeTelegram, root: str):
    taps: list[str] = []

    async def on_tap(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.callback_query.answer()
        await update.callback_query.edit_message_text(f"tapped {update.callback_query.data}")
        taps.append(update.callback_query.data)

    application = Application.builder().bot(make_bot(root)).build()
    application.add_handler(CallbackQueryHandler(on_tap))
    async with application:
        card = await application.bot.send_message(GROUP, "card", reply_markup=keyboard("o:9"))
        await application.updater.start_polling(timeout=5, allowed_updates=["callback_query"])
        await application.start()
        fake.callback_update(STAFF, GROUP, card.message_id, "o:9", queue=True)
        await eventually(lambda: asyncio.sleep(0, taps == ["o:9"]), "the tap was handled")
        await application.updater.stop()
        await application.stop()
    assert fake.message(GROUP, card.message_id).text == "tapped o:9"
    assert len(fake.callback_answers) == 1
    assert fake.calls_of("deleteWebhook")  # the Updater makes sure no webhook is set
    assert fake.pending_updates == []  # confirmed by the next poll's offset


async def test_bodies_it_cannot_read_are_refused_and_recorded(fake: FakeTelegram, root: str):
    async with httpx.AsyncClient(trust_env=False) as http:
        bad_json = await http.post(
            f"{root}/bot{DEFAULT_TOKEN}/sendMessage",
            content=b"{nope",
            headers={"Content-Type": "application/json"},
        )
        bad_markup = await http.post(
            f"{root}/bot{DEFAULT_TOKEN}/sendMessage",
            data={"chat_id": str(GROUP), "text": "x", "reply_markup": "{nope"},
        )
    assert bad_json.status_code == 400 and bad_json.json()["error_code"] == 400
    assert bad_markup.json()["description"] == "Bad Request: can't parse reply_markup JSON object"
    assert [c.status for c in fake.calls] == [400, 400] and fake.chat(GROUP) == []
