"""The buyer's public tracking page: its address and what of the buyer it may show.

The page is reached by an unguessable token (`Order.tracking_token`, 128 random bits), so its
address can be printed on the bill's QR code and sent to the buyer. Whoever holds the paper
holds the link, so the page shows no more of the buyer than the parcel's label already does:
the phone masked, and no street or ward.
"""

from __future__ import annotations

import re
from typing import Final

TRACKING_PATH: Final = "/t/"
# What `orders.tables.new_token` makes (22 URL-safe characters), with room for longer ones; a
# path that cannot be a token is refused before the database is asked.
_TOKEN: Final = re.compile(r"[A-Za-z0-9_-]{16,64}")


def tracking_url(public_url: str, token: str) -> str:
    """`{CHOTDON_PUBLIC_URL}/t/<token>`; a relative `/t/<token>` when the service has no public
    address (then only a page of this site can use it, and the bill's QR keeps the order code:
    `is_absolute`)."""
    return f"{(public_url or '').strip().rstrip('/')}{TRACKING_PATH}{token}"


def is_absolute(url: str) -> bool:
    """Whether a phone's camera could open `url` from a QR code."""
    return url.startswith(("https://", "http://"))


def is_token(text: str) -> bool:
    return bool(_TOKEN.fullmatch(text))


def mask_phone(phone: str) -> str:
    """`091****678`: the first 3 and last 3 digits, enough for a buyer to recognise their own
    number and too little to call it. Fewer than 7 digits show only stars."""
    digits = "".join(char for char in phone if char.isascii() and char.isdigit())
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 6) + digits[-3:]
