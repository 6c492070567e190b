"""`POST /telegram/webhook`: Telegram's updates, checked and queued, answered at once.

Telegram waits for the answer and sends the update again if it does not come, so the route
only checks the secret (`X-Telegram-Bot-Api-Secret-Token`, constant-time) and hands the
update to PTB's queue; the handlers run after the 200.
"""

from __future__ import annotations

import hmac
import json
import logging

from aiohttp import web
from telegram import Update

from bot.lifecycle import BOT, WEBHOOK_PATH
from chotdon.middleware import error_body
from chotdon.runtime import SETTINGS

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY_BYTES = 1024 * 1024  # an update is a few KiB


async def receive(request: web.Request) -> web.StreamResponse:
    secret = request.app[SETTINGS].telegram_webhook_secret
    bot = request.app.get(BOT)
    if bot is None or not bot.webhook or not secret:
        return error_body(
            "not_configured",
            "The bot is not in webhook mode here (TELEGRAM_BOT_TOKEN and "
            "TELEGRAM_WEBHOOK_SECRET are not both set).",
            403,
        )
    given = request.headers.get(SECRET_HEADER, "")
    if not hmac.compare_digest(given.encode("utf-8", "surrogateescape"), secret.encode()):
        log.warning("telegram webhook refused from %s: wrong or missing secret", request.remote)
        return error_body("forbidden", f"{SECRET_HEADER} is missing or wrong.", 403)
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        return error_body("too_large", "The update is too large.", 413)
    try:
        data = json.loads(await request.read())
        update = Update.de_json(data, bot.application.bot)
    except (ValueError, TypeError, KeyError) as error:
        # Telegram would send it again for ever: say why, answer 200, keep the log line.
        log.warning("telegram webhook: an update that cannot be read was dropped: %r", error)
        return web.json_response({"status": "unreadable", "message": str(error)[:200]})
    await bot.application.update_queue.put(update)
    return web.json_response({"status": "queued"})


def add_routes(app: web.Application) -> None:
    app.router.add_post(WEBHOOK_PATH, receive)
