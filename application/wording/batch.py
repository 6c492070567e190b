"""Words of a batch that are not a domain refusal: an order that failed for a reason of ours."""

from __future__ import annotations

from typing import Final

from application.wording.languages import language_key

UNEXPECTED: Final = {
    "vi": "Có lỗi ngoài dự kiến với đơn này; xem nhật ký của dịch vụ rồi thử lại.",
    "en": "Something went wrong with this order; see the service's log and try again.",
}


def unexpected(language: str | None) -> str:
    return UNEXPECTED[language_key(language)]
