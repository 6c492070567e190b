"""lives that open themselves, several Pages, Instagram: a live's platform, Page and who
opened it; which source delivered each comment first

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 22:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("live_sessions") as lives:
        lives.add_column(
            sa.Column("platform", sa.String(16), nullable=False, server_default="facebook")
        )
        lives.add_column(sa.Column("page_id", sa.String(64), nullable=True))
        lives.add_column(
            sa.Column("opened_by", sa.String(16), nullable=False, server_default="staff")
        )
        lives.create_index(op.f("ix_live_sessions_page_id"), ["page_id"])
    with op.batch_alter_table("comments") as comments:
        comments.add_column(
            sa.Column("source", sa.String(16), nullable=False, server_default="webhook")
        )


def downgrade() -> None:
    with op.batch_alter_table("comments") as comments:
        comments.drop_column("source")
    with op.batch_alter_table("live_sessions") as lives:
        lives.drop_index(op.f("ix_live_sessions_page_id"))
        for column in ("opened_by", "page_id", "platform"):
            lives.drop_column(column)
