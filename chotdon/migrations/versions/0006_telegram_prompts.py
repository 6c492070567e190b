"""telegram_prompts: the bot's questions in the group, so a reply knows what it answers

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 22:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "telegram_prompts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=32), nullable=False),
        sa.Column("asked_by", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_telegram_prompts_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_telegram_prompts")),
        sa.UniqueConstraint("chat_id", "message_id", name=op.f("uq_telegram_prompts_chat_id")),
    )
    op.create_index(
        op.f("ix_telegram_prompts_order_id"), "telegram_prompts", ["order_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_telegram_prompts_order_id"), table_name="telegram_prompts")
    op.drop_table("telegram_prompts")
