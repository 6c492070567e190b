"""The database tables of the order domain, as SQLAlchemy 2 typed mappings.

One metadata for the whole service so Alembic sees every table; other packages (the inbox,
live sessions) add their tables to `Base` too.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kernel.tables import Base, utcnow
from orders.payments import Money


def new_token() -> str:
    """22 URL-safe characters from 128 random bits: a tracking page nobody can guess."""
    return secrets.token_urlsafe(16)


class Item(Base):
    __tablename__ = "items"

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    price: Mapped[int] = mapped_column(BigInteger)  # VND, no fractions
    stock: Mapped[int] = mapped_column(Integer, default=0)
    weight_g: Mapped[int] = mapped_column(Integer, default=0)
    code: Mapped[str | None] = mapped_column(String(32), unique=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class StockMovement(Base):
    """Append-only: every change of an item's stock, so the number on hand can be explained."""

    __tablename__ = "stock_movements"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), index=True)
    delta: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(32))  # order_out, order_back, import
    at: Mapped[datetime] = mapped_column(default=utcnow)


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    facebook_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(255), default="")
    phone: Mapped[str] = mapped_column(String(32), default="", index=True)
    street: Mapped[str] = mapped_column(String(500), default="")
    ward: Mapped[str] = mapped_column(String(255), default="")
    district: Mapped[str] = mapped_column(String(255), default="")
    province: Mapped[str] = mapped_column(String(255), default="")
    delivered_count: Mapped[int] = mapped_column(Integer, default=0)
    failed_count: Mapped[int] = mapped_column(Integer, default=0)
    returned_count: Mapped[int] = mapped_column(Integer, default=0)
    # The buyer's Page-scoped id in Messenger, learnt from the answer to a private reply.
    messenger_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Set by staff (bom hàng): creating or shipping this buyer's orders asks first.
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    flag_reason: Mapped[str] = mapped_column(Text, default="")
    # Where the phone and address on file came from last (staff, comment, messenger, api) and
    # when: the latest known value wins, and staff see its source on a prefilled draft.
    details_source: Mapped[str] = mapped_column(String(16), default="")
    details_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Staff(Base):
    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    name: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))  # manager, cashier, sales
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (
        Index("ix_orders_status_id", "status", "id"),
        Index("ix_orders_live_buyer", "video_id", "facebook_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str | None] = mapped_column(String(32), unique=True)
    status: Mapped[str] = mapped_column(String(32), default="draft")
    version: Mapped[int] = mapped_column(Integer, default=1)
    source: Mapped[str] = mapped_column(String(16))  # livestream, manual
    video_id: Mapped[str | None] = mapped_column(String(64), index=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    # The buyer's shipping details as given for this order; the customer row keeps the latest.
    buyer_name: Mapped[str] = mapped_column(String(255), default="")
    buyer_phone: Mapped[str] = mapped_column(String(32), default="", index=True)
    street: Mapped[str] = mapped_column(String(500), default="")
    ward: Mapped[str] = mapped_column(String(255), default="")
    district: Mapped[str] = mapped_column(String(255), default="")
    province: Mapped[str] = mapped_column(String(255), default="")
    facebook_id: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text, default="")
    shipping_fee: Mapped[int] = mapped_column(BigInteger, default=0)
    # VND off the lines' sum, 0 to the subtotal: a deal struck during the live.
    discount: Mapped[int] = mapped_column(BigInteger, default=0)
    # None: COD follows the total; 0: prepaid; otherwise the amount the shipper collects.
    cod_override: Mapped[int | None] = mapped_column(BigInteger)
    # Filled when goods leave the storehouse; the amount owed by the shipper on delivery.
    shipper_kind: Mapped[str | None] = mapped_column(String(32))  # carrier name or individual
    shipper_name: Mapped[str | None] = mapped_column(String(255))
    shipper_phone: Mapped[str | None] = mapped_column(String(32))
    tracking_code: Mapped[str | None] = mapped_column(String(64), index=True)
    carrier_status: Mapped[str | None] = mapped_column(String(32))
    carrier_status_at: Mapped[datetime | None] = mapped_column()
    manual_override: Mapped[bool] = mapped_column(Boolean, default=False)
    # A partner carrier is asked after the commit (outbox): while it is being asked the order
    # keeps its status and says so here; a refusal stays here for staff to read.
    shipment_state: Mapped[str | None] = mapped_column(
        String(16)
    )  # requesting, cancelling, refused
    shipment_note: Mapped[str] = mapped_column(Text, default="")
    shipment_attempt: Mapped[int] = mapped_column(Integer, default=0)
    carrier_fee: Mapped[int | None] = mapped_column(BigInteger)  # what the carrier charges the shop
    expected_delivery: Mapped[datetime | None] = mapped_column()
    staff_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff.id", ondelete="SET NULL"), index=True
    )
    # The unguessable part of the buyer's public tracking page (`/t/<token>`), set at creation.
    tracking_token: Mapped[str] = mapped_column(String(32), unique=True, default=new_token)
    # None: never asked; awaiting: the private reply went out; confirmed / declined in Messenger.
    buyer_confirmation: Mapped[str | None] = mapped_column(String(16), index=True)
    # Fields ("phone", "address") filled from what the buyer's earlier orders left on file, not
    # typed for this order: the card says so until staff or the buyer change them.
    prefilled: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The address was written in a comment or a message and matched no ward and province: kept
    # as written in `street`, for staff to check before shipping.
    address_review: Mapped[bool] = mapped_column(Boolean, default=False)
    # cod, transfer (all paid before shipping) or deposit (part by transfer, the rest COD);
    # `deposit` is what a deposit order asks first, `paid` what has come in (`orders.payments`).
    payment_method: Mapped[str] = mapped_column(String(16), default="cod")
    deposit: Mapped[int] = mapped_column(BigInteger, default=0)
    paid: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order",
        order_by="OrderLine.position",
        cascade="all, delete-orphan",
        lazy="selectin",
    )
    staff: Mapped[Staff | None] = relationship(lazy="joined")
    # Joined so every view of an order knows the buyer's flag and delivery record.
    customer: Mapped[Customer | None] = relationship(lazy="joined")

    @property
    def subtotal(self) -> int:
        return sum(line.quantity * line.unit_price for line in self.lines if not line.waitlisted)

    @property
    def total(self) -> int:
        return self.subtotal - self.discount + self.shipping_fee

    @property
    def money(self) -> Money:
        return Money(self.payment_method, self.total, self.paid, self.deposit, self.cod_override)

    @property
    def cod_amount(self) -> int:
        return self.money.cod_amount


class OrderLine(Base):
    __tablename__ = "order_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    code: Mapped[str] = mapped_column(String(32), default="")
    item_id: Mapped[int | None] = mapped_column(ForeignKey("items.id"))
    sku: Mapped[str | None] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(255), default="")
    unit_price: Mapped[int] = mapped_column(BigInteger, default=0)
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    variant: Mapped[str] = mapped_column(String(255), default="")
    needs_review: Mapped[bool] = mapped_column(Boolean, default=False)
    # Why the line needs checking, as a machine code (`unknown_code`, `number_as_variant`) and
    # the value it is about (`90`), worded for staff by each interface.
    review_reason: Mapped[str] = mapped_column(String(32), default="")
    review_value: Mapped[str] = mapped_column(String(64), default="")
    # Beyond a session's sell cap: kept, but not counted or taken from stock until accepted.
    waitlisted: Mapped[bool] = mapped_column(Boolean, default=False)
    comment_id: Mapped[str | None] = mapped_column(String(128), index=True)

    order: Mapped[Order] = relationship(back_populates="lines")


class OrderEvent(Base):
    """Append-only history: who did what to an order, when, and from where."""

    __tablename__ = "order_events"
    # Reports count what happened in a period by action (`application.reports`).
    __table_args__ = (Index("ix_order_events_action_at", "action", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(255))
    source: Mapped[str] = mapped_column(String(16))  # staff, carrier, system, api
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(32))
    to_status: Mapped[str | None] = mapped_column(String(32))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # The staff member who acted, when one did: what a staff report credits them with.
    staff_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff.id", ondelete="SET NULL"), index=True
    )


class CodLedgerEntry(Base):
    """Append-only: COD a shipper owes (+) on delivery and pays back (-) on collection."""

    __tablename__ = "cod_ledger"

    id: Mapped[int] = mapped_column(primary_key=True)
    shipper: Mapped[str] = mapped_column(String(64), index=True)  # ghn, ..., individual:<phone>
    shipper_label: Mapped[str] = mapped_column(String(255), default="")
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    # A settlement read off a carrier's COD statement: which upload, and the fee the carrier
    # kept out of this order's COD (what the debt page adds up per carrier).
    statement_id: Mapped[int | None] = mapped_column(ForeignKey("cod_statements.id"), index=True)
    fee: Mapped[int] = mapped_column(BigInteger, default=0)


class CarrierUpdate(Base):
    """Every carrier status report, kept once per dedupe key whether or not it moved the order."""

    __tablename__ = "carrier_updates"
    __table_args__ = (UniqueConstraint("carrier", "dedupe_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    carrier: Mapped[str] = mapped_column(String(32))
    dedupe_key: Mapped[str] = mapped_column(String(255))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), index=True)
    tracking_code: Mapped[str | None] = mapped_column(String(64))
    raw_status: Mapped[str] = mapped_column(String(64))
    mapped_status: Mapped[str] = mapped_column(String(32))
    outcome: Mapped[str] = mapped_column(String(32))  # applied, recorded, unknown_order
    at: Mapped[datetime] = mapped_column(default=utcnow)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class CarrierPlace(Base):
    """A carrier's own id for a place name (GHN and Viettel Post want ids), fetched from its
    master-data endpoints once and kept, so shipping an order costs no lookups."""

    __tablename__ = "carrier_places"
    __table_args__ = (UniqueConstraint("carrier", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    carrier: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(255))
    value: Mapped[Any] = mapped_column(JSON)
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)


class BatchRun(Base):
    """One action asked of many orders at once: its progress and, per order, what happened,
    so a page or a chat can follow it and read the outcome after the fact."""

    __tablename__ = "batch_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    action: Mapped[str] = mapped_column(String(32))
    order_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # the action's fields
    actor: Mapped[str] = mapped_column(String(255), default="")
    state: Mapped[str] = mapped_column(String(16), default="running")  # running, done, stopped
    done: Mapped[int] = mapped_column(Integer, default=0)
    # One entry per order handled so far: {"id", "ok", "status"|"error", "message"?}.
    results: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Payment(Base):
    """Money the bank reported, kept once per transaction id whatever it matched: an
    incoming transfer pays the order its content names, or waits here for staff to attach it."""

    __tablename__ = "payments"
    __table_args__ = (UniqueConstraint("provider", "transaction_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(String(16), default="sepay")
    transaction_id: Mapped[str] = mapped_column(String(64))
    gateway: Mapped[str] = mapped_column(String(64), default="")  # the bank's name
    account_number: Mapped[str] = mapped_column(String(64), default="")
    direction: Mapped[str] = mapped_column(String(8), default="in")  # in, out
    amount: Mapped[int] = mapped_column(BigInteger)
    content: Mapped[str] = mapped_column(Text, default="")
    reference: Mapped[str] = mapped_column(String(128), default="")
    transaction_at: Mapped[datetime | None] = mapped_column()  # the bank's time, UTC
    # applied (paid an order), unmatched (waits for staff), ignored (an outgoing transfer)
    state: Mapped[str] = mapped_column(String(16), index=True)
    # Why it matched nothing (no_code, unknown_code, several_orders, order_cancelled, or the
    # reason the order refused the money), for staff.
    note: Mapped[str] = mapped_column(String(64), default="")
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), index=True)
    attached_by: Mapped[str] = mapped_column(String(255), default="")  # staff, if by hand
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class CodStatement(Base):
    """One upload of a carrier's COD statement and what reconciling it found. The same file
    uploaded again is a new row whose rows all count as already collected."""

    __tablename__ = "cod_statements"

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(255), default="")
    digest: Mapped[str] = mapped_column(String(64), index=True)  # sha256 of the file
    carrier: Mapped[str] = mapped_column(String(32), default="")  # as the matched orders say
    uploaded_by: Mapped[str] = mapped_column(String(255), default="")
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    matched: Mapped[int] = mapped_column(Integer, default=0)
    already: Mapped[int] = mapped_column(Integer, default=0)
    collected: Mapped[int] = mapped_column(BigInteger, default=0)  # VND settled by this upload
    fees: Mapped[int] = mapped_column(BigInteger, default=0)  # VND the carrier kept
    # The report as the API returns it: mismatched, unknown and missing rows with reasons.
    report: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
