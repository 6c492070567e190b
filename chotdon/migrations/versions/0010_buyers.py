"""buyers: memory, flags and Messenger; orders: buyer confirmation, prefilled fields, address
to review; comments: the address they carried; buyer_messages

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 20:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("customers") as customers:
        customers.add_column(sa.Column("messenger_id", sa.String(64), nullable=True))
        customers.add_column(
            sa.Column("flagged", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        customers.add_column(sa.Column("flag_reason", sa.Text(), nullable=False, server_default=""))
        customers.add_column(
            sa.Column("details_source", sa.String(16), nullable=False, server_default="")
        )
        customers.add_column(sa.Column("details_at", sa.DateTime(timezone=True), nullable=True))
        customers.create_unique_constraint(op.f("uq_customers_messenger_id"), ["messenger_id"])
    with op.batch_alter_table("orders") as orders:
        orders.add_column(sa.Column("buyer_confirmation", sa.String(16), nullable=True))
        orders.add_column(sa.Column("prefilled", sa.JSON(), nullable=False, server_default="[]"))
        orders.add_column(
            sa.Column("address_review", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        orders.create_index(op.f("ix_orders_buyer_confirmation"), ["buyer_confirmation"])
    with op.batch_alter_table("comments") as comments:
        comments.add_column(sa.Column("address", sa.Text(), nullable=True))
    op.create_table(
        "buyer_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mid", sa.String(255), nullable=False),
        sa.Column("page_id", sa.String(64), nullable=False),
        sa.Column("sender_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("payload", sa.String(1000), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(32), nullable=False),
        sa.Column("reply", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_buyer_messages_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_buyer_messages_order_id_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_buyer_messages")),
        sa.UniqueConstraint("mid", name=op.f("uq_buyer_messages_mid")),
    )
    for column in ("sender_id", "customer_id", "order_id"):
        op.create_index(op.f(f"ix_buyer_messages_{column}"), "buyer_messages", [column])


def downgrade() -> None:
    op.drop_table("buyer_messages")
    with op.batch_alter_table("comments") as comments:
        comments.drop_column("address")
    with op.batch_alter_table("orders") as orders:
        orders.drop_index(op.f("ix_orders_buyer_confirmation"))
        for column in ("address_review", "prefilled", "buyer_confirmation"):
            orders.drop_column(column)
    with op.batch_alter_table("customers") as customers:
        customers.drop_constraint(op.f("uq_customers_messenger_id"), type_="unique")
        for column in ("details_at", "details_source", "flag_reason", "flagged", "messenger_id"):
            customers.drop_column(column)
