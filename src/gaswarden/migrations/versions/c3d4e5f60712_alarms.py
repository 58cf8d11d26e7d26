"""alarms, alarm events, rule settings, per-device rule state

Revision ID: c3d4e5f60712
Revises: b2c3d4e5f601
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import gaswarden.db.types

revision: str = "c3d4e5f60712"
down_revision: str | None = "b2c3d4e5f601"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rule_setting",
        sa.Column(
            "scope",
            sa.Enum(
                "global", "site", "asset", "device", name="scopelevel", native_enum=False, length=8
            ),
            nullable=False,
        ),
        sa.Column("scope_id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=40), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("area_id", sa.Integer(), nullable=True),
        sa.Column("site_id", sa.Integer(), nullable=True),
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
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rule_setting")),
        sa.UniqueConstraint(
            "scope", "scope_id", "rule", name=op.f("uq_rule_setting_scope_scope_id_rule")
        ),
    )
    with op.batch_alter_table("rule_setting", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rule_setting_area_id"), ["area_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_rule_setting_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_rule_setting_rule"), ["rule"], unique=False)
        batch_op.create_index(batch_op.f("ix_rule_setting_site_id"), ["site_id"], unique=False)

    op.create_table(
        "alarm",
        sa.Column("open_key", sa.String(length=80), nullable=True),
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=40), nullable=False),
        sa.Column(
            "device_kind",
            sa.Enum(
                "pressure_monitor",
                "well_methane",
                "well_intrusion",
                "household_alarm",
                "laser_methane",
                "flow_meter",
                "camera",
                name="devicekind",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("area_id", sa.Integer(), nullable=True),
        sa.Column("site_id", sa.Integer(), nullable=True),
        sa.Column("asset_id", sa.Integer(), nullable=True),
        sa.Column(
            "grade",
            sa.Enum("red", "orange", "yellow", "blue", name="grade", native_enum=False, length=8),
            nullable=False,
        ),
        sa.Column(
            "first_grade",
            sa.Enum("red", "orange", "yellow", "blue", name="grade", native_enum=False, length=8),
            nullable=False,
        ),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column(
            "condition",
            sa.Enum("active", "cleared", name="alarmcondition", native_enum=False, length=8),
            nullable=False,
        ),
        sa.Column(
            "stage",
            sa.Enum(
                "new",
                "acknowledged",
                "assigned",
                "on_site",
                "resolved",
                "closed",
                name="alarmstage",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("metric", sa.String(length=32), nullable=True),
        sa.Column("first_value", sa.Float(), nullable=True),
        sa.Column("last_value", sa.Float(), nullable=True),
        sa.Column("peak_value", sa.Float(), nullable=True),
        sa.Column("occurrences", sa.Integer(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("raised_at", gaswarden.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("opened_at", gaswarden.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("device_first_ts", gaswarden.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("device_last_ts", gaswarden.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("cleared_at", gaswarden.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("acked_at", gaswarden.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("acked_by_id", sa.Integer(), nullable=True),
        sa.Column("assigned_org_id", sa.Integer(), nullable=True),
        sa.Column("assigned_team_id", sa.Integer(), nullable=True),
        sa.Column("assigned_at", gaswarden.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("on_site_at", gaswarden.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("resolved_at", gaswarden.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "cause",
            sa.Enum(
                "real_leak",
                "false_alarm",
                "device_fault",
                "test",
                "third_party_damage",
                "other",
                name="alarmcause",
                native_enum=False,
                length=24,
            ),
            nullable=True,
        ),
        sa.Column("resolution_note", sa.String(length=1000), nullable=True),
        sa.Column("closed_at", gaswarden.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.Column("ack_s", sa.Integer(), nullable=True),
        sa.Column("on_site_s", sa.Integer(), nullable=True),
        sa.Column("resolve_s", sa.Integer(), nullable=True),
        sa.Column("ack_overdue", sa.Boolean(), nullable=False),
        sa.Column("on_site_overdue", sa.Boolean(), nullable=False),
        sa.Column("notify_level", sa.Integer(), nullable=False),
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
            ["acked_by_id"],
            ["app_user.id"],
            name=op.f("fk_alarm_acked_by_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["area_id"], ["area.id"], name=op.f("fk_alarm_area_id_area"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["asset_id"], ["asset.id"], name=op.f("fk_alarm_asset_id_asset"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["assigned_org_id"],
            ["organization.id"],
            name=op.f("fk_alarm_assigned_org_id_organization"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["assigned_team_id"],
            ["team.id"],
            name=op.f("fk_alarm_assigned_team_id_team"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["closed_by_id"],
            ["app_user.id"],
            name=op.f("fk_alarm_closed_by_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["device_id"], ["device.id"], name=op.f("fk_alarm_device_id_device"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["organization.id"],
            name=op.f("fk_alarm_owner_id_organization"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["site.id"], name=op.f("fk_alarm_site_id_site"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alarm")),
        sa.UniqueConstraint("open_key", name=op.f("uq_alarm_open_key")),
    )
    with op.batch_alter_table("alarm", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alarm_area_id"), ["area_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_alarm_condition"), ["condition"], unique=False)
        batch_op.create_index(batch_op.f("ix_alarm_device_kind"), ["device_kind"], unique=False)
        batch_op.create_index("ix_alarm_device_rule", ["device_id", "rule"], unique=False)
        batch_op.create_index(batch_op.f("ix_alarm_grade"), ["grade"], unique=False)
        batch_op.create_index(batch_op.f("ix_alarm_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_alarm_raised_at"), ["raised_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_alarm_rule"), ["rule"], unique=False)
        batch_op.create_index(batch_op.f("ix_alarm_site_id"), ["site_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_alarm_stage"), ["stage"], unique=False)

    op.create_table(
        "rule_state",
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("last_seen_at", gaswarden.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("states", sa.JSON(), nullable=False),
        sa.Column("updated_at", gaswarden.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["device_id"],
            ["device.id"],
            name=op.f("fk_rule_state_device_id_device"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("device_id", name=op.f("pk_rule_state")),
    )
    with op.batch_alter_table("rule_state", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rule_state_last_seen_at"), ["last_seen_at"], unique=False
        )

    op.create_table(
        "alarm_event",
        sa.Column("alarm_id", sa.Integer(), nullable=False),
        sa.Column("at", gaswarden.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "raised",
                "repeated",
                "escalated",
                "cleared",
                "reopened",
                "acknowledged",
                "assigned",
                "on_site",
                "resolved",
                "closed",
                "overdue",
                "notified",
                name="alarmeventkind",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(length=100), nullable=False),
        sa.Column(
            "grade",
            sa.Enum("red", "orange", "yellow", "blue", name="grade", native_enum=False, length=8),
            nullable=True,
        ),
        sa.Column(
            "stage",
            sa.Enum(
                "new",
                "acknowledged",
                "assigned",
                "on_site",
                "resolved",
                "closed",
                name="alarmstage",
                native_enum=False,
                length=16,
            ),
            nullable=True,
        ),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["app_user.id"],
            name=op.f("fk_alarm_event_actor_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["alarm_id"],
            ["alarm.id"],
            name=op.f("fk_alarm_event_alarm_id_alarm"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alarm_event")),
    )
    with op.batch_alter_table("alarm_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alarm_event_alarm_id"), ["alarm_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("alarm_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alarm_event_alarm_id"))

    op.drop_table("alarm_event")
    with op.batch_alter_table("rule_state", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rule_state_last_seen_at"))

    op.drop_table("rule_state")
    with op.batch_alter_table("alarm", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alarm_stage"))
        batch_op.drop_index(batch_op.f("ix_alarm_site_id"))
        batch_op.drop_index(batch_op.f("ix_alarm_rule"))
        batch_op.drop_index(batch_op.f("ix_alarm_raised_at"))
        batch_op.drop_index(batch_op.f("ix_alarm_owner_id"))
        batch_op.drop_index(batch_op.f("ix_alarm_grade"))
        batch_op.drop_index("ix_alarm_device_rule")
        batch_op.drop_index(batch_op.f("ix_alarm_device_kind"))
        batch_op.drop_index(batch_op.f("ix_alarm_condition"))
        batch_op.drop_index(batch_op.f("ix_alarm_area_id"))

    op.drop_table("alarm")
    with op.batch_alter_table("rule_setting", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rule_setting_site_id"))
        batch_op.drop_index(batch_op.f("ix_rule_setting_rule"))
        batch_op.drop_index(batch_op.f("ix_rule_setting_owner_id"))
        batch_op.drop_index(batch_op.f("ix_rule_setting_area_id"))

    op.drop_table("rule_setting")
