"""hazard notices in the notification outbox

Revision ID: b1303e6c3a7d
Revises: 6f1d7f7252c4
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b1303e6c3a7d"
down_revision: str | None = "6f1d7f7252c4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.add_column(sa.Column("hazard_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("hazard_event_id", sa.Integer(), nullable=True))
        batch_op.alter_column("alarm_id", existing_type=sa.INTEGER(), nullable=True)
        batch_op.alter_column("event_id", existing_type=sa.INTEGER(), nullable=True)
        batch_op.create_index(batch_op.f("ix_notification_hazard_id"), ["hazard_id"], unique=False)
        batch_op.create_unique_constraint(
            batch_op.f("uq_notification_hazard_event_id_subscription_id"),
            ["hazard_event_id", "subscription_id"],
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_notification_hazard_id_hazard"),
            "hazard",
            ["hazard_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_notification_hazard_event_id_hazard_event"),
            "hazard_event",
            ["hazard_event_id"],
            ["id"],
            ondelete="CASCADE",
        )


def downgrade() -> None:
    op.execute("DELETE FROM notification WHERE alarm_id IS NULL")  # hazard notices
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_notification_hazard_event_id_hazard_event"), type_="foreignkey"
        )
        batch_op.drop_constraint(batch_op.f("fk_notification_hazard_id_hazard"), type_="foreignkey")
        batch_op.drop_constraint(
            batch_op.f("uq_notification_hazard_event_id_subscription_id"), type_="unique"
        )
        batch_op.drop_index(batch_op.f("ix_notification_hazard_id"))
        batch_op.alter_column("event_id", existing_type=sa.INTEGER(), nullable=False)
        batch_op.alter_column("alarm_id", existing_type=sa.INTEGER(), nullable=False)
        batch_op.drop_column("hazard_event_id")
        batch_op.drop_column("hazard_id")
