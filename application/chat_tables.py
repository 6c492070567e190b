"""The staff chat's bookkeeping: where each order's card (or a digest listing it) lives in the
group, and the questions the bot asked there. Plain tables (no Telegram import) on the
service's shared metadata (`chotdon.schema`); they live in the application because only its
use cases (`application.chat_cards`, `application.chat_prompts`) open the transactions that
read and write them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kernel.tables import Base, utcnow


class TelegramCard(Base):
    """One card per order: the message the notifier edits in place, and the order's version
    it last drew (a job for an older version has nothing left to draw)."""

    __tablename__ = "telegram_cards"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), unique=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int] = mapped_column(BigInteger)
    version: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class TelegramPrompt(Base):
    """A question the bot asked in the group ("the buyer's new phone?"), kept so the reply to
    it, which may come minutes later, after a restart or to another process, knows which order
    and field it answers. The version is the order's when staff chose the field: a reply after
    someone else changed the order is refused rather than written over their change."""

    __tablename__ = "telegram_prompts"
    __table_args__ = (UniqueConstraint("chat_id", "message_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int] = mapped_column(BigInteger)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    field: Mapped[str] = mapped_column(String(32))
    asked_by: Mapped[int] = mapped_column(BigInteger)  # the staff member's Telegram id
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TelegramDigestEntry(Base):
    """A new draft listed in a digest message: while a storm of drafts outruns the group's
    budget for cards, being listed (a button opening its card) is how the draft is reachable
    from the chat, so the notifier counts its job as delivered once this row exists (a later
    change of the order gets the draft a card of its own, once the group is quiet). An order
    may be listed twice (two worker processes, or a crash between posting and this write):
    harmless, so no unique constraint."""

    __tablename__ = "telegram_digest_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int] = mapped_column(BigInteger)
    version: Mapped[int] = mapped_column(Integer)  # the order's version when it was listed
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TelegramDialogue(Base):
    """A short conversation the bot holds with one staff member before an order exists (`/new`:
    phone, name, address, items, then a summary to confirm). `message_id` is the bot's latest
    question, which the next reply answers, or the message whose buttons end it; `data` is what
    was said so far. Rows outlive a restart and are dropped once done or two days old."""

    __tablename__ = "telegram_dialogues"
    __table_args__ = (UniqueConstraint("chat_id", "message_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int] = mapped_column(BigInteger)
    asked_by: Mapped[int] = mapped_column(BigInteger)  # the staff member's Telegram id
    step: Mapped[str] = mapped_column(String(16))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
