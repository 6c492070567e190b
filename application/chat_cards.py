"""Where each order's card and digest entries are in the staff group (`telegram_cards`,
`telegram_digest_entries`), as the card notifier and the bot's tap handlers read and record it.

Each function is a transaction (or a reader's session) of its own. The writes use the
service's plain transactions, not `OrderService.transaction`: they queue no outbox job, so
there is nothing to wake the outbox worker for (the notifier runs inside that worker).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select

from application.chat_tables import TelegramCard, TelegramDigestEntry
from application.services import OrderService
from kernel.tables import utcnow
from orders import browse


@dataclass(frozen=True, slots=True)
class CardPlace:
    """An order's card in a chat: the message, and the order's version it shows."""

    message_id: int
    version: int


@dataclass(frozen=True, slots=True)
class Whereabouts:
    """An order's card in a chat, or else the newest version of it a digest there lists
    (both None: neither)."""

    card: CardPlace | None
    listed: int | None


@dataclass(frozen=True, slots=True)
class Listed:
    """A draft in a digest message, at the version the digest shows."""

    order_id: int
    version: int


async def card_message(service: OrderService, order_id: int, chat_id: int) -> int | None:
    """The message id of the order's card in `chat_id`; None when it has none there."""
    async with service.reading() as session:
        found = await session.scalar(
            select(TelegramCard.message_id).where(
                TelegramCard.order_id == order_id, TelegramCard.chat_id == chat_id
            )
        )
    return None if found is None else int(found)


async def whereabouts(service: OrderService, order_id: int, chat_id: int) -> Whereabouts:
    async with service.reading() as session:
        row = (
            await session.execute(
                select(TelegramCard.message_id, TelegramCard.version).where(
                    TelegramCard.order_id == order_id, TelegramCard.chat_id == chat_id
                )
            )
        ).first()
        if row is not None:
            return Whereabouts(CardPlace(int(row[0]), int(row[1])), None)
        listed = await session.scalar(
            select(func.max(TelegramDigestEntry.version)).where(
                TelegramDigestEntry.order_id == order_id,
                TelegramDigestEntry.chat_id == chat_id,
            )
        )
    return Whereabouts(None, None if listed is None else int(listed))


async def store_card(
    service: OrderService, order_id: int, chat_id: int, message_id: int, version: int
) -> None:
    """Where the order's card is now, and the version it shows: the notifier edits this
    message from now on (and skips changes it already shows)."""
    async with service.sessions.begin() as session:
        card = await session.scalar(
            select(TelegramCard).where(TelegramCard.order_id == order_id).with_for_update()
        )
        if card is None:
            session.add(
                TelegramCard(
                    order_id=order_id, chat_id=chat_id, message_id=message_id, version=version
                )
            )
            return
        card.chat_id, card.message_id, card.version = chat_id, message_id, version
        card.updated_at = utcnow()


async def forget_card(service: OrderService, order_id: int) -> None:
    """The card was deleted from the group: the order's next change posts a new one."""
    async with service.sessions.begin() as session:
        card = await session.scalar(
            select(TelegramCard).where(TelegramCard.order_id == order_id).with_for_update()
        )
        if card is not None:
            await session.delete(card)


async def record_digest(
    service: OrderService, chat_id: int, message_id: int, drafts: Iterable[Listed]
) -> None:
    """The drafts a posted digest lists: each is reachable from the chat from now on."""
    async with service.sessions.begin() as session:
        session.add_all(
            TelegramDigestEntry(
                order_id=draft.order_id,
                chat_id=chat_id,
                message_id=message_id,
                version=draft.version,
            )
            for draft in drafts
        )


async def order_of_card(
    service: OrderService, chat_id: int, message_id: int, code: str | None
) -> int | None:
    """The order a card message shows: the order whose card it is, else the one its code
    (read off the card's text) names; None for neither."""
    async with service.reading() as session:
        order_id = await session.scalar(
            select(TelegramCard.order_id).where(
                TelegramCard.chat_id == chat_id, TelegramCard.message_id == message_id
            )
        )
        if order_id is None and code is not None:
            order_id = await browse.order_id_by_code(session, code)
    return order_id
