"""Recording a step of a conversion: the timeline event and the audit row."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from gaswarden.core.auth import SYSTEM, Principal
from gaswarden.domains.audit import service as audit
from gaswarden.domains.conversion.enums import ConversionEventKind, ConversionStatus
from gaswarden.domains.conversion.models import ConversionApplication, ConversionEvent

ENTITY = "conversion_application"


def snapshot(obj: Any) -> dict[str, Any]:
    """audit.snapshot with money (Decimal) as strings, so that the audit row is JSON."""
    return {k: str(v) if isinstance(v, Decimal) else v for k, v in audit.snapshot(obj).items()}


def record(
    session: Session,
    app: ConversionApplication,
    kind: ConversionEventKind,
    *,
    at: datetime,
    principal: Principal = SYSTEM,
    before: ConversionStatus | None = None,
    note: str | None = None,
    data: dict[str, Any] | None = None,
    changes: dict[str, list[Any]] | None = None,
) -> ConversionEvent:
    event = ConversionEvent(
        application_id=app.id,
        at=at,
        kind=kind,
        actor_id=principal.user_id,
        actor_name=principal.username[:100],
        from_status=before,
        to_status=app.status,
        note=note[:2000] if note else None,
        data=data or {},
    )
    session.add(event)
    if before is not None and before is not app.status:
        changes = {"status": [before.value, app.status.value], **(changes or {})}
    audit.record(
        session=session,
        principal=principal,
        action=f"conversion_{kind.value}"[:32],
        entity_type=ENTITY,
        entity_id=app.id,
        entity_label=str(app),
        changes=changes,
        reason=note[:500] if note else None,
        owner_id=app.owner_id,
        area_id=app.area_id,
    )
    return event
