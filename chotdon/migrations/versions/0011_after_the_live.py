"""after the live: order discount and public tracking token, why a line needs checking,
batch_runs

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 21:00:00
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("orders") as orders:
        orders.add_column(
            sa.Column("discount", sa.BigInteger(), nullable=False, server_default="0")
        )
        orders.add_column(sa.Column("tracking_token", sa.String(32), nullable=True))
    # Every existing order gets its page too; one UPDATE per order, once.
    bind = op.get_bind()
    table = sa.table("orders", sa.column("id", sa.Integer()), sa.column("tracking_token"))
    ids = [row.id for row in bind.execute(sa.select(table.c.id))]
    for order_id in ids:
        bind.execute(
            table.update()
            .where(table.c.id == order_id)
            .values(tracking_token=secrets.token_urlsafe(16))
        )
    with op.batch_alter_table("orders") as orders:
        orders.alter_column("tracking_token", existing_type=sa.String(32), nullable=False)
        orders.create_unique_constraint(op.f("uq_orders_tracking_token"), ["tracking_token"])
    with op.batch_alter_table("order_lines") as lines:
        lines.add_column(
            sa.Column("review_reason", sa.String(32), nullable=False, server_default="")
        )
        lines.add_column(
            sa.Column("review_value", sa.String(64), nullable=False, server_default="")
        )
    op.create_table(
        "batch_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("order_ids", sa.JSON(), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("actor", sa.String(255), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("results", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_batch_runs")),
    )


def downgrade() -> None:
    op.drop_table("batch_runs")
    with op.batch_alter_table("order_lines") as lines:
        lines.drop_column("review_value")
        lines.drop_column("review_reason")
    with op.batch_alter_table("orders") as orders:
        orders.drop_constraint(op.f("uq_orders_tracking_token"), type_="unique")
        orders.drop_column("tracking_token")
        orders.drop_column("discount")
