"""Reading carriers' COD statements (`application.cod_files`) without a database: headers as
carriers write them, amounts in every spelling they use, rows that cannot be read, and files
that are refused whole. Plus the words of each reason in both languages."""

from __future__ import annotations

import io
import string
from datetime import date, datetime

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from application.cod_files import (
    MAX_BYTES,
    MAX_ROWS,
    StatementRefused,
    StatementRow,
    header_key,
    parse_amount,
    parse_day,
    read_statement,
)
from application.cod_statements import (
    AMOUNT_DIFFERS,
    CANCELLED,
    DUPLICATE_ROW,
    FAILED,
    NO_COD,
    NOT_DELIVERED,
    NOT_IN_STATEMENT,
    NOT_SHIPPED,
    RETURNED,
    SEVERAL_ORDERS,
    UNKNOWN_TRACKING_CODE,
    UNREADABLE_ROW,
)
from application.wording.statements import REASONS, REFUSALS, reason_text, refusal_text


def xlsx(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    "written",
    [
        "250000",
        "250,000",
        "250.000",
        "250.000 ₫",
        "250.000đ",
        "250,000 VND",
        "250.000 VNĐ",
        " 250 000 ",
        "250.000,00",
        "250,000.00",
        250000,
        250000.0,
    ],
)
def test_amounts_as_carriers_write_them(written: object) -> None:
    assert parse_amount(written) == 250_000


@pytest.mark.parametrize(
    "written",
    ["", "abc", "-250000", "250.5", "1,5", "250,00,0", "25O000", "250000 250000", True, None],
)
def test_what_is_not_an_amount_is_not_guessed(written: object) -> None:
    assert parse_amount(written) is None


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("Mã vận đơn", "ma van don"),
        ("MÃ VẬN ĐƠN:", "ma van don"),
        ("\ufefftracking_code", "tracking code"),
        ("Tiền COD (VNĐ)", "tien cod"),
        ("Phí (đ)", "phi"),
        ("Ngày  đối soát", "ngay doi soat"),
    ],
)
def test_headers_are_compared_without_case_or_diacritics(header: str, key: str) -> None:
    assert header_key(header) == key


def test_days_are_read_day_first_or_iso() -> None:
    assert parse_day("20/11/2026") == date(2026, 11, 20)
    assert parse_day("05-01-2026 14:30") == date(2026, 1, 5)
    assert parse_day("2026-11-20T10:00:00") == date(2026, 11, 20)
    assert parse_day(datetime(2026, 11, 20, 9, 0)) == date(2026, 11, 20)
    assert parse_day("31/02/2026") is None and parse_day("soon") is None


def test_a_contract_csv() -> None:
    statement = read_statement(
        b'tracking_code,cod_amount,fee,paid_at\nGHN1,330000,15000,2026-11-20\nGHN2,"1,000",,\n'
    )
    assert statement.rows == (
        StatementRow(2, "GHN1", 330_000, 15_000, "2026-11-20", date(2026, 11, 20)),
        StatementRow(3, "GHN2", 1_000, 0, "", None),
    )
    assert statement.latest_paid_on == date(2026, 11, 20)


def test_a_title_above_the_header_and_vietnamese_names() -> None:
    text = (
        "\ufeffBẢNG ĐỐI SOÁT COD\tGHN\n\tShop Mai\n\n"
        "STT\tMã đơn GHN\tMã đơn hàng\tTiền thu hộ\tTổng phí\tNgày thanh toán\n"
        "1\tGHNA1\tDH000001\t330.000\t16.500\t20/11/2026\n"
    )
    statement = read_statement(text.encode())
    assert statement.columns == {
        "tracking_code": "Mã đơn GHN",
        "cod_amount": "Tiền thu hộ",
        "fee": "Tổng phí",
        "paid_at": "Ngày thanh toán",
    }
    assert statement.rows == (
        StatementRow(5, "GHNA1", 330_000, 16_500, "2026-11-20", date(2026, 11, 20)),
    )


def test_rows_that_cannot_be_read_keep_their_line_and_reason() -> None:
    statement = read_statement(
        "Mã vận đơn;COD;Phí\nGHN1;330.000;0\n;330.000;0\nGHN3;ba trăm;0\nGHN4;1.000;x\n\n"
        "Tổng cộng;331.000;0\n".encode()
    )
    # A total line reads as a row: reconciliation reports its "code" as unknown, never sums it.
    assert [row.tracking_code for row in statement.rows] == ["GHN1", "Tổng cộng"]
    assert [(u.line, u.problem, u.value) for u in statement.unreadable] == [
        (3, "no_tracking_code", ""),
        (4, "bad_amount", "ba trăm"),
        (5, "bad_fee", "x"),
    ]


def test_an_xlsx_with_numbers_dates_and_a_title() -> None:
    data = xlsx(
        [
            ["Bảng kê thanh toán COD"],
            [],
            ["Mã vận đơn", "Tiền COD", "Phí dịch vụ", "Ngày đối soát"],
            ["GHNX1", 330000, 16500.0, datetime(2026, 11, 20, 8, 0)],
            [1234567890123, "250.000", None, "21/11/2026"],  # a numeric code Excel made a number
            [None, None, None, None],
        ]
    )
    statement = read_statement(data, "bang-ke.xlsx")
    assert statement.rows == (
        StatementRow(4, "GHNX1", 330_000, 16_500, "2026-11-20", date(2026, 11, 20)),
        StatementRow(5, "1234567890123", 250_000, 0, "2026-11-21", date(2026, 11, 21)),
    )


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "no_header"),
        (b"code,amount\nGHN1,1\n", "no_header"),
        (b"tracking_code,cod_amount\n", "no_rows"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old_excel"),
        (b"PK\x03\x04garbage", "not_a_table"),
        (b"tracking_code,cod_amount\nGHN\xe9,1\n", "not_text"),
        (b"tracking_code,cod_amount\nGHN\x00,1\n", "not_a_table"),
    ],
)
def test_files_refused_whole(data: bytes, reason: str) -> None:
    with pytest.raises(StatementRefused) as refused:
        read_statement(data)
    assert refused.value.reason == reason


def test_limits_of_size_and_rows() -> None:
    with pytest.raises(StatementRefused) as refused:
        read_statement(b"x" * (MAX_BYTES + 1))
    assert refused.value.reason == "too_large"
    many = "tracking_code,cod_amount\n" + "GHN,1\n" * (MAX_ROWS + 1)
    with pytest.raises(StatementRefused) as refused:
        read_statement(many.encode())
    assert (refused.value.reason, refused.value.params) == ("too_many_rows", {"limit": MAX_ROWS})


def test_an_xlsx_sheet_with_endless_blank_rows_ends_at_the_table() -> None:
    rows: list[list[object]] = [["tracking_code", "cod_amount"], ["GHN1", 1]]
    rows += [[None, None]] * 5 + [["GHN2", 2]] + [[""]] * 1_500 + [["GHN3", 3]]
    statement = read_statement(xlsx(rows), "x.xlsx")
    assert [row.tracking_code for row in statement.rows] == ["GHN1", "GHN2"]


CELL = st.one_of(
    st.text(max_size=10),
    st.sampled_from(["tracking_code", "cod_amount", "Mã vận đơn", "COD", "330.000", '"', ";"]),
)


@settings(max_examples=300, deadline=None)
@given(
    data=st.binary(max_size=400)
    | st.lists(st.lists(CELL, max_size=5), max_size=8).map(
        lambda rows: "\n".join(",".join(row) for row in rows).encode("utf-8", "surrogatepass")
    )
)
def test_any_bytes_read_or_refuse_cleanly(data: bytes) -> None:
    try:
        statement = read_statement(data)
    except StatementRefused as refused:
        assert refused.reason in REFUSALS["vi"]
        return
    for row in statement.rows:
        assert row.tracking_code and row.cod_amount >= 0 and row.fee >= 0
    for unreadable in statement.unreadable:
        assert unreadable.problem in REASONS["vi"]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=string.digits + ".,₫đ VNDvnd-", max_size=20))
def test_an_amount_read_is_the_digits_written(text: str) -> None:
    amount = parse_amount(text)
    if amount is not None:
        digits = "".join(char for char in text if char.isdigit()).lstrip("0")
        assert digits.startswith(str(amount)) or amount == 0


REASON_CODES = [
    AMOUNT_DIFFERS,
    NOT_DELIVERED,
    NOT_SHIPPED,
    FAILED,
    RETURNED,
    CANCELLED,
    NO_COD,
    DUPLICATE_ROW,
    SEVERAL_ORDERS,
    UNKNOWN_TRACKING_CODE,
    UNREADABLE_ROW,
    NOT_IN_STATEMENT,
    "no_tracking_code",
    "bad_amount",
    "bad_fee",
]


def test_every_reason_and_refusal_is_worded_in_both_languages() -> None:
    for language in ("vi", "en"):
        assert set(REASON_CODES) <= set(REASONS[language])
        assert set(REFUSALS["vi"]) == set(REFUSALS[language])
    assert reason_text("stale_version", "vi") == REASONS["vi"]["refused"]
    assert reason_text(UNREADABLE_ROW, "en", "bad_fee") == (
        "This line could not be read: the fee is not an amount of money"
    )
    assert refusal_text("too_large", {"limit": MAX_BYTES}, "vi") == "File quá lớn: tối đa 5 MB."
    assert refusal_text("too_many_rows", {"limit": MAX_ROWS}, "vi").endswith(
        "20.000 dòng mỗi lần tải lên."
    )
    assert "tracking_code, cod_amount" in refusal_text(
        "no_header", {"needed": ["tracking_code", "cod_amount"]}, "en"
    )
