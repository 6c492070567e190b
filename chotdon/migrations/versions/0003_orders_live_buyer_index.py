"""orders: index on (video_id, facebook_id), the buyer's orders of one live

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 06:25:00
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Every body of a live looks up its buyers' drafts; without it that is a scan of the
    # live's orders, growing with the live.
    op.create_index("ix_orders_live_buyer", "orders", ["video_id", "facebook_id"])


def downgrade() -> None:
    op.drop_index("ix_orders_live_buyer", table_name="orders")
