"""The durable inbox: raw webhook bodies, stored before the platform is answered."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kernel.tables import Base, utcnow
from kernel.work_status import WorkStatus

CONTENT_TYPE_LIMIT = 128


class InboxMessage(Base):
    """One accepted request body, exactly as received, and how processing it went."""

    __tablename__ = "inbox"
    __table_args__ = (Index("ix_inbox_claim", "status", "next_attempt_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(32))  # facebook, ghn, ghtk, viettelpost, ahamove
    body: Mapped[bytes] = mapped_column(LargeBinary)
    content_type: Mapped[str] = mapped_column(String(CONTENT_TYPE_LIMIT), default="")
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(16), default=WorkStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    locked_by: Mapped[str | None] = mapped_column(String(128))
    locked_until: Mapped[datetime | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(Text)
    processed_at: Mapped[datetime | None] = mapped_column()
