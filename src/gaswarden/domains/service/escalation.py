"""A leak report becomes an emergency incident at once, in the same transaction: the incident
is opened through the emergency domain's `open_incident` (source service_request, its
`source_ref` the request's code), its id stored on the request, an ESCALATED event written."""

from __future__ import annotations

from sqlalchemy.orm import Session

from gaswarden.core.auth import Principal
from gaswarden.domains.emergency.enums import IncidentGrade, IncidentSource
from gaswarden.domains.emergency.incidents import open_incident
from gaswarden.domains.emergency.models import Incident
from gaswarden.domains.emergency.schemas import IncidentOpen
from gaswarden.domains.service.enums import RequestEventKind
from gaswarden.domains.service.models import ServiceRequest
from gaswarden.domains.service.timeline import record

# Every leak report starts as a grade IV (general) incident; the duty room regrades it.
LEAK_GRADE = IncidentGrade.IV


def open_leak_incident(
    session: Session, request: ServiceRequest, *, principal: Principal
) -> Incident:
    where = request.address or (request.area.name if request.area else "")
    incident = open_incident(
        session=session,
        principal=principal,
        data=IncidentOpen(
            title=f"漏气报告 Leak report {where}".strip()[:200],
            grade=LEAK_GRADE,
            source=IncidentSource.SERVICE_REQUEST,
            description=request.description[:20000],
            lon=request.lon,
            lat=request.lat,
            address=request.address,
            area_id=request.area_id,
            owner_id=request.owner_id,
            source_ref=request.code,
            caller_name=request.contact_name,
            caller_phone=request.contact_phone,
            reported_at=request.received_at,
        ),
    )
    request.incident_id = incident.id
    session.flush()
    record(
        session,
        request,
        RequestEventKind.ESCALATED,
        at=request.received_at,
        principal=principal,
        note=f"已转应急事件 {incident.code} Escalated to incident {incident.code}",
        data={"incident_id": incident.id, "incident": incident.code},
        changes={"incident_id": [None, incident.id]},
    )
    return incident
