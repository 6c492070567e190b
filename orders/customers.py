"""Customers behind new orders: the same buyer keeps one delivery record across orders.

A buyer is recognised by Facebook id, or else by phone, so the warning about serial failed
deliveries follows a buyer who orders once from a comment and once by phone. Many buyers are
resolved with a handful of statements, because a live's comment storm creates hundreds of drafts
in one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from orders.tables import Customer

FIELDS = ("name", "phone", "street", "ward", "district", "province")


class BuyerLike(Protocol):
    # Properties, so a frozen dataclass (read-only fields) is a buyer too.
    @property
    def name(self) -> str: ...
    @property
    def phone(self) -> str: ...
    @property
    def street(self) -> str: ...
    @property
    def ward(self) -> str: ...
    @property
    def district(self) -> str: ...
    @property
    def province(self) -> str: ...
    @property
    def facebook_id(self) -> str | None: ...


def _key(buyer: BuyerLike) -> tuple[str, str]:
    return ("fb", buyer.facebook_id) if buyer.facebook_id else ("phone", buyer.phone)


async def customer_ids(session: AsyncSession, buyers: Sequence[BuyerLike]) -> list[int]:
    """The customer id of each buyer, creating customers for new ones and updating the known
    ones with what the buyer said this time. A buyer with neither Facebook id nor phone gets a
    customer of its own (a phone order whose number staff will type later)."""
    table = Customer.__table__
    found: dict[tuple[str, str], int] = {}
    facebook_ids = {b.facebook_id for b in buyers if b.facebook_id}
    if facebook_ids:
        rows = await session.execute(
            select(table.c.id, table.c.facebook_id).where(table.c.facebook_id.in_(facebook_ids))
        )
        found.update({("fb", fb): cid for cid, fb in rows})
    phones = {b.phone for b in buyers if b.phone and _key(b) not in found}
    by_phone: dict[str, int] = {}
    if phones:
        rows = await session.execute(
            select(table.c.id, table.c.phone)
            .where(table.c.phone.in_(phones))
            .order_by(table.c.id.desc())
        )
        by_phone = {phone: cid for cid, phone in rows}  # the oldest wins: it is written last
    ids: list[int | None] = []
    waiting: dict[tuple[str, str], list[int]] = {}  # a customer to create -> buyers it serves
    values: list[dict[str, object]] = []
    for position, buyer in enumerate(buyers):
        key = _key(buyer)
        cid = found.get(key) or (by_phone.get(buyer.phone) if buyer.phone else None)
        ids.append(cid)
        if cid is None:
            slot = key if key[1] else ("row", str(position))
            if slot not in waiting:
                waiting[slot] = []
                values.append(_values(buyer) | {"facebook_id": buyer.facebook_id})
            waiting[slot].append(position)
    if values:
        for positions, cid in zip(waiting.values(), await _insert(session, values), strict=True):
            for position in positions:
                ids[position] = cid
    await _update_known(session, buyers, ids, created={p for ps in waiting.values() for p in ps})
    return [cid for cid in ids if cid is not None]  # every one is set by now


async def _insert(session: AsyncSession, values: list[dict[str, object]]) -> list[int]:
    """Ids of the new rows, in the order of `values`. Asking SQLAlchemy to keep that order
    costs one INSERT per row on SQLite, so rows with a Facebook id (all of a live's) are told
    apart by it instead; the rest (staff's phone orders, one at a time) keep the order."""
    table = Customer.__table__
    known = [v for v in values if v["facebook_id"]]
    rest = [v for v in values if not v["facebook_id"]]
    by_facebook: dict[object, int] = {}
    if known:
        result = await session.execute(
            insert(table).returning(table.c.id, table.c.facebook_id), known
        )
        by_facebook = {row.facebook_id: row.id for row in result}
    others: list[int] = []
    if rest:
        result = await session.execute(
            insert(table).returning(table.c.id, sort_by_parameter_order=True), rest
        )
        others = [row.id for row in result]
    pending = iter(others)
    return [by_facebook[v["facebook_id"]] if v["facebook_id"] else next(pending) for v in values]


async def _update_known(
    session: AsyncSession,
    buyers: Sequence[BuyerLike],
    ids: Sequence[int | None],
    *,
    created: set[int],
) -> None:
    """What the buyer said now overrides the record; empty fields leave it as it was. Rows
    are grouped by which fields they set, one executemany per group."""
    table = Customer.__table__
    groups: dict[tuple[str, ...], list[dict[str, object]]] = {}
    for position, (buyer, cid) in enumerate(zip(buyers, ids, strict=True)):
        if cid is None or position in created:
            continue
        values = {name: value for name, value in _values(buyer).items() if value}
        if values:
            row = {"cid": cid} | {f"new_{name}": value for name, value in values.items()}
            groups.setdefault(tuple(values), []).append(row)
    for names, rows in groups.items():
        # Bind names differ from the columns': SQLAlchemy reserves those for SET itself.
        stmt = (
            update(table)
            .where(table.c.id == bindparam("cid"))
            .values({name: bindparam(f"new_{name}") for name in names})
        )
        await session.execute(stmt, rows)


def _values(buyer: BuyerLike) -> dict[str, object]:
    return {name: getattr(buyer, name) for name in FIELDS}
