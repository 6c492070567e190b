"""money: how each order is paid and what came in; bank transfers; COD statements

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 23:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("orders") as orders:
        orders.add_column(
            sa.Column("payment_method", sa.String(16), nullable=False, server_default="cod")
        )
        orders.add_column(sa.Column("deposit", sa.BigInteger(), nullable=False, server_default="0"))
        orders.add_column(sa.Column("paid", sa.BigInteger(), nullable=False, server_default="0"))
    op.create_table(
        "cod_statements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("carrier", sa.String(32), nullable=False),
        sa.Column("uploaded_by", sa.String(255), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("matched", sa.Integer(), nullable=False),
        sa.Column("already", sa.Integer(), nullable=False),
        sa.Column("collected", sa.BigInteger(), nullable=False),
        sa.Column("fees", sa.BigInteger(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cod_statements")),
    )
    op.create_index(op.f("ix_cod_statements_digest"), "cod_statements", ["digest"])
    with op.batch_alter_table("cod_ledger") as ledger:
        ledger.add_column(sa.Column("statement_id", sa.Integer(), nullable=True))
        ledger.add_column(sa.Column("fee", sa.BigInteger(), nullable=False, server_default="0"))
        ledger.create_foreign_key(
            op.f("fk_cod_ledger_statement_id_cod_statements"),
            "cod_statements",
            ["statement_id"],
            ["id"],
        )
        ledger.create_index(op.f("ix_cod_ledger_statement_id"), ["statement_id"])
    op.create_table(
        "payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(16), nullable=False),
        sa.Column("transaction_id", sa.String(64), nullable=False),
        sa.Column("gateway", sa.String(64), nullable=False),
        sa.Column("account_number", sa.String(64), nullable=False),
        sa.Column("direction", sa.String(8), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("reference", sa.String(128), nullable=False),
        sa.Column("transaction_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("note", sa.String(64), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("attached_by", sa.String(255), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_payments_order_id_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
        sa.UniqueConstraint("provider", "transaction_id", name=op.f("uq_payments_provider")),
    )
    op.create_index(op.f("ix_payments_state"), "payments", ["state"])
    op.create_index(op.f("ix_payments_order_id"), "payments", ["order_id"])


def downgrade() -> None:
    op.drop_table("payments")
    with op.batch_alter_table("cod_ledger") as ledger:
        ledger.drop_index(op.f("ix_cod_ledger_statement_id"))
        ledger.drop_constraint(
            op.f("fk_cod_ledger_statement_id_cod_statements"), type_="foreignkey"
        )
        ledger.drop_column("fee")
        ledger.drop_column("statement_id")
    op.drop_table("cod_statements")
    with op.batch_alter_table("orders") as orders:
        for column in ("paid", "deposit", "payment_method"):
            orders.drop_column(column)
