"""`POST /telegram/webhook`: Telegram's updates, checked and queued, answered at once.

Telegram waits for the answer and sends the update again if it does not come, so the route
only checks the secret (`X-Telegram-Bot-Api-Secret-Token`, constant-time) and hands the
update to PTB's queue; the handlers run after the 200. An update with the right secret that
cannot be read (not JSON, nested past the limit, not the shape of an update) is answered 200
with one log line (CONTRACT.md): Telegram would otherwise send it again for ever.
"""

from __future__ import annotations

import logging

from aiohttp import web
from telegram import Update

from bot.deps import BOT_SETTINGS
from bot.lifecycle import BOT, WEBHOOK_PATH
from kernel.http.errors import error_body
from kernel.http.limits import read_limited
from kernel.http.secrets import same_secret
from kernel.json_body import load_json
from kernel.storable import describe

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY_BYTES = 1024 * 1024  # an update is a few KiB


async def receive(request: web.Request) -> web.StreamResponse:
    secret = request.app[BOT_SETTINGS].telegram_webhook_secret
    bot = request.app.get(BOT)
    if bot is None or not bot.webhook or not secret:
        return error_body(
            "not_configured",
            "The bot is not in webhook mode here (TELEGRAM_BOT_TOKEN and "
            "TELEGRAM_WEBHOOK_SECRET are not both set).",
            403,
        )
    if not same_secret(request.headers.get(SECRET_HEADER), secret):
        log.warning("telegram webhook refused from %s: wrong or missing secret", request.remote)
        return error_body("forbidden", f"{SECRET_HEADER} is missing or wrong.", 403)
    body = await read_limited(request, MAX_BODY_BYTES)
    if body is None:
        return error_body("too_large", "The update is too large.", 413)
    try:
        update = Update.de_json(_update_object(body), bot.application.bot)
    except Exception as error:  # PTB's readers raise whatever a wrong shape makes them
        reason = describe(error, 200)
        log.warning("telegram webhook: an update that cannot be read was dropped: %s", reason)
        return web.json_response({"status": "unreadable", "message": reason})
    await bot.application.update_queue.put(update)
    return web.json_response({"status": "queued"})


def _update_object(body: bytes) -> dict[str, object]:
    data = load_json(body)
    if not isinstance(data, dict):
        raise ValueError(f"an update is a JSON object, not {type(data).__name__}")
    return data


def add_routes(app: web.Application) -> None:
    app.router.add_post(WEBHOOK_PATH, receive)
