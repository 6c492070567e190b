"""The card notifier: drains `order.changed` jobs into the staff group, one card per order,
edited in place.

An outbox handler (`kernel.outbox.worker`): for each job it reads the order as it is now,
draws its card (`bot.cards.card_text`, `bot.keyboards.card_keyboard`) and posts it to
`TELEGRAM_STAFF_CHAT_ID` the first time, edits that message afterwards. Where the card is, and
which version of the order it shows, is kept in `telegram_cards` (`application.chat_cards`).
Jobs can arrive out of order and several changes can queue up: a job whose version the card
already shows is done at once, and one edit draws the newest version for all the jobs before it.

Telegram's answers: "message is not modified" is success; "message to edit not found" (a
member deleted the card) posts a new card; a 429 makes the job wait `retry_after` without
spending an attempt, and blocks the group in the limiter so no other job tries before then;
a network error is retried with the outbox's backoff; any other refusal ends the job with
Telegram's words.

Pacing (`bot.pacing`, `bot.pacer`): every send and edit first takes a slot of the group's
budget (18 of Telegram's 20 a minute by default: the other two are left for what the bot's
tap handlers send from the web process, which this limiter does not see) and of the 30 a
second overall. A handler never waits for a slot: with none free it hands its job back
(`RetryLater`, attempt not counted) with the slot's expected time as the delay, because the
outbox worker finishes a whole batch before it claims the next, and a handler sleeping on the
group's budget would hold up every other job. Handing back is also what merges a burst of
changes of one card: all but one job find no slot, and the first to get one later draws the
order as it is then, so the others find their version shown and are done without a call.

Digests (`bot.digests`): a new order (no card yet) gets a card only if a slot is free now and
no drafts are already waiting for a digest; otherwise it joins the digest queue, and its job
is handed back until the draft is in a posted digest. So a quiet group gets one card per draft,
and a storm switches to digests by itself, and back once the queue is empty. A draft listed in
a digest gets no card of its own while the storm lasts: its button opens one
(`bot.digests.open_card`), and from then on that card is edited like any other. If the draft
changes after it was listed (the buyer comments again, staff edit it), it gets its card once the
digest queue is empty and a slot is free; until then the digest's button shows it as it is.

Within one process only: several worker processes each keep to the budget on their own, so
together they can exceed it; their 429s are then honoured, not avoided.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Final, TypeVar
from weakref import WeakValueDictionary

from aiohttp import web
from telegram import Bot, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, RetryAfter
from telegram.request import HTTPXRequest

from application.chat_cards import Listed, forget_card, record_digest, store_card, whereabouts
from application.live_reads import LIVE_OPENED, opened_live
from application.services import OrderService
from bot.cards import card_text
from bot.deps import BotSettings
from bot.digests import DigestQueue, Waiting, digest_message
from bot.keyboards import card_keyboard
from bot.live_command import opened_message
from bot.pacer import Pacer, Priority
from bot.pacing import GROUP_LIMIT, MINUTE_S, Clock, Limits
from bot.ptb_periods import opt_in, retry_after_s
from kernel.outbox.worker import Delivery, Handler, PermanentFailure, RetryLater
from orders.errors import NotFound
from orders.outbox import ORDER_CHANGED
from orders.views import OrderView

log = logging.getLogger(__name__)

Snapshot = OrderView
T = TypeVar("T")

# As many Bot API calls at once as the outbox worker delivers jobs at once.
CONNECTIONS = 8
# The group's slots a minute the notifier takes: Telegram's 20 less two for the tap handlers.
NOTIFIER_GROUP_LIMIT: Final = GROUP_LIMIT - 2
# Sends back to back before the rest are spread evenly (`bot.pacing`): with 18 a minute, 16 are
# spread, one every 3.75 s, which is 640 drafts a minute in full digests.
GROUP_BURST: Final = 2


def api_urls(settings: BotSettings) -> tuple[str, str]:
    """`base_url` and `base_file_url` for PTB from `TELEGRAM_API_URL` (the Bot API root)."""
    root = settings.telegram_api_url.rstrip("/")
    return f"{root}/bot", f"{root}/file/bot"


def build_bot(settings: BotSettings) -> Bot:
    assert settings.telegram_bot_token
    opt_in()
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
    `order.changed` jobs stay skipped.

    `minute_s` is how long a "minute" of Telegram's limits lasts (tests shorten it, and every
    window, hold and delay here shrinks in proportion); `limits` replaces the buckets outright.
    """

    def __init__(
        self,
        settings: BotSettings,
        orders: OrderService,
        *,
        bot: Bot | None = None,
        minute_s: float = MINUTE_S,
        group_limit: int = NOTIFIER_GROUP_LIMIT,
        limits: Limits | None = None,
        clock: Clock = time.monotonic,
    ) -> None:
        self.language = settings.language
        self.chat_id = settings.telegram_staff_chat_id
        self.orders = orders
        configured = bool(settings.telegram_bot_token) and self.chat_id is not None
        self.bot = bot or (build_bot(settings) if configured else None)
        self.limits = limits or Limits.telegram(
            minute_s=minute_s, group_limit=group_limit, group_burst=GROUP_BURST, clock=clock
        )
        self.pacer = Pacer(self.limits)
        # A digest waits for more drafts at most one step of the group's pace: about as long
        # as the next slot takes anyway, so waiting costs a quiet group little.
        self.digests = DigestQueue(hold_s=self.limits.group.interval_s, clock=clock)
        self._ready = False
        self._starting = asyncio.Lock()
        # One job at a time per order in this worker, so two jobs of a new order post one card.
        self._locks: WeakValueDictionary[int, asyncio.Lock] = WeakValueDictionary()
        self._flusher: asyncio.Task[None] | None = None

    @property
    def configured(self) -> bool:
        return self.bot is not None and self.chat_id is not None

    @property
    def _step_s(self) -> float:
        """The steady time between two of the group's slots: the unit of every delay here."""
        return self.limits.group.interval_s

    def handlers(self) -> dict[str, Handler]:
        if not self.configured:
            return {}
        return {ORDER_CHANGED: self.deliver, LIVE_OPENED: self.live_opened}

    async def aclose(self) -> None:
        """The digest queue is dropped: its drafts' jobs are still pending and come back."""
        if self._flusher is not None:
            self._flusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._flusher
            self._flusher = None
        await self.pacer.aclose()
        if self.bot is not None and self._ready:
            self._ready = False
            await self.bot.shutdown()

    async def deliver(self, job: Delivery) -> None:
        order_id = int(job.payload["order_id"])
        version = int(job.payload.get("version") or 0)
        lock = self._locks.get(order_id)
        if lock is None:
            lock = self._locks[order_id] = asyncio.Lock()
        if lock.locked():  # the job drawing it now draws the newest version, maybe this one
            raise RetryLater(self._step_s, "another change of this order is being drawn")
        async with lock:
            await self._draw(order_id, version)

    async def live_opened(self, job: Delivery) -> None:
        """Tell the group a live opened by itself, with a button to stop ordering; a live
        already closed (or gone) when the job runs has nothing to stop: no message."""
        try:
            session_id = int(job.payload["session_id"])
        except (KeyError, TypeError, ValueError):
            raise PermanentFailure(f"{job.kind} job without a session_id") from None
        live = await opened_live(self.orders, session_id)
        if live is None or not live.ordering_open:
            return
        if not self.pacer.try_take(self._chat, Priority.CARD):
            delay = max(self._step_s, self.pacer.eta(self._chat, Priority.CARD))
            raise RetryLater(delay, "the group's budget is spent: the live's message waits")
        words, markup = opened_message(live, self.language)
        await self._send(
            lambda bot: bot.send_message(
                self._chat, words, parse_mode=ParseMode.HTML, reply_markup=markup
            )
        )

    async def _draw(self, order_id: int, version: int) -> None:
        found = await whereabouts(self.orders, order_id, self._chat)
        card, listed = found.card, found.listed
        if card is not None and version <= card.version:
            return  # the card already shows this version or a later one
        if card is None and order_id in self.digests:
            raise RetryLater(self._digest_eta(order_id), "waiting for the next digest")
        if card is None and listed is not None:
            if version <= listed or len(self.digests):
                return  # reachable from a digest; its button opens the card as the order is then
            if not self.pacer.try_take(self._chat, Priority.CARD):
                return  # changed since it was listed, but the group is busy: the digest serves
            await self._post_card(order_id)
            return
        try:
            snapshot = await self.orders.detail(order_id)
        except NotFound:
            return  # nothing left to show
        current = snapshot.version
        if card is not None and current <= card.version:
            return
        message_id: int | None  # None: the card to edit was deleted
        if card is None:
            if len(self.digests) or not self.pacer.try_take(self._chat, Priority.CARD):
                self._queue(order_id, snapshot)
                raise RetryLater(
                    self._digest_eta(order_id), "drafts come faster than cards: in a digest"
                )
            message_id = await self._send(lambda bot: self._post(bot, snapshot))
        else:
            if not self.pacer.try_take(self._chat, Priority.EDIT):
                ahead = -(-len(self.digests) // self.digests.size)  # the digests go first
                delay = max(self._step_s, self.pacer.eta(self._chat, Priority.EDIT, ahead))
                raise RetryLater(delay, "the group's budget is spent: the edit waits")
            message_id = await self._send(lambda bot: self._edit(bot, card.message_id, snapshot))
            if message_id is None:  # the card was deleted and no slot is free for a new one
                await forget_card(self.orders, order_id)
                raise RetryLater(self._step_s, "the card was deleted: a new one waits")
        await store_card(self.orders, order_id, self._chat, message_id, current)

    @property
    def _chat(self) -> int:
        assert self.chat_id is not None
        return self.chat_id

    async def _send(self, call: Callable[[Bot], Awaitable[T]]) -> T:
        """One Bot API call, its slot already taken; Telegram's refusals as the outbox's."""
        bot = await self._bot()
        try:
            return await call(bot)
        except RetryAfter as wait:
            seconds = retry_after_s(wait)
            self.pacer.block(self._chat, seconds)
            raise RetryLater(seconds, f"Telegram asked to wait: {wait}") from wait
        except ChatMigrated as moved:
            raise PermanentFailure(
                f"the staff group is now chat {moved.new_chat_id}: set TELEGRAM_STAFF_CHAT_ID"
            ) from moved
        except BadRequest as refused:
            raise PermanentFailure(f"Telegram refused the card: {refused.message}") from refused

    def _drawn(self, snapshot: Snapshot) -> tuple[str, InlineKeyboardMarkup]:
        return (
            card_text(snapshot, language=self.language),
            card_keyboard(snapshot, language=self.language),
        )

    async def _post(self, bot: Bot, snapshot: Snapshot) -> int:
        text, markup = self._drawn(snapshot)
        message = await bot.send_message(
            self._chat, text, parse_mode=ParseMode.HTML, reply_markup=markup
        )
        return message.message_id

    async def _edit(self, bot: Bot, message_id: int, snapshot: Snapshot) -> int | None:
        """The message edited (its id), a new card if it was deleted and a slot is free now,
        or None: deleted, and the new card must wait."""
        text, markup = self._drawn(snapshot)
        try:
            await bot.edit_message_text(
                text,
                chat_id=self._chat,
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
                if not self.pacer.try_take(self._chat, Priority.CARD):
                    return None
                return await self._post(bot, snapshot)
            raise
        return message_id

    # -- digests ------------------------------------------------------------------------------

    def _queue(self, order_id: int, snapshot: Snapshot) -> None:
        self.digests.add(order_id, snapshot)
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush(), name="telegram-digests")

    def _digest_eta(self, order_id: int) -> float:
        """When the draft's job should look again: after the digest that lists it has gone."""
        ready = self.digests.ready_in() or 0.0
        batches = self.digests.place(order_id) + 1
        return max(self._step_s, ready + self.pacer.eta(self._chat, Priority.DIGEST, batches))

    async def _flush(self) -> None:
        """Sends digests while drafts wait for one; a failed batch is queued again."""
        while (ready := self.digests.ready_in()) is not None:
            if ready > 0:
                self.digests.changed.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.digests.changed.wait(), ready)
                continue
            await self.pacer.take(self._chat, Priority.DIGEST)
            batch = self.digests.batch()
            if not batch:
                continue
            try:
                await self._send_batch(batch)
            except RetryAfter as wait:
                self.pacer.block(self._chat, retry_after_s(wait))
                self.digests.failed(batch)
            except Exception as error:  # a network error, or a bug: try again a step later
                log.warning("a digest of %s drafts failed (%r); trying again", len(batch), error)
                self.digests.failed(batch)
                await asyncio.sleep(self._step_s)
            else:
                self.digests.sent(batch)

    async def _post_card(self, order_id: int) -> None:
        """The order's card as it is now, its slot already taken."""
        try:
            snapshot = await self.orders.detail(order_id)
        except NotFound:
            return
        message_id = await self._send(lambda bot: self._post(bot, snapshot))
        await store_card(self.orders, order_id, self._chat, message_id, snapshot.version)

    async def _send_batch(self, batch: Sequence[Waiting]) -> None:
        bot = await self._bot()
        if len(batch) == 1:  # one draft: its card costs the same message and saves a tap
            await self._post_card(batch[0].order_id)
            return
        text, markup = digest_message([entry.snapshot for entry in batch], language=self.language)
        message = await bot.send_message(
            self._chat, text, parse_mode=ParseMode.HTML, reply_markup=markup
        )
        listed = (Listed(entry.order_id, entry.snapshot.version) for entry in batch)
        await record_digest(self.orders, self._chat, message.message_id, listed)

    async def _bot(self) -> Bot:
        assert self.bot is not None
        if not self._ready:
            async with self._starting:
                if not self._ready:
                    await self.bot.initialize()  # getMe: a network error retries the job
                    self._ready = True
        return self.bot


# Set by the app factory: tests and benchmarks look at the notifier's pacing.
CARDS = web.AppKey("card_notifier", CardNotifier)
