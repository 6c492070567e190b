"""Order cards as staff read them in the group, and the strings they are written in."""

from __future__ import annotations

import re
import string
import unicodedata
from html.parser import HTMLParser
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.cards import MAX_TEXT, card_text, digest_text, utf16_length
from bot.strings import STRINGS, language_key, text
from orders.lifecycle import Action, Status
from orders.views import ShipperView
from tests.order_views import customer, line, order_view, shipper, staff

TELEGRAM_TAGS = {"b", "i", "u", "s", "code", "pre", "a", "tg-spoiler", "blockquote"}


class _TagCheck(HTMLParser):
    """What Telegram's HTML parse mode would refuse: unknown tags, unbalanced tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        assert tag in TELEGRAM_TAGS, f"Telegram refuses <{tag}>"
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open.pop() == tag, f"unbalanced </{tag}>"

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def visible(html_text: str) -> str:
    """The text staff see once Telegram parsed the HTML; fails if Telegram would refuse it."""
    check = _TagCheck()
    check.feed(html_text)
    check.close()
    assert check.open == [], f"unclosed {check.open}"
    return "".join(check.text)


# ---- strings -------------------------------------------------------------------------------


def test_both_languages_have_every_string_with_the_same_fields() -> None:
    assert STRINGS["vi"].keys() == STRINGS["en"].keys()
    fields = string.Formatter()
    for key in STRINGS["vi"]:
        vi = {name for _, name, _, _ in fields.parse(STRINGS["vi"][key]) if name}
        en = {name for _, name, _, _ in fields.parse(STRINGS["en"][key]) if name}
        assert vi == en, key


def test_every_status_action_and_alert_has_words() -> None:
    for status in Status:
        assert text("vi", f"status.{status.value}")
    for action in Action:
        assert text("en", f"action.{action.value}")
    assert all(len(v) <= 200 for k, v in STRINGS["vi"].items() if k.startswith("alert."))


def test_status_and_button_names_are_the_seeds_words() -> None:
    assert [text("vi", f"status.{s.value}") for s in Status] == [
        "Nháp",
        "Chờ vận chuyển",
        "Đang vận chuyển",
        "Chờ thu hộ (COD)",
        "Hoàn thành",
        "Giao thất bại",
        "Đã hoàn",
        "Đã hủy",
        "Chuyển cửa hàng",
    ]
    assert text("vi", "action.collect_cod") == "Thu COD"
    assert text("en", "status.wait_for_cod") == "Wait for COD"
    assert text("vi", "alert.stale") == "Đơn đã thay đổi, đã cập nhật lại thẻ"
    assert text("vi", "alert.not_staff") == "Chỉ nhân viên mới thao tác được"


@pytest.mark.parametrize(
    ("given_", "key"), [("en", "en"), ("EN-us", "en"), ("fr", "vi"), ("", "vi")]
)
def test_language_falls_back_to_vietnamese(given_: str, key: str) -> None:
    assert language_key(given_) == key


# ---- cards ---------------------------------------------------------------------------------


@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_status_gives_a_card_telegram_accepts(status: Status, language: str) -> None:
    card = card_text(order_view(status=status.value), language=language)
    seen = visible(card)
    assert text(language, f"status.{status.value}") in seen
    assert "CD000042" in seen
    assert "300.000 đ" in seen
    assert utf16_length(card) <= MAX_TEXT


def test_vietnamese_card_shows_buyer_lines_money_and_times_in_vietnam() -> None:
    order = order_view(
        shipping_fee=30000,
        subtotal=300000,
        total=330000,
        cod_amount=330000,
        note="Gọi trước khi giao",
        staff=staff("Mai", 5),
    )
    seen = visible(
        card_text(order, session_title="Live tối thứ 3", first_comment_at="2026-12-01T13:59:00")
    )
    for expected in (
        "Nguyễn Thị Lan",
        "0912345678",
        "12 Lê Lợi, Phường Bến Nghé, Quận 1, TP Hồ Chí Minh",
        "A1 Áo thun trắng (M) × 2 · 150.000 đ = 300.000 đ",
        "Phí vận chuyển: 30.000 đ",
        "Tổng cộng: 330.000 đ",
        "Thu hộ (COD): 330.000 đ",
        "Live tối thứ 3",
        "Bình luận đầu: 01/12/2026 20:59",  # 13:59 UTC is 20:59 in Ho Chi Minh City
        "Tạo lúc: 01/12/2026 21:05",
        "Nhân viên: Mai",
        "Gọi trước khi giao",
    ):
        assert expected in seen, expected


def test_english_card() -> None:
    seen = visible(card_text(order_view(cod_amount=0), language="en"))
    assert "Order CD000042 · Draft" in seen
    assert "Total: 300.000 đ" in seen
    assert "Prepaid (nothing to collect)" in seen
    assert "Not claimed" in seen


def test_missing_buyer_details_are_said_not_left_blank() -> None:
    order = order_view(
        customer=customer(name="", phone="", address="", ward="", district="", province="")
    )
    seen = visible(card_text(order))
    assert seen.count("(chưa có)") == 3


def test_html_in_names_is_shown_as_typed_not_interpreted() -> None:
    name = '<b>Lan & "Hoa"</b>'
    order = order_view(
        customer=customer(name=name, address="<i>ngõ 5</i>"),
        lines=[line(name="Váy <hoa> & nơ")],
        note="a < b",
    )
    card = card_text(order)
    assert '&lt;b&gt;Lan &amp; "Hoa"&lt;/b&gt;' in card
    seen = visible(card)
    assert name in seen
    assert "<i>ngõ 5</i>" in seen and "Váy <hoa> & nơ" in seen and "a < b" in seen


def test_decomposed_input_is_shown_composed() -> None:
    nfd = unicodedata.normalize("NFD", "Trần Thị Ánh Tuyết")
    card = card_text(order_view(customer=customer(name=nfd, address="x")))
    assert "Trần Thị Ánh Tuyết" in card
    assert unicodedata.is_normalized("NFC", card)


def test_unknown_codes_waitlist_and_review_stand_out() -> None:
    order = order_view(
        lines=[
            line("A1"),
            line("A12", sku=None, name="", unit_price=0),
            line("B3", waitlisted=True),
            line("C7", needs_review=True, variant="90"),
        ]
    )
    rows = visible(card_text(order)).splitlines()
    (a12,) = [r for r in rows if "A12" in r]
    (b3,) = [r for r in rows if "B3" in r]
    (c7,) = [r for r in rows if "C7" in r]
    (a1,) = [r for r in rows if r.startswith("1. A1")]
    assert "MÃ KHÔNG CÓ TRONG BUỔI LIVE" in a12
    assert "CHỜ HÀNG" in b3 and "MÃ KHÔNG" not in b3
    assert "cần kiểm tra" in c7
    assert "❓" not in a1 and "⏳" not in a1 and "⚠" not in a1
    en = visible(card_text(order, language="en"))
    assert "CODE NOT IN THIS LIVE" in en and "WAITLISTED" in en


def test_an_address_written_by_the_buyer_that_matched_no_place_asks_staff_to_check() -> None:
    order = order_view(
        customer=customer(address="5 hẻm 12 Khu Trên Núi", ward="", district="", province=""),
        address_review=True,
    )
    assert "Địa chỉ khách tự ghi, chưa khớp phường/xã và tỉnh: cần kiểm tra" in visible(
        card_text(order)
    )
    assert "no ward or province matched" in visible(card_text(order, language="en"))
    assert "kiểm tra" not in visible(card_text(order_view()))


def test_risky_buyer_gets_a_warning_from_history_or_from_the_caller() -> None:
    assert "Cảnh báo" not in card_text(order_view())
    order = order_view(customer=customer(delivered=4, failed=2, returned=1))
    assert "Cảnh báo: khách có 3 đơn giao thất bại hoặc bị hoàn" in visible(card_text(order))
    warned = visible(card_text(order_view(), risky=1, language="en"))
    assert "Warning: this buyer has 1 failed or returned deliveries" in warned


@pytest.mark.parametrize(
    ("shipped_by", "expected"),
    [
        (shipper("ghn", tracking_code="GHN123ABC"), ["GHN", "Mã vận đơn: GHN123ABC"]),
        (
            shipper("viettelpost", tracking_code=None, state="requesting"),
            ["Viettel Post", "Đang chờ đơn vị vận chuyển nhận đơn"],
        ),
        (
            shipper("ghtk", state="refused", note="Địa chỉ ngoài vùng phục vụ"),
            ["GHTK", "Đơn vị vận chuyển từ chối: Địa chỉ ngoài vùng phục vụ"],
        ),
        (
            shipper("ahamove", tracking_code="AHA1", carrier_status="IN PROCESS"),
            ["Ahamove", "Trạng thái hãng: IN PROCESS"],
        ),
        (
            shipper("individual", name="Anh Tuấn", phone="0987654321"),
            ["Shipper riêng · Anh Tuấn · 0987654321"],
        ),
    ],
)
def test_shipper_tracking_and_what_the_carrier_said(
    shipped_by: ShipperView, expected: list[str]
) -> None:
    seen = visible(card_text(order_view(status="shipping", shipper=shipped_by)))
    for part in expected:
        assert part in seen


def test_manual_override_is_said() -> None:
    order = order_view(status="complete", shipper=shipper("ghn"), manual_override=True)
    assert "không theo dõi hãng vận chuyển nữa" in visible(card_text(order))


def test_two_hundred_lines_are_cut_with_a_count_and_totals_still_show() -> None:
    order = order_view(lines=[line(f"A{n}") for n in range(1, 201)], total=60_000_000)
    card = card_text(order)
    assert utf16_length(card) <= MAX_TEXT
    seen = visible(card)
    shown = len(re.findall(r"^\d+\. A\d+ ", seen, flags=re.M))
    assert 20 < shown < 200
    assert f"… và {200 - shown} dòng nữa" in seen
    assert "Tổng cộng: 60.000.000 đ" in seen
    en = visible(card_text(order, language="en"))
    assert re.search(r"… and \d+ more lines", en)


def test_huge_values_everywhere_still_fit_and_parse() -> None:
    huge = '<&"ế' * 500  # 2,000 characters, every one escaped or composed
    order = order_view(
        code=huge,
        customer=customer(
            **{k: huge for k in ("name", "phone", "address", "ward", "district", "province")}
        ),
        lines=[line(huge, name=huge, variant=huge, sku=None, waitlisted=True)] * 200,
        note=huge,
        staff=staff(huge),
        shipper=shipper(
            "individual",
            name=huge,
            phone=huge,
            tracking_code=huge,
            carrier_status=huge,
            state="refused",
            note=huge,
        ),
        manual_override=True,
    )
    card = card_text(order, session_title=huge, risky=10**6)
    assert utf16_length(card) <= MAX_TEXT
    seen = visible(card)
    assert "dòng nữa" in seen and "Tổng cộng" in seen and "…" in seen


@settings(max_examples=60, deadline=None)
@given(
    st.text(max_size=3000),
    st.lists(st.text(max_size=300), max_size=60),
    st.sampled_from(list(Status)),
)
def test_any_text_gives_a_sendable_card(name: str, items: list[str], status: Status) -> None:
    order = order_view(
        status=status.value,
        customer=customer(name=name, phone=name, address=name),
        lines=[line(item, name=item) for item in items],
        note=name,
    )
    card = card_text(order)
    assert utf16_length(card) <= MAX_TEXT
    assert unicodedata.is_normalized("NFC", card)
    visible(card)


def test_digest_lists_every_new_draft_and_flags_unknown_codes() -> None:
    drafts = [order_view(id=n, code=f"CD{n:06d}") for n in range(1, 40)]
    drafts.append(order_view(id=40, code="CD000040", lines=[line("Z9", sku=None)]))
    seen = visible(digest_text(drafts))
    assert "40 đơn nháp mới" in seen
    assert all(f"CD{n:06d}" in seen for n in range(1, 41))
    assert "CD000040 · Nguyễn Thị Lan · 1 · 300.000 đ ❓" in seen
    assert "CD000001 · Nguyễn Thị Lan · 1 · 300.000 đ\n" in seen
    assert "new drafts" in digest_text(drafts[:2], language="en")
    with pytest.raises(ValueError, match="at most 40"):
        digest_text(drafts + drafts[:1])


def test_a_full_digest_of_worst_case_drafts_still_lists_every_one() -> None:
    huge = '<&"ế' * 500
    drafts = [
        order_view(id=n, code=huge, customer=customer(name=huge), lines=[line(sku=None)] * 9999)
        for n in range(1, 41)
    ]
    digest = digest_text(drafts)
    assert utf16_length(digest) <= MAX_TEXT
    assert visible(digest).count("\n• ") == 40


def test_a_card_says_which_buyer_details_came_from_the_last_order_and_a_flag():
    order = order_view(
        prefilled=("phone", "address"),
        customer=customer(flagged=True, flag_reason="bom <hàng>", id=7),
    )
    shown = visible(card_text(order))
    assert "SĐT: 0912345678 (theo đơn trước)" in shown
    assert "Quận 1, TP Hồ Chí Minh (theo đơn trước)" in shown
    assert "Nguyễn Thị Lan (theo đơn trước)" not in shown
    assert "🚩 Khách bị gắn cờ: bom <hàng>" in shown
    english = visible(card_text(order, language="en"))
    assert "(from the last order)" in english and "🚩 Flagged buyer: bom <hàng>" in english


def test_a_buyer_risky_by_count_is_warned_about_without_a_flag():
    order = order_view(customer=customer(failed=1, returned=1))
    shown = visible(card_text(order))
    assert "Cảnh báo: khách có 2 đơn giao thất bại hoặc bị hoàn" in shown
    assert "gắn cờ" not in shown
