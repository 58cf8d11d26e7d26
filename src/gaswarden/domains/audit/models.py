from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from gaswarden.db.base import Base, IdMixin, utcnow
from gaswarden.db.types import UTCDateTime


class AuditEntry(IdMixin, Base):
    """One change to a regulated record: who, when, what, before and after, why.

    Protected values never appear here in clear: they are masked before recording.
    """

    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_entry_entity", "entity_type", "entity_id"),)

    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    actor_name: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(32), index=True)
    entity_type: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[int | None] = mapped_column()
    entity_label: Mapped[str | None] = mapped_column(String(200))
    # Where the record belongs, so that the audit log can be scoped like the record.
    owner_id: Mapped[int | None] = mapped_column(index=True)
    area_id: Mapped[int | None] = mapped_column(index=True)
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # {field: [before, after]}
    reason: Mapped[str | None] = mapped_column(String(500))
    ip: Mapped[str | None] = mapped_column(String(64))
