"""The words of the COD debt page's statement upload, its past uploads and a statement's
report, Vietnamese and English, with the same keys; `staff_web.strings.labels` merges them into
the pages' table. Why a row was not collected is worded in `application.wording.statements`,
shared with `chotdon cod import`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

COD: Final[Mapping[str, Mapping[str, str]]] = {
    "vi": {
        "cod.upload_legend": "Đối soát COD với bảng của hãng vận chuyển",
        "cod.upload_help": (
            "Tải file CSV hoặc Excel (.xlsx) xuất từ trang của hãng, có cột mã vận đơn và "
            "tiền thu hộ (có thể thêm phí và ngày thanh toán). Đơn nào đúng số tiền thì được "
            "ghi là đã thu COD; tải lại cùng một file không thu lần hai."
        ),
        "cod.file": "File bảng đối soát",
        "cod.upload": "Đối soát",
        "cod.refused": "Không nhận file {filename}: {reason}",
        "cod.reconciled": "Đã đối soát {amount}",
        "cod.last": "lần cuối {when}",
        "cod.never": "chưa đối soát lần nào",
        "cod.fees": "phí hãng giữ {amount}",
        "cod.settled_all": "Không còn nợ",
        "cod.history": "Các lần tải bảng đối soát",
        "cod.no_history": "Chưa tải bảng đối soát nào.",
        "cod.when": "Lúc",
        "cod.filename": "File",
        "cod.carrier": "Hãng",
        "cod.by": "Người tải",
        "cod.matched": "Đã thu",
        "cod.already": "Thu từ trước",
        "cod.mismatched": "Lệch",
        "cod.unknown": "Không rõ",
        "cod.missing": "Thiếu",
        "cod.collected": "Tiền COD",
        "cod.fee": "Phí",
        "cod.report_title": "Bảng đối soát {filename}",
        "cod.uploaded": "Tải lên lúc {when}, bởi {who}.",
        "cod.paid_on": "Ngày thanh toán mới nhất trong file: {day}.",
        "cod.summary": (
            "Đã thu COD {matched} đơn: {collected} (phí hãng giữ {fees}). "
            "{already} đơn đã thu từ trước."
        ),
        "cod.nothing": "Không có.",
        "cod.line": "Dòng",
        "cod.tracking": "Mã vận đơn",
        "cod.order": "Đơn",
        "cod.amount": "Số tiền",
        "cod.expected": "Công nợ",
        "cod.got": "Bảng ghi",
        "cod.reason": "Lý do",
        "cod.delivered": "Giao lúc",
        "cod.back": "← Công nợ COD",
        "cod.not_found": "Không có bảng đối soát này.",
    },
    "en": {
        "cod.upload_legend": "Reconcile COD with a carrier's statement",
        "cod.upload_help": (
            "Upload the CSV or Excel (.xlsx) file exported from the carrier's portal, with a "
            "tracking code column and a COD column (a fee and a payment date may follow). "
            "Orders whose amount matches are marked COD collected; uploading the same file "
            "again collects nothing twice."
        ),
        "cod.file": "Statement file",
        "cod.upload": "Reconcile",
        "cod.refused": "File {filename} refused: {reason}",
        "cod.reconciled": "Reconciled {amount}",
        "cod.last": "last {when}",
        "cod.never": "never reconciled",
        "cod.fees": "fees kept {amount}",
        "cod.settled_all": "Owes nothing",
        "cod.history": "Statements uploaded",
        "cod.no_history": "No statement uploaded yet.",
        "cod.when": "When",
        "cod.filename": "File",
        "cod.carrier": "Carrier",
        "cod.by": "By",
        "cod.matched": "Collected",
        "cod.already": "Before",
        "cod.mismatched": "Mismatched",
        "cod.unknown": "Unknown",
        "cod.missing": "Missing",
        "cod.collected": "COD",
        "cod.fee": "Fee",
        "cod.report_title": "Statement {filename}",
        "cod.uploaded": "Uploaded {when} by {who}.",
        "cod.paid_on": "Latest payment day in the file: {day}.",
        "cod.summary": (
            "COD collected for {matched} orders: {collected} (fees kept {fees}). "
            "{already} orders were collected before."
        ),
        "cod.nothing": "None.",
        "cod.line": "Line",
        "cod.tracking": "Tracking",
        "cod.order": "Order",
        "cod.amount": "Amount",
        "cod.expected": "Owed",
        "cod.got": "Statement",
        "cod.reason": "Reason",
        "cod.delivered": "Delivered",
        "cod.back": "← COD debt",
        "cod.not_found": "There is no such statement.",
    },
}
