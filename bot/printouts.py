"""Print buttons: the bill or shipping note as a photo to look at and a file to print, in reply
to the card.

Drawing is the render pool's (`application.printing`), as for the API, so a print in the chat
costs the event loop nothing. The photo is for reading on a phone; Telegram recompresses
photos, so the PDF goes as a document, byte for byte what the printer should get.
"""

from __future__ import annotations

import logging
from typing import Final

from telegram.error import TelegramError

from application.print_jobs import Document
from application.printing import filename
from bot import callbacks as cb
from bot.answers import Answer, Tap, cut
from bot.strings import text
from orders import errors
from orders.lifecycle import Action

log = logging.getLogger(__name__)

DOCUMENTS: Final[dict[Action, Document]] = {
    Action.PRINT_BILL: "bill",
    Action.PRINT_SHIPPING_NOTE: "shipping-note",
}


def print_tap(tap: Tap, pressed: cb.ActionTap) -> Answer:
    """Printing changes nothing, so the button's version does not matter: the paper shows the
    order as it is when drawn."""
    document = DOCUMENTS[pressed.action]
    return Answer(
        cut(text(tap.language, "print.started")),
        after=lambda: send_printout(tap, pressed.order_id, document),
    )


async def send_printout(tap: Tap, order_id: int, document: Document) -> None:
    message = tap.query.message
    assert message is not None
    bot = tap.query.get_bot()
    try:
        printer, setup = tap.deps.printer, tap.deps.printing
        png = await printer.order(setup.request(order_id, document, "png"))
        pdf = await printer.order(setup.request(order_id, document, "pdf"))
    except errors.NotFound:
        await bot.send_message(message.chat.id, text(tap.language, "alert.not_found"))
        return
    except Exception as error:  # a broken drawing says so in the chat, not only in the log
        log.exception("printing %s of order %s failed", document, order_id)
        failed = text(tap.language, "print.failed", error=type(error).__name__)
        await bot.send_message(message.chat.id, failed, reply_to_message_id=message.message_id)
        return
    caption = text(tap.language, f"print.{document}", code=png.code)
    try:
        await bot.send_photo(
            message.chat.id,
            png.body,
            caption=caption,
            filename=filename(png.code, order_id, document, "png"),
            reply_to_message_id=message.message_id,
            allow_sending_without_reply=True,
        )
        await bot.send_document(
            message.chat.id,
            pdf.body,
            caption=caption,
            filename=filename(pdf.code, order_id, document, "pdf"),
            reply_to_message_id=message.message_id,
            allow_sending_without_reply=True,
        )
    except TelegramError as error:
        log.warning("printing %s of order %s: Telegram refused (%s)", document, order_id, error)
        await bot.send_message(
            message.chat.id, text(tap.language, "print.failed", error=str(error)[:200])
        )
