"""The words of a COD statement's reconciliation, Vietnamese and English, shared by the staff
pages, the JSON API's refusals and `chotdon cod import`: why a row was not collected, why a
whole file was refused, and the report's headings."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from application.wording.languages import group_thousands, language_key

# Why a row was not collected (`application.cod_statements`), and why one was not read
# (`application.cod_files`: no_tracking_code, bad_amount, bad_fee).
REASONS: Final[Mapping[str, Mapping[str, str]]] = {
    "vi": {
        "amount_differs": "Số tiền thu hộ khác với công nợ của đơn",
        "not_delivered": "Đơn chưa giao xong (đang giao)",
        "not_shipped": "Đơn chưa được gửi đi",
        "failed": "Đơn giao thất bại",
        "returned": "Đơn đã hoàn về",
        "cancelled": "Đơn đã hủy",
        "no_cod": "Đơn đã hoàn thành và không có tiền thu hộ",
        "duplicate_row": "Mã vận đơn này đã có ở dòng trước trong file",
        "several_orders": "Nhiều đơn cùng mã vận đơn này",
        "unknown_tracking_code": "Không có đơn nào có mã vận đơn này",
        "unreadable_row": "Không đọc được dòng này",
        "not_in_statement": "Đã giao hơn 3 ngày mà bảng đối soát không có",
        "no_tracking_code": "thiếu mã vận đơn",
        "bad_amount": "tiền thu hộ không phải số tiền hợp lệ",
        "bad_fee": "phí không phải số tiền hợp lệ",
        "refused": "Không thu được COD của đơn này",
    },
    "en": {
        "amount_differs": "The COD differs from what the order owes",
        "not_delivered": "Not delivered yet (still shipping)",
        "not_shipped": "The order was not shipped",
        "failed": "The delivery failed",
        "returned": "The order was returned",
        "cancelled": "The order was cancelled",
        "no_cod": "The order is complete and had no COD",
        "duplicate_row": "This tracking code is on an earlier line of the file",
        "several_orders": "Several orders have this tracking code",
        "unknown_tracking_code": "No order has this tracking code",
        "unreadable_row": "This line could not be read",
        "not_in_statement": "Delivered over 3 days ago but not on the statement",
        "no_tracking_code": "no tracking code",
        "bad_amount": "the COD is not an amount of money",
        "bad_fee": "the fee is not an amount of money",
        "refused": "This order's COD could not be collected",
    },
}

# Why a whole file was refused (`application.cod_files.StatementRefused`).
REFUSALS: Final[Mapping[str, Mapping[str, str]]] = {
    "vi": {
        "too_large": "File quá lớn: tối đa {limit} MB.",
        "too_many_rows": "File quá nhiều dòng: tối đa {limit} dòng mỗi lần tải lên.",
        "no_header": (
            "Không tìm thấy dòng tiêu đề: file cần có cột mã vận đơn ({needed}, hoặc "
            "“Mã vận đơn”) và cột tiền thu hộ (hoặc “Tiền thu hộ”, “COD”)."
        ),
        "not_a_table": "Không đọc được file: hãy tải lên file CSV hoặc Excel (.xlsx).",
        "not_text": "File CSV phải lưu dạng UTF-8 (trong Excel: CSV UTF-8).",
        "old_excel": "File Excel đời cũ (.xls): hãy lưu lại thành .xlsx hoặc CSV UTF-8.",
        "no_rows": "File có dòng tiêu đề nhưng không có dòng dữ liệu nào.",
        "no_file": "Hãy chọn file bảng đối soát COD để tải lên.",
    },
    "en": {
        "too_large": "The file is too large: at most {limit} MB.",
        "too_many_rows": "The file has too many rows: at most {limit} per upload.",
        "no_header": (
            "No header row found: the file needs a tracking code column ({needed}, or "
            "“Mã vận đơn”) and a COD column (or “Tiền thu hộ”, “COD”)."
        ),
        "not_a_table": "The file could not be read: upload a CSV or an Excel (.xlsx) file.",
        "not_text": "A CSV file must be saved as UTF-8 (in Excel: CSV UTF-8).",
        "old_excel": "An old Excel file (.xls): save it again as .xlsx or CSV UTF-8.",
        "no_rows": "The file has a header row but no rows under it.",
        "no_file": "Choose the carrier's COD statement file to upload.",
    },
}

# The report's headings and counts, for a page or a terminal.
HEADINGS: Final[Mapping[str, Mapping[str, str]]] = {
    "vi": {
        "summary": (
            "Bảng đối soát {filename}: {matched} đơn đã thu COD ({collected}, phí {fees}), "
            "{already} đơn đã thu từ trước, {mismatched} dòng lệch, {unknown} dòng không rõ, "
            "{missing} đơn thiếu."
        ),
        "matched": "Đã thu COD",
        "already": "Đã thu từ trước",
        "mismatched": "Lệch",
        "unknown": "Không rõ",
        "missing": "Thiếu trong bảng đối soát",
        "line": "dòng {line}",
        "expected_got": "công nợ {expected}, bảng ghi {got}",
        "expected": "công nợ {expected}",
        "refused_file": "Không nhận file {filename}: {reason}",
    },
    "en": {
        "summary": (
            "Statement {filename}: {matched} orders collected ({collected}, fees {fees}), "
            "{already} already collected, {mismatched} mismatched, {unknown} unknown, "
            "{missing} missing."
        ),
        "matched": "Collected",
        "already": "Already collected",
        "mismatched": "Mismatched",
        "unknown": "Unknown",
        "missing": "Missing from the statement",
        "line": "line {line}",
        "expected_got": "owed {expected}, statement says {got}",
        "expected": "owed {expected}",
        "refused_file": "File {filename} refused: {reason}",
    },
}


def reason_text(reason: str, language: str | None, problem: str = "") -> str:
    """A row's reason in `language`; an unreadable row says what was wrong with it, and a
    domain refusal we have no sentence for reads as "could not be collected"."""
    words = REASONS[language_key(language)]
    text = words.get(reason, words["refused"])
    if problem and problem in words:
        text = f"{text}: {words[problem]}"
    return text


def refusal_text(reason: str, params: Mapping[str, object], language: str | None) -> str:
    """Why a whole file was refused, in `language`."""
    key = language_key(language)
    template = REFUSALS[key].get(reason, REFUSALS[key]["not_a_table"])
    limit = params.get("limit")
    words = {
        "limit": _limit(reason, limit, key) if isinstance(limit, int) else "",
        "needed": ", ".join(str(name) for name in _names(params.get("needed"))),
    }
    return template.format_map(words)


def heading(name: str, language: str | None, **params: object) -> str:
    return HEADINGS[language_key(language)][name].format(**params)


def money(amount: int, language: str | None) -> str:
    """`330.000 ₫` in Vietnamese, `330,000 VND` in English: as a cashier reads it."""
    grouped = group_thousands(amount, language)
    return f"{grouped} ₫" if language_key(language) == "vi" else f"{grouped} VND"


def _limit(reason: str, limit: int, language: str) -> str:
    if reason == "too_large":
        return str(limit // (1024 * 1024))
    return group_thousands(limit, language)


def _names(value: object) -> list[object]:
    return list(value) if isinstance(value, list | tuple) else []
