"""Drafts: new orders from a comment or from staff taking an order by phone, and the comment
storm's saves to open drafts.

During a busy live one inbox transaction carries the comments of hundreds of buyers. Written
one at a time through the ORM a draft costs milliseconds, all of them holding SQLite's only
writer, so a `DraftBatch` checks every draft first (one bad buyer never sinks the others) and
then writes the whole batch with a statement or two per table. A batch does two things only,
under the rules every other change obeys: it creates drafts, and it applies `save_draft` to
drafts (allowed by the lifecycle table, the version moved on, an event and an `order.changed`
job each). Everything else goes through `apply_action`.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kernel.outbox.jobs import enqueue_many
from kernel.tables import utcnow
from orders import customers as memory
from orders.actors import Actor
from orders.addresses import Address
from orders.changes import (
    MAX_MONEY,
    TEXT_LIMITS,
    Catalog,
    LineInput,
    check_discount,
    clean_text,
    line_values,
    lines_subtotal,
    load_catalog,
)
from orders.codes import order_code
from orders.effects import version_changed
from orders.errors import ActionNotAllowed, InvalidInput, Reason
from orders.lifecycle import PRINT_ACTIONS, Action, Status, allowed_actions, is_allowed
from orders.phones import normalize_phone
from orders.tables import Order, OrderEvent, OrderLine

ADDRESS_PARTS = ("street", "ward", "district", "province")
NO_ADDRESS: Final = Address("", "", "", "")
LINE_COLUMNS = (
    "position",
    "code",
    "item_id",
    "sku",
    "name",
    "unit_price",
    "quantity",
    "variant",
    "needs_review",
    "review_reason",
    "review_value",
    "waitlisted",
    "comment_id",
)


@dataclass(frozen=True)
class Buyer:
    name: str = ""
    phone: str = ""
    street: str = ""
    ward: str = ""
    district: str = ""
    province: str = ""
    facebook_id: str | None = None
    # The address was written by the buyer and matched no ward and province: kept whole in
    # `street` for staff to check.
    address_review: bool = False


@dataclass(frozen=True)
class NewOrder:
    buyer: Buyer
    lines: Sequence[LineInput]
    source: str = "manual"
    video_id: str | None = None
    note: str = ""
    shipping_fee: int = 0
    cod_amount: int | None = None  # None: follows the total
    staff_id: int | None = None
    codes: Mapping[str, str] | None = None  # a live session's code -> sku table
    discount: int = 0  # VND off the lines' sum, 0 to that sum


@dataclass(frozen=True)
class OpenDraft:
    """A draft as a batch sees it: locked, its lines as inputs that keep them (`line_id`)."""

    id: int
    code: str
    version: int
    status: str
    buyer_phone: str
    facebook_id: str | None
    lines: tuple[LineInput, ...]
    next_position: int
    address: Address = NO_ADDRESS  # street, ward, district and province as stored
    discount: int = 0


@dataclass
class Written:
    """A draft of a batch; its id, code and version are known once the batch is written."""

    id: int = 0
    code: str = ""
    version: int = 0


def stored_address(address: Address) -> Address:
    """An address a buyer wrote, each part cut to what its column holds: what they wrote is
    kept for staff to read, never refused for its length."""
    return Address(
        street=address.street.strip()[: TEXT_LIMITS["street"]],
        ward=address.ward.strip()[: TEXT_LIMITS["ward"]],
        district=address.district.strip()[: TEXT_LIMITS["district"]],
        province=address.province.strip()[: TEXT_LIMITS["province"]],
    )


def checked_buyer(buyer: Buyer) -> Buyer:
    phone = ""
    if buyer.phone.strip():
        phone = _phone(buyer.phone)
    return Buyer(
        name=clean_text(buyer.name, "buyer_name"),
        phone=phone,
        street=clean_text(buyer.street, "street"),
        ward=clean_text(buyer.ward, "ward"),
        district=clean_text(buyer.district, "district"),
        province=clean_text(buyer.province, "province"),
        facebook_id=clean_text(buyer.facebook_id or "", "facebook_id") or None,
        address_review=buyer.address_review,
    )


def _phone(text: str) -> str:
    normal = normalize_phone(text)
    if normal is None:
        raise InvalidInput(Reason.BAD_PHONE, field="phone", typed=text)
    return normal


async def create_draft(session: AsyncSession, new: NewOrder, actor: Actor) -> Order:
    """A draft with its lines, linked to its customer; the caller commits."""
    batch = DraftBatch(actor, await load_catalog(session, new.lines, new.codes))
    written = batch.create(new)
    await batch.write(session)
    order = await session.get(Order, written.id)
    if order is None:  # pragma: no cover - written in this very transaction
        raise RuntimeError(f"draft {written.id} vanished in its own transaction")
    return order


async def lock_open_drafts(
    session: AsyncSession, *, source: str, video_id: str, facebook_ids: Sequence[str]
) -> dict[str, OpenDraft]:
    """Each buyer's draft of this live (the newest, if staff made two), locked until commit so
    that staff cannot take it out of draft while a batch adds to it."""
    orders = Order.__table__
    rows = list(
        await session.execute(
            select(
                orders.c.id,
                orders.c.code,
                orders.c.version,
                orders.c.status,
                orders.c.buyer_phone,
                orders.c.facebook_id,
                orders.c.street,
                orders.c.ward,
                orders.c.district,
                orders.c.province,
                orders.c.discount,
            )
            .where(
                orders.c.video_id == video_id,
                orders.c.source == source,
                orders.c.facebook_id.in_(list(facebook_ids)),
                orders.c.status == Status.DRAFT.value,
            )
            .order_by(orders.c.id)
            .with_for_update()
        )
    )
    if not rows:
        return {}
    lines = OrderLine.__table__
    by_order: dict[int, list[Any]] = {row.id: [] for row in rows}
    for line in await session.execute(
        select(lines.c.id, lines.c.order_id, *(lines.c[name] for name in LINE_COLUMNS))
        .where(lines.c.order_id.in_(list(by_order)))
        .order_by(lines.c.order_id, lines.c.position, lines.c.id)
    ):
        by_order[line.order_id].append(line)
    return {
        row.facebook_id: OpenDraft(
            id=row.id,
            code=row.code or "",
            version=row.version,
            status=row.status,
            buyer_phone=row.buyer_phone,
            facebook_id=row.facebook_id,
            lines=tuple(_kept(line) for line in by_order[row.id]),
            next_position=max((line.position for line in by_order[row.id]), default=-1) + 1,
            address=Address(row.street, row.ward, row.district, row.province),
            discount=row.discount,
        )
        for row in rows
    }


def _kept(line: Any) -> LineInput:
    """A stored line, kept as it is, including a price staff may have changed."""
    return LineInput(
        quantity=line.quantity,
        sku=line.sku,
        code=line.code or None,
        unit_price=line.unit_price,
        variant=line.variant,
        needs_review=line.needs_review,
        waitlisted=line.waitlisted,
        comment_id=line.comment_id,
        line_id=line.id,
        review_reason=line.review_reason or "",
        review_value=line.review_value or "",
    )


@dataclass
class _Create:
    written: Written
    values: dict[str, object]
    buyer: Buyer
    lines: list[dict[str, object]]


@dataclass
class _Save:
    written: Written
    draft: OpenDraft
    dropped: list[int]
    lines: list[dict[str, object]]
    buyer_phone: str | None
    fields: list[str]
    address: Address | None = None
    address_review: bool = False
    discount: int | None = None  # lowered to the new subtotal, when lines went


@dataclass
class DraftBatch:
    """Drafts to create and drafts to save, checked as they are added, written together."""

    actor: Actor
    catalog: Catalog
    creates: list[_Create] = field(default_factory=list)
    saves: list[_Save] = field(default_factory=list)

    def create(self, new: NewOrder) -> Written:
        """Check a new draft now (raises an `OrderError`); it is written by `write`."""
        for value, name in ((new.shipping_fee, "shipping_fee"), (new.cod_amount, "cod_amount")):
            if value is not None and not 0 <= value <= MAX_MONEY:
                raise InvalidInput(Reason.OUT_OF_RANGE, field=name, low=0, high=MAX_MONEY)
        buyer = checked_buyer(new.buyer)
        lines = self._lines(new.lines, 0, unknown_is_error=new.source == "manual")
        if new.discount:
            check_discount(new.discount, lines_subtotal(lines))
        values: dict[str, object] = {
            "status": Status.DRAFT.value,
            "version": 1,
            "source": new.source,
            "video_id": new.video_id,
            "buyer_name": buyer.name,
            "buyer_phone": buyer.phone,
            "street": buyer.street,
            "ward": buyer.ward,
            "district": buyer.district,
            "province": buyer.province,
            "address_review": buyer.address_review,
            "facebook_id": buyer.facebook_id,
            "note": clean_text(new.note, "note"),
            "shipping_fee": new.shipping_fee,
            "discount": new.discount,
            "cod_override": new.cod_amount,
            "staff_id": new.staff_id,
        }
        written = Written(version=1)
        self.creates.append(_Create(written, values, buyer, lines))
        return written

    def save(
        self,
        draft: OpenDraft,
        *,
        lines: Sequence[LineInput] | None = None,
        buyer_phone: str | None = None,
        address: Address | None = None,
        address_review: bool = False,
    ) -> Written:
        """Check `save_draft` of `draft` now (raises an `OrderError`). `lines` is the whole
        new list: inputs with a `line_id` keep that stored line, the others are added.
        `address` replaces the draft's street, ward, district and province (a buyer wrote a
        new one), `address_review` saying whether it matched no ward and province."""
        status = Status(draft.status)
        if not is_allowed(Action.SAVE_DRAFT, status):
            raise ActionNotAllowed(
                Reason.STATUS_FORBIDS,
                order=draft.code,
                status=status.value,
                action=Action.SAVE_DRAFT.value,
                allowed=[a.value for a in allowed_actions(status) if a not in PRINT_ACTIONS],
            )
        fields: list[str] = []
        dropped: list[int | None] = []
        added: list[dict[str, object]] = []
        if lines is not None:
            fields.append("lines")
            kept = {line.line_id for line in lines if line.line_id is not None}
            dropped = [line.line_id for line in draft.lines if line.line_id not in kept]
            fresh = [line for line in lines if line.line_id is None]
            added = self._lines(fresh, draft.next_position, unknown_is_error=False)
        phone = None
        if buyer_phone is not None:
            phone = _phone(buyer_phone) if buyer_phone.strip() else ""
            fields.append("buyer_phone")
        if address is not None:
            address = stored_address(address)
            for part in ("street", "ward", "district", "province"):
                clean_text(getattr(address, part), part)
            fields.append("address")
        discount = _lowered_discount(draft, lines, added)
        if discount is not None:
            fields.append("discount")
        written = Written(draft.id, draft.code, draft.version + 1)
        self.saves.append(
            _Save(
                written,
                draft,
                [i for i in dropped if i],
                added,
                phone,
                fields,
                address,
                address_review,
                discount,
            )
        )
        return written

    def _lines(
        self, inputs: Sequence[LineInput], start: int, *, unknown_is_error: bool
    ) -> list[dict[str, object]]:
        return [
            line_values(start + n, given, self.catalog, unknown_is_error=unknown_is_error)
            for n, given in enumerate(inputs)
        ]

    async def write(self, session: AsyncSession) -> None:
        """Everything checked so far, in a few statements; the caller commits."""
        if self.creates:
            await self._write_creates(session)
        if self.saves:
            await self._write_saves(session)
        events = [
            _event(c.written.id, "create", None, _create_details(c.values), self.actor)
            for c in self.creates
        ] + [
            _event(s.written.id, Action.SAVE_DRAFT.value, "draft", {"fields": s.fields}, self.actor)
            for s in self.saves
        ]
        if events:
            await session.execute(insert(OrderEvent.__table__), events)
        jobs = [
            version_changed(w.id, w.code, w.version, action)
            for w, action in [(c.written, "create") for c in self.creates]
            + [(s.written, Action.SAVE_DRAFT.value) for s in self.saves]
        ]
        await enqueue_many(session, jobs)
        self.creates, self.saves = [], []

    async def _write_creates(self, session: AsyncSession) -> None:
        orders = Order.__table__
        customers = await _known_buyers(session, self.creates, self.actor)
        now = utcnow()
        rows = [
            c.values | {"customer_id": cid, "created_at": now, "updated_at": now}
            for c, cid in zip(self.creates, customers, strict=True)
        ]
        # Each row carries a placeholder code that tells it apart in RETURNING: asking
        # SQLAlchemy to keep the rows' order instead costs one INSERT per row on SQLite.
        token = uuid.uuid4().hex[:16]
        for n, row in enumerate(rows):
            row["code"] = f"new-{token}-{n}"
        result = await session.execute(insert(orders).returning(orders.c.id, orders.c.code), rows)
        ids = {row.code: row.id for row in result}
        for n, create in enumerate(self.creates):
            create.written.id = ids[f"new-{token}-{n}"]
            create.written.code = order_code(create.written.id)
        await session.execute(
            update(orders).where(orders.c.id == bindparam("oid")).values(code=bindparam("ocode")),
            [{"oid": c.written.id, "ocode": c.written.code} for c in self.creates],
        )
        await _insert_lines(session, [(c.written.id, c.lines) for c in self.creates])

    async def _write_saves(self, session: AsyncSession) -> None:
        orders = Order.__table__
        dropped = [line_id for s in self.saves for line_id in s.dropped]
        if dropped:
            lines = OrderLine.__table__
            await session.execute(delete(lines).where(lines.c.id.in_(dropped)))
        await _insert_lines(session, [(s.written.id, s.lines) for s in self.saves])
        now = utcnow()
        # Conditioned on the version the batch was checked against; the rows are locked, so
        # this only guards against a caller that did not lock them. One statement per shape of
        # change (phone, address), each run for every draft of that shape.
        shapes: dict[tuple[bool, bool, bool], list[_Save]] = {}
        for save in self.saves:
            shape = (
                save.buyer_phone is not None,
                save.address is not None,
                save.discount is not None,
            )
            shapes.setdefault(shape, []).append(save)
        for (with_phone, with_address, with_discount), group in shapes.items():
            values: dict[str, Any] = {"version": bindparam("new_version"), "updated_at": now}
            if with_phone:
                values["buyer_phone"] = bindparam("new_phone")
            if with_discount:
                values["discount"] = bindparam("new_discount")
            if with_address:
                for part in (*ADDRESS_PARTS, "address_review"):
                    values[part] = bindparam(f"new_{part}")
            stmt = (
                update(orders)
                .where(
                    orders.c.id == bindparam("oid"),
                    orders.c.version == bindparam("old_version"),
                    orders.c.status == Status.DRAFT.value,
                )
                .values(values)
            )
            await session.execute(stmt, [_save_params(s) for s in group])
        await memory.drafts_saved(session, [(s.draft.id, s.fields) for s in self.saves], self.actor)


def _save_params(save: _Save) -> dict[str, object]:
    params: dict[str, object] = {
        "oid": save.draft.id,
        "old_version": save.draft.version,
        "new_version": save.written.version,
    }
    if save.buyer_phone is not None:
        params["new_phone"] = save.buyer_phone
    if save.discount is not None:
        params["new_discount"] = save.discount
    if save.address is not None:
        for part in ADDRESS_PARTS:
            params[f"new_{part}"] = getattr(save.address, part)
        params["new_address_review"] = save.address_review
    return params


def _lowered_discount(
    draft: OpenDraft, lines: Sequence[LineInput] | None, added: Sequence[Mapping[str, object]]
) -> int | None:
    """The draft's discount cut to its new subtotal when a buyer's comment took lines away
    (a buyer is never refused for a deal staff struck); None when it still fits."""
    if lines is None or not draft.discount:
        return None
    kept = {line.line_id for line in lines if line.line_id is not None}
    subtotal = lines_subtotal(added) + sum(
        line.quantity * (line.unit_price or 0)
        for line in draft.lines
        if line.line_id in kept and not line.waitlisted
    )
    return subtotal if draft.discount > subtotal else None


def _create_details(values: Mapping[str, object]) -> dict[str, object]:
    details: dict[str, object] = {"source": values["source"]}
    if values.get("discount"):
        details["discount"] = values["discount"]
    return details


async def _known_buyers(
    session: AsyncSession, creates: Sequence[_Create], actor: Actor
) -> list[int]:
    """Each new draft's customer id; a known buyer's record fills the draft's empty buyer
    fields (listed in `prefilled`), and what the draft says anew is remembered."""
    source = memory.details_source(actor)
    matches = await memory.match_customers(session, [c.buyer for c in creates], source=source)
    known: list[memory.Known] = []
    for create, match in zip(creates, matches, strict=True):
        filled = memory.prefill(create.values, match.on_file)
        create.values["prefilled"] = filled
        if match.on_file is None:
            continue
        buyer = create.buyer
        address = (buyer.street, buyer.ward, buyer.district, buyer.province)
        fact = memory.given(match.id, buyer.name, buyer.phone, address)
        known.append(fact)
    await memory.remember(session, known, source=source)
    return [match.id for match in matches]


async def _insert_lines(
    session: AsyncSession, groups: Sequence[tuple[int, list[dict[str, object]]]]
) -> None:
    rows = [line | {"order_id": order_id} for order_id, lines in groups for line in lines]
    if rows:
        await session.execute(insert(OrderLine.__table__), rows)


def _event(
    order_id: int, action: str, from_status: str | None, details: dict[str, object], actor: Actor
) -> dict[str, object]:
    return {
        "order_id": order_id,
        "actor": actor.name,
        "source": actor.source.value,
        "action": action,
        "from_status": from_status,
        "to_status": Status.DRAFT.value,
        "details": details,
        "at": utcnow(),
    }
