"""Incidents (突发事件) in the caller's scope and their steps: open (接报) -> dispatch (派遣) ->
arrive (到场) -> actions (处置) -> controlled (控制) -> close (结案). Each step is a timeline
event with an audit row. Flush, never commit.

`open_incident` is the one way in: the web form and API, the alarm and hazard pages, and the
service domain's leak reports all call it. Dispatched teams are DEPLOYED until they return
(or the incident closes), then ON_DUTY again."""

from __future__ import annotations

from typing import Any
from uuid import uuid4
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from gaswarden.core.auth import Principal, ScopeKind
from gaswarden.core.errors import Forbidden, Invalid, NotFound
from gaswarden.core.filters import Filter, FilterSet, date_range
from gaswarden.core.localtime import DEFAULT_TZ
from gaswarden.core.pagination import Page, PageParams
from gaswarden.db.base import utcnow
from gaswarden.domains.alarm.models import Alarm
from gaswarden.domains.alarm.scope import alarm_scope
from gaswarden.domains.area.models import Area
from gaswarden.domains.audit import service as audit
from gaswarden.domains.emergency.enums import (
    IncidentEventKind,
    IncidentGrade,
    IncidentSource,
    IncidentStatus,
)
from gaswarden.domains.emergency.models import Incident, IncidentEvent
from gaswarden.domains.emergency.schemas import IncidentOpen
from gaswarden.domains.emergency.scope import (
    REPORTERS,
    district_area,
    incident_scope,
    require_writer,
)
from gaswarden.domains.emergency.timeline import record
from gaswarden.domains.hazard.models import Hazard
from gaswarden.domains.hazard.scope import hazard_scope
from gaswarden.domains.organization.models import Organization
from gaswarden.domains.site.models import Site
from gaswarden.domains.site.service import locate
from gaswarden.domains.site.service import service as sites

FILTERS = FilterSet(
    filters=(
        Filter("status", Incident.status, choices=IncidentStatus, zh="状态", en="Status"),
        Filter("grade", Incident.grade, choices=IncidentGrade, zh="等级", en="Grade"),
        Filter("source", Incident.source, choices=IncidentSource, zh="来源", en="Source"),
        Filter("owner_id", Incident.owner_id, type=int, zh="责任企业", en="Enterprise"),
        Filter("site_id", Incident.site_id, type=int, zh="场站", en="Site"),
        Filter("alarm_id", Incident.alarm_id, type=int, zh="报警", en="Alarm"),
        Filter("hazard_id", Incident.hazard_id, type=int, zh="隐患", en="Hazard"),
        Filter("drill", Incident.drill, op="is", type=bool, zh="演练", en="Drill"),
        *date_range("reported", Incident.reported_at, "接报时间", "Reported"),
    ),
    search=(Incident.code, Incident.title, Incident.address, Incident.source_ref),
    sort={
        "reported_at": Incident.reported_at,
        "grade": Incident.grade,
        "status": Incident.status,
        "code": Incident.code,
    },
    default_sort=("-reported_at",),
)


def _invalid(field: str, msg: str) -> Invalid:
    return Invalid(f"{field}: {msg}", errors=[{"loc": ["body", field], "msg": msg}])


def _text(value: str | None) -> str | None:
    value = value.strip() if value else None
    return value or None


# ---- reads --------------------------------------------------------------------------------------
def visible(principal: Principal) -> Select[Any]:
    return select(Incident).where(incident_scope(principal))


def get_all(
    *, session: Session, principal: Principal, params: PageParams, filters: dict[str, Any]
) -> Page[Incident]:
    return FILTERS.page(session, visible(principal), params, filters, Incident.id)


def get(*, session: Session, principal: Principal, id: int, lock: bool = False) -> Incident:
    """The incident if the caller may see it (locked for a step on PostgreSQL). The scope is
    checked on the id alone; the record itself comes from the session when already loaded."""
    stmt = select(Incident.id).where(Incident.id == id, incident_scope(principal))
    if lock and session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(of=Incident)
    incident = session.get(Incident, id) if session.scalar(stmt) is not None else None
    if incident is None:
        raise NotFound(f"incident {id} not found")
    return incident


def timeline(*, session: Session, incident: Incident) -> list[IncidentEvent]:
    stmt = (
        select(IncidentEvent)
        .where(IncidentEvent.incident_id == incident.id)
        .order_by(IncidentEvent.at, IncidentEvent.id)
    )
    return list(session.scalars(stmt))


def open_ones(*, session: Session, principal: Principal, limit: int = 10) -> list[Incident]:
    """The open incidents in scope, the most severe and newest first."""
    stmt = (
        visible(principal)
        .where(Incident.status != IncidentStatus.CLOSED)
        .order_by(Incident.grade, Incident.reported_at.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))


def count_open(*, session: Session, principal: Principal) -> int:
    stmt = select(func.count(Incident.id)).where(
        incident_scope(principal), Incident.status != IncidentStatus.CLOSED
    )
    return int(session.scalar(stmt) or 0)


def for_alarm(*, session: Session, principal: Principal, alarm_id: int) -> list[Incident]:
    stmt = visible(principal).where(Incident.alarm_id == alarm_id).order_by(Incident.id)
    return list(session.scalars(stmt))


def for_hazard(*, session: Session, principal: Principal, hazard_id: int) -> list[Incident]:
    stmt = visible(principal).where(Incident.hazard_id == hazard_id).order_by(Incident.id)
    return list(session.scalars(stmt))


# ---- opening ------------------------------------------------------------------------------------
def _fallback_area(session: Session, principal: Principal, owner_id: int | None) -> int | None:
    """When nothing places the incident: the enterprise's area, the caller's only area, or
    the root of the area tree (the district)."""
    if owner_id is not None:
        org = session.get(Organization, owner_id)
        if org is not None:
            return org.area_id
    if principal.scope_kind is ScopeKind.AREA and len(principal.area_paths) == 1:
        found = session.scalar(select(Area.id).where(Area.path == principal.area_paths[0]))
        if found is not None:
            return found
    return district_area(session)


def open_incident(*, session: Session, principal: Principal, data: IncidentOpen) -> Incident:
    """A new incident (接报), with its REPORTED event and audit row; flushed, not committed.

    From an alarm or a hazard it takes their site, enterprise, area and place; at a site the
    site's. An enterprise opens incidents of its own; the area is given, the site's, the grid
    containing the point, or (failing all) the enterprise's or the district's."""
    require_writer(principal, "open incidents", REPORTERS)
    now = utcnow()
    reported_at = data.reported_at or now
    owner_id, area_id, site_id = data.owner_id, data.area_id, data.site_id
    lon, lat, address = data.lon, data.lat, _text(data.address)
    related: dict[str, Any] = {}

    if data.alarm_id is not None:
        alarm = session.scalars(
            select(Alarm).where(Alarm.id == data.alarm_id, alarm_scope(principal))
        ).first()
        if alarm is None:
            raise _invalid("alarm_id", "no alarm that you can see")
        site_id = site_id if site_id is not None else alarm.site_id
        owner_id = owner_id if owner_id is not None else alarm.owner_id
        area_id = area_id if area_id is not None else alarm.area_id
        device = alarm.device
        if lon is None and device is not None and device.lon is not None:
            lon, lat = device.lon, device.lat
        related["alarm_id"] = alarm.id
    if data.hazard_id is not None:
        hazard = session.scalars(
            select(Hazard).where(Hazard.id == data.hazard_id, hazard_scope(principal))
        ).first()
        if hazard is None:
            raise _invalid("hazard_id", "no hazard that you can see")
        site_id = site_id if site_id is not None else hazard.site_id
        owner_id = owner_id if owner_id is not None else hazard.owner_id
        area_id = area_id if area_id is not None else hazard.area_id
        address = address or hazard.address
        if lon is None and hazard.lon is not None:
            lon, lat = hazard.lon, hazard.lat
        related["hazard"] = hazard.code
    site: Site | None = None
    if site_id is not None:
        try:
            site = sites.get(session=session, principal=principal, id=site_id)
        except NotFound as exc:
            raise _invalid("site_id", "no site that you can see") from exc
        owner_id = owner_id if owner_id is not None else site.owner_id
        area_id = area_id if area_id is not None else site.area_id
        address = address or site.address
        if lon is None and site.lon is not None:
            lon, lat = site.lon, site.lat
    if principal.scope_kind is ScopeKind.ORG:
        if owner_id is None:
            owner_id = principal.org_id
        elif owner_id != principal.org_id:
            raise Forbidden("an enterprise opens incidents of its own only")
    if owner_id is not None:
        org = session.get(Organization, owner_id)
        if org is None or not org.kind.is_enterprise:
            raise _invalid("owner_id", "not a gas enterprise")
    if area_id is not None and session.get(Area, area_id) is None:
        raise _invalid("area_id", "unknown area")

    incident = Incident(
        code=f"tmp-{uuid4().hex}"[:32],  # YJ-<year>-<id> after the flush
        title=data.title.strip(),
        grade=data.grade,
        source=data.source,
        status=IncidentStatus.REPORTED,
        alarm_id=data.alarm_id,
        hazard_id=data.hazard_id,
        source_ref=_text(data.source_ref),
        site_id=site_id,
        owner_id=owner_id,
        area_id=area_id,
        address=address,
        lon=lon,
        lat=lat,
        description=_text(data.description),
        caller_name=_text(data.caller_name),
        caller_phone=data.caller_phone,
        reported_at=reported_at,
        reported_by_name=principal.username,
        drill=data.drill,
    )
    locate(session, incident, {})  # the grid containing the point
    if incident.area_id is None:
        incident.area_id = _fallback_area(session, principal, owner_id)
    if incident.area_id is None:
        raise _invalid("area_id", "give the area, a site, or the position (lon, lat)")
    session.add(incident)
    session.flush()
    year = reported_at.astimezone(ZoneInfo(DEFAULT_TZ)).year
    incident.code = f"YJ-{year}-{incident.id:06d}"
    session.flush()
    if (
        session.scalar(
            visible(principal).with_only_columns(Incident.id).where(Incident.id == incident.id)
        )
        is None
    ):
        raise Forbidden("this incident would lie outside your area")
    record(
        session,
        incident,
        IncidentEventKind.REPORTED,
        at=reported_at,
        principal=principal,
        note=incident.description,
        data={"grade": incident.grade.value, "source": incident.source.value, **related},
        changes=audit.diff({}, audit.snapshot(incident)),  # the caller's phone masked
    )
    return incident
