"""Tables of live sessions and of every comment seen, with its parse and the order it fed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kernel.tables import Base, utcnow

DEFAULT_MAX_QTY = 50


class LiveSession(Base):
    """One live video: its code table, whether ordering is open, and until when."""

    __tablename__ = "live_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    video_id: Mapped[str] = mapped_column(String(64), unique=True)
    live_video_id: Mapped[str | None] = mapped_column(String(64), index=True)
    title: Mapped[str] = mapped_column(String(255), default="")
    platform: Mapped[str] = mapped_column(String(16), default="facebook")  # or instagram
    # The Page (or Instagram account) the live is on: its token hides, replies and polls.
    page_id: Mapped[str | None] = mapped_column(String(64), index=True)
    # staff (opened by hand, wins over automatic defaults) or auto (a live_videos webhook).
    opened_by: Mapped[str] = mapped_column(String(16), default="staff")
    ordering_open: Mapped[bool] = mapped_column(Boolean, default=True)
    default_code: Mapped[str | None] = mapped_column(String(32))
    max_qty: Mapped[int] = mapped_column(Integer, default=DEFAULT_MAX_QTY)
    # Set when Facebook says the live stopped: ordering closes at this time (a grace period).
    closes_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class LiveSessionCode(Base):
    """A short code of one session: code -> item, with an optional sell cap."""

    __tablename__ = "live_session_codes"
    __table_args__ = (UniqueConstraint("session_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("live_sessions.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(32))  # canonical form, e.g. A1
    sku: Mapped[str] = mapped_column(String(64))
    cap: Mapped[int | None] = mapped_column(Integer)  # units sellable in this session


class Comment(Base):
    """A comment as last seen (after edits), with its parse; removed ones are kept, flagged."""

    __tablename__ = "comments"
    __table_args__ = (Index("ix_comments_session_time", "session_id", "created_time"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[str] = mapped_column(String(128), unique=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id", ondelete="CASCADE"))
    from_id: Mapped[str] = mapped_column(String(64), default="", index=True)
    from_name: Mapped[str] = mapped_column(String(255), default="")
    message: Mapped[str] = mapped_column(Text, default="")
    # Normalised text, so the same words from the same buyer in a session count once.
    fingerprint: Mapped[str] = mapped_column(String(64), default="", index=True)
    created_time: Mapped[datetime] = mapped_column()
    verb: Mapped[str] = mapped_column(String(16), default="add")
    intent: Mapped[str] = mapped_column(String(16), default="none")
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    phone: Mapped[str | None] = mapped_column(String(32))
    # The delivery address the comment carried, as written (without its delivery word).
    address: Mapped[str | None] = mapped_column(Text)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), index=True)
    flags: Mapped[list[str]] = mapped_column(JSON, default=list)
    removed: Mapped[bool] = mapped_column(Boolean, default=False)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Which source delivered it first: webhook, poll (Graph catch-up) or instagram.
    source: Mapped[str] = mapped_column(String(16), default="webhook")


class BuyerMessage(Base):
    """A Messenger event from a buyer (text, quick reply or postback), kept once per `mid`,
    with what the service made of it; senders not yet linked to a customer wait for staff."""

    __tablename__ = "buyer_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    mid: Mapped[str] = mapped_column(String(255), unique=True)
    page_id: Mapped[str] = mapped_column(String(64), default="")
    sender_id: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(16), default="message")  # quick_reply, postback
    text: Mapped[str] = mapped_column(Text, default="")
    payload: Mapped[str | None] = mapped_column(String(1000))
    at: Mapped[datetime] = mapped_column()
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), index=True)
    # What the service did with it: filled, confirmed, declined, nothing, unlinked, ...
    outcome: Mapped[str] = mapped_column(String(32), default="")
    reply: Mapped[str] = mapped_column(Text, default="")  # what the service answered
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
