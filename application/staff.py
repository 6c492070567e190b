"""Who may act on orders, as the managers' page and the chat's `/staff` change it: each a
transaction of its own around the `orders.staff_rules` functions, so both keep the rule that
the shop always has a manager, and hand back plain `StaffMember`s rather than rows."""

from __future__ import annotations

from dataclasses import dataclass

from application.services import OrderService
from orders.staff import StaffMember, find_staff, list_staff
from orders.staff_directory import staff_named
from orders.staff_rules import dismiss_staff, save_staff


@dataclass(frozen=True, slots=True)
class SavedStaff:
    member: StaffMember  # as saved
    new: bool  # added, not updated


async def staff_members(service: OrderService) -> list[StaffMember]:
    """Everyone on staff, by name."""
    async with service.reading() as session:
        return [StaffMember.of(row) for row in await list_staff(session)]


async def staff_member(service: OrderService, telegram_id: int) -> StaffMember | None:
    """The staff member with this Telegram id, as they are now; None for anyone else."""
    async with service.reading() as session:
        staff = await find_staff(session, telegram_id)
        return None if staff is None else StaffMember.of(staff)


async def members_named(service: OrderService, name: str) -> list[StaffMember]:
    """Everyone on staff `name` names, as the chat's `@name` picks them."""
    async with service.reading() as session:
        return [StaffMember.of(row) for row in await staff_named(session, name)]


async def save_member(service: OrderService, telegram_id: int, name: str, role: str) -> SavedStaff:
    """Add someone, or change their name and role; `LastManager` when that would demote the
    last manager."""
    async with service.transaction() as session:
        row, new = await save_staff(session, telegram_id, name, role)
        return SavedStaff(StaffMember.of(row), new)


async def dismiss_member(service: OrderService, telegram_id: int) -> None:
    """Take someone off staff (their web sessions end with the row); `NotFound` for someone
    unknown, `LastManager` for the last manager."""
    async with service.transaction() as session:
        await dismiss_staff(session, telegram_id)
