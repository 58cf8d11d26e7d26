"""checklists, inspections, hazards, enforcement cases, attachments

Revision ID: 6f1d7f7252c4
Revises: e5f607182934
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import gaswarden.db.types

revision: str = "6f1d7f7252c4"
down_revision: str | None = "e5f607182934"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "checklist_template",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=150), nullable=False),
        sa.Column(
            "target",
            sa.Enum(
                "gate_station",
                "lpg_filling",
                "lpg_supply",
                "lng_cng",
                "regulator",
                "valve_well",
                "commercial",
                "household",
                "enterprise",
                name="checklisttarget",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("description", sa.String(length=1000), nullable=True),
        sa.Column("builtin", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("current_version_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            gaswarden.db.types.UTCDateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            gaswarden.db.types.UTCDateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checklist_template")),
        sa.UniqueConstraint("code", name=op.f("uq_checklist_template_code")),
    )
    with op.batch_alter_table("checklist_template", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_checklist_template_target"), ["target"], unique=False)

    op.create_table(
        "checklist_version",
        sa.Column("template_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("published_at", gaswarden.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("published_by", sa.String(length=100), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["checklist_template.id"],
            name=op.f("fk_checklist_version_template_id_checklist_template"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checklist_version")),
        sa.UniqueConstraint(
            "template_id", "number", name=op.f("uq_checklist_version_template_id_number")
        ),
    )
    with op.batch_alter_table("checklist_version", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_checklist_version_template_id"), ["template_id"], unique=False
        )

    op.create_table(
        "checklist_item",
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=60), nullable=False),
        sa.Column("text", sa.String(length=500), nullable=False),
        sa.Column("text_en", sa.String(length=500), nullable=True),
        sa.Column("standard", sa.String(length=200), nullable=True),
        sa.Column(
            "hazard_grade",
            sa.Enum("major", "general", name="hazardgrade", native_enum=False, length=8),
            nullable=False,
        ),
        sa.Column("deadline_days", sa.Integer(), nullable=True),
        sa.Column("system_kind", sa.String(length=40), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["checklist_version.id"],
            name=op.f("fk_checklist_item_version_id_checklist_version"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checklist_item")),
        sa.UniqueConstraint("version_id", "code", name=op.f("uq_checklist_item_version_id_code")),
    )
    with op.batch_alter_table("checklist_item", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_checklist_item_version_id"), ["version_id"], unique=False
        )

    op.create_table(
        "enterprise_system",
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "operating_licence",
                "risk_control",
                "hazard_investigation",
                "emergency_plan",
                "user_safety_checks",
                "safety_responsibility",
                "safety_training",
                "operating_procedures",
                name="systemkind",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "present", "missing", "improved", name="systemstatus", native_enum=False, length=16
            ),
            nullable=False,
        ),
        sa.Column("document", sa.String(length=200), nullable=True),
        sa.Column("adopted_on", sa.Date(), nullable=True),
        sa.Column("improved_on", sa.Date(), nullable=True),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            gaswarden.db.types.UTCDateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            gaswarden.db.types.UTCDateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organization.id"],
            name=op.f("fk_enterprise_system_org_id_organization"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enterprise_system")),
        sa.UniqueConstraint("org_id", "kind", name=op.f("uq_enterprise_system_org_id_kind")),
    )
    with op.batch_alter_table("enterprise_system", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_enterprise_system_org_id"), ["org_id"], unique=False)

    op.create_table(
        "attachment",
        sa.Column("entity_type", sa.String(length=40), nullable=True),
        sa.Column("entity_id", sa.Integer(), nullable=True),
        sa.Column("role", sa.String(length=24), nullable=True),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=60), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", gaswarden.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_by_name", sa.String(length=100), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("area_id", sa.Integer(), nullable=True),
        sa.Column("site_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["app_user.id"],
            name=op.f("fk_attachment_uploaded_by_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachment")),
    )
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attachment_area_id"), ["area_id"], unique=False)
        batch_op.create_index("ix_attachment_entity", ["entity_type", "entity_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_attachment_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_attachment_sha256"), ["sha256"], unique=False)
        batch_op.create_index(batch_op.f("ix_attachment_site_id"), ["site_id"], unique=False)

    op.create_table(
        "inspection_plan",
        sa.Column("name", sa.String(length=150), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "third_party",
                "self",
                "spot_check",
                "enforcement",
                "joint",
                name="inspectionkind",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("template_id", sa.Integer(), nullable=False),
        sa.Column("site_kinds", sa.JSON(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column(
            "frequency",
            sa.Enum(
                "weekly",
                "monthly",
                "quarterly",
                "half_yearly",
                "yearly",
                "biennial",
                name="frequency",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("due_days", sa.Integer(), nullable=True),
        sa.Column("assignee_org_id", sa.Integer(), nullable=True),
        sa.Column("assignee_team_id", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("generated_until", sa.Date(), nullable=True),
        sa.Column("created_by_org_id", sa.Integer(), nullable=True),
        sa.Column("notes", sa.String(length=1000), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            gaswarden.db.types.UTCDateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            gaswarden.db.types.UTCDateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["area_id"],
            ["area.id"],
            name=op.f("fk_inspection_plan_area_id_area"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["assignee_org_id"],
            ["organization.id"],
            name=op.f("fk_inspection_plan_assignee_org_id_organization"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["assignee_team_id"],
            ["team.id"],
            name=op.f("fk_inspection_plan_assignee_team_id_team"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_org_id"],
            ["organization.id"],
            name=op.f("fk_inspection_plan_created_by_org_id_organization"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["organization.id"],
            name=op.f("fk_inspection_plan_owner_id_organization"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["checklist_template.id"],
            name=op.f("fk_inspection_plan_template_id_checklist_template"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_plan")),
    )
    with op.batch_alter_table("inspection_plan", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inspection_plan_area_id"), ["area_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_inspection_plan_assignee_org_id"), ["assignee_org_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_inspection_plan_owner_id"), ["owner_id"], unique=False)

    op.create_table(
        "inspection_task",
        sa.Column("plan_id", sa.Integer(), nullable=True),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("template_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "third_party",
                "self",
                "spot_check",
                "enforcement",
                "joint",
                name="inspectionkind",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending", "done", "cancelled", name="taskstatus", native_enum=False, length=16
            ),
            nullable=False,
        ),
        sa.Column("assignee_org_id", sa.Integer(), nullable=True),
        sa.Column("assignee_team_id", sa.Integer(), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("area_id", sa.Integer(), nullable=True),
        sa.Column("done_at", gaswarden.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            gaswarden.db.types.UTCDateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            gaswarden.db.types.UTCDateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["area_id"],
            ["area.id"],
            name=op.f("fk_inspection_task_area_id_area"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["assignee_org_id"],
            ["organization.id"],
            name=op.f("fk_inspection_task_assignee_org_id_organization"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["assignee_team_id"],
            ["team.id"],
            name=op.f("fk_inspection_task_assignee_team_id_team"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["organization.id"],
            name=op.f("fk_inspection_task_owner_id_organization"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["inspection_plan.id"],
            name=op.f("fk_inspection_task_plan_id_inspection_plan"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["site.id"],
            name=op.f("fk_inspection_task_site_id_site"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["checklist_template.id"],
            name=op.f("fk_inspection_task_template_id_checklist_template"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_task")),
        sa.UniqueConstraint(
            "plan_id",
            "site_id",
            "period_start",
            name=op.f("uq_inspection_task_plan_id_site_id_period_start"),
        ),
    )
    with op.batch_alter_table("inspection_task", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inspection_task_area_id"), ["area_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_inspection_task_assignee_org_id"), ["assignee_org_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_inspection_task_due_on"), ["due_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_inspection_task_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_inspection_task_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_inspection_task_plan_id"), ["plan_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_inspection_task_site_id"), ["site_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_inspection_task_status"), ["status"], unique=False)

    op.create_table(
        "inspection",
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=True),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column(
            "site_kind",
            sa.Enum(
                "gate_station",
                "lpg_filling",
                "lpg_supply",
                "lng_station",
                "cng_station",
                "regulator_station",
                "regulator_box",
                "valve_well",
                "restaurant",
                "commercial",
                "residential",
                name="sitekind",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column(
            "kind",
            sa.Enum(
                "third_party",
                "self",
                "spot_check",
                "enforcement",
                "joint",
                name="inspectionkind",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("inspector_id", sa.Integer(), nullable=True),
        sa.Column("inspector_name", sa.String(length=100), nullable=False),
        sa.Column("inspector_org_id", sa.Integer(), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("area_id", sa.Integer(), nullable=True),
        sa.Column("inspected_at", gaswarden.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", gaswarden.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("n_pass", sa.Integer(), nullable=False),
        sa.Column("n_fail", sa.Integer(), nullable=False),
        sa.Column("n_na", sa.Integer(), nullable=False),
        sa.Column("amended", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            gaswarden.db.types.UTCDateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            gaswarden.db.types.UTCDateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["area_id"], ["area.id"], name=op.f("fk_inspection_area_id_area"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["inspector_id"],
            ["app_user.id"],
            name=op.f("fk_inspection_inspector_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["inspector_org_id"],
            ["organization.id"],
            name=op.f("fk_inspection_inspector_org_id_organization"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["organization.id"],
            name=op.f("fk_inspection_owner_id_organization"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["site.id"], name=op.f("fk_inspection_site_id_site"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["inspection_task.id"],
            name=op.f("fk_inspection_task_id_inspection_task"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["checklist_version.id"],
            name=op.f("fk_inspection_version_id_checklist_version"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection")),
        sa.UniqueConstraint("client_id", name=op.f("uq_inspection_client_id")),
    )
    with op.batch_alter_table("inspection", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inspection_area_id"), ["area_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_inspection_inspected_at"), ["inspected_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_inspection_inspector_org_id"), ["inspector_org_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_inspection_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_inspection_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_inspection_site_id"), ["site_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_inspection_task_id"), ["task_id"], unique=False)

    op.create_table(
        "hazard",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column(
            "source",
            sa.Enum(
                "inspection",
                "self_inspection",
                "alarm",
                "public_report",
                "enforcement",
                "other",
                name="hazardsource",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column(
            "grade",
            sa.Enum("major", "general", name="hazardgrade", native_enum=False, length=8),
            nullable=False,
        ),
        sa.Column("category", sa.String(length=60), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("site_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "reported",
                "assigned",
                "rectifying",
                "submitted",
                "closed",
                name="hazardstatus",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("found_at", gaswarden.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("found_by_id", sa.Integer(), nullable=True),
        sa.Column("found_by_name", sa.String(length=100), nullable=False),
        sa.Column("found_by_org_id", sa.Integer(), nullable=True),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("plan_due_on", sa.Date(), nullable=True),
        sa.Column("inspection_id", sa.Integer(), nullable=True),
        sa.Column("item_code", sa.String(length=40), nullable=True),
        sa.Column("alarm_id", sa.Integer(), nullable=True),
        sa.Column("recurring", sa.Boolean(), nullable=False),
        sa.Column("previous_id", sa.Integer(), nullable=True),
        sa.Column("assigned_at", gaswarden.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("submitted_at", gaswarden.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_at", gaswarden.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.Column("closed_on_time", sa.Boolean(), nullable=True),
        sa.Column("days_to_close", sa.Double(), nullable=True),
        sa.Column("returns", sa.Integer(), nullable=False),
        sa.Column("overdue", sa.Boolean(), nullable=False),
        sa.Column("escalation_level", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            gaswarden.db.types.UTCDateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            gaswarden.db.types.UTCDateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("area_id", sa.Integer(), nullable=True),
        sa.Column("address", sa.String(length=255), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["alarm_id"], ["alarm.id"], name=op.f("fk_hazard_alarm_id_alarm"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["area_id"], ["area.id"], name=op.f("fk_hazard_area_id_area"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["closed_by_id"],
            ["app_user.id"],
            name=op.f("fk_hazard_closed_by_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["found_by_id"],
            ["app_user.id"],
            name=op.f("fk_hazard_found_by_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["found_by_org_id"],
            ["organization.id"],
            name=op.f("fk_hazard_found_by_org_id_organization"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["inspection.id"],
            name=op.f("fk_hazard_inspection_id_inspection"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["organization.id"],
            name=op.f("fk_hazard_owner_id_organization"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["previous_id"],
            ["hazard.id"],
            name=op.f("fk_hazard_previous_id_hazard"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["site.id"], name=op.f("fk_hazard_site_id_site"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hazard")),
        sa.UniqueConstraint("code", name=op.f("uq_hazard_code")),
    )
    with op.batch_alter_table("hazard", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hazard_alarm_id"), ["alarm_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_hazard_area_id"), ["area_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_hazard_category"), ["category"], unique=False)
        batch_op.create_index(batch_op.f("ix_hazard_closed_at"), ["closed_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_hazard_deadline"), ["deadline"], unique=False)
        batch_op.create_index(batch_op.f("ix_hazard_found_at"), ["found_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_hazard_found_by_org_id"), ["found_by_org_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_hazard_grade"), ["grade"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_hazard_inspection_id"), ["inspection_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_hazard_item_code"), ["item_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_hazard_overdue"), ["overdue"], unique=False)
        batch_op.create_index(batch_op.f("ix_hazard_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_hazard_recurring"), ["recurring"], unique=False)
        batch_op.create_index(batch_op.f("ix_hazard_site_id"), ["site_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_hazard_source"), ["source"], unique=False)
        batch_op.create_index(batch_op.f("ix_hazard_status"), ["status"], unique=False)

    op.create_table(
        "inspection_amendment",
        sa.Column("inspection_id", sa.Integer(), nullable=False),
        sa.Column("at", gaswarden.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.String(length=1000), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["app_user.id"],
            name=op.f("fk_inspection_amendment_actor_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["inspection.id"],
            name=op.f("fk_inspection_amendment_inspection_id_inspection"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_amendment")),
    )
    with op.batch_alter_table("inspection_amendment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inspection_amendment_inspection_id"), ["inspection_id"], unique=False
        )

    op.create_table(
        "enforcement_case",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column(
            "source",
            sa.Enum(
                "inspection",
                "hazard",
                "report",
                "other",
                name="casesource",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "opened",
                "investigating",
                "decided",
                "executed",
                "closed",
                name="casestatus",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column(
            "party_kind",
            sa.Enum("licensed", "unlicensed", name="partykind", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("party_name", sa.String(length=150), nullable=False),
        sa.Column("party_contact", gaswarden.db.types.ProtectedText(), nullable=True),
        sa.Column("party_id_number", gaswarden.db.types.ProtectedText(), nullable=True),
        sa.Column("site_id", sa.Integer(), nullable=True),
        sa.Column("inspection_id", sa.Integer(), nullable=True),
        sa.Column("hazard_id", sa.Integer(), nullable=True),
        sa.Column("opened_at", gaswarden.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("opened_by_name", sa.String(length=100), nullable=False),
        sa.Column("facts", sa.Text(), nullable=False),
        sa.Column("rule_violated", sa.String(length=300), nullable=True),
        sa.Column(
            "decision",
            sa.Enum(
                "order_rectify",
                "warning",
                "fine",
                "suspension",
                "closure",
                "no_action",
                name="decision",
                native_enum=False,
                length=16,
            ),
            nullable=True,
        ),
        sa.Column("decision_no", sa.String(length=60), nullable=True),
        sa.Column("fine_yuan", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("decided_at", gaswarden.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("rectify_by", sa.Date(), nullable=True),
        sa.Column("executed_at", gaswarden.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("execution_note", sa.Text(), nullable=True),
        sa.Column("closed_at", gaswarden.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "closure_kind",
            sa.Enum(
                "filling_station",
                "supply_station",
                "lng_facility",
                "other",
                name="closurekind",
                native_enum=False,
                length=16,
            ),
            nullable=True,
        ),
        sa.Column("watched", sa.Boolean(), nullable=False),
        sa.Column("activity_flagged", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            gaswarden.db.types.UTCDateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            gaswarden.db.types.UTCDateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("area_id", sa.Integer(), nullable=True),
        sa.Column("address", sa.String(length=255), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["area_id"],
            ["area.id"],
            name=op.f("fk_enforcement_case_area_id_area"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["hazard_id"],
            ["hazard.id"],
            name=op.f("fk_enforcement_case_hazard_id_hazard"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["inspection.id"],
            name=op.f("fk_enforcement_case_inspection_id_inspection"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["organization.id"],
            name=op.f("fk_enforcement_case_owner_id_organization"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["site.id"],
            name=op.f("fk_enforcement_case_site_id_site"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enforcement_case")),
        sa.UniqueConstraint("code", name=op.f("uq_enforcement_case_code")),
    )
    with op.batch_alter_table("enforcement_case", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_enforcement_case_activity_flagged"), ["activity_flagged"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_enforcement_case_area_id"), ["area_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_enforcement_case_opened_at"), ["opened_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_enforcement_case_owner_id"), ["owner_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_enforcement_case_site_id"), ["site_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_enforcement_case_source"), ["source"], unique=False)
        batch_op.create_index(batch_op.f("ix_enforcement_case_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_enforcement_case_watched"), ["watched"], unique=False)

    op.create_table(
        "hazard_event",
        sa.Column("hazard_id", sa.Integer(), nullable=False),
        sa.Column("at", gaswarden.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "reported",
                "assigned",
                "plan_submitted",
                "started",
                "submitted",
                "returned",
                "verified",
                "closed",
                "reopened",
                "deadline_changed",
                "overdue",
                "escalated",
                "comment",
                name="hazardeventkind",
                native_enum=False,
            ),
            nullable=False,
        ),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(length=100), nullable=False),
        sa.Column(
            "from_status",
            sa.Enum(
                "reported",
                "assigned",
                "rectifying",
                "submitted",
                "closed",
                name="hazardstatus",
                native_enum=False,
                length=16,
            ),
            nullable=True,
        ),
        sa.Column(
            "to_status",
            sa.Enum(
                "reported",
                "assigned",
                "rectifying",
                "submitted",
                "closed",
                name="hazardstatus",
                native_enum=False,
                length=16,
            ),
            nullable=True,
        ),
        sa.Column("note", sa.String(length=2000), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["app_user.id"],
            name=op.f("fk_hazard_event_actor_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["hazard_id"],
            ["hazard.id"],
            name=op.f("fk_hazard_event_hazard_id_hazard"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hazard_event")),
    )
    with op.batch_alter_table("hazard_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hazard_event_hazard_id"), ["hazard_id"], unique=False)

    op.create_table(
        "inspection_result",
        sa.Column("inspection_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum("pass", "fail", "na", name="outcome", native_enum=False, length=8),
            nullable=False,
        ),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.Column("hazard_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["hazard_id"],
            ["hazard.id"],
            name=op.f("fk_inspection_result_hazard_id_hazard"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["inspection.id"],
            name=op.f("fk_inspection_result_inspection_id_inspection"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["checklist_item.id"],
            name=op.f("fk_inspection_result_item_id_checklist_item"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_result")),
        sa.UniqueConstraint(
            "inspection_id", "item_id", name=op.f("uq_inspection_result_inspection_id_item_id")
        ),
    )
    with op.batch_alter_table("inspection_result", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inspection_result_inspection_id"), ["inspection_id"], unique=False
        )

    op.create_table(
        "rectification",
        sa.Column("hazard_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("submitted_at", gaswarden.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("submitted_by_id", sa.Integer(), nullable=True),
        sa.Column("submitted_by_name", sa.String(length=100), nullable=False),
        sa.Column(
            "verdict",
            sa.Enum("accepted", "returned", name="verdict", native_enum=False),
            nullable=True,
        ),
        sa.Column("verdict_note", sa.String(length=2000), nullable=True),
        sa.Column("verified_at", gaswarden.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("verified_by_id", sa.Integer(), nullable=True),
        sa.Column("verified_by_name", sa.String(length=100), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["hazard_id"],
            ["hazard.id"],
            name=op.f("fk_rectification_hazard_id_hazard"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by_id"],
            ["app_user.id"],
            name=op.f("fk_rectification_submitted_by_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["verified_by_id"],
            ["app_user.id"],
            name=op.f("fk_rectification_verified_by_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rectification")),
    )
    with op.batch_alter_table("rectification", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rectification_hazard_id"), ["hazard_id"], unique=False)

    op.create_table(
        "rectification_plan",
        sa.Column("hazard_id", sa.Integer(), nullable=False),
        sa.Column("measures", sa.Text(), nullable=False),
        sa.Column("funds_yuan", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("responsible_person", sa.String(length=100), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("interim_measures", sa.Text(), nullable=False),
        sa.Column("submitted_by_name", sa.String(length=100), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            gaswarden.db.types.UTCDateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            gaswarden.db.types.UTCDateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["hazard_id"],
            ["hazard.id"],
            name=op.f("fk_rectification_plan_hazard_id_hazard"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rectification_plan")),
        sa.UniqueConstraint("hazard_id", name=op.f("uq_rectification_plan_hazard_id")),
    )
    op.create_table(
        "case_event",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("at", gaswarden.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "opened",
                "investigating",
                "evidence",
                "decided",
                "executed",
                "closed",
                "activity",
                "comment",
                name="caseeventkind",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(length=100), nullable=False),
        sa.Column(
            "from_status",
            sa.Enum(
                "opened",
                "investigating",
                "decided",
                "executed",
                "closed",
                name="casestatus",
                native_enum=False,
                length=16,
            ),
            nullable=True,
        ),
        sa.Column(
            "to_status",
            sa.Enum(
                "opened",
                "investigating",
                "decided",
                "executed",
                "closed",
                name="casestatus",
                native_enum=False,
                length=16,
            ),
            nullable=True,
        ),
        sa.Column("note", sa.String(length=2000), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["app_user.id"],
            name=op.f("fk_case_event_actor_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["enforcement_case.id"],
            name=op.f("fk_case_event_case_id_enforcement_case"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_event")),
    )
    with op.batch_alter_table("case_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_event_case_id"), ["case_id"], unique=False)

    op.create_table(
        "site_activity",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("seen_at", gaswarden.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "source",
            sa.Enum(
                "telemetry",
                "cylinder",
                "report",
                "inspection",
                name="activitysource",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("detail", sa.String(length=500), nullable=False),
        sa.Column("ref", sa.String(length=80), nullable=True),
        sa.Column("reviewed", sa.Boolean(), nullable=False),
        sa.Column("reviewed_by_name", sa.String(length=100), nullable=True),
        sa.Column("review_note", sa.String(length=1000), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["enforcement_case.id"],
            name=op.f("fk_site_activity_case_id_enforcement_case"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_site_activity")),
        sa.UniqueConstraint("ref", name=op.f("uq_site_activity_ref")),
    )
    with op.batch_alter_table("site_activity", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_site_activity_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_site_activity_seen_at"), ["seen_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("site_activity", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_site_activity_seen_at"))
        batch_op.drop_index(batch_op.f("ix_site_activity_case_id"))

    op.drop_table("site_activity")
    with op.batch_alter_table("case_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_event_case_id"))

    op.drop_table("case_event")
    op.drop_table("rectification_plan")
    with op.batch_alter_table("rectification", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rectification_hazard_id"))

    op.drop_table("rectification")
    with op.batch_alter_table("inspection_result", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inspection_result_inspection_id"))

    op.drop_table("inspection_result")
    with op.batch_alter_table("hazard_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hazard_event_hazard_id"))

    op.drop_table("hazard_event")
    with op.batch_alter_table("enforcement_case", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enforcement_case_watched"))
        batch_op.drop_index(batch_op.f("ix_enforcement_case_status"))
        batch_op.drop_index(batch_op.f("ix_enforcement_case_source"))
        batch_op.drop_index(batch_op.f("ix_enforcement_case_site_id"))
        batch_op.drop_index(batch_op.f("ix_enforcement_case_owner_id"))
        batch_op.drop_index(batch_op.f("ix_enforcement_case_opened_at"))
        batch_op.drop_index(batch_op.f("ix_enforcement_case_area_id"))
        batch_op.drop_index(batch_op.f("ix_enforcement_case_activity_flagged"))

    op.drop_table("enforcement_case")
    with op.batch_alter_table("inspection_amendment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inspection_amendment_inspection_id"))

    op.drop_table("inspection_amendment")
    with op.batch_alter_table("hazard", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hazard_status"))
        batch_op.drop_index(batch_op.f("ix_hazard_source"))
        batch_op.drop_index(batch_op.f("ix_hazard_site_id"))
        batch_op.drop_index(batch_op.f("ix_hazard_recurring"))
        batch_op.drop_index(batch_op.f("ix_hazard_owner_id"))
        batch_op.drop_index(batch_op.f("ix_hazard_overdue"))
        batch_op.drop_index(batch_op.f("ix_hazard_item_code"))
        batch_op.drop_index(batch_op.f("ix_hazard_inspection_id"))
        batch_op.drop_index(batch_op.f("ix_hazard_grade"))
        batch_op.drop_index(batch_op.f("ix_hazard_found_by_org_id"))
        batch_op.drop_index(batch_op.f("ix_hazard_found_at"))
        batch_op.drop_index(batch_op.f("ix_hazard_deadline"))
        batch_op.drop_index(batch_op.f("ix_hazard_closed_at"))
        batch_op.drop_index(batch_op.f("ix_hazard_category"))
        batch_op.drop_index(batch_op.f("ix_hazard_area_id"))
        batch_op.drop_index(batch_op.f("ix_hazard_alarm_id"))

    op.drop_table("hazard")
    with op.batch_alter_table("inspection", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inspection_task_id"))
        batch_op.drop_index(batch_op.f("ix_inspection_site_id"))
        batch_op.drop_index(batch_op.f("ix_inspection_owner_id"))
        batch_op.drop_index(batch_op.f("ix_inspection_kind"))
        batch_op.drop_index(batch_op.f("ix_inspection_inspector_org_id"))
        batch_op.drop_index(batch_op.f("ix_inspection_inspected_at"))
        batch_op.drop_index(batch_op.f("ix_inspection_area_id"))

    op.drop_table("inspection")
    with op.batch_alter_table("inspection_task", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inspection_task_status"))
        batch_op.drop_index(batch_op.f("ix_inspection_task_site_id"))
        batch_op.drop_index(batch_op.f("ix_inspection_task_plan_id"))
        batch_op.drop_index(batch_op.f("ix_inspection_task_owner_id"))
        batch_op.drop_index(batch_op.f("ix_inspection_task_kind"))
        batch_op.drop_index(batch_op.f("ix_inspection_task_due_on"))
        batch_op.drop_index(batch_op.f("ix_inspection_task_assignee_org_id"))
        batch_op.drop_index(batch_op.f("ix_inspection_task_area_id"))

    op.drop_table("inspection_task")
    with op.batch_alter_table("inspection_plan", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inspection_plan_owner_id"))
        batch_op.drop_index(batch_op.f("ix_inspection_plan_assignee_org_id"))
        batch_op.drop_index(batch_op.f("ix_inspection_plan_area_id"))

    op.drop_table("inspection_plan")
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attachment_site_id"))
        batch_op.drop_index(batch_op.f("ix_attachment_sha256"))
        batch_op.drop_index(batch_op.f("ix_attachment_owner_id"))
        batch_op.drop_index("ix_attachment_entity")
        batch_op.drop_index(batch_op.f("ix_attachment_area_id"))

    op.drop_table("attachment")
    with op.batch_alter_table("enterprise_system", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enterprise_system_org_id"))

    op.drop_table("enterprise_system")
    with op.batch_alter_table("checklist_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_checklist_item_version_id"))

    op.drop_table("checklist_item")
    with op.batch_alter_table("checklist_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_checklist_version_template_id"))

    op.drop_table("checklist_version")
    with op.batch_alter_table("checklist_template", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_checklist_template_target"))

    op.drop_table("checklist_template")
