"""Digest messages of a comment storm, and opening a draft's card from one (issue 6).

A live can bring hundreds of drafts a minute; the group takes 20 messages a minute, edits
included. One card per draft would leave most drafts unseen for many minutes, so when new
drafts come faster than the group's budget for cards, the notifier lists them instead, up to
40 in one digest message (`bot.cards.MAX_DIGEST`) with a button per draft. 20 digests a minute
reach 800 drafts; a storm of 600 a minute needs 15, and the rest of the budget is left for
edits of cards staff already work on.

`DigestQueue` is the notifier's buffer of drafts waiting for a digest. It is memory only, on
purpose: the outbox job of each draft stays pending (handed back with `RetryLater`) until
its draft is in a posted digest (`telegram_digest_entries`) or has a card, so a crash loses
the buffer but not a draft; the jobs come back and the drafts are buffered again. A batch is
sent when 40 are waiting or the oldest has waited `hold_s`: full digests save messages in a
storm, and the hold (one step of the pace) bounds how long a draft waits when the storm is
light. A batch of one is sent as the draft's card, which costs the same one message and saves
staff a tap.

`open_card` runs in the web process (the bot's tap handlers), not the outbox worker: it posts
the card as a reply to the digest and records it in `telegram_cards` (`application.chat_cards`),
so the notifier edits that message from then on; if the order has a card already, it replies to
that card instead, which the chat shows as a quote staff can tap to jump to it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Final

from telegram import Bot, InlineKeyboardMarkup, Message, ReplyParameters
from telegram.constants import ParseMode
from telegram.error import BadRequest, RetryAfter

from application.chat_cards import card_message, store_card
from bot import callbacks as cb
from bot.answers import Answer, Tap, cut
from bot.cards import MAX_DIGEST, card_text, digest_text
from bot.keyboards import card_keyboard, digest_keyboard
from bot.pacing import Clock
from bot.ptb_periods import retry_after_s
from bot.strings import text
from orders.errors import NotFound
from orders.views import OrderRow, OrderView

log = logging.getLogger(__name__)

# The longest a tap's card waits for a 429 to pass before it gives up (the tap was answered).
MAX_TAP_WAIT_S: Final = 60.0


def code_of(order: OrderRow) -> str:
    return order.label


def digest_message(
    orders: Sequence[OrderRow], *, language: str = "vi"
) -> tuple[str, InlineKeyboardMarkup]:
    """The text and the buttons of one digest (at most `MAX_DIGEST` orders)."""
    buttons = [(order.id, code_of(order)) for order in orders]
    return digest_text(orders, language=language), digest_keyboard(buttons)


@dataclass
class Waiting:
    order_id: int
    snapshot: OrderView
    since: float
    sending: bool = False


@dataclass
class DigestQueue:
    """New drafts waiting for a digest, oldest first."""

    hold_s: float
    clock: Clock = time.monotonic
    size: int = MAX_DIGEST
    _waiting: dict[int, Waiting] = field(default_factory=dict)
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    def __contains__(self, order_id: int) -> bool:
        return order_id in self._waiting

    def __len__(self) -> int:
        return len(self._waiting)

    def add(self, order_id: int, snapshot: OrderView) -> None:
        """Queue a draft (again: it keeps its place and its time, with the newer view)."""
        known = self._waiting.get(order_id)
        if known is None:
            self._waiting[order_id] = Waiting(order_id, snapshot, self.clock())
        else:
            known.snapshot = snapshot
        self.changed.set()

    def _unsent(self) -> list[Waiting]:
        return [entry for entry in self._waiting.values() if not entry.sending]

    def ready_in(self) -> float | None:
        """Seconds until a batch should go (0: now); None when nothing waits to be sent."""
        unsent = self._unsent()
        if not unsent:
            return None
        if len(unsent) >= self.size:
            return 0.0
        return max(0.0, unsent[0].since + self.hold_s - self.clock())

    def place(self, order_id: int) -> int:
        """How many batches go before the one that will list `order_id` (0: the next)."""
        for index, entry in enumerate(self._unsent()):
            if entry.order_id == order_id:
                return index // self.size
        return 0

    def batch(self) -> list[Waiting]:
        """The next batch, marked as being sent (a retry of its jobs must not queue it again,
        and the next batch must not take it)."""
        batch = self._unsent()[: self.size]
        for entry in batch:
            entry.sending = True
        return batch

    def sent(self, batch: Sequence[Waiting]) -> None:
        for entry in batch:
            self._waiting.pop(entry.order_id, None)

    def failed(self, batch: Sequence[Waiting]) -> None:
        for entry in batch:
            entry.sending = False
        self.changed.set()


# -- opening a card from a digest (the web process) -----------------------------------------


async def open_card(tap: Tap, pick: cb.OpenCard) -> Answer:
    """The order's card, posted (or found) in the group, from a digest's or a list's button."""
    try:
        order = await tap.service.detail(pick.order_id)
    except NotFound:
        return Answer(cut(text(tap.language, "alert.not_found")), alert=True)
    message = tap.query.message
    chat_id = tap.settings.telegram_staff_chat_id
    if chat_id is None:
        if message is None:
            return Answer(cut(text(tap.language, "alert.unavailable")), alert=True)
        chat_id = message.chat.id
    tapped = message.message_id if message is not None and message.chat.id == chat_id else None
    code = code_of(order)
    bot = tap.query.get_bot()
    card = await card_message(tap.service, pick.order_id, chat_id)
    if card is not None:

        async def point() -> None:
            await _point_at_card(tap, bot, order, chat_id, card, tapped)

        return Answer(cut(text(tap.language, "digest.card_above", code=code)), after=point)

    async def post() -> None:
        await _post_card(tap, bot, order, chat_id, tapped)

    return Answer(cut(text(tap.language, "digest.opened", code=code)), after=post)


async def _point_at_card(
    tap: Tap,
    bot: Bot,
    order: OrderView,
    chat_id: int,
    card: int,
    tapped: int | None,
) -> None:
    """A short reply to the card; if the card is gone (a member deleted it), a new card."""
    words = text(tap.language, "digest.card_is_here", code=code_of(order))
    try:
        await _patiently(
            lambda: bot.send_message(
                chat_id, words, reply_parameters=ReplyParameters(message_id=card)
            )
        )
    except BadRequest as refused:
        if "not found" not in refused.message.lower():
            raise
        await _post_card(tap, bot, order, chat_id, tapped)


async def _post_card(
    tap: Tap, bot: Bot, order: OrderView, chat_id: int, tapped: int | None
) -> None:
    reply = (
        ReplyParameters(message_id=tapped, allow_sending_without_reply=True)
        if tapped is not None
        else None
    )
    sent = await _patiently(
        lambda: bot.send_message(
            chat_id,
            card_text(order, language=tap.language),
            parse_mode=ParseMode.HTML,
            reply_markup=card_keyboard(order, language=tap.language),
            reply_parameters=reply,
        )
    )
    await store_card(tap.service, order.id, chat_id, sent.message_id, order.version)


async def _patiently(send: Callable[[], Awaitable[Message]]) -> Message:
    """Sends once more after a 429 that asks for less than a minute: the tap was answered
    already, so waiting is the only way left to give staff their card."""
    try:
        return await send()
    except RetryAfter as wait:
        delay = retry_after_s(wait)
        if delay > MAX_TAP_WAIT_S:
            raise
        await asyncio.sleep(delay)
        return await send()
