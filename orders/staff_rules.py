"""Changing staff from a page or the chat: the `orders.staff` functions, with the rule that the
shop always keeps a manager (nobody else may manage staff, the catalog or live sessions).

The managers' rows are locked before they are counted, so two managers demoting each other at
the same moment cannot both succeed and leave the shop with none.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from orders.errors import ActionNotAllowed, NotFound, Reason
from orders.staff import Role, add_staff, find_staff, remove_staff
from orders.tables import Staff


class LastManager(ActionNotAllowed):
    code = "last_manager"

    def __init__(self, name: str) -> None:
        super().__init__(Reason.LAST_MANAGER, name=name)
        self.name = name


async def _other_managers(session: AsyncSession, staff: Staff) -> int:
    """How many managers besides `staff` there are, their rows locked until commit."""
    query = select(Staff.id).where(Staff.role == Role.MANAGER.value).with_for_update()
    return sum(1 for staff_id in await session.scalars(query) if staff_id != staff.id)


async def save_staff(
    session: AsyncSession, telegram_id: int, name: str, role: str
) -> tuple[Staff, bool]:
    """Add someone, or change their name and role; returns (the row, whether they are new).
    Demoting the last manager raises `LastManager`."""
    known = await find_staff(session, telegram_id)
    demoted = known is not None and known.role == Role.MANAGER.value and role != known.role
    if known is not None and demoted and not await _other_managers(session, known):
        raise LastManager(known.name)
    return await add_staff(session, telegram_id, name, role), known is None


async def dismiss_staff(session: AsyncSession, telegram_id: int) -> Staff:
    """Take away someone's right to act; returns the row as it was. Removing the last manager
    raises `LastManager`, someone unknown `NotFound`."""
    known = await find_staff(session, telegram_id)
    if known is None:
        raise NotFound(Reason.UNKNOWN_TELEGRAM_ID, telegram_id=telegram_id)
    if known.role == Role.MANAGER.value and not await _other_managers(session, known):
        raise LastManager(known.name)
    await remove_staff(session, telegram_id)
    return known
