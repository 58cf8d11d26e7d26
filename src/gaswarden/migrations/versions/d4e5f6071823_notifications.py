"""notification subscriptions and the notification outbox

Revision ID: d4e5f6071823
Revises: c3d4e5f60712
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import gaswarden.db.types

revision: str = "d4e5f6071823"
down_revision: str | None = "c3d4e5f60712"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "notification_subscription",
        sa.Column("name", sa.String(length=100), nullable=True),
        sa.Column(
            "channel",
            sa.Enum("webhook", "email", "sms", name="channel", native_enum=False, length=8),
            nullable=False,
        ),
        sa.Column("target", gaswarden.db.types.ProtectedText(), nullable=False),
        sa.Column(
            "audience",
            sa.Enum(
                "enterprise",
                "enterprise_admin",
                "regulator",
                name="audience",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=True),
        sa.Column(
            "min_grade",
            sa.Enum("red", "orange", "yellow", "blue", name="grade", native_enum=False, length=8),
            nullable=False,
        ),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("secret", gaswarden.db.types.ProtectedText(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            gaswarden.db.types.UTCDateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            gaswarden.db.types.UTCDateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["area_id"],
            ["area.id"],
            name=op.f("fk_notification_subscription_area_id_area"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["organization.id"],
            name=op.f("fk_notification_subscription_owner_id_organization"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_subscription")),
    )
    with op.batch_alter_table("notification_subscription", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_notification_subscription_active"), ["active"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_notification_subscription_audience"), ["audience"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_notification_subscription_channel"), ["channel"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_notification_subscription_owner_id"), ["owner_id"], unique=False
        )

    op.create_table(
        "notification",
        sa.Column("alarm_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("area_id", sa.Integer(), nullable=True),
        sa.Column("site_id", sa.Integer(), nullable=True),
        sa.Column(
            "channel",
            sa.Enum("webhook", "email", "sms", name="channel", native_enum=False, length=8),
            nullable=False,
        ),
        sa.Column("target", gaswarden.db.types.ProtectedText(), nullable=False),
        sa.Column(
            "audience",
            sa.Enum(
                "enterprise",
                "enterprise_admin",
                "regulator",
                name="audience",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column(
            "grade",
            sa.Enum("red", "orange", "yellow", "blue", name="grade", native_enum=False, length=8),
            nullable=False,
        ),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "sent",
                "failed",
                "dead",
                name="deliverystatus",
                native_enum=False,
                length=8,
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", gaswarden.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("sent_at", gaswarden.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            gaswarden.db.types.UTCDateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            gaswarden.db.types.UTCDateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["alarm_id"],
            ["alarm.id"],
            name=op.f("fk_notification_alarm_id_alarm"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["alarm_event.id"],
            name=op.f("fk_notification_event_id_alarm_event"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["notification_subscription.id"],
            name=op.f("fk_notification_subscription_id_notification_subscription"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification")),
        sa.UniqueConstraint(
            "event_id", "subscription_id", name=op.f("uq_notification_event_id_subscription_id")
        ),
    )
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notification_alarm_id"), ["alarm_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_notification_area_id"), ["area_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_notification_channel"), ["channel"], unique=False)
        batch_op.create_index("ix_notification_due", ["status", "next_attempt_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_notification_grade"), ["grade"], unique=False)
        batch_op.create_index(batch_op.f("ix_notification_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_notification_site_id"), ["site_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_notification_subscription_id"), ["subscription_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notification_subscription_id"))
        batch_op.drop_index(batch_op.f("ix_notification_site_id"))
        batch_op.drop_index(batch_op.f("ix_notification_owner_id"))
        batch_op.drop_index(batch_op.f("ix_notification_grade"))
        batch_op.drop_index("ix_notification_due")
        batch_op.drop_index(batch_op.f("ix_notification_channel"))
        batch_op.drop_index(batch_op.f("ix_notification_area_id"))
        batch_op.drop_index(batch_op.f("ix_notification_alarm_id"))

    op.drop_table("notification")
    with op.batch_alter_table("notification_subscription", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notification_subscription_owner_id"))
        batch_op.drop_index(batch_op.f("ix_notification_subscription_channel"))
        batch_op.drop_index(batch_op.f("ix_notification_subscription_audience"))
        batch_op.drop_index(batch_op.f("ix_notification_subscription_active"))

    op.drop_table("notification_subscription")
