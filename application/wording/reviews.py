"""Why an order line needs checking, in the staff's language: the bot's card, the order page
and the edit page all say it through `review_text`, so they say it the same way."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from application.wording.languages import language_key
from orders.review_codes import NUMBER_AS_VARIANT, UNKNOWN_CODE

REASONS: Final[Mapping[str, Mapping[str, str]]] = {
    "vi": {
        UNKNOWN_CODE: "Mã không có trong buổi live",
        NUMBER_AS_VARIANT: "{value} được đọc là size",
        "": "cần kiểm tra",
    },
    "en": {
        UNKNOWN_CODE: "Code not in this live",
        NUMBER_AS_VARIANT: "{value} read as a size",
        "": "needs checking",
    },
}


def review_text(reason: str, value: str, language: str | None) -> str:
    """`90 được đọc là size`; a reason this version does not know (or none, for lines marked
    before reasons were kept) says only that the line needs checking."""
    words = REASONS[language_key(language)]
    return words.get(reason, words[""]).format(value=value or "?")
