"""Why a PDF of many orders is refused (`application.print_batches.BatchRefused`), in the
shop's language: the API's `message` and the pages' error say the same sentence."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from application.print_batches import BatchRefused, Problem
from application.wording.languages import language_key

TEMPLATES: Final[Mapping[str, Mapping[Problem, str]]] = {
    "vi": {
        "no_ids": "Chưa chọn đơn nào để in: ghi mã số đơn vào ids, cách nhau bởi dấu phẩy.",
        "not_ids": "Không phải mã số đơn: {values}. Mã số đơn là số nguyên dương.",
        "too_many": "Đã chọn {values} đơn, quá nhiều cho một lần in: tối đa {limit} đơn.",
        "unknown_ids": "Không có đơn với mã số: {values}.",
        "bad_paper": "Không in hóa đơn trên khổ {values}: chỉ khổ 80 hoặc 58 (mm).",
        "bad_sheet": "Không có khổ giấy {values}: chọn a6 (mỗi trang một phiếu) hoặc a4 "
        "(bốn phiếu một tờ).",
    },
    "en": {
        "no_ids": "No orders chosen to print: put the order ids in ids, separated by commas.",
        "not_ids": "Not order ids: {values}. Order ids are whole numbers from 1.",
        "too_many": "{values} orders are too many for one print: at most {limit}.",
        "unknown_ids": "There is no order with id {values}.",
        "bad_paper": "Bills do not print on paper {values}: only 80 or 58 (mm).",
        "bad_sheet": "Unknown sheet {values}: a6 (one note a page) or a4 (four a sheet).",
    },
}


def batch_refusal(refused: BatchRefused, language: str | None) -> str:
    template = TEMPLATES[language_key(language)][refused.problem]
    if refused.problem == "too_many":
        count, limit = refused.values
        return template.format(values=count, limit=limit)
    return template.format(values=", ".join(str(value) for value in refused.values), limit="")
