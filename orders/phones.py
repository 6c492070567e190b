"""Vietnamese phone numbers, as buyers type them and as carriers want them."""

from __future__ import annotations

import re
import unicodedata

_SEPARATORS = re.compile(r"[\s.\-()]")
# Mobile prefixes since the 2018 renumbering; landlines are 02x with 11 digits.
_MOBILE = re.compile(r"0[35789]\d{8}")
_LANDLINE = re.compile(r"02\d{9}")


def normalize_phone(raw: str) -> str | None:
    """The national form `0xxxxxxxxx`, or None when `raw` is not a Vietnamese phone number.

    Accepts spaces, dots, dashes, brackets, a +84/84 prefix and full-width digits.
    """
    text = unicodedata.normalize("NFKC", raw).strip()
    text = _SEPARATORS.sub("", text)
    if text.startswith("+84"):
        text = "0" + text[3:]
    elif text.startswith("84") and len(text) in (11, 12):
        text = "0" + text[2:]
    if _MOBILE.fullmatch(text) or _LANDLINE.fullmatch(text):
        return text
    return None
