"""Shop staff: who may act on orders, known by their Telegram user id."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from orders.errors import InvalidInput, Reason
from orders.tables import Staff


class Role(StrEnum):
    MANAGER = "manager"
    CASHIER = "cashier"
    SALES = "sales"


@dataclass(frozen=True)
class StaffMember:
    """A staff member as plain data, read when a request or a command came: what adapters
    (pages, chat commands) hand around instead of the ORM row."""

    id: int  # the staff row's id (orders point at it)
    telegram_id: int
    name: str
    role: str  # manager, cashier, sales

    @property
    def is_manager(self) -> bool:
        return self.role == Role.MANAGER

    @classmethod
    def of(cls, staff: Staff) -> StaffMember:
        return cls(staff.id, staff.telegram_id, staff.name, staff.role)


async def add_staff(session: AsyncSession, telegram_id: int, name: str, role: str) -> Staff:
    """Add, or update the name and role of someone already on staff."""
    try:
        role = Role(role)
    except ValueError:
        raise InvalidInput(Reason.BAD_ROLE, field="role", given=role) from None
    if not name.strip():
        raise InvalidInput(Reason.NAME_NEEDED, field="name")
    staff = await session.scalar(select(Staff).where(Staff.telegram_id == telegram_id))
    if staff is None:
        staff = Staff(telegram_id=telegram_id)
        session.add(staff)
    staff.name, staff.role = name.strip(), role.value
    await session.flush()
    return staff


async def list_staff(session: AsyncSession) -> list[Staff]:
    return list(await session.scalars(select(Staff).order_by(Staff.name, Staff.telegram_id)))


async def find_staff(session: AsyncSession, telegram_id: int) -> Staff | None:
    return await session.scalar(select(Staff).where(Staff.telegram_id == telegram_id))


async def remove_staff(session: AsyncSession, telegram_id: int) -> bool:
    """Their past orders keep their name in the history; only the right to act goes."""
    staff = await find_staff(session, telegram_id)
    if staff is None:
        return False
    await session.execute(delete(Staff).where(Staff.id == staff.id))
    return True
