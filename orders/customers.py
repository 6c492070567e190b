"""Customers behind orders: the same buyer keeps one record across orders, and that record
remembers the buyer's phone and address so staff type them once.

A buyer is recognised by Facebook id, or else by phone, so the warning about serial failed
deliveries follows a buyer who orders once from a comment and once by phone. Many buyers are
resolved with a handful of statements, because a live's comment storm creates hundreds of drafts
in one transaction.

Memory: whenever an order's buyer fields are set (a new draft, a comment's phone saved to a
draft, staff or the API editing the order, a Messenger answer), the order core hands the new
values to `remember`, so the latest known phone and address win on the customer, with where
they came from (`details_source`) and when. A new draft of a known buyer is filled from that
record for each field it lacks (`prefill`), and the draft lists the fields so filled in
`Order.prefilled`, until someone changes them (`unprefilled`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Protocol

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kernel.tables import utcnow
from orders.actors import Actor, Source
from orders.tables import Customer, Order

FIELDS = ("name", "phone", "street", "ward", "district", "province")
ADDRESS: Final = ("street", "ward", "district", "province")
# Where the details on file came from (`Customer.details_source`).
STAFF: Final = "staff"
COMMENT: Final = "comment"
MESSENGER: Final = "messenger"
API: Final = "api"
# The system actor name Messenger answers are applied under (`Actor.system(MESSENGER)`).
MESSENGER_ACTOR: Final = "messenger"
# Names of `Order.prefilled`.
PREFILL_PHONE: Final = "phone"
PREFILL_ADDRESS: Final = "address"
PREFILL_NAME: Final = "name"
# An order column, or a field name a change or a batch save reports, -> the prefilled name.
_PREFILL_OF: Final[Mapping[str, str]] = {
    "buyer_phone": PREFILL_PHONE,
    "phone": PREFILL_PHONE,
    "buyer_name": PREFILL_NAME,
    "name": PREFILL_NAME,
    "street": PREFILL_ADDRESS,
    "ward": PREFILL_ADDRESS,
    "district": PREFILL_ADDRESS,
    "province": PREFILL_ADDRESS,
    "address": PREFILL_ADDRESS,
}


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


@dataclass(frozen=True, slots=True)
class OnFile:
    """What a customer record held before this change: what a new draft may be filled from."""

    name: str
    phone: str
    street: str
    ward: str
    district: str
    province: str

    @property
    def has_address(self) -> bool:
        return bool(self.street and self.ward and self.province)


@dataclass(frozen=True, slots=True)
class Match:
    """A buyer's customer row; `on_file` is None when the row was created for this buyer."""

    id: int
    on_file: OnFile | None


@dataclass(frozen=True, slots=True)
class Known:
    """Details an order now holds for its customer: None is "not given this time"."""

    customer_id: int
    name: str | None = None
    phone: str | None = None
    address: tuple[str, str, str, str] | None = None  # street, ward, district, province


def details_source(actor: Actor) -> str:
    """Where details an actor wrote come from: staff (bot, pages), the API, the buyer's own
    Messenger answer, else a comment (the live's)."""
    if actor.source is Source.STAFF:
        return STAFF
    if actor.source is Source.API:
        return API
    if actor.source is Source.BUYER or actor.name == MESSENGER_ACTOR:
        return MESSENGER
    return COMMENT


def complete_address(
    street: str, ward: str, district: str, province: str
) -> tuple[str, str, str, str] | None:
    """An address worth remembering: street, ward and province (what shipping needs). An
    address kept as written for review has no ward and is not remembered."""
    if street.strip() and ward.strip() and province.strip():
        return (street, ward, district, province)
    return None


def _key(buyer: BuyerLike) -> tuple[str, str]:
    return ("fb", buyer.facebook_id) if buyer.facebook_id else ("phone", buyer.phone)


def _on_file(row: object) -> OnFile:
    return OnFile(*(getattr(row, name) for name in FIELDS))


async def match_customers(
    session: AsyncSession, buyers: Sequence[BuyerLike], *, source: str
) -> list[Match]:
    """The customer of each buyer, with what its record held, creating customers for new
    buyers (with their details, from `source`). A buyer with neither Facebook id nor phone gets
    a customer of its own (a phone order whose number staff will type later). Two queries for
    any number of buyers: by Facebook id, then by phone."""
    table = Customer.__table__
    columns = [table.c.id, table.c.facebook_id, *(table.c[name] for name in FIELDS)]
    found: dict[tuple[str, str], Match] = {}
    facebook_ids = {b.facebook_id for b in buyers if b.facebook_id}
    if facebook_ids:
        rows = await session.execute(select(*columns).where(table.c.facebook_id.in_(facebook_ids)))
        found.update({("fb", row.facebook_id): Match(row.id, _on_file(row)) for row in rows})
    phones = {b.phone for b in buyers if b.phone and _key(b) not in found}
    by_phone: dict[str, Match] = {}
    if phones:
        rows = await session.execute(
            select(*columns).where(table.c.phone.in_(phones)).order_by(table.c.id.desc())
        )
        # the oldest wins: it is written last
        by_phone = {row.phone: Match(row.id, _on_file(row)) for row in rows}
    matches: list[Match | None] = []
    waiting: dict[tuple[str, str], list[int]] = {}  # a customer to create -> buyers it serves
    values: list[dict[str, object]] = []
    now = utcnow()
    for position, buyer in enumerate(buyers):
        key = _key(buyer)
        match = found.get(key) or (by_phone.get(buyer.phone) if buyer.phone else None)
        matches.append(match)
        if match is None:
            slot = key if key[1] else ("row", str(position))
            if slot not in waiting:
                waiting[slot] = []
                values.append(_new_values(buyer, source, now))
            waiting[slot].append(position)
    if values:
        for positions, cid in zip(waiting.values(), await _insert(session, values), strict=True):
            for position in positions:
                matches[position] = Match(cid, None)
    return [match for match in matches if match is not None]  # every one is set by now


def _new_values(buyer: BuyerLike, source: str, now: object) -> dict[str, object]:
    values: dict[str, object] = {name: getattr(buyer, name) for name in FIELDS}
    values["facebook_id"] = buyer.facebook_id
    if buyer.phone or complete_address(buyer.street, buyer.ward, buyer.district, buyer.province):
        values |= {"details_source": source, "details_at": now}
    else:
        values |= {"details_source": "", "details_at": None}
    if not complete_address(buyer.street, buyer.ward, buyer.district, buyer.province):
        values |= {name: "" for name in ADDRESS}
    return values


async def customer_ids(
    session: AsyncSession, buyers: Sequence[BuyerLike], *, source: str = COMMENT
) -> list[int]:
    """The customer id of each buyer (see `match_customers`), the known ones updated with
    what the buyer said this time."""
    matches = await match_customers(session, buyers, source=source)
    known = [
        given(m.id, b.name, b.phone, (b.street, b.ward, b.district, b.province))
        for m, b in zip(matches, buyers, strict=True)
        if m.on_file is not None
    ]
    await remember(session, known, source=source)
    return [m.id for m in matches]


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


def given(customer_id: int, name: str, phone: str, address: tuple[str, str, str, str]) -> Known:
    """What an order's buyer fields tell its customer: empty fields and an incomplete
    address tell nothing."""
    return Known(customer_id, name or None, phone or None, complete_address(*address))


async def remember(session: AsyncSession, known: Iterable[Known], *, source: str) -> None:
    """The latest known values win on the customer records; a phone or an address also sets
    where the details came from and when. Rows are grouped by which fields they set, one
    executemany per group."""
    table = Customer.__table__
    now = utcnow()
    groups: dict[tuple[str, ...], list[dict[str, object]]] = {}
    for fact in known:
        values: dict[str, object] = {}
        if fact.name:
            values["name"] = fact.name
        if fact.phone:
            values["phone"] = fact.phone
        if fact.address:
            values |= dict(zip(ADDRESS, fact.address, strict=True))
        if fact.phone or fact.address:
            values |= {"details_source": source, "details_at": now}
        if values:
            row = {"cid": fact.customer_id} | {f"new_{name}": v for name, v in values.items()}
            groups.setdefault(tuple(values), []).append(row)
    for names, rows in groups.items():
        # Bind names differ from the columns': SQLAlchemy reserves those for SET itself.
        stmt = (
            update(table)
            .where(table.c.id == bindparam("cid"))
            .values({name: bindparam(f"new_{name}") for name in names})
        )
        await session.execute(stmt, rows)


def prefill(values: dict[str, object], on_file: OnFile | None) -> list[str]:
    """Fill a new order's empty buyer columns (`values`, the order's row) from the record on
    file, and say which (`Order.prefilled`). The address is one unit: filled only when the
    order has none of it, so a street is never paired with another address's ward."""
    if on_file is None:
        return []
    filled: list[str] = []
    if not values.get("buyer_name") and on_file.name:
        values["buyer_name"] = on_file.name
        filled.append(PREFILL_NAME)
    if not values.get("buyer_phone") and on_file.phone:
        values["buyer_phone"] = on_file.phone
        filled.append(PREFILL_PHONE)
    if on_file.has_address and not any(values.get(name) for name in ADDRESS):
        values |= {name: getattr(on_file, name) for name in ADDRESS}
        filled.append(PREFILL_ADDRESS)
    return filled


def unprefilled(prefilled: Sequence[str], changed: Iterable[str]) -> list[str]:
    """`prefilled` without the fields `changed` names (order columns or field names)."""
    gone = {_PREFILL_OF[name] for name in changed if name in _PREFILL_OF}
    return [name for name in prefilled if name not in gone]


def buyer_fields(order: Order) -> dict[str, str]:
    """The order's buyer columns as they are now, to tell later what a change set."""
    return {
        "buyer_name": order.buyer_name,
        "buyer_phone": order.buyer_phone,
        **{name: getattr(order, name) for name in ADDRESS},
    }


async def order_buyer_changed(
    session: AsyncSession, order: Order, before: Mapping[str, str], actor: Actor
) -> None:
    """After an order's buyer fields were changed (by `orders.changes.apply_changes`): the
    fields that now differ are no longer prefilled, and what they hold is remembered on the
    customer (through the ORM, so views read in this session show it)."""
    after = buyer_fields(order)
    changed = [name for name, value in after.items() if before.get(name) != value]
    if not changed:
        return
    if order.prefilled:
        order.prefilled = unprefilled(order.prefilled, changed)
    customer = order.customer
    if customer is None and order.customer_id is not None:
        customer = await session.get(Customer, order.customer_id)
    if customer is None:
        return
    remembered = False
    if "buyer_name" in changed and order.buyer_name:
        customer.name = order.buyer_name
    if "buyer_phone" in changed and order.buyer_phone:
        customer.phone = order.buyer_phone
        remembered = True
    address = complete_address(*(getattr(order, name) for name in ADDRESS))
    if address and any(name in changed for name in ADDRESS):
        for name, value in zip(ADDRESS, address, strict=True):
            setattr(customer, name, value)
        remembered = True
    if remembered:
        customer.details_source = details_source(actor)
        customer.details_at = utcnow()


async def drafts_saved(
    session: AsyncSession, saved: Sequence[tuple[int, Sequence[str]]], actor: Actor
) -> None:
    """After a batch saved drafts (`orders.drafts.DraftBatch`), each with the fields it set:
    those that are buyer fields stop being prefilled and are remembered on the customer. The
    drafts are read back in one query, whatever buyer fields a save sets."""
    touched = {oid: fields for oid, fields in saved if any(f in _PREFILL_OF for f in fields)}
    if not touched:
        return
    orders = Order.__table__
    rows = await session.execute(
        select(
            orders.c.id,
            orders.c.customer_id,
            orders.c.prefilled,
            orders.c.buyer_phone,
            *(orders.c[name] for name in ADDRESS),
        ).where(orders.c.id.in_(list(touched)))
    )
    known: list[Known] = []
    prefilled_rows: list[dict[str, object]] = []
    for row in rows:
        fields = touched[row.id]
        kinds = {_PREFILL_OF[f] for f in fields if f in _PREFILL_OF}
        if row.prefilled and kinds & set(row.prefilled):
            prefilled_rows.append({"oid": row.id, "new": unprefilled(row.prefilled, fields)})
        if row.customer_id is None:
            continue
        phone = row.buyer_phone if PREFILL_PHONE in kinds else ""
        address = (
            complete_address(row.street, row.ward, row.district, row.province)
            if PREFILL_ADDRESS in kinds
            else None
        )
        known.append(Known(row.customer_id, None, phone or None, address))
    if prefilled_rows:
        await session.execute(
            update(orders)
            .where(orders.c.id == bindparam("oid"))
            .values(prefilled=bindparam("new")),
            prefilled_rows,
        )
    await remember(session, known, source=details_source(actor))
