"""The card notifier: drains `order.changed` jobs into the staff group, one card per order,
edited in place.

An outbox handler (`chotdon.outbox_worker`): for each job it reads the order as it is now,
draws its card (`bot.cards.card_text`, `bot.keyboards.card_keyboard`) and posts it to
`TELEGRAM_STAFF_CHAT_ID` the first time, edits that message afterwards. Where the card is, and
which version of the order it shows, is kept in `telegram_cards` (`bot.tables`). Jobs can
arrive out of order and several changes can queue up: a job whose version the card already
shows is done at once, and one edit draws the newest version for all the jobs before it.

Telegram's answers: "message is not modified" is success; "message to edit not found" (a
member deleted the card) posts a new card; a 429 makes the job wait `retry_after` without
spending an attempt; a network error is retried with the outbox's backoff; any other refusal
ends the job with Telegram's words.

Not yet here (issue 6): pacing the group's 20 messages a minute ahead of the 429s, and the
digest messages of a comment storm.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any
from weakref import WeakValueDictionary

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, RetryAfter
from telegram.request import HTTPXRequest

from bot.cards import card_text
from bot.keyboards import card_keyboard
from bot.tables import TelegramCard
from chotdon.outbox_worker import Delivery, Handler, PermanentFailure, RetryLater
from chotdon.services import OrderService
from chotdon.settings import Settings
from orders.errors import NotFound
from orders.outbox import ORDER_CHANGED
from orders.tables import utcnow

log = logging.getLogger(__name__)

# As many Bot API calls at once as the outbox worker delivers jobs at once.
CONNECTIONS = 8


def api_urls(settings: Settings) -> tuple[str, str]:
    """`base_url` and `base_file_url` for PTB from `TELEGRAM_API_URL` (the Bot API root)."""
    root = settings.telegram_api_url.rstrip("/")
    return f"{root}/bot", f"{root}/file/bot"


def build_bot(settings: Settings) -> Bot:
    assert settings.telegram_bot_token
    base_url, base_file_url = api_urls(settings)
    return Bot(
        settings.telegram_bot_token,
        base_url=base_url,
        base_file_url=base_file_url,
        request=HTTPXRequest(connection_pool_size=CONNECTIONS),
    )


class CardNotifier:
    """Created once per outbox worker; its bot is initialized on the first job and closed by
    `aclose` when the app stops. Without a token or a staff chat it has no handler, so
    `order.changed` jobs stay skipped."""

    def __init__(
        self,
        settings: Settings,
        orders: OrderService,
        sessions: async_sessionmaker[AsyncSession],
        *,
        bot: Bot | None = None,
    ) -> None:
        self.language = settings.language
        self.chat_id = settings.telegram_staff_chat_id
        self.orders = orders
        self.sessions = sessions
        configured = bool(settings.telegram_bot_token) and self.chat_id is not None
        self.bot = bot or (build_bot(settings) if configured else None)
        self._ready = False
        self._starting = asyncio.Lock()
        # One job at a time per order in this worker, so two jobs of a new order post one card.
        self._locks: WeakValueDictionary[int, asyncio.Lock] = WeakValueDictionary()

    @property
    def configured(self) -> bool:
        return self.bot is not None and self.chat_id is not None

    def handlers(self) -> dict[str, Handler]:
        if not self.configured:
            return {}
        return {ORDER_CHANGED: self.deliver}

    async def aclose(self) -> None:
        if self.bot is not None and self._ready:
            self._ready = False
            await self.bot.shutdown()

    async def deliver(self, job: Delivery) -> None:
        order_id = int(job.payload["order_id"])
        version = int(job.payload.get("version") or 0)
        lock = self._locks.get(order_id)
        if lock is None:
            lock = self._locks[order_id] = asyncio.Lock()
        async with lock:
            await self._draw(order_id, version)

    async def _draw(self, order_id: int, version: int) -> None:
        card = await self._card(order_id)
        if card is not None and card[0] == self.chat_id and version <= card[2]:
            return  # the card already shows this version or a later one
        try:
            snapshot = await self.orders.detail(order_id)
        except NotFound:
            return  # nothing left to show
        current = int(snapshot["version"])
        if card is not None and card[0] == self.chat_id and current <= card[2]:
            return
        text = card_text(snapshot, language=self.language)
        markup = card_keyboard(snapshot, language=self.language)
        bot = await self._bot()
        try:
            if card is None or card[0] != self.chat_id:
                message_id = await self._post(bot, text, markup)
            else:
                message_id = await self._edit(bot, card[1], text, markup)
        except RetryAfter as wait:
            raise RetryLater(_seconds(wait), f"Telegram asked to wait: {wait}") from wait
        except ChatMigrated as moved:
            raise PermanentFailure(
                f"the staff group is now chat {moved.new_chat_id}: set TELEGRAM_STAFF_CHAT_ID"
            ) from moved
        except BadRequest as refused:
            raise PermanentFailure(f"Telegram refused the card: {refused.message}") from refused
        await self._store(order_id, message_id, current)

    async def _post(self, bot: Bot, text: str, markup: InlineKeyboardMarkup) -> int:
        assert self.chat_id is not None
        message = await bot.send_message(
            self.chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup
        )
        return message.message_id

    async def _edit(
        self, bot: Bot, message_id: int, text: str, markup: InlineKeyboardMarkup
    ) -> int:
        try:
            await bot.edit_message_text(
                text,
                chat_id=self.chat_id,
                message_id=message_id,
                parse_mode=ParseMode.HTML,
                reply_markup=markup,
            )
        except BadRequest as refused:
            words = refused.message.lower()
            if "not modified" in words:
                return message_id
            if "message to edit not found" in words:
                log.info("card %s was deleted from the group; posting it again", message_id)
                return await self._post(bot, text, markup)
            raise
        return message_id

    async def _bot(self) -> Bot:
        assert self.bot is not None
        if not self._ready:
            async with self._starting:
                if not self._ready:
                    await self.bot.initialize()  # getMe: a network error retries the job
                    self._ready = True
        return self.bot

    async def _card(self, order_id: int) -> tuple[int, int, int] | None:
        async with self.sessions() as session:
            row = (
                await session.execute(
                    select(
                        TelegramCard.chat_id, TelegramCard.message_id, TelegramCard.version
                    ).where(TelegramCard.order_id == order_id)
                )
            ).first()
        return None if row is None else (int(row[0]), int(row[1]), int(row[2]))

    async def _store(self, order_id: int, message_id: int, version: int) -> None:
        assert self.chat_id is not None
        async with self.sessions.begin() as session:
            card = await session.scalar(
                select(TelegramCard).where(TelegramCard.order_id == order_id).with_for_update()
            )
            if card is None:
                session.add(
                    TelegramCard(
                        order_id=order_id,
                        chat_id=self.chat_id,
                        message_id=message_id,
                        version=version,
                    )
                )
                return
            card.chat_id, card.message_id, card.version = self.chat_id, message_id, version
            card.updated_at = utcnow()


def _seconds(wait: RetryAfter) -> float:
    """`retry_after` as seconds, without PTB 22's deprecation warning on the int property."""
    value: Any = getattr(wait, "_retry_after", None)
    if isinstance(value, timedelta):
        return value.total_seconds()
    return float(wait.retry_after)  # type: ignore[arg-type]
