"""telemetry readings, latest values, quarantine, device health

Revision ID: b2c3d4e5f601
Revises: 92b6c1febefa
Create Date: 2026-11-29

Placeholder: filled in by the work that adds these models.
"""

from collections.abc import Sequence

revision: str = "b2c3d4e5f601"
down_revision: str | None = "92b6c1febefa"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
