"""Digest messages of a comment storm, and opening a draft's card from one (issue 6).

Placeholder: the notifier's digest mode fills this in.
"""

from __future__ import annotations

from bot import callbacks as cb
from bot.answers import Answer, Tap, cut
from bot.strings import text


async def open_card(tap: Tap, pick: cb.OpenCard) -> Answer:
    """The order's card, posted (or found) in the group, from a digest's or a list's button."""
    return Answer(cut(text(tap.language, "alert.unavailable")), alert=True)
