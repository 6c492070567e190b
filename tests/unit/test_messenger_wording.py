"""Messenger's words and events, pure: the webhook's `messaging` entries read as the Send API
documents them, the staff tables in both languages, the card's confirmation line, and the
private reply's buttons within Messenger's limits."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from application.wording.messenger import BUYER, CONFIRMATION, PAGES, confirmation_label
from bot.cards import card_text
from livestream.events import MessengerEvent, events_of
from tests.order_views import order_row

PAGE = "1122334455"
MS = 1_773_489_600_000
AT = datetime.fromtimestamp(MS / 1000, UTC)


def body(*messaging: object) -> dict[str, object]:
    return {"object": "page", "entry": [{"id": PAGE, "time": MS, "messaging": list(messaging)}]}


def test_a_text_a_quick_reply_and_a_postback_are_read_and_echoes_are_not():
    batch = events_of(
        body(
            {
                "sender": {"id": "psid-1"},
                "recipient": {"id": PAGE},
                "timestamp": MS,
                "message": {"mid": "m_1", "text": "0912345678"},
            },
            {
                "sender": {"id": "psid-1"},
                "recipient": {"id": PAGE},
                "timestamp": MS,
                "message": {
                    "mid": "m_2",
                    "text": "Xác nhận đơn",
                    "quick_reply": {"payload": "CONFIRM:DH000001"},
                },
            },
            {
                "sender": {"id": "psid-1"},
                "recipient": {"id": PAGE},
                "timestamp": MS,
                "postback": {"mid": "m_3", "title": "Huỷ đơn", "payload": "CANCEL:DH000001"},
            },
            {"sender": {"id": PAGE}, "message": {"mid": "m_4", "text": "x", "is_echo": True}},
            {"sender": {"id": "psid-1"}, "read": {"watermark": MS}},
        )
    )
    assert batch.problems == []
    assert batch.events == [
        MessengerEvent("m_1", PAGE, "psid-1", "message", "0912345678", None, AT),
        MessengerEvent(
            "m_2", PAGE, "psid-1", "quick_reply", "Xác nhận đơn", "CONFIRM:DH000001", AT
        ),
        MessengerEvent("m_3", PAGE, "psid-1", "postback", "Huỷ đơn", "CANCEL:DH000001", AT),
    ]


@pytest.mark.parametrize(
    "event",
    [
        "not an object",
        {"message": {"mid": "m", "text": "no sender"}},
        {"sender": {"id": "p"}, "message": {"text": "no mid"}},
        {"sender": {"id": "p"}, "timestamp": -5, "message": {"mid": "m", "text": "x"}},
        {"sender": {"id": "p" * 65}, "timestamp": MS, "message": {"mid": "m", "text": "x"}},
    ],
)
def test_an_event_that_cannot_be_read_is_skipped_with_a_reason(event):
    ok = {"sender": {"id": "p"}, "timestamp": MS, "message": {"mid": "fine", "text": "x"}}
    batch = events_of(body(event, ok))
    assert [e.mid for e in batch.events] == ["fine"]
    assert len(batch.problems) == 1 and "messaging[0]" in batch.problems[0]


def test_both_staff_tables_have_the_same_keys_and_fields():
    for table in (PAGES, CONFIRMATION):
        assert set(table["vi"]) == set(table["en"])
        for key, english in table["en"].items():
            assert re.findall(r"{\w+}", english) == re.findall(r"{\w+}", table["vi"][key]), key


def test_buyers_read_vietnamese_with_its_diacritics():
    assert BUYER["declined"] == "Shop đã huỷ đơn {code} theo yêu cầu của bạn."
    assert not any(text.isascii() for text in BUYER.values())


@pytest.mark.parametrize(
    ("value", "vi", "en"),
    [
        ("awaiting", "⏳ Chờ khách xác nhận", "⏳ Waiting for the buyer to confirm"),
        ("confirmed", "✅ Khách đã xác nhận qua Messenger", "✅ The buyer confirmed in Messenger"),
        ("declined", "❌ Khách huỷ qua Messenger", "❌ The buyer cancelled in Messenger"),
    ],
)
def test_the_card_says_what_the_buyer_answered(value, vi, en):
    assert vi in card_text(order_row(buyer_confirmation=value))
    assert en in card_text(order_row(buyer_confirmation=value), language="en")
    assert confirmation_label(value, "vi") == vi


def test_a_card_nobody_asked_about_says_nothing_of_it():
    text = card_text(order_row(buyer_confirmation=None))
    assert "xác nhận" not in text.lower()
