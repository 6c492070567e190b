"""Finding staff the ways the chat names them: by row (a list button's filter), by name (an
`@name` typed after /orders)."""

from __future__ import annotations

import unicodedata

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from orders.tables import Staff


def name_key(name: str) -> str:
    """How a typed name matches a stored one: NFC, any case, spaces and underscores ignored
    (Telegram's `@word` cannot hold a space, so `@lan_anh` and `@LanAnh` both find Lan Anh)."""
    text = unicodedata.normalize("NFC", name).casefold()
    return "".join(ch for ch in text if not ch.isspace() and ch != "_")


async def staff_by_id(session: AsyncSession, staff_id: int) -> Staff | None:
    return await session.get(Staff, staff_id)


async def staff_named(session: AsyncSession, name: str) -> list[Staff]:
    """Everyone whose name matches `name` by `name_key` (more than one: the caller asks)."""
    wanted = name_key(name)
    if not wanted:
        return []
    people = await session.scalars(select(Staff).order_by(Staff.name, Staff.id))
    return [person for person in people if name_key(person.name) == wanted]
