"""Money, dates and weights written the way Vietnamese shops and carriers write them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Final
from zoneinfo import ZoneInfo

LOCAL_ZONE: Final = ZoneInfo("Asia/Ho_Chi_Minh")


def group_thousands(number: int) -> str:
    """Digits grouped by dots, as in `1.234.567`: Vietnamese uses the dot where English uses
    the comma, and the comma for decimals."""
    return f"{number:,}".replace(",", ".")


def format_vnd(amount: int) -> str:
    """`150.000 đ`: the đồng has no minor unit, so no decimals are ever shown."""
    sign = "-" if amount < 0 else ""
    return f"{sign}{group_thousands(abs(int(amount)))} đ"


def format_local_datetime(moment: datetime | None) -> str:
    """`dd/mm/yyyy HH:MM` in Vietnam's time, whatever zone the order was stored in. A naive
    datetime is taken as UTC, the zone the database keeps."""
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(LOCAL_ZONE).strftime("%d/%m/%Y %H:%M")


def format_weight(grams: int) -> str:
    """`500 g` under a kilogram, `1,2 kg` from there (decimal comma, at most two decimals, no
    trailing zeros), as carriers print it. An unknown weight (0 or less) is an empty string."""
    if grams <= 0:
        return ""
    if grams < 1000:
        return f"{grams} g"
    whole, rest = divmod(round(grams / 10), 100)
    decimals = f"{rest:02d}".rstrip("0")
    kilos = group_thousands(whole)
    return f"{kilos},{decimals} kg" if decimals else f"{kilos} kg"
