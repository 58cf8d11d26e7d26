"""Recording a step of a request: the timeline event and the audit row."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from gaswarden.core.auth import SYSTEM, Principal
from gaswarden.domains.audit import service as audit
from gaswarden.domains.service.enums import RequestEventKind, RequestStatus
from gaswarden.domains.service.models import RequestEvent, ServiceRequest

ENTITY = "service_request"


def record(
    session: Session,
    request: ServiceRequest,
    kind: RequestEventKind,
    *,
    at: datetime,
    principal: Principal = SYSTEM,
    before: RequestStatus | None = None,
    note: str | None = None,
    data: dict[str, Any] | None = None,
    changes: dict[str, list[Any]] | None = None,
) -> RequestEvent:
    event = RequestEvent(
        request=request,
        at=at,
        kind=kind,
        actor_id=principal.user_id,
        actor_name=principal.username,
        from_status=before,
        to_status=request.status,
        note=note[:2000] if note else None,
        data=data or {},
    )
    session.add(event)
    if before is not None and before is not request.status:
        changes = {"status": [before.value, request.status.value], **(changes or {})}
    audit.record(
        session=session,
        principal=principal,
        action=f"request_{kind.value}"[:32],
        entity_type=ENTITY,
        entity_id=request.id,
        entity_label=str(request),
        changes=changes,
        reason=note[:500] if note else None,
        owner_id=request.owner_id,
        area_id=request.area_id,
    )
    return event
