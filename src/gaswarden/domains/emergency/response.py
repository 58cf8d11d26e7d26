"""The response to an incident: dispatch teams, their arrival, actions on scene, control,
the teams' return, closing, and notifying the contacts by grade. Each step is a timeline
event with an audit row. Dispatched teams are DEPLOYED; they are ON_DUTY again when they
return or the incident closes. Flush, never commit."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gaswarden.core.auth import Principal
from gaswarden.core.errors import Conflict, Invalid, NotFound
from gaswarden.core.protect import mask_phone
from gaswarden.db.base import utcnow
from gaswarden.domains.emergency import contacts as contact_list
from gaswarden.domains.emergency import notices
from gaswarden.domains.emergency.enums import (
    DistanceMethod,
    IncidentEventKind,
    IncidentGrade,
    IncidentStatus,
)
from gaswarden.domains.emergency.incidents import get
from gaswarden.domains.emergency.models import Dispatch, Incident
from gaswarden.domains.emergency.ranking import distance_from
from gaswarden.domains.emergency.scope import require_writer
from gaswarden.domains.emergency.teams import base_point, get_team, mark
from gaswarden.domains.emergency.timeline import record
from gaswarden.domains.workforce.enums import DutyStatus, VehicleStatus
from gaswarden.domains.workforce.models import Vehicle
from gaswarden.settings import Settings

# Where each step may start from.
_ON_THE_WAY = (IncidentStatus.REPORTED, IncidentStatus.DISPATCHED)


def _invalid(field: str, msg: str) -> Invalid:
    return Invalid(f"{field}: {msg}", errors=[{"loc": ["body", field], "msg": msg}])


def _begin(
    session: Session, principal: Principal, id: int, what: str, at: datetime | None
) -> tuple[Incident, datetime]:
    require_writer(principal, what)
    incident = get(session=session, principal=principal, id=id, lock=True)
    if not incident.status.is_open:
        raise Conflict(f"incident {incident.code} is closed")
    at = at or utcnow()
    if at < incident.reported_at:
        raise _invalid("at", "before the incident was reported")
    return incident, at


def _dispatch_of(incident: Incident, dispatch_id: int) -> Dispatch:
    for d in incident.dispatches:
        if d.id == dispatch_id:
            return d
    raise NotFound(f"dispatch {dispatch_id} not found on {incident.code}")


def dispatch(
    *,
    session: Session,
    principal: Principal,
    id: int,
    team_id: int,
    vehicle_id: int | None = None,
    at: datetime | None = None,
    note: str | None = None,
) -> Dispatch:
    """Send an available team (with one of its vehicles). The distance it travels is
    recorded with the method (road or straight line)."""
    incident, at = _begin(session, principal, id, "dispatch teams", at)
    try:
        team = get_team(session=session, principal=principal, id=team_id)
    except NotFound as exc:
        raise _invalid("team_id", "no team that you can see") from exc
    if not team.duty_status.available:
        raise Conflict(f"team {team.name} is {team.duty_status.value}, not available")
    vehicle: Vehicle | None = None
    if vehicle_id is not None:
        vehicle = session.get(Vehicle, vehicle_id)
        if vehicle is None or vehicle.owner_id != team.owner_id:
            raise _invalid("vehicle_id", "not a vehicle of the team's organisation")
        if vehicle.status is not VehicleStatus.IN_SERVICE:
            raise Conflict(f"vehicle {vehicle.plate} is {vehicle.status.value}")
    distance_m: float | None = None
    method: DistanceMethod | None = None
    start = base_point(team)
    if start is not None and incident.lon is not None and incident.lat is not None:
        distance_m, method = distance_from(session, start, (incident.lon, incident.lat))
    row = Dispatch(
        incident_id=incident.id,
        team_id=team.id,
        vehicle_id=vehicle.id if vehicle else None,
        distance_m=distance_m,
        distance_method=method,
        dispatched_at=at,
        dispatched_by_name=principal.username,
    )
    session.add(row)
    before = incident.status
    if incident.status is IncidentStatus.REPORTED:
        incident.status = IncidentStatus.DISPATCHED
    if incident.dispatched_at is None or at < incident.dispatched_at:
        incident.dispatched_at = at
    session.flush()
    mark(session, principal, team, DutyStatus.DEPLOYED, f"{incident.code} 出动")
    data: dict[str, Any] = {"team": team.name, "team_id": team.id, "dispatch_id": row.id}
    if vehicle is not None:
        data["vehicle"] = vehicle.plate
    if distance_m is not None and method is not None:
        data["distance_m"] = round(distance_m)
        data["distance_method"] = method.value
    record(
        session,
        incident,
        IncidentEventKind.DISPATCHED,
        at=at,
        principal=principal,
        before=before,
        note=note,
        data=data,
    )
    session.refresh(incident, ["dispatches"])
    return row


def arrive(
    *,
    session: Session,
    principal: Principal,
    id: int,
    dispatch_id: int | None = None,
    at: datetime | None = None,
    note: str | None = None,
) -> Incident:
    """A team arrives on scene (one dispatch, or every team en route)."""
    incident, at = _begin(session, principal, id, "record arrivals", at)
    rows = (
        [_dispatch_of(incident, dispatch_id)]
        if dispatch_id is not None
        else [d for d in incident.dispatches if d.arrived_at is None and d.returned_at is None]
    )
    rows = [d for d in rows if d.arrived_at is None]
    if not rows:
        raise Conflict("no dispatched team is still on its way")
    for d in rows:
        if at < d.dispatched_at:
            raise _invalid("at", "before the team was dispatched")
        d.arrived_at = at
    before = incident.status
    if incident.status in _ON_THE_WAY:
        incident.status = IncidentStatus.ON_SCENE
    if incident.arrived_at is None or at < incident.arrived_at:
        incident.arrived_at = at
    session.flush()
    record(
        session,
        incident,
        IncidentEventKind.ARRIVED,
        at=at,
        principal=principal,
        before=before,
        note=note,
        data={"teams": [d.team_name for d in rows], "dispatch_ids": [d.id for d in rows]},
    )
    return incident


def add_action(
    *,
    session: Session,
    principal: Principal,
    id: int,
    note: str,
    at: datetime | None = None,
) -> Incident:
    """A measure taken on scene (关阀, 疏散, 警戒, 堵漏...)."""
    incident, at = _begin(session, principal, id, "record actions", at)
    if not note.strip():
        raise _invalid("note", "say what was done")
    record(session, incident, IncidentEventKind.ACTION, at=at, principal=principal, note=note)
    return incident


def control(
    *,
    session: Session,
    principal: Principal,
    id: int,
    at: datetime | None = None,
    note: str | None = None,
) -> Incident:
    """The danger is under control (险情得到控制)."""
    incident, at = _begin(session, principal, id, "mark incidents controlled", at)
    if incident.status is IncidentStatus.CONTROLLED:
        raise Conflict("already under control")
    if incident.arrived_at is None:
        raise Conflict("no team has arrived yet")
    before = incident.status
    incident.status, incident.controlled_at = IncidentStatus.CONTROLLED, at
    session.flush()
    record(
        session,
        incident,
        IncidentEventKind.CONTROLLED,
        at=at,
        principal=principal,
        before=before,
        note=note,
    )
    return incident


def _return(
    session: Session,
    principal: Principal,
    incident: Incident,
    d: Dispatch,
    at: datetime,
    note: str | None,
) -> None:
    d.returned_at = at
    team = d.team
    session.flush()
    still_out = session.scalar(
        select(Dispatch.id).where(
            Dispatch.team_id == team.id, Dispatch.returned_at.is_(None), Dispatch.id != d.id
        )
    )
    if still_out is None and team.duty_status is DutyStatus.DEPLOYED:
        mark(session, principal, team, DutyStatus.ON_DUTY, f"{incident.code} 归队")
    record(
        session,
        incident,
        IncidentEventKind.RETURNED,
        at=at,
        principal=principal,
        note=note,
        data={"team": team.name, "team_id": team.id, "dispatch_id": d.id},
    )


def return_team(
    *,
    session: Session,
    principal: Principal,
    id: int,
    dispatch_id: int,
    at: datetime | None = None,
    note: str | None = None,
) -> Incident:
    """A team leaves the scene and is back on duty."""
    incident, at = _begin(session, principal, id, "record returns", at)
    d = _dispatch_of(incident, dispatch_id)
    if d.returned_at is not None:
        raise Conflict(f"{d.team_name} has already returned")
    _return(session, principal, incident, d, at, note)
    return incident


def close(
    *,
    session: Session,
    principal: Principal,
    id: int,
    cause: str,
    summary: str,
    injured: int = 0,
    deaths: int = 0,
    at: datetime | None = None,
) -> Incident:
    """结案 with the cause and a summary; teams still out return."""
    incident, at = _begin(session, principal, id, "close incidents", at)
    cause, summary = cause.strip(), summary.strip()
    if not cause:
        raise _invalid("cause", "give the cause")
    if not summary:
        raise _invalid("summary", "summarise the response")
    for d in incident.dispatches:
        if d.returned_at is None:
            _return(session, principal, incident, d, at, None)
    before = incident.status
    incident.status, incident.closed_at = IncidentStatus.CLOSED, at
    incident.cause, incident.closing_summary = cause[:500], summary
    incident.injured, incident.deaths = injured, deaths
    session.flush()
    record(
        session,
        incident,
        IncidentEventKind.CLOSED,
        at=at,
        principal=principal,
        before=before,
        note=summary,
        data={"cause": incident.cause, "injured": injured, "deaths": deaths},
        changes={"cause": [None, incident.cause]},
    )
    return incident


def regrade(
    *,
    session: Session,
    principal: Principal,
    id: int,
    grade: IncidentGrade,
    note: str | None = None,
    at: datetime | None = None,
) -> Incident:
    """The duty room sets the incident's grade (定级): a leak report starts as IV and is
    raised when the scene calls for it. The contacts to tell follow the grade."""
    incident, at = _begin(session, principal, id, "grade incidents", at)
    before = incident.grade
    if grade is before:
        raise Conflict(f"the incident is already {grade.value}")
    incident.grade = grade
    session.flush()
    record(
        session,
        incident,
        IncidentEventKind.GRADED,
        at=at,
        principal=principal,
        note=note,
        data={"from": before.value, "to": grade.value},
        changes={"grade": [before.value, grade.value]},
    )
    return incident


def notify(
    *,
    session: Session,
    principal: Principal,
    id: int,
    note: str | None = None,
    at: datetime | None = None,
    send: bool = True,
    timezone: str | None = None,
) -> Incident:
    """Tell the contacts the incident's grade reaches: an SMS to each through the
    notification outbox (`send`; the demo's history leaves its long-delivered notices out),
    and a NOTIFIED event with who was told."""
    incident, at = _begin(session, principal, id, "notify contacts", at)
    told = contact_list.for_incident(session=session, incident=incident)
    if not told:
        raise Conflict("no emergency contact is listed for this grade")
    queued = []
    if send:
        tz = timezone or Settings.model_fields["timezone"].default
        queued = notices.enqueue(session, incident, told, now=utcnow(), timezone=tz)
    record(
        session,
        incident,
        IncidentEventKind.NOTIFIED,
        at=at,
        principal=principal,
        note=note,
        data={
            "grade": incident.grade.value,
            "contacts": [
                {"id": c.id, "name": c.name, "unit": c.unit, "phone": mask_phone(c.phone)}
                for c in told
            ],
            "sms_queued": [n.id for n in queued],
        },
    )
    return incident
