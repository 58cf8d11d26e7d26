"""alarms, alarm events, rule settings, notifications

Revision ID: c3d4e5f60712
Revises: b2c3d4e5f601
Create Date: 2026-11-29

Placeholder: filled in by the work that adds these models.
"""

from collections.abc import Sequence

revision: str = "c3d4e5f60712"
down_revision: str | None = "b2c3d4e5f601"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
