"""The words that name a list of orders in a command (`/orders`, `/excel`): a tab, whose
buyers (`mine`, `@name`) and which live (`live VIDEO_ID`, `live #N`, `live`), each at most
once and in any order. One reader, so both commands understand the same sentence."""

from __future__ import annotations

from dataclasses import dataclass

from application.live_reads import LiveRef, live_named
from application.staff import members_named
from bot import callbacks as cb
from bot.command_kit import Said
from orders.staff import StaffMember


@dataclass(frozen=True, slots=True)
class ListWords:
    tab: str  # one of `cb.TABS`, `cb.ALL_TAB` when none was said
    member: StaffMember | None
    live: LiveRef | None


async def read_list_words(said: Said, usage: str) -> ListWords:
    """What the command's words name; anything else is answered with the `usage` line."""
    tab: str | None = None
    member: StaffMember | None = None
    live: LiveRef | None = None
    words = iter(said.args)
    for token in words:
        word = token.lower()
        if word in cb.TABS and tab is None:
            tab = word
        elif word == "mine" and member is None:
            member = said.member
        elif token.startswith("@") and len(token) > 1 and member is None:
            member = await _staff_called(said, token[1:])
        elif word == "live" and live is None:
            live = await _live_called(said, next(words, None))
        else:
            raise said.usage(usage)
    return ListWords(tab or cb.ALL_TAB, member, live)


async def _staff_called(said: Said, name: str) -> StaffMember:
    found = await members_named(said.service, name)
    if not found:
        raise said.refuse("list.no_staff_named", name=name)
    if len(found) > 1:
        names = ", ".join(f"{person.name} ({person.telegram_id})" for person in found)
        raise said.refuse("list.many_staff_named", name=name, names=names)
    return found[0]


async def _live_called(said: Said, token: str | None) -> LiveRef:
    found = await live_named(said.service, token)
    if found is None:
        raise said.refuse("live.unknown" if token else "live.none", live=token or "")
    return found
