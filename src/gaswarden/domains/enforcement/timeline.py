"""Recording a step of a case: the timeline event and the audit row."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from gaswarden.core.auth import SYSTEM, Principal
from gaswarden.domains.audit import service as audit
from gaswarden.domains.enforcement.enums import CaseEventKind, CaseStatus
from gaswarden.domains.enforcement.models import CaseEvent, EnforcementCase

ENTITY = "enforcement_case"


def record(
    session: Session,
    case: EnforcementCase,
    kind: CaseEventKind,
    *,
    at: datetime,
    principal: Principal = SYSTEM,
    before: CaseStatus | None = None,
    note: str | None = None,
    data: dict[str, Any] | None = None,
    changes: dict[str, list[Any]] | None = None,
) -> CaseEvent:
    event = CaseEvent(
        case=case,
        at=at,
        kind=kind,
        actor_id=principal.user_id,
        actor_name=principal.username,
        from_status=before,
        to_status=case.status,
        note=note[:2000] if note else None,
        data=data or {},
    )
    session.add(event)
    if before is not None and before is not case.status:
        changes = {"status": [before.value, case.status.value], **(changes or {})}
    audit.record(
        session=session,
        principal=principal,
        action=f"case_{kind.value}"[:32],
        entity_type=ENTITY,
        entity_id=case.id,
        entity_label=str(case),
        changes=changes,
        reason=note[:500] if note else None,
        owner_id=case.owner_id,
        area_id=case.area_id,
    )
    return event
