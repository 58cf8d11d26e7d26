"""The panel on the alarm and hazard pages: the incidents opened from the record and the
启动应急 (open incident) form when the caller may open one."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gaswarden.core.auth import Principal
from gaswarden.domains.alarm.models import Alarm
from gaswarden.domains.alarm.scope import alarm_scope
from gaswarden.domains.emergency import incidents
from gaswarden.domains.emergency.enums import IncidentGrade
from gaswarden.domains.emergency.web_view import may_report
from gaswarden.domains.hazard.models import Hazard
from gaswarden.domains.hazard.scope import hazard_scope


def origin_panel(
    session: Session,
    principal: Principal,
    *,
    alarm_id: int | None = None,
    hazard_id: int | None = None,
) -> dict[str, Any]:
    """For the alarm and hazard pages: the incidents opened from the record, whether the
    caller may open one, the grades to choose from, and a title to suggest."""
    if alarm_id is not None:
        found = incidents.for_alarm(session=session, principal=principal, alarm_id=alarm_id)
        alarm = session.scalars(
            select(Alarm).where(Alarm.id == alarm_id, alarm_scope(principal))
        ).first()
        title = f"{alarm.rule} · {alarm.device.serial}" if alarm is not None else ""
        action = f"/emergency/incidents/from-alarm/{alarm_id}"
    else:
        assert hazard_id is not None
        found = incidents.for_hazard(session=session, principal=principal, hazard_id=hazard_id)
        hazard = session.scalars(
            select(Hazard).where(Hazard.id == hazard_id, hazard_scope(principal))
        ).first()
        title = hazard.title if hazard is not None else ""
        action = f"/emergency/incidents/from-hazard/{hazard_id}"
    return {
        "incidents": [
            {"id": i.id, "code": i.code, "status": i.status, "grade": i.grade} for i in found
        ],
        "may_open": may_report(principal),
        "action": action,
        "title": title,
        "grades": [(g.value, g.zh, g.en) for g in IncidentGrade],
    }
