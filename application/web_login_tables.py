"""The tables of web sign-in: one-time login links and web sessions, on the service's shared
metadata (`chotdon.schema`).

Only a SHA-256 of each token is stored: whoever reads the database (a backup, a log of
queries) learns nothing that signs them in. Both point at the staff row with ON DELETE
CASCADE, so removing a staff member (`chotdon staff remove`, `/staff remove`) ends their
sessions and voids their unused links in the same statement.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from kernel.tables import Base, utcnow


class WebLoginLink(Base):
    """A link `chotdon login-link` or the bot's `/web` handed out: good once, for 15 minutes."""

    __tablename__ = "web_login_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 hex
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class WebSession(Base):
    """A signed-in browser (or Mini App webview): the cookie holds the token, this row its
    hash. `via` says how it began (`link` or `miniapp`), for the managers' list of sessions."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 hex
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))  # not a credential on its own
    via: Mapped[str] = mapped_column(String(16))  # link, miniapp
    user_agent: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]  # the absolute end; idleness ends it sooner (see `auth`)
