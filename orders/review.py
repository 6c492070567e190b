"""Why an order line needs checking, and how staff accept it as read.

A line made from a comment is marked `needs_review` when the reading was a guess: a code the
live does not know (`unknown_code`, the value is the code) or a number too big to be a quantity
read as a size (`number_as_variant`, the value is the number: `A1 90` is a kids' size 90, or a
typo). The reason is stored beside the mark as a machine code and a value, and every screen
says it in the staff's language (`application.wording.reviews`).

Accepting a line is an edit of the order's lines like any other (through `apply_action`, so it
is in the history): the same lines, prices and all, with that one's mark taken off. A line
whose code nobody knows is not accepted this way: staff pick its item instead.
"""

from __future__ import annotations

from typing import Final

from orders.changes import LineInput
from orders.review_codes import NUMBER_AS_VARIANT, REVIEW_REASONS, UNKNOWN_CODE
from orders.views import LineView, OrderRow

__all__ = ["ACCEPTED", "NUMBER_AS_VARIANT", "REVIEW_REASONS", "UNKNOWN_CODE", "accepted_lines"]
# The event's `reason` when staff accept a line as read (worded in `application.wording`).
ACCEPTED: Final = "line accepted as read"


def acceptable(line: LineView) -> bool:
    """A line staff can accept with one tap: marked, and its item known."""
    return line.needs_review and line.sku is not None


def kept(line: LineView, *, needs_review: bool | None = None) -> LineInput:
    """A stored line as an input that stores it again unchanged (its price too), or with its
    review mark set to `needs_review`."""
    review = line.needs_review if needs_review is None else needs_review
    return LineInput(
        quantity=line.quantity,
        sku=line.sku,
        code=line.code or None,
        unit_price=line.unit_price if line.sku else None,
        variant=line.variant or "",
        needs_review=review,
        waitlisted=line.waitlisted,
        comment_id=line.comment_id,
        review_reason=line.review_reason if review else "",
        review_value=line.review_value if review else "",
    )


def accepted_lines(order: OrderRow, line_id: int) -> list[LineInput] | None:
    """The order's lines with line `line_id` accepted as read; None when the order has no
    such line to accept (a forged or mistyped id: a page drawn before someone else accepted
    it carries an older version, which the edit refuses as stale)."""
    if not any(line.id == line_id and acceptable(line) for line in order.lines):
        return None
    return [kept(line, needs_review=False if line.id == line_id else None) for line in order.lines]
