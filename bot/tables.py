"""Where each order's card lives in the staff group: a plain table (no Telegram import), on the
service's shared metadata (`chotdon.schema`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column

from orders.tables import Base, utcnow


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
