"""Stored bank notifications (SePay's webhook) applied: each transfer kept once, and an
incoming one that names an order pays it.

The body was authenticated when it arrived; here it is only read. One that is not a transfer
(not JSON, no id, no amount, an amount that cannot be money) fails its inbox row at once with
the reason (`chotdon inbox list --failed`), where a person sees it: money is never guessed.
A transfer is kept as a `Payment` row once per SePay `id` whatever it matched, however often
SePay delivers it (it retries for hours) and however many processors race for it: the row is
looked for first and inserted under a savepoint, so the unique constraint decides a race.
An outgoing transfer is kept and ignored. An incoming one whose content (or SePay's detected
`code`) holds one order's code pays that order through the one function
(`application.payments.pay_order`); one that matches nothing, or several orders, waits for staff
(`GET /api/payments?unmatched=1`, then attach).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from application.payments import IGNORED, UNMATCHED, match_order, pay_order
from kernel.inbox.processor import InboxHandler, InboxItem, Unprocessable, each
from kernel.json_body import UnreadableJson, load_json
from kernel.storable import storable
from orders.actors import Actor
from orders.changes import MAX_MONEY
from orders.errors import OrderError
from orders.tables import Payment

log = logging.getLogger(__name__)

SOURCE = "bank"  # the inbox source `webhooks.bank` stores under
PROVIDER = "sepay"
# SePay writes times as the bank's wall clock in Vietnam, which keeps UTC+7 all year.
VIETNAM = timezone(timedelta(hours=7), "Asia/Ho_Chi_Minh")
DATE_FORMAT = "%Y-%m-%d %H:%M:%S"
# The columns' sizes (`orders.tables.Payment`); the content is text, kept to what a memo is.
ID_LIMIT, GATEWAY_LIMIT, ACCOUNT_LIMIT, REFERENCE_LIMIT, CONTENT_LIMIT = 64, 64, 64, 128, 2000
_AMOUNT_TEXT = re.compile(r"[0-9]{1,15}(?:\.0+)?")


class Direction(StrEnum):
    IN = "in"
    OUT = "out"


class Outcome(StrEnum):
    APPLIED = "applied"  # paid its order
    UNMATCHED = "unmatched"  # waits for staff
    IGNORED = "ignored"  # outgoing
    DUPLICATE = "duplicate"  # this id was kept before: nothing changed


class UnreadableTransfer(ValueError):
    """The body is not a transfer we can take money from; the message says why."""


@dataclass(frozen=True, slots=True)
class Transfer:
    """One transfer as SePay reported it, every text made storable and cut to its column."""

    transaction_id: str
    direction: Direction
    amount: int  # VND, 1 to `MAX_MONEY`
    content: str = ""
    code: str = ""  # the payment code SePay detected in the content, if it did
    at: datetime | None = None  # the bank's time, UTC
    reference: str = ""
    gateway: str = ""
    account_number: str = ""

    @property
    def searched(self) -> str:
        """Where an order code is looked for: the content and SePay's own detection."""
        return f"{self.content} {self.code}".strip()


@dataclass(frozen=True, slots=True)
class Recorded:
    """What keeping a transfer did: its outcome, the payment row and the order it paid."""

    outcome: Outcome
    payment_id: int | None = None
    order_id: int | None = None
    note: str = ""


def inbox_handlers() -> dict[str, InboxHandler]:
    """The inbox handler of the bank's notifications, by source."""
    return {SOURCE: each(apply_body)}


async def apply_body(session: AsyncSession, item: InboxItem) -> None:
    try:
        transfer = parse_transfer(item.body)
    except UnreadableTransfer as error:
        raise Unprocessable(f"bank transfer not understood: {error}") from error
    done = await record(session, transfer)
    log.info(
        "bank transfer %r: %s %s VND -> %s%s",
        transfer.transaction_id,
        transfer.direction.value,
        transfer.amount,
        done.outcome.value,
        f" (order {done.order_id})" if done.order_id else f" ({done.note})" if done.note else "",
    )


async def record(session: AsyncSession, transfer: Transfer) -> Recorded:
    """Keep `transfer` once and, if it is incoming and names one order, pay that order; the
    caller owns the transaction."""
    if await _kept(session, transfer.transaction_id):
        return Recorded(Outcome.DUPLICATE)
    incoming = transfer.direction is Direction.IN
    payment = Payment(
        provider=PROVIDER,
        transaction_id=transfer.transaction_id,
        gateway=transfer.gateway,
        account_number=transfer.account_number,
        direction=transfer.direction.value,
        amount=transfer.amount,
        content=transfer.content,
        reference=transfer.reference,
        transaction_at=transfer.at,
        state=UNMATCHED if incoming else IGNORED,
        note="",
    )
    try:
        async with session.begin_nested():  # another processor may be keeping it right now
            session.add(payment)
    except IntegrityError:
        return Recorded(Outcome.DUPLICATE)
    if not incoming:
        return Recorded(Outcome.IGNORED, payment.id)
    match = await match_order(session, transfer.searched)
    if match.order_id is None:
        payment.note = match.note
        return Recorded(Outcome.UNMATCHED, payment.id, note=match.note)
    try:
        async with session.begin_nested():  # a refusal leaves the transfer for staff, not lost
            await pay_order(
                session, payment, match.order_id, Actor.bank(transfer.gateway or "bank")
            )
    except OrderError as refused:
        payment.state, payment.note = UNMATCHED, refused.reason.value[:64]
        return Recorded(Outcome.UNMATCHED, payment.id, note=payment.note)
    return Recorded(Outcome.APPLIED, payment.id, match.order_id)


async def _kept(session: AsyncSession, transaction_id: str) -> bool:
    found = await session.scalar(
        select(Payment.id).where(
            Payment.provider == PROVIDER, Payment.transaction_id == transaction_id
        )
    )
    return found is not None


# -- reading SePay's body (pure) -------------------------------------------------------------


def parse_transfer(body: bytes) -> Transfer:
    """The transfer a SePay body describes, or `UnreadableTransfer` saying what is wrong.
    The id and the amount must be there and sane; the rest is taken as far as it is text."""
    try:
        data = load_json(body)
    except UnreadableJson as error:
        raise UnreadableTransfer(f"not JSON ({error})") from None
    if not isinstance(data, dict):
        raise UnreadableTransfer(f"not a JSON object but {_kind(data)}")
    return Transfer(
        transaction_id=_transaction_id(data.get("id")),
        direction=_direction(data.get("transferType")),
        amount=_amount(data.get("transferAmount")),
        content=_text(data.get("content"), CONTENT_LIMIT),
        code=_text(data.get("code"), CONTENT_LIMIT),
        at=_when(data.get("transactionDate")),
        reference=_text(data.get("referenceCode"), REFERENCE_LIMIT),
        gateway=_text(data.get("gateway"), GATEWAY_LIMIT),
        account_number=_text(data.get("accountNumber"), ACCOUNT_LIMIT),
    )


def _transaction_id(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        text = str(value)
    elif isinstance(value, str):
        text = storable(value.strip(), -1)
    else:
        raise UnreadableTransfer(f"id must be a number or text, not {_kind(value)}")
    if not text:
        raise UnreadableTransfer("id is empty")
    if len(text) > ID_LIMIT:
        raise UnreadableTransfer(f"id is {len(text)} characters long; {ID_LIMIT} at most")
    return text


def _direction(value: Any) -> Direction:
    if isinstance(value, str) and value.strip().lower() in (Direction.IN, Direction.OUT):
        return Direction(value.strip().lower())
    raise UnreadableTransfer(f"transferType must be 'in' or 'out', not {_shown(value)}")


def _amount(value: Any) -> int:
    """VND as a whole number: a JSON integer, or a numeric string (`"2277000"`); a float only
    when whole. Anything else, zero, negative or beyond `MAX_MONEY` is refused."""
    amount: int | None = None
    if isinstance(value, bool):
        amount = None
    elif isinstance(value, int):
        amount = value
    elif isinstance(value, float) and value.is_integer():
        amount = int(value)
    elif isinstance(value, str) and _AMOUNT_TEXT.fullmatch(value.strip()):
        amount = int(value.strip().split(".")[0])
    if amount is None:
        raise UnreadableTransfer(
            f"transferAmount must be a whole number of VND, not {_shown(value)}"
        )
    if not 1 <= amount <= MAX_MONEY:
        raise UnreadableTransfer(f"transferAmount {amount} is not between 1 and {MAX_MONEY} VND")
    return amount


def _text(value: Any, limit: int) -> str:
    """Text as given (a number as its digits: some banks' account numbers are numbers); no
    value, or a list or object, is no text."""
    if isinstance(value, str):
        return storable(value.strip(), limit)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)[:limit]
    return ""


def _when(value: Any) -> datetime | None:
    """`2023-03-25 14:02:37` in Vietnam, as UTC; a time we cannot read is no time (the row
    then shows when it reached us), not a reason to leave the money unapplied."""
    if not isinstance(value, str):
        return None
    try:
        local = datetime.strptime(value.strip(), DATE_FORMAT)
    except ValueError:
        return None
    return local.replace(tzinfo=VIETNAM).astimezone(UTC)


def _kind(value: Any) -> str:
    return {
        dict: "an object",
        list: "a list",
        str: "text",
        bool: "true or false",
        type(None): "null",
    }.get(type(value), "a number")


def _shown(value: Any) -> str:
    """A value for a reason a person reads: short, storable."""
    if isinstance(value, str):
        return repr(storable(value, 40))
    return _kind(value) if isinstance(value, dict | list) or value is None else repr(value)[:40]
