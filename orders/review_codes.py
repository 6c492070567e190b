"""The machine codes saying why an order line needs checking (`OrderLine.review_reason`), in a
module of their own so the line writer (`orders.changes`) and `orders.review` share them."""

from __future__ import annotations

from typing import Final

UNKNOWN_CODE: Final = "unknown_code"  # the value: the code as read
NUMBER_AS_VARIANT: Final = "number_as_variant"  # the value: the number read as a size
REVIEW_REASONS: Final = (UNKNOWN_CODE, NUMBER_AS_VARIANT)
REVIEW_REASON_LIMIT: Final = 32  # the columns' sizes (`OrderLine.review_reason`, `_value`)
REVIEW_VALUE_LIMIT: Final = 64
