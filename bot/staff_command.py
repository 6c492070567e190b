"""`/staff` for managers: who may act on orders, as `chotdon staff add/list/remove` says it.

The `orders.staff_rules` functions the manage page uses, with the rule they add to the CLI:
the last manager cannot be removed or demoted, since nobody would be left to manage staff
(the CLI, run by whoever holds the server, can still do anything).
"""

from __future__ import annotations

from typing import Final

from application.staff import dismiss_member, save_member, staff_members
from bot.cards import escaped
from bot.command_kit import Said, fit_rows
from orders.errors import NotFound
from orders.staff import Role
from orders.staff_rules import LastManager

MAX_TELEGRAM_ID: Final = 2**53  # Telegram's user ids fit 52 bits


def _telegram_id(said: Said, value: str) -> int:
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= MAX_TELEGRAM_ID:
        raise said.usage("staff")
    return int(value)


async def staff(said: Said) -> None:
    said.require_manager()
    args = list(said.args)
    if not args:
        await _list(said)
        return
    action = args[0].lower()
    if action == "add" and len(args) >= 4 and args[2].lower() in set(Role):
        await _add(said, _telegram_id(said, args[1]), Role(args[2].lower()), " ".join(args[3:]))
    elif action == "remove" and len(args) == 2:
        await _remove(said, _telegram_id(said, args[1]))
    else:
        raise said.usage("staff")


def _role(said: Said, role: str) -> str:
    return said.t(f"role.{role}") if role in set(Role) else escaped(role, 16)


async def _list(said: Said) -> None:
    people = await staff_members(said.service)
    if not people:
        await said.reply(said.t("staff.none"))
        return
    rows = [
        f"• <b>{escaped(person.name, 100)}</b> · {_role(said, person.role)} · "
        f"<code>{person.telegram_id}</code>"
        for person in people
    ]
    await said.reply(fit_rows(f"🧑‍💼 <b>{said.t('staff.title')}</b>", rows, said.language))


async def _add(said: Said, telegram_id: int, role: Role, name: str) -> None:
    try:
        saved = await save_member(said.service, telegram_id, name, role.value)
    except LastManager as refused:
        raise said.refuse("staff.last_manager", name=refused.name) from None
    person = saved.member
    done = said.t(
        "staff.added" if saved.new else "staff.updated",
        name=person.name,
        role=_role(said, person.role),
        telegram_id=person.telegram_id,
    )
    await said.reply(done)


async def _remove(said: Said, telegram_id: int) -> None:
    """The same rule as the manage page (`orders.staff_rules`): the managers' rows are locked
    before they are counted."""
    try:
        await dismiss_member(said.service, telegram_id)
    except NotFound:
        raise said.refuse("staff.unknown", telegram_id=telegram_id) from None
    except LastManager as refused:
        raise said.refuse("staff.last_manager", name=refused.name) from None
    await said.reply(said.t("staff.removed", telegram_id=telegram_id))
