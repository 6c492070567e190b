"""The bot's conversations before an order exists (`telegram_dialogues`, `/new`): started,
moved on to the next question, found by the message a reply answers or a button sits on, and
forgotten once done or after `FORGOTTEN_AFTER`. Each function is a transaction (or a reader's
session) of its own, so a reply that reaches another process finds the conversation."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, select

from application.chat_prompts import FORGOTTEN_AFTER
from application.chat_tables import TelegramDialogue
from application.services import OrderService
from kernel.tables import utcnow


@dataclass(frozen=True, slots=True)
class Dialogue:
    """Where a conversation stands: the step it waits on and what was said so far."""

    id: int
    chat_id: int
    message_id: int
    asked_by: int
    step: str
    data: dict[str, Any] = field(default_factory=dict)


def _view(row: TelegramDialogue) -> Dialogue:
    return Dialogue(
        row.id, row.chat_id, row.message_id, row.asked_by, row.step, dict(row.data or {})
    )


async def start_dialogue(
    service: OrderService, *, chat_id: int, message_id: int, asked_by: int, step: str
) -> Dialogue:
    """A conversation whose first question is `message_id`; stale ones are dropped."""
    async with service.transaction() as session:
        await session.execute(
            delete(TelegramDialogue).where(TelegramDialogue.created_at < utcnow() - FORGOTTEN_AFTER)
        )
        row = TelegramDialogue(
            chat_id=chat_id, message_id=message_id, asked_by=asked_by, step=step, data={}
        )
        session.add(row)
        await session.flush()
        return _view(row)


async def dialogue_at(service: OrderService, chat_id: int, message_id: int) -> Dialogue | None:
    """The conversation whose latest question (or summary) is `message_id`, if any."""
    async with service.reading() as session:
        row = await session.scalar(
            select(TelegramDialogue).where(
                TelegramDialogue.chat_id == chat_id, TelegramDialogue.message_id == message_id
            )
        )
        return None if row is None else _view(row)


async def dialogue_by_id(service: OrderService, dialogue_id: int) -> Dialogue | None:
    async with service.reading() as session:
        row = await session.get(TelegramDialogue, dialogue_id)
        return None if row is None else _view(row)


async def move_dialogue(
    service: OrderService, dialogue_id: int, *, message_id: int, step: str, data: dict[str, Any]
) -> bool:
    """The conversation now waits on `message_id` at `step`; False if it was ended meanwhile."""
    async with service.transaction() as session:
        row = await session.get(TelegramDialogue, dialogue_id)
        if row is None:
            return False
        row.message_id, row.step, row.data = message_id, step, dict(data)
        return True


async def end_dialogue(service: OrderService, dialogue_id: int) -> bool:
    """Done or cancelled; True for the one caller that ended it (a double tap creates once)."""
    async with service.transaction() as session:
        result = await session.execute(
            delete(TelegramDialogue).where(TelegramDialogue.id == dialogue_id)
        )
        return bool(getattr(result, "rowcount", 0))
