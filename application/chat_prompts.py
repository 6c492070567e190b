"""The questions the bot asked in the staff group (`telegram_prompts`): recorded when asked, so
a reply, however late and whichever process gets it, finds its order, field and version; then
forgotten once answered, or after `FORGOTTEN_AFTER` unanswered. Each function is a transaction
(or a reader's session) of its own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Final

from sqlalchemy import delete, select

from application.chat_tables import TelegramPrompt
from application.services import OrderService
from kernel.tables import utcnow

FORGOTTEN_AFTER: Final = timedelta(days=2)  # unanswered prompts are dropped after this


@dataclass(frozen=True, slots=True)
class Prompt:
    """A question asked: which order's field, at the version it had when staff chose it."""

    id: int
    chat_id: int
    message_id: int
    order_id: int
    version: int
    field: str
    asked_by: int  # the staff member's Telegram id


async def remember_prompt(
    service: OrderService,
    *,
    chat_id: int,
    message_id: int,
    order_id: int,
    version: int,
    field: str,
    asked_by: int,
) -> None:
    """Record a question just posted, dropping those nobody answered in time."""
    async with service.transaction() as session:
        await session.execute(
            delete(TelegramPrompt).where(TelegramPrompt.created_at < utcnow() - FORGOTTEN_AFTER)
        )
        session.add(
            TelegramPrompt(
                chat_id=chat_id,
                message_id=message_id,
                order_id=order_id,
                version=version,
                field=field,
                asked_by=asked_by,
            )
        )


async def prompt_at(service: OrderService, chat_id: int, message_id: int) -> Prompt | None:
    """The question `message_id` asked; None when the bot asked nothing there."""
    async with service.reading() as session:
        row = await session.scalar(
            select(TelegramPrompt).where(
                TelegramPrompt.chat_id == chat_id, TelegramPrompt.message_id == message_id
            )
        )
        if row is None:
            return None
        return Prompt(
            row.id, row.chat_id, row.message_id, row.order_id, row.version, row.field, row.asked_by
        )


async def forget_prompt(service: OrderService, prompt_id: int) -> None:
    """Answered: a second reply to the same prompt is not applied again."""
    async with service.transaction() as session:
        await session.execute(delete(TelegramPrompt).where(TelegramPrompt.id == prompt_id))
