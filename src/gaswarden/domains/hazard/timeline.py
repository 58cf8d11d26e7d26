"""Recording a step of a hazard: the timeline event and the audit row."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from gaswarden.core.auth import SYSTEM, Principal
from gaswarden.domains.audit import service as audit
from gaswarden.domains.hazard.enums import HazardEventKind, HazardStatus
from gaswarden.domains.hazard.models import Hazard, HazardEvent


def record(
    session: Session,
    hazard: Hazard,
    kind: HazardEventKind,
    *,
    at: datetime,
    principal: Principal = SYSTEM,
    before: HazardStatus | None = None,
    note: str | None = None,
    data: dict[str, Any] | None = None,
    changes: dict[str, list[Any]] | None = None,
) -> HazardEvent:
    event = HazardEvent(
        hazard=hazard,
        at=at,
        kind=kind,
        actor_id=principal.user_id,
        actor_name=principal.username,
        from_status=before,
        to_status=hazard.status,
        note=note,
        data=data or {},
    )
    session.add(event)
    if before is not None and before is not hazard.status:
        changes = {"status": [before.value, hazard.status.value], **(changes or {})}
    audit.record(
        session=session,
        principal=principal,
        action=f"hazard_{kind.value}"[:32],
        entity_type="hazard",
        entity_id=hazard.id,
        entity_label=str(hazard),
        changes=changes,
        reason=note[:500] if note else None,
        owner_id=hazard.owner_id,
        area_id=hazard.area_id,
    )
    return event
