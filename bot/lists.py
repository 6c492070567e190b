"""`/orders` pages in the chat (issue 6).

Placeholder: the order commands fill this in.
"""

from __future__ import annotations

from bot import callbacks as cb
from bot.answers import Answer, Tap, cut
from bot.strings import text


async def list_page(tap: Tap, page: cb.ListPage) -> Answer:
    """Another tab or page of `/orders`, drawn in place of the list message."""
    return Answer(cut(text(tap.language, "alert.unavailable")), alert=True)
