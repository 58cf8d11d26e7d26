"""Reading alarms in the caller's scope, and the closed loop: acknowledge, assign, on site,
resolve with a cause, close after review, reopen. Flush, never commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session, aliased

from gaswarden.core.auth import Principal, ScopeKind
from gaswarden.core.enums import Role
from gaswarden.core.errors import Conflict, Forbidden, Invalid, NotFound
from gaswarden.core.filters import Filter, FilterSet, date_range
from gaswarden.core.pagination import Page, PageParams
from gaswarden.db.base import utcnow
from gaswarden.domains.alarm.enums import (
    AlarmCause,
    AlarmCondition,
    AlarmEventKind,
    AlarmStage,
)
from gaswarden.domains.alarm.models import Alarm, AlarmEvent
from gaswarden.domains.alarm.scope import alarm_scope
from gaswarden.domains.alarm.timeline import record
from gaswarden.domains.alarm.transitions import open_key
from gaswarden.domains.area.models import Area
from gaswarden.domains.device.enums import DeviceKind
from gaswarden.domains.organization.models import Organization
from gaswarden.domains.workforce.models import Team
from gaswarden.rules.grades import Grade

# Who may work an alarm, and who may close (review) or reopen it.
HANDLERS = frozenset(
    {
        Role.REGULATOR_ADMIN,
        Role.REGULATOR_STAFF,
        Role.ENTERPRISE_ADMIN,
        Role.ENTERPRISE_STAFF,
        Role.FIELD_WORKER,
    }
)
REVIEWERS = frozenset({Role.REGULATOR_ADMIN, Role.ENTERPRISE_ADMIN})


@dataclass(frozen=True)
class AreaFilter(Filter):
    """An area and everything under it: a district or a town takes in all of its grids (one
    prefix match on the areas' materialised paths)."""

    def clause(self, value: Any) -> ColumnElement[bool]:
        ids = value if isinstance(value, list) else [value]
        top = aliased(Area)
        under = (
            select(Area.id)
            .join(top, Area.path.startswith(top.path))
            .where(top.id.in_(ids), top.path != "")
        )
        return cast("ColumnElement[bool]", self.column.in_(under))


FILTERS = FilterSet(
    filters=(
        Filter("grade", Alarm.grade, choices=Grade, zh="级别", en="Grade"),
        Filter("state", Alarm.condition, choices=AlarmCondition, zh="报警状态", en="State"),
        Filter("stage", Alarm.stage, choices=AlarmStage, zh="处置阶段", en="Stage"),
        AreaFilter("area_id", Alarm.area_id, type=int, zh="区域(含下级)", en="Area (and below)"),
        Filter("owner_id", Alarm.owner_id, type=int, zh="所属企业", en="Enterprise"),
        Filter("site_id", Alarm.site_id, type=int, zh="场站", en="Site"),
        Filter("device_id", Alarm.device_id, type=int, zh="设备", en="Device"),
        Filter("device_kind", Alarm.device_kind, choices=DeviceKind, zh="设备类型", en="Kind"),
        Filter("rule", Alarm.rule, zh="规则", en="Rule"),
        *date_range("raised", Alarm.raised_at, "报警时间", "Raised"),
    ),
    search=(Alarm.rule, Alarm.open_key),
    sort={"raised_at": Alarm.raised_at, "grade": Alarm.grade, "stage": Alarm.stage},
    default_sort=("-raised_at",),
)


def get_all(
    *, session: Session, principal: Principal, params: PageParams, filters: dict[str, Any]
) -> Page[Alarm]:
    return FILTERS.page(
        session, select(Alarm).where(alarm_scope(principal)), params, filters, Alarm.id
    )


def get(*, session: Session, principal: Principal, id: int, lock: bool = False) -> Alarm:
    stmt = select(Alarm).where(Alarm.id == id, alarm_scope(principal))
    if lock and session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(of=Alarm)
    alarm = session.scalars(stmt).first()
    if alarm is None:
        raise NotFound(f"alarm {id} not found")
    return alarm


def timeline(*, session: Session, alarm: Alarm) -> list[AlarmEvent]:
    return list(
        session.scalars(
            select(AlarmEvent).where(AlarmEvent.alarm_id == alarm.id).order_by(AlarmEvent.id)
        )
    )


# ---- the closed loop ----------------------------------------------------------------------------
def _allowed(principal: Principal, roles: frozenset[Role], what: str) -> None:
    if principal.scope_kind is ScopeKind.ALL:
        return
    if principal.role not in roles:
        raise Forbidden(f"role {principal.role} may not {what} alarms")


def _stage(alarm: Alarm, allowed: tuple[AlarmStage, ...], what: str) -> None:
    if alarm.stage not in allowed:
        names = ", ".join(s.value for s in allowed)
        raise Conflict(f"cannot {what} an alarm that is {alarm.stage.value} (only from {names})")


def _elapsed(alarm: Alarm, now: datetime) -> int:
    return max(0, int((now - alarm.opened_at).total_seconds()))


def _begin(
    session: Session,
    principal: Principal,
    id: int,
    now: datetime | None,
    roles: frozenset[Role],
    stages: tuple[AlarmStage, ...],
    what: str,
) -> tuple[Alarm, datetime]:
    """The start of every step of the loop: the alarm locked, the role and the stage checked."""
    alarm = get(session=session, principal=principal, id=id, lock=True)
    _allowed(principal, roles, what)
    _stage(alarm, stages, what)
    return alarm, now or utcnow()


def _step(
    session: Session,
    principal: Principal,
    alarm: Alarm,
    kind: AlarmEventKind,
    now: datetime,
    before: AlarmStage,
    note: str | None,
    data: dict[str, Any] | None = None,
) -> Alarm:
    session.flush()
    record(
        session,
        alarm,
        kind,
        at=now,
        principal=principal,
        note=note,
        data=data,
        changes={"stage": [before.value, alarm.stage.value]},
    )
    session.flush()
    return alarm


def _ack(alarm: Alarm, principal: Principal, now: datetime) -> None:
    if alarm.acked_at is None:
        alarm.acked_at, alarm.acked_by_id = now, principal.user_id
        alarm.ack_s = _elapsed(alarm, now)


def acknowledge(
    *,
    session: Session,
    principal: Principal,
    id: int,
    note: str | None = None,
    now: datetime | None = None,
) -> Alarm:
    alarm, now = _begin(session, principal, id, now, HANDLERS, (AlarmStage.NEW,), "acknowledge")
    before = alarm.stage
    _ack(alarm, principal, now)
    alarm.stage = AlarmStage.ACKNOWLEDGED
    return _step(session, principal, alarm, AlarmEventKind.ACKNOWLEDGED, now, before, note)


def assign(
    *,
    session: Session,
    principal: Principal,
    id: int,
    org_id: int | None = None,
    team_id: int | None = None,
    note: str | None = None,
    now: datetime | None = None,
) -> Alarm:
    """To the responsible enterprise (default: the device's owner) or one of its teams."""
    alarm, now = _begin(
        session,
        principal,
        id,
        now,
        HANDLERS,
        (AlarmStage.NEW, AlarmStage.ACKNOWLEDGED, AlarmStage.ASSIGNED),
        "assign",
    )
    team = session.get(Team, team_id) if team_id is not None else None
    if team_id is not None and team is None:
        raise Invalid(f"no team {team_id}", errors=[{"loc": ["body", "team_id"], "msg": "unknown"}])
    org_id = org_id or (team.owner_id if team else None) or alarm.owner_id
    if org_id is None or session.get(Organization, org_id) is None:
        raise Invalid(
            "name the organisation to assign to",
            errors=[{"loc": ["body", "org_id"], "msg": "required"}],
        )
    if team is not None and team.owner_id != org_id:
        raise Invalid(
            "the team belongs to another organisation",
            errors=[{"loc": ["body", "team_id"], "msg": "not of org_id"}],
        )
    if principal.scope_kind is ScopeKind.ORG and org_id != principal.org_id:
        raise Forbidden("an enterprise assigns alarms within its own organisation")
    before = alarm.stage
    _ack(alarm, principal, now)
    alarm.stage = AlarmStage.ASSIGNED
    alarm.assigned_org_id, alarm.assigned_team_id, alarm.assigned_at = org_id, team_id, now
    data = {"org_id": org_id, "team_id": team_id}
    return _step(session, principal, alarm, AlarmEventKind.ASSIGNED, now, before, note, data)


def on_site(
    *,
    session: Session,
    principal: Principal,
    id: int,
    note: str | None = None,
    now: datetime | None = None,
) -> Alarm:
    alarm, now = _begin(
        session,
        principal,
        id,
        now,
        HANDLERS,
        (AlarmStage.ACKNOWLEDGED, AlarmStage.ASSIGNED),
        "report arrival at",
    )
    before = alarm.stage
    alarm.stage, alarm.on_site_at = AlarmStage.ON_SITE, now
    alarm.on_site_s = _elapsed(alarm, now)
    return _step(session, principal, alarm, AlarmEventKind.ON_SITE, now, before, note)


def resolve(
    *,
    session: Session,
    principal: Principal,
    id: int,
    cause: AlarmCause,
    note: str | None = None,
    now: datetime | None = None,
) -> Alarm:
    alarm, now = _begin(
        session,
        principal,
        id,
        now,
        HANDLERS,
        (AlarmStage.ACKNOWLEDGED, AlarmStage.ASSIGNED, AlarmStage.ON_SITE),
        "resolve",
    )
    if cause is AlarmCause.OTHER and not note:
        raise Invalid(
            "say what the cause was",
            errors=[{"loc": ["body", "note"], "msg": "required for cause other"}],
        )
    before = alarm.stage
    alarm.stage, alarm.resolved_at, alarm.open_key = AlarmStage.RESOLVED, now, None
    alarm.cause, alarm.resolution_note = cause, note
    alarm.resolve_s = _elapsed(alarm, now)
    data = {"cause": cause.value}
    return _step(session, principal, alarm, AlarmEventKind.RESOLVED, now, before, note, data)


def close(
    *,
    session: Session,
    principal: Principal,
    id: int,
    note: str | None = None,
    now: datetime | None = None,
) -> Alarm:
    """After review by a regulator or enterprise admin."""
    alarm, now = _begin(session, principal, id, now, REVIEWERS, (AlarmStage.RESOLVED,), "close")
    before = alarm.stage
    alarm.stage, alarm.closed_at, alarm.closed_by_id = AlarmStage.CLOSED, now, principal.user_id
    return _step(session, principal, alarm, AlarmEventKind.CLOSED, now, before, note)


def reopen(
    *,
    session: Session,
    principal: Principal,
    id: int,
    note: str | None = None,
    now: datetime | None = None,
) -> Alarm:
    alarm, now = _begin(
        session, principal, id, now, REVIEWERS, (AlarmStage.RESOLVED, AlarmStage.CLOSED), "reopen"
    )
    if not note:
        raise Invalid(
            "say why the alarm is reopened", errors=[{"loc": ["body", "note"], "msg": "required"}]
        )
    key = open_key(alarm.device_id, alarm.rule)
    if session.scalar(select(Alarm.id).where(Alarm.open_key == key)) is not None:
        raise Conflict("another alarm of this device and rule is open; handle that one")
    before = alarm.stage
    alarm.open_key, alarm.stage = key, AlarmStage.ACKNOWLEDGED
    alarm.resolved_at = alarm.closed_at = alarm.closed_by_id = None
    alarm.cause, alarm.resolve_s = None, None
    return _step(session, principal, alarm, AlarmEventKind.REOPENED, now, before, note)
