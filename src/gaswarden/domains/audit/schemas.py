from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class AuditEntryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    actor_id: int | None
    actor_name: str
    action: str
    entity_type: str
    entity_id: int | None
    entity_label: str | None
    changes: dict[str, Any]
    reason: str | None
    ip: str | None


class AuditEntryPage(BaseModel):
    items: list[AuditEntryRead]
    total: int
    page: int
    size: int
