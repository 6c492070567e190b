"""What a tap gets back, as data: handlers decide, `bot.taps` does the talking to Telegram.

Kept apart from the handlers so every kind of button (card actions, menus, lists, digests)
answers the same way: the callback query is answered first (the spinner stops, refusals show
as an alert), and only then is the message changed or a new one sent.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from telegram import CallbackQuery, InlineKeyboardMarkup

from orders.actors import Actor

if TYPE_CHECKING:
    from application.services import OrderService
    from bot.deps import BotDeps, BotSettings

ALERT_LIMIT: Final = 200  # Telegram's limit for an answerCallbackQuery text


@dataclass(frozen=True)
class Answer:
    """The answer's text (an alert for refusals), then, once answered: the card to redraw (an
    order id), a keyboard to show in place of the message's, deleting the message, or `after`,
    any other follow-up (sending a photo, a prompt, a card)."""

    text: str = ""
    alert: bool = False
    redraw: int | None = None
    menu: InlineKeyboardMarkup | None = None
    delete: bool = False
    after: Callable[[], Awaitable[None]] | None = None


def cut(message: str, limit: int = ALERT_LIMIT) -> str:
    return message if len(message) <= limit else message[: limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class Tap:
    """Everything a button's handler needs: the query (its message, its user), the staff
    member acting, the service that changes orders, and the service's carriers and printer."""

    query: CallbackQuery
    actor: Actor
    service: OrderService
    settings: BotSettings
    deps: BotDeps

    @property
    def language(self) -> str:
        return self.settings.language
