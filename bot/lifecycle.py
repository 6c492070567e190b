"""python-telegram-bot inside our aiohttp app: built from settings, started with the app,
stopped with it.

PTB's `Application` is driven by hand (initialize, start, stop, shutdown), as its custom
webhook examples do, so the bot shares the service's event loop and lifetime. Webhook mode when
`TELEGRAM_WEBHOOK_SECRET` is set (Telegram posts updates to `/telegram/webhook`, which queues
them and answers at once); long polling otherwise, so a shop without a public HTTPS address
still gets its bot. Updates are handled concurrently: two staff tapping one order at once is
settled by the order's version, not by queueing the taps.

Telegram being unreachable at start must not stop the service (the webhooks and the API still
work without it): the bot is started in the background and tried again with backoff, and the
log says what is wrong.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from aiohttp import web
from telegram import Update
from telegram.error import InvalidToken, TelegramError
from telegram.ext import Application

from bot import (
    commands,
    new_order,
    order_commands,
    prompts,
    ptb_periods,
    report_command,
    taps,
    web_command,
)
from bot.deps import BOT_DEPS, BOT_SETTINGS, CONTEXT_TYPES, BotSettings
from bot.xlsx_command import handlers as xlsx_handlers

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/telegram/webhook"
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]
RETRY_DELAYS_S = (1.0, 2.0, 5.0, 10.0, 30.0, 60.0)


@dataclass
class StaffBot:
    """What the rest of the service sees of the bot: the PTB application, and whether it
    takes its updates from the webhook route."""

    application: Application
    webhook: bool
    started: asyncio.Event = field(default_factory=asyncio.Event)
    initialized: bool = False


BOT = web.AppKey("staff_bot", StaffBot)


def build(settings: BotSettings) -> StaffBot:
    """Only with a token; `TELEGRAM_API_URL` is the Bot API root (tests point it at a fake)."""
    assert settings.telegram_bot_token
    ptb_periods.opt_in()
    root = settings.telegram_api_url.rstrip("/")
    webhook = bool(settings.telegram_webhook_secret)
    builder = (
        Application.builder()
        .token(settings.telegram_bot_token)
        .base_url(f"{root}/bot")
        .base_file_url(f"{root}/file/bot")
        .concurrent_updates(True)
        .context_types(CONTEXT_TYPES)
    )
    if webhook:
        builder = builder.updater(None)  # updates come through our own route
    application = builder.build()
    application.add_handlers(commands.handlers(settings.language))
    application.add_handlers(order_commands.handlers(settings))
    application.add_handlers(taps.handlers(settings))
    application.add_handlers(prompts.handlers(settings, others=[new_order.on_reply]))
    application.add_handlers(web_command.handlers(settings))
    application.add_handlers(report_command.handlers(settings))
    application.add_handlers(xlsx_handlers(settings))  # /excel
    return StaffBot(application, webhook)


async def bot_context(app: web.Application) -> AsyncIterator[None]:
    """An aiohttp cleanup context: the bot runs for the app's lifetime, or not at all."""
    settings = app[BOT_SETTINGS]
    if not settings.telegram_bot_token:
        log.info("telegram bot: off (TELEGRAM_BOT_TOKEN is not set); the rest of the service runs")
        yield
        return
    bot = app[BOT]
    # The contexts that open the service's resources ran before this one.
    bot.application.bot_data.deps = app[BOT_DEPS]
    starting = asyncio.create_task(_start(bot, settings), name="telegram-bot-start")
    try:
        yield
    finally:
        starting.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await starting
        await _stop(bot)


async def _start(bot: StaffBot, settings: BotSettings) -> None:
    attempt = 0
    while True:
        try:
            await _start_once(bot, settings)
        except InvalidToken:
            log.error("telegram bot: Telegram refuses TELEGRAM_BOT_TOKEN; the bot stays off")
            return
        except (TelegramError, OSError) as error:
            delay = RETRY_DELAYS_S[min(attempt, len(RETRY_DELAYS_S) - 1)]
            attempt += 1
            log.warning("telegram bot: cannot start (%s); trying again in %.0f s", error, delay)
            await asyncio.sleep(delay)
            continue
        bot.started.set()
        return


async def _start_once(bot: StaffBot, settings: BotSettings) -> None:
    application = bot.application
    if not bot.initialized:
        await application.initialize()  # getMe: checks the token
        bot.initialized = True
    if bot.webhook:
        url = settings.public_url.rstrip("/") + WEBHOOK_PATH
        await application.bot.set_webhook(
            url=url,
            secret_token=settings.telegram_webhook_secret,
            allowed_updates=ALLOWED_UPDATES,
        )
        log.info("telegram bot: webhook mode, updates at %s", url)
    else:
        assert application.updater is not None
        await application.bot.delete_webhook()
        await application.updater.start_polling(allowed_updates=ALLOWED_UPDATES)
        log.info("telegram bot: long polling (TELEGRAM_WEBHOOK_SECRET is not set)")
    with contextlib.suppress(TelegramError):
        await application.bot.set_my_commands(commands.menu(settings.language))
    await application.start()
    log.info("telegram bot: @%s is up", application.bot.username)


async def _stop(bot: StaffBot) -> None:
    """Handlers under way finish; a webhook stays registered, since another instance of the
    service may still be serving it."""
    application = bot.application
    updater = application.updater
    if updater is not None and updater.running:
        await updater.stop()
    if application.running:
        await application.stop()
    if bot.initialized:
        await application.shutdown()
