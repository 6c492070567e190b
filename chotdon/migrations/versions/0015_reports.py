"""reports: the staff member on each order event, and events found by action and time

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 23:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("order_events") as events:
        events.add_column(sa.Column("staff_id", sa.Integer(), nullable=True))
        events.create_foreign_key(
            op.f("fk_order_events_staff_id_staff"),
            "staff",
            ["staff_id"],
            ["id"],
            ondelete="SET NULL",
        )
        events.create_index(op.f("ix_order_events_staff_id"), ["staff_id"])
        events.create_index("ix_order_events_action_at", ["action", "at"])
    # Events written before this revision name their staff member only by name: credit them
    # where that name is one staff member's, so reports cover the history already kept.
    op.execute(
        "UPDATE order_events SET staff_id = (SELECT staff.id FROM staff "
        "WHERE staff.name = order_events.actor) "
        "WHERE source = 'staff' AND (SELECT count(*) FROM staff "
        "WHERE staff.name = order_events.actor) = 1"
    )


def downgrade() -> None:
    with op.batch_alter_table("order_events") as events:
        events.drop_index("ix_order_events_action_at")
        events.drop_index(op.f("ix_order_events_staff_id"))
        events.drop_constraint(op.f("fk_order_events_staff_id_staff"), type_="foreignkey")
        events.drop_column("staff_id")
