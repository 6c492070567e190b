"""What staff read and do about buyers' Messenger messages: the list (newest first, or only
those from senders no customer is linked to) and attaching a sender to a customer.

Attaching links the sender's Messenger id to the customer and marks that sender's messages as
theirs; it re-applies none of them (staff read them and act), but the sender's later messages
apply as any linked buyer's do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from application.services import OrderService
from livestream.tables import BuyerMessage
from orders.phones import normalize_phone
from orders.tables import Customer

DEFAULT_LIMIT = 100
MAX_LIMIT = 500
MAX_INT32 = 2**31 - 1


@dataclass(frozen=True, slots=True)
class MessageView:
    id: int
    sender_id: str
    text: str
    at: datetime
    customer_id: int | None
    kind: str
    payload: str | None
    order_id: int | None
    outcome: str
    reply: str

    @classmethod
    def of(cls, row: BuyerMessage) -> MessageView:
        return cls(
            id=row.id,
            sender_id=row.sender_id,
            text=row.text,
            at=row.at,
            customer_id=row.customer_id,
            kind=row.kind,
            payload=row.payload,
            order_id=row.order_id,
            outcome=row.outcome,
            reply=row.reply,
        )


async def list_messages(
    service: OrderService, *, unlinked: bool = False, limit: int = DEFAULT_LIMIT
) -> list[MessageView]:
    """Newest first (by the buyer's time, then arrival)."""
    query = select(BuyerMessage).order_by(BuyerMessage.at.desc(), BuyerMessage.id.desc())
    if unlinked:
        query = query.where(BuyerMessage.customer_id.is_(None))
    async with service.reading() as session:
        rows = await session.scalars(query.limit(max(1, min(limit, MAX_LIMIT))))
        return [MessageView.of(row) for row in rows]


class Attached(StrEnum):
    LINKED = "linked"
    NO_MESSAGE = "no_message"
    NO_CUSTOMER = "no_customer"
    TAKEN = "taken"  # another customer holds this sender's Messenger id


@dataclass(frozen=True, slots=True)
class Attachment:
    result: Attached
    customer_id: int | None = None  # the customer linked, or the one holding the id (TAKEN)
    message: MessageView | None = None


async def attach_sender(service: OrderService, message_id: int, customer_id: int) -> Attachment:
    """Link the sender of message `message_id` to customer `customer_id`."""
    async with service.transaction() as session:
        row = await session.get(BuyerMessage, message_id) if message_id <= MAX_INT32 else None
        if row is None:
            return Attachment(Attached.NO_MESSAGE)
        customer = await session.get(Customer, customer_id) if customer_id <= MAX_INT32 else None
        if customer is None:
            return Attachment(Attached.NO_CUSTOMER)
        holder = await session.scalar(
            select(Customer.id).where(Customer.messenger_id == row.sender_id)
        )
        if holder is not None and holder != customer.id:
            return Attachment(Attached.TAKEN, holder, MessageView.of(row))
        customer.messenger_id = row.sender_id
        await session.flush()
        await session.execute(
            update(BuyerMessage)
            .where(BuyerMessage.sender_id == row.sender_id, BuyerMessage.customer_id.is_(None))
            .values(customer_id=customer.id)
        )
        await session.refresh(row)
        return Attachment(Attached.LINKED, customer.id, MessageView.of(row))


async def find_customer(service: OrderService, given: str) -> int | None:
    """A customer by what staff type: a phone number (the newest customer with it) or an id."""
    text = given.strip()
    phone = normalize_phone(text) if len(text) >= 9 else None
    async with service.reading() as session:
        if phone:
            found = await _by_phone(session, phone)
            if found is not None:
                return found
        digits = text.removeprefix("#")
        if digits.isdecimal() and len(digits) <= 10 and 1 <= int(digits) <= MAX_INT32:
            customer = await session.get(Customer, int(digits))
            return customer.id if customer else None
    return None


async def _by_phone(session: AsyncSession, phone: str) -> int | None:
    return await session.scalar(
        select(Customer.id).where(Customer.phone == phone).order_by(Customer.id.desc()).limit(1)
    )
