"""Recording a step of an incident: the timeline event and the audit row."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from gaswarden.core.auth import SYSTEM, Principal
from gaswarden.domains.audit import service as audit
from gaswarden.domains.emergency.enums import IncidentEventKind, IncidentStatus
from gaswarden.domains.emergency.models import Incident, IncidentEvent

ENTITY = "incident"


def record(
    session: Session,
    incident: Incident,
    kind: IncidentEventKind,
    *,
    at: datetime,
    principal: Principal = SYSTEM,
    before: IncidentStatus | None = None,
    note: str | None = None,
    data: dict[str, Any] | None = None,
    changes: dict[str, list[Any]] | None = None,
) -> IncidentEvent:
    event = IncidentEvent(
        incident_id=incident.id,
        at=at,
        kind=kind,
        actor_id=principal.user_id,
        actor_name=principal.username,
        note=note[:2000] if note else None,
        data=data or {},
    )
    session.add(event)
    if before is not None and before is not incident.status:
        changes = {"status": [before.value, incident.status.value], **(changes or {})}
    audit.record(
        session=session,
        principal=principal,
        action=f"incident_{kind.value}"[:32],
        entity_type=ENTITY,
        entity_id=incident.id,
        entity_label=str(incident),
        changes=changes,
        reason=note[:500] if note else None,
        owner_id=incident.owner_id,
        area_id=incident.area_id,
    )
    session.flush()
    return event
