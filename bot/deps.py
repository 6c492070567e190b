"""What the bot is handed by the composition root, instead of the service's settings and runtime.

`BotSettings` is read when the bot is built (before the app starts); `BotDeps` once the app's
resources are open, as python-telegram-bot's `bot_data` (`ContextTypes(bot_data=BotData)`), so
every handler finds the same typed object through its context.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from telegram.ext import CallbackContext, ContextTypes, ExtBot

from application.printing import Printer, PrintSetup
from application.services import OrderService
from carriers.base import Carrier


@dataclass(frozen=True, slots=True)
class BotSettings:
    """The settings the bot reads, under the names `CONTRACT.md` gives their variables."""

    telegram_bot_token: str | None
    telegram_api_url: str
    telegram_webhook_secret: str | None
    telegram_staff_chat_id: int | None
    telegram_miniapp_url: str | None
    public_url: str
    language: str


@dataclass(frozen=True, slots=True)
class BotDeps:
    orders: OrderService
    shipping: Mapping[str, Carrier]  # by name, the carriers with an API token: quotes, `ship`
    printer: Printer
    printing: PrintSetup  # the shop, as its papers and parcels name it: prints and quotes


class BotData:
    """`bot_data` of the bot's handlers: no dependencies until the app has opened them, when a
    tap or command is answered "try again" rather than failing."""

    deps: BotDeps | None = None


BotContext = CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]
CONTEXT_TYPES = ContextTypes(bot_data=BotData)

BOT_SETTINGS = web.AppKey("bot_settings", BotSettings)
BOT_DEPS = web.AppKey("bot_deps", BotDeps)
