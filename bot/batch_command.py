"""`/batch ACTION CODE CODE…` or `/batch ACTION STATUS`: one action over many orders from the
chat, each through the one function (`application.batch`), with one progress message edited as
it goes and a summary at the end: what was done, and what was refused and why.

The progress message is edited at most every `EDIT_EVERY_S` seconds (and once at the end):
edits count toward Telegram's 20 messages a minute in a group, which the cards' notifier uses
too (`bot.pacing`), so a batch never spends more than a few of them. A `RetryAfter` from
Telegram holds the next edit back for as long as it asks.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

from telegram import Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, RetryAfter

from application import batch
from bot import callbacks as cb
from bot.command_kit import Said, fit_rows, plain, say
from bot.strings import strings
from orders.actors import Actor
from orders.lifecycle import Action
from orders.phones import normalize_phone
from orders.queries import OrderFilter
from orders.shipper_kinds import CARRIERS, INDIVIDUAL
from render.strings import carrier_name

log = logging.getLogger(__name__)

EDIT_EVERY_S: Final = 5.0  # at most 12 edits a minute, far fewer in practice
TABS: Final = tuple(tab for tab in cb.TABS if tab != cb.ALL_TAB)
ACTIONS: Final = tuple(a for a in batch.BATCH_ACTIONS if not a.startswith("print_"))
ORDER_CODE: Final = re.compile(r"[A-Za-z]{1,4}\d{3,}")  # DH000001, as order codes are made


@dataclass
class ProgressMessage:
    """The one message a batch edits as it goes, within the group's pace."""

    message: Message
    language: str
    action: str
    every_s: float = EDIT_EVERY_S
    clock: object = field(default=time.monotonic)
    _next_at: float = 0.0
    _shown: int = 0

    def _now(self) -> float:
        return float(self.clock())  # type: ignore[operator]

    async def update(self, view: batch.BatchView) -> None:
        if view.done == self._shown or self._now() < self._next_at or view.done == view.total:
            return  # nothing new, too soon, or the summary comes next
        body = say(
            self.language, "batch.running", action=self.action, done=view.done, total=view.total
        )
        await self._edit(body)
        self._shown = view.done

    async def finish(self, body: str) -> None:
        self._next_at = 0.0
        await self._edit(body)

    async def _edit(self, body: str) -> None:
        self._next_at = self._now() + self.every_s
        try:
            await self.message.edit_text(body, parse_mode=ParseMode.HTML)
        except RetryAfter as wait:
            seconds = wait.retry_after
            delay = seconds.total_seconds() if hasattr(seconds, "total_seconds") else float(seconds)
            self._next_at = self._now() + max(delay, self.every_s)
            log.info("telegram asked to wait %.0f s before editing the batch's progress", delay)
        except BadRequest as error:
            if "not modified" not in str(error).lower():
                raise


def summary(view: batch.BatchView, action: str, language: str, unknown: Sequence[str]) -> str:
    """Done N of M, then each refusal (the order's code and why), cut to one message."""
    key = "batch.stopped" if view.state == batch.STOPPED else "batch.summary"
    head = say(
        language, key, action=action, ok=len(view.succeeded), done=view.done, total=view.total
    )
    refused = [f"• <b>{plain(r.code or f'#{r.id}')}</b>: {plain(r.message)}" for r in view.refused]
    if unknown:
        refused.insert(0, "• " + say(language, "batch.unknown_codes", codes=", ".join(unknown)))
    if not refused:
        return head
    count = len(view.refused) + len(unknown)
    title = say(language, "batch.refused", count=count)
    return fit_rows(f"{head}\n{title}", refused, language)


def _action_word(action: str, language: str, ship: batch.Ship | None) -> str:
    word = strings(language).get(f"action.{action}", action)
    if ship is None:
        return word
    return f"{word} ({ship.name if ship.kind == INDIVIDUAL else carrier_name(ship.kind)})"


async def _ids(said: Said, tokens: Sequence[str]) -> tuple[list[int], list[str]]:
    """The orders named: one status (the whole tab, drafts with no line left out), or codes
    in the order typed; codes that name no order come back on their own."""
    if len(tokens) == 1 and tokens[0].lower() in TABS:
        filters = OrderFilter(status=tokens[0].lower(), empty_drafts="hide")
        return await batch.matching_ids(said.service, filters), []
    found = await batch.known_ids(said.service, tokens)
    ids: list[int] = []
    unknown: list[str] = []
    for token in tokens:
        id_ = found.get(token.strip().upper())
        if id_ is None:
            unknown.append(token)
        elif id_ not in ids:
            ids.append(id_)
    return ids, unknown


def _shipper(args: Sequence[str]) -> tuple[batch.Ship | None, list[str]]:
    """Who ships, and the words left for the orders: a partner carrier (`ghn DH000001 …`), or
    an individual shipper as a phone then a name (`0987654321 Anh Tuấn DH000001 …`): the name
    runs up to the first order code or tab."""
    if not args:
        return None, []
    kind = args[0].lower()
    if kind in CARRIERS:
        return batch.Ship(kind), list(args[1:])
    digits = 0  # a phone typed in groups (`0987 654 321`) arrives as several words
    while digits < len(args) and args[digits].lstrip("+").replace(".", "").isdigit():
        digits += 1
    phone = normalize_phone(" ".join(args[:digits])) if digits else None
    if phone is None:
        return None, []
    rest = list(args[digits:])
    cut = next((i for i, word in enumerate(rest) if _names_orders(word)), len(rest))
    name = " ".join(rest[:cut]).strip()
    return (batch.Ship(INDIVIDUAL, name=name, phone=phone) if name else None), rest[cut:]


def _names_orders(word: str) -> bool:
    return word.lower() in TABS or ORDER_CODE.fullmatch(word) is not None


async def batch_command(said: Said) -> None:
    args = list(said.args)
    action = args.pop(0).lower() if args else ""
    if action not in ACTIONS or not args:
        raise said.usage("batch")
    ship: batch.Ship | None = None
    if action == Action.SHIP.value:
        ship, args = _shipper(args)
        if ship is None or not args:
            raise said.usage("batch")
    ids, unknown = await _ids(said, args)
    if len(ids) > batch.MAX_IDS:
        raise said.refuse("batch.too_many", limit=batch.MAX_IDS, count=len(ids))
    if not ids:
        raise (
            said.refuse("batch.unknown_codes", codes=", ".join(unknown))
            if unknown
            else said.refuse("batch.none")
        )
    deps = said.deps
    if deps is None:
        raise said.refuse("cmd.failed")
    ask = batch.BatchAsk(action=action, ids=tuple(ids), ship=ship)
    batch.check(ask, deps.shipping)  # a carrier without a token: refused in words, nothing done
    word = _action_word(action, said.language, ship)
    actor: Actor = said.actor
    shown = ProgressMessage(
        await said.reply(say(said.language, "batch.running", action=word, done=0, total=len(ids))),
        said.language,
        word,
    )
    run_id = await batch.start(said.service, ask, actor)
    view = await batch.run(
        said.service,
        run_id,
        ask,
        actor,
        shipping=batch.Shipping(deps.shipping, deps.printing.shop),
        language=said.language,
        progress=shown.update,
    )
    await shown.finish(summary(view, word, said.language, unknown))
