"""Which languages the shop's words come in, and how a setting names one."""

from __future__ import annotations

from typing import Final

DEFAULT_LANGUAGE: Final = "vi"
LANGUAGES: Final = ("vi", "en")


def language_key(language: str | None) -> str:
    """`en-US`, `EN` and `en_GB` count as English; anything we do not translate is Vietnamese,
    the language of the shops."""
    key = (language or "").strip().lower().split("-")[0].split("_")[0]
    return key if key in LANGUAGES else DEFAULT_LANGUAGE


def group_thousands(number: int, language: str | None) -> str:
    """`10.000.000` in Vietnamese, `10,000,000` in English."""
    grouped = f"{number:,}"
    return grouped.replace(",", ".") if language_key(language) == "vi" else grouped
