"""Why a line needs checking, from the comment's reading to the words staff read on the card
and the button that accepts it; and the ship form picking the individual shipper when only
the shipper's fields were filled."""

from __future__ import annotations

import pytest

from application.wording.reviews import REASONS, review_text
from bot import callbacks as cb
from bot.cards import card_text
from bot.keyboards import edit_keyboard
from livestream.parser import CodeTable, parse_comment
from orders.review import accepted_lines
from staff_web.strings import labels
from staff_web.strings_day import DAY
from staff_web.views import edit_form
from tests.order_views import line, order_view
from tests.unit.test_bot_cards import visible
from tests.unit.test_bot_keyboards import buttons

TABLE = CodeTable.build({"A1": "AO-001", "B3": "QUAN-01"})


@pytest.mark.parametrize(
    ("comment", "reason", "value"),
    [
        ("A1 90", "number_as_variant", "90"),
        ("A1 size 100 2", "", ""),  # a size said as a size is no guess
        ("Z9 2", "unknown_code", "Z9"),
        ("A1 2 0912345678", "", ""),
        ("b3 120 1", "number_as_variant", "120"),
    ],
)
def test_the_reading_says_why_a_line_needs_checking(comment, reason, value):
    (read,) = parse_comment(comment, TABLE).lines
    assert (read.needs_review, read.review_reason, read.review_value) == (
        bool(reason),
        reason,
        value,
    )


def test_the_reason_in_both_languages():
    assert review_text("number_as_variant", "90", "vi") == "90 được đọc là size"
    assert review_text("number_as_variant", "90", "en") == "90 read as a size"
    assert review_text("unknown_code", "Z9", "vi") == "Mã không có trong buổi live"
    assert review_text("", "", "vi") == "cần kiểm tra"  # marked before reasons were kept
    assert review_text("something_new", "x", "en") == "needs checking"
    assert set(REASONS["vi"]) == set(REASONS["en"])
    assert set(DAY["vi"]) == set(DAY["en"])
    assert set(DAY["vi"]) <= set(labels("vi")) and set(DAY["en"]) <= set(labels("en"))


def sized(**more):
    return line(
        "C7",
        id=7,
        needs_review=True,
        variant="90",
        review_reason="number_as_variant",
        review_value="90",
        **more,
    )


def test_the_card_says_why_in_the_staffs_language():
    order = order_view(lines=[line("A1"), sized()])
    assert "⚠️ 90 được đọc là size" in visible(card_text(order))
    assert "⚠️ 90 read as a size" in visible(card_text(order, language="en"))


def test_the_edit_menu_has_an_accept_button_per_marked_line():
    keys = buttons(
        edit_keyboard(5, 3, [(9, "Z9")], review_lines=[(7, "C7", "90 được đọc là size")])
    )
    assert ("✅ Đồng ý C7: 90 được đọc là size", cb.AcceptLine(5, 3, 7)) in keys
    assert keys[0][1] == cb.FixMenu(5, 3, 9)  # the unknown code is still fixed by picking


def test_accepting_keeps_every_line_and_price_and_takes_only_that_mark_off():
    unknown = line("Z9", id=9, sku=None, name="", unit_price=0, needs_review=True)
    order = order_view(lines=[line("A1", id=1, unit_price=99_000), sized(), unknown])
    lines = accepted_lines(order, 7)
    assert lines is not None
    assert [(i.code, i.needs_review, i.review_reason) for i in lines] == [
        ("A1", False, ""),
        ("C7", False, ""),
        ("Z9", True, ""),
    ]
    assert lines[0].unit_price == 99_000 and lines[1].variant == "90"
    assert accepted_lines(order, 9) is None  # an unknown code is accepted by picking its item
    assert accepted_lines(order, 1) is None  # nothing to accept
    assert accepted_lines(order, 12345) is None


T = labels("en")


def ship_form(**values: str) -> edit_form.EditForm:
    return edit_form.EditForm("1", [], dict(values), True)


@pytest.mark.parametrize(
    ("values", "kind"),
    [
        ({"shipper_name": "Anh Tuấn", "shipper_phone": "0903111222"}, "individual"),
        ({"carrier": "", "shipper_name": "Anh Tuấn", "shipper_phone": "0903111222"}, "individual"),
        ({"carrier": "ghn", "shipper_name": "Anh Tuấn", "shipper_phone": "0903111222"}, "ghn"),
    ],
)
def test_the_shippers_fields_pick_the_individual_shipper(values, kind):
    form = ship_form(**values)
    chosen = edit_form.ship_with(form, ["ghn"], T)
    assert chosen is not None and chosen.kind == kind and not form.errors


def test_only_a_name_picks_the_shipper_and_asks_for_the_phone():
    form = ship_form(shipper_name="Anh Tuấn")
    assert edit_form.ship_with(form, [], T) is None
    assert form.value("carrier") == "individual"
    assert set(form.errors) == {"shipper_phone"}
    empty = ship_form()
    assert edit_form.ship_with(empty, [], T) is None and set(empty.errors) == {"carrier"}


@pytest.mark.parametrize("do", ["accept-1", "accept-01"])
def test_the_edit_pages_accept_button_marks_its_line(do):
    form = edit_form.EditForm("1", [edit_form.FormLine(), edit_form.FormLine()], {}, True)
    edit_form.accept_line(form, do)
    assert [line.accept for line in form.lines] == [False, True]


@pytest.mark.parametrize(
    "do", ["accept-2", "accept-", "accept-x", "accept-²", "accept-" + "9" * 5000, "save"]
)
def test_a_bad_accept_button_marks_nothing(do):
    form = edit_form.EditForm("1", [edit_form.FormLine(), edit_form.FormLine()], {}, True)
    edit_form.accept_line(form, do)
    assert not any(line.accept for line in form.lines)
