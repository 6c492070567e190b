"""orders: shipment request state, carrier fee, expected delivery; carrier_places

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("orders") as orders:
        orders.add_column(sa.Column("shipment_state", sa.String(16), nullable=True))
        orders.add_column(sa.Column("shipment_note", sa.Text(), nullable=False, server_default=""))
        orders.add_column(
            sa.Column("shipment_attempt", sa.Integer(), nullable=False, server_default="0")
        )
        orders.add_column(sa.Column("carrier_fee", sa.BigInteger(), nullable=True))
        orders.add_column(sa.Column("expected_delivery", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "carrier_places",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("carrier", sa.String(32), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("carrier", "key"),
    )


def downgrade() -> None:
    op.drop_table("carrier_places")
    with op.batch_alter_table("orders") as orders:
        for column in (
            "expected_delivery",
            "carrier_fee",
            "shipment_attempt",
            "shipment_note",
            "shipment_state",
        ):
            orders.drop_column(column)
