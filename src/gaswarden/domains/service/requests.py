"""Service requests in the caller's scope: receiving one from any channel, reading, and the
steps open -> assigned -> in progress (responded) -> resolved -> closed (return visit).
Flush, never commit. The steps are data in `workflow.MOVES`; each is a timeline event with
its audit row (`timeline.record`). A leak report opens an emergency incident at once
(`escalation.open_leak_incident`) in the same transaction."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any
from uuid import uuid4
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from gaswarden.core.auth import SYSTEM, Principal, ScopeKind
from gaswarden.core.errors import Conflict, Forbidden, GasWardenError, Invalid, NotFound
from gaswarden.core.filters import Filter, FilterSet, date_range
from gaswarden.core.localtime import DEFAULT_TZ
from gaswarden.core.pagination import Page, PageParams
from gaswarden.core.schemas import check_phone
from gaswarden.db.base import utcnow
from gaswarden.domains.alarm.service import AreaFilter
from gaswarden.domains.area.models import Area
from gaswarden.domains.audit import service as audit
from gaswarden.domains.audit.models import AuditEntry
from gaswarden.domains.organization.models import Organization
from gaswarden.domains.service import escalation, routing
from gaswarden.domains.service.enums import (
    RequestChannel,
    RequestEventKind,
    RequestKind,
    RequestPriority,
    RequestStatus,
)
from gaswarden.domains.service.models import RequestEvent, ServiceRequest
from gaswarden.domains.service.scope import may_handle, may_receive, request_scope
from gaswarden.domains.service.targets import due_times, priority_of
from gaswarden.domains.service.timeline import ENTITY, record
from gaswarden.domains.service.workflow import MOVES, Step
from gaswarden.domains.workforce.models import Team
from gaswarden.standards.service import (
    PUBLIC_REQUESTS_PER_HOUR,
    SATISFACTION_MAX,
    SATISFACTION_MIN,
)

WEB_RECEIVER = "网上服务 web form"

# The resident on the public form: reads nothing; what it sends is received by the system.
PUBLIC = Principal(
    user_id=None,
    username=WEB_RECEIVER,
    display_name="网上服务 Web form",
    role=None,
    org_id=None,
    scope_kind=ScopeKind.AREA,
    area_paths=(),
)

FILTERS = FilterSet(
    filters=(
        Filter("status", ServiceRequest.status, choices=RequestStatus, zh="状态", en="Status"),
        Filter("kind", ServiceRequest.kind, choices=RequestKind, zh="类型", en="Kind"),
        Filter("channel", ServiceRequest.channel, choices=RequestChannel, zh="渠道", en="Channel"),
        Filter(
            "priority",
            ServiceRequest.priority,
            choices=RequestPriority,
            zh="紧急程度",
            en="Priority",
        ),
        Filter("owner_id", ServiceRequest.owner_id, type=int, zh="责任企业", en="Enterprise"),
        AreaFilter(
            "area_id", ServiceRequest.area_id, type=int, zh="区域(含下级)", en="Area (and below)"
        ),
        Filter("overdue", ServiceRequest.overdue, op="is", type=bool, zh="超时", en="Overdue"),
        *date_range("received", ServiceRequest.received_at, "受理时间", "Received"),
    ),
    search=(ServiceRequest.code, ServiceRequest.contact_name, ServiceRequest.address),
    sort={
        "received_at": ServiceRequest.received_at,
        "status": ServiceRequest.status,
        "kind": ServiceRequest.kind,
        "code": ServiceRequest.code,
    },
    default_sort=("-received_at",),
)


class TooManyRequests(GasWardenError):
    status_code = 429
    title = "Too many requests"
    title_zh = "提交过于频繁"


def is_public(principal: Principal) -> bool:
    """The resident on the public form (`PUBLIC`, perhaps with the sender's address)."""
    return (
        principal.user_id is None
        and principal.role is None
        and principal.username == WEB_RECEIVER
        and principal.scope_kind is ScopeKind.AREA
    )


def local_date(at: datetime, tz: str = DEFAULT_TZ) -> date:
    return at.astimezone(ZoneInfo(tz)).date()


def _invalid(field: str, msg: str) -> Invalid:
    return Invalid(f"{field}: {msg}", errors=[{"loc": ["body", field], "msg": msg}])


def _text(value: str | None) -> str | None:
    value = value.strip() if value else None
    return value or None


# ---- reads --------------------------------------------------------------------------------------
def visible(principal: Principal) -> Select[Any]:
    return select(ServiceRequest).where(request_scope(principal))


def get_all(
    *, session: Session, principal: Principal, params: PageParams, filters: dict[str, Any]
) -> Page[ServiceRequest]:
    return FILTERS.page(session, visible(principal), params, filters, ServiceRequest.id)


def get(*, session: Session, principal: Principal, id: int, lock: bool = False) -> ServiceRequest:
    stmt = visible(principal).where(ServiceRequest.id == id)
    if lock and session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(of=ServiceRequest)
    found = session.scalars(stmt).first()
    if found is None:
        raise NotFound(f"service request {id} not found")
    return found


def timeline(*, session: Session, request: ServiceRequest) -> list[RequestEvent]:
    stmt = select(RequestEvent).where(RequestEvent.request_id == request.id)
    return list(session.scalars(stmt.order_by(RequestEvent.at, RequestEvent.id)))


# ---- receiving ----------------------------------------------------------------------------------
def check_public_limit(session: Session, ip: str | None, now: datetime) -> None:
    """At most PUBLIC_REQUESTS_PER_HOUR requests from one address through the public form in
    the last hour, counted from the audit log (so every web process sees the same count)."""
    if not ip:
        return
    sent = session.scalar(
        select(func.count(AuditEntry.id)).where(
            AuditEntry.entity_type == ENTITY,
            AuditEntry.action == "request_created",
            AuditEntry.actor_name == WEB_RECEIVER,
            AuditEntry.ip == ip,
            AuditEntry.at > now - timedelta(hours=1),
        )
    )
    if (sent or 0) >= PUBLIC_REQUESTS_PER_HOUR:
        raise TooManyRequests(
            "提交过于频繁，请稍后再试或拨打服务热线 (too many requests from this address; "
            "try again later or call the hotline)"
        )


def receive(
    *,
    session: Session,
    principal: Principal,
    channel: RequestChannel,
    kind: RequestKind,
    contact_name: str,
    description: str,
    contact_phone: str | None = None,
    address: str | None = None,
    lon: float | None = None,
    lat: float | None = None,
    area_id: int | None = None,
    owner_id: int | None = None,
    customer_id: int | None = None,
    received_at: datetime | None = None,
    tz: str = DEFAULT_TZ,
    now: datetime | None = None,
) -> ServiceRequest:
    """A new request from a channel. The public form passes `PUBLIC` (channel web); the API
    and the hotline screen a signed-in receiver. The gas company and the area are the
    operator's choice, or found from the point or the area (`routing.responsible`). The
    due times come from the kind's targets; a leak report is urgent and opens an incident."""
    public = is_public(principal)
    if public and channel is not RequestChannel.WEB:
        raise Forbidden("the public form sends web requests only")
    if not public and not may_receive(principal):
        raise Forbidden(f"role {principal.role} may not receive service requests")
    now = now or utcnow()
    if public:
        check_public_limit(session, principal.ip, now)
    received_at = received_at or now
    contact_name, description = (contact_name or "").strip(), (description or "").strip()
    if not contact_name:
        raise _invalid("contact_name", "who is calling")
    if not description:
        raise _invalid("description", "say what happened or what is wanted")
    try:
        contact_phone = check_phone(_text(contact_phone))
    except ValueError as exc:
        raise _invalid("contact_phone", str(exc)) from exc
    if public and not contact_phone:
        raise _invalid("contact_phone", "a phone number to call back")
    if (lon is None) != (lat is None):
        raise _invalid("lat" if lat is None else "lon", "give both lon and lat, or neither")
    if principal.scope_kind is ScopeKind.ORG:
        if owner_id is None:
            owner_id = principal.org_id
        elif owner_id != principal.org_id:
            raise Forbidden("an enterprise receives requests for itself only")
    if owner_id is not None:
        org = session.get(Organization, owner_id)
        if org is None or not org.kind.is_enterprise:
            raise _invalid("owner_id", "not a gas enterprise")
    if area_id is not None and session.get(Area, area_id) is None:
        raise _invalid("area_id", "unknown area")
    owner_id, area_id = routing.responsible(
        session, owner_id=owner_id, area_id=area_id, lon=lon, lat=lat
    )
    if area_id is None:
        raise _invalid("area_id", "give the town or area, or the position (lon, lat)")
    respond_due, resolve_due = due_times(kind, received_at)
    request = ServiceRequest(
        code=f"tmp-{uuid4().hex}"[:32],  # FW-<yyyymmdd>-<id> after the flush
        kind=kind,
        channel=channel,
        priority=priority_of(kind),
        status=RequestStatus.OPEN,
        contact_name=contact_name[:50],
        contact_phone=contact_phone,
        customer_id=customer_id,
        description=description,
        received_at=received_at,
        received_by_name=WEB_RECEIVER if public else principal.username,
        respond_due_at=respond_due,
        resolve_due_at=resolve_due,
        owner_id=owner_id,
        area_id=area_id,
        address=_text(address),
        lon=lon,
        lat=lat,
        overdue=False,
    )
    session.add(request)
    session.flush()
    request.code = f"FW-{local_date(received_at, tz):%Y%m%d}-{request.id:06d}"
    session.flush()
    if not public and (
        session.scalar(
            select(ServiceRequest.id).where(
                ServiceRequest.id == request.id, request_scope(principal)
            )
        )
        is None
    ):
        raise Forbidden("this request would lie outside your area")
    actor = replace(SYSTEM, username=WEB_RECEIVER, ip=principal.ip) if public else principal
    record(
        session,
        request,
        RequestEventKind.CREATED,
        at=received_at,
        principal=actor,
        data={"channel": channel.value, "kind": kind.value, "priority": request.priority.value},
        changes=audit.diff({}, audit.snapshot(request)),  # the phone masked
    )
    if kind is RequestKind.LEAK_REPORT:
        escalation.open_leak_incident(session, request, principal=actor)
    session.flush()
    return request


# ---- the steps ----------------------------------------------------------------------------------
def _begin(
    session: Session, principal: Principal, id: int, step: Step
) -> tuple[ServiceRequest, RequestStatus]:
    request = get(session=session, principal=principal, id=id, lock=True)
    if not may_handle(principal):
        raise Forbidden(f"role {principal.role} may not handle service requests")
    move = MOVES[step]
    if request.status not in move.sources:
        names = ", ".join(sorted(s.value for s in move.sources))
        raise Conflict(
            f"cannot {step.value} a request that is {request.status.value} (only {names})"
        )
    return request, request.status


def _late(session: Session, request: ServiceRequest, at: datetime, which: str) -> None:
    """A target missed at the step itself: marked overdue once, as the sweep would."""
    if request.overdue:
        return
    request.overdue = True
    session.flush()
    due = request.respond_due_at if which == "respond" else request.resolve_due_at
    record(
        session,
        request,
        RequestEventKind.OVERDUE,
        at=at,
        note=f"超过{'响应' if which == 'respond' else '办结'}时限 Past the {which} target",
        data={"missed": [which], "due": due.isoformat()},
        changes={"overdue": [False, True]},
    )


def assign(
    *,
    session: Session,
    principal: Principal,
    id: int,
    team_id: int | None = None,
    assignee_name: str | None = None,
    note: str | None = None,
    now: datetime | None = None,
) -> ServiceRequest:
    """To a team of the responsible company, or a named person (again: reassign)."""
    request, before = _begin(session, principal, id, Step.ASSIGN)
    now = now or utcnow()
    assignee_name = _text(assignee_name)
    if team_id is None and not assignee_name:
        raise _invalid("team_id", "name a team or a person")
    team: Team | None = None
    if team_id is not None:
        team = session.get(Team, team_id)
        if team is None:
            raise _invalid("team_id", "unknown team")
        if request.owner_id is not None and team.owner_id != request.owner_id:
            raise _invalid("team_id", "a team of the responsible gas company")
    changes: dict[str, list[Any]] = {
        "assigned_team_id": [request.assigned_team_id, team_id],
        "assignee_name": [request.assignee_name, assignee_name or (team.name if team else None)],
    }
    request.assigned_team_id = team_id
    request.assignee_name = assignee_name or (team.leader_name or team.name if team else None)
    request.assigned_at = now
    request.status = RequestStatus.ASSIGNED
    session.flush()
    data: dict[str, Any] = {"team_id": team_id, "assignee": request.assignee_name}
    if team is not None:
        data["team"] = team.name
    record(
        session,
        request,
        RequestEventKind.ASSIGNED,
        at=now,
        principal=principal,
        before=before,
        note=note,
        data=data,
        changes=changes,
    )
    return request


def respond(
    *,
    session: Session,
    principal: Principal,
    id: int,
    note: str | None = None,
    at: datetime | None = None,
    now: datetime | None = None,
) -> ServiceRequest:
    """On site, or the resident called back (响应): the response time is measured to here."""
    request, before = _begin(session, principal, id, Step.RESPOND)
    now = now or utcnow()
    at = at or now
    if at < request.received_at:
        raise _invalid("at", "before the request was received")
    request.responded_at = at
    request.status = RequestStatus.IN_PROGRESS
    session.flush()
    minutes = round((at - request.received_at).total_seconds() / 60, 1)
    record(
        session,
        request,
        RequestEventKind.RESPONDED,
        at=at,
        principal=principal,
        before=before,
        note=note,
        data={"minutes": minutes, "on_time": at <= request.respond_due_at},
    )
    if at > request.respond_due_at:
        _late(session, request, at, "respond")
    return request


def resolve(
    *,
    session: Session,
    principal: Principal,
    id: int,
    resolution: str,
    at: datetime | None = None,
    now: datetime | None = None,
) -> ServiceRequest:
    """Done (办结), with what was done."""
    request, before = _begin(session, principal, id, Step.RESOLVE)
    resolution = (resolution or "").strip()
    if not resolution:
        raise _invalid("resolution", "say what was done")
    now = now or utcnow()
    at = at or now
    if request.responded_at is not None and at < request.responded_at:
        raise _invalid("at", "before the response")
    request.resolution, request.resolved_at = resolution, at
    request.status = RequestStatus.RESOLVED
    session.flush()
    hours = round((at - request.received_at).total_seconds() / 3600, 2)
    record(
        session,
        request,
        RequestEventKind.RESOLVED,
        at=at,
        principal=principal,
        before=before,
        note=resolution,
        data={"hours": hours, "on_time": at <= request.resolve_due_at},
        changes={"resolution": [None, resolution]},
    )
    if at > request.resolve_due_at:
        _late(session, request, at, "resolve")
    return request


def close(
    *,
    session: Session,
    principal: Principal,
    id: int,
    satisfaction: int,
    note: str | None = None,
    now: datetime | None = None,
) -> ServiceRequest:
    """The return visit (回访) with the resident's satisfaction (1..5), then archived."""
    request, before = _begin(session, principal, id, Step.CLOSE)
    if not SATISFACTION_MIN <= satisfaction <= SATISFACTION_MAX:
        raise _invalid("satisfaction", f"{SATISFACTION_MIN} to {SATISFACTION_MAX}")
    now = now or utcnow()
    request.satisfaction = satisfaction
    record(
        session,
        request,
        RequestEventKind.VISITED,
        at=now,
        principal=principal,
        note=note,
        data={"satisfaction": satisfaction},
        changes={"satisfaction": [None, satisfaction]},
    )
    request.status, request.closed_at = RequestStatus.CLOSED, now
    session.flush()
    record(session, request, RequestEventKind.CLOSED, at=now, principal=principal, before=before)
    return request


def add_note(
    *,
    session: Session,
    principal: Principal,
    id: int,
    note: str,
    now: datetime | None = None,
) -> RequestEvent:
    request, before = _begin(session, principal, id, Step.NOTE)
    if not (note and note.strip()):
        raise _invalid("note", "write the note")
    return record(
        session,
        request,
        RequestEventKind.NOTE,
        at=now or utcnow(),
        principal=principal,
        before=before,
        note=note.strip(),
    )
