"""The code staff, buyers and banks know an order by."""

from __future__ import annotations

CODE_PREFIX = "DH"


def order_code(order_id: int) -> str:
    """Short enough to read aloud on the phone and unique because it is the row id."""
    return f"{CODE_PREFIX}{order_id:06d}"
