"""How an order is paid, and what is still due: pure rules on an order's money.

A buyer pays by COD (the shipper collects everything), by transfer (all of it before the
parcel leaves) or with a deposit (cọc: part by transfer first, the rest COD). Money that comes
in is added to `Order.paid` by the one function that changes an order
(`orders.transitions.apply_action`, action `record_payment`), so `due` is always the total less
what was received, negative when the buyer sent too much.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from orders.codes import CODE_PREFIX


class PaymentMethod(StrEnum):
    COD = "cod"
    TRANSFER = "transfer"
    DEPOSIT = "deposit"


METHODS = tuple(method.value for method in PaymentMethod)


@dataclass(frozen=True, slots=True)
class Money:
    """An order's payment as rules read it, free of the ORM."""

    method: str
    total: int
    paid: int
    deposit: int
    cod_override: int | None = None

    @property
    def due(self) -> int:
        return self.total - self.paid

    @property
    def overpaid(self) -> int:
        return max(-self.due, 0)

    @property
    def cod_amount(self) -> int:
        """What the shipper collects: nothing on a transfer order, whatever is still due on
        the others unless staff set the amount by hand."""
        if self.method == PaymentMethod.TRANSFER:
            return 0
        if self.cod_override is not None:
            return self.cod_override
        return max(self.due, 0)

    @property
    def transfer_asked(self) -> int:
        """What the buyer is asked to send by transfer now: everything due on a transfer
        order, the rest of the deposit on a deposit order; 0 when nothing is asked."""
        if self.method == PaymentMethod.TRANSFER:
            return max(self.due, 0)
        if self.method == PaymentMethod.DEPOSIT:
            return max(min(self.deposit - self.paid, self.due), 0)
        return 0

    @property
    def awaiting_transfer(self) -> bool:
        return self.transfer_asked > 0


@dataclass(frozen=True, slots=True)
class PaymentIn:
    """Money received for an order: the payment row it came from (None when staff note it by
    hand) and the amount in VND."""

    amount: int
    payment_id: int | None = None
    reference: str = ""


_IGNORED = re.compile(r"[\s.\-_]+")
_CODES = re.compile(rf"{CODE_PREFIX}(\d{{6,}})")


def compact(text: str) -> str:
    """A transfer's content as order codes are looked for in it: upper case, with spaces,
    dots, dashes and underscores dropped (banks and buyers add all of them)."""
    return _IGNORED.sub("", text).upper()


def code_candidates(content: str) -> list[str]:
    """Every order code the content may hold. Banks glue the memo to what follows
    (`DH000123CHUYENKHOAN`, `DH0001235000` when a buyer typed an amount after it), so each run
    of digits after the prefix gives every prefix of six digits or more; the caller keeps
    the longest one that is a real order."""
    found: list[str] = []
    for match in _CODES.finditer(compact(content)):
        digits = match.group(1)
        for end in range(len(digits), 5, -1):
            code = CODE_PREFIX + digits[:end]
            if code not in found:
                found.append(code)
    return found
