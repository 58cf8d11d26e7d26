"""Hazards in the caller's scope, and the loop: report, assign, plan (major), start, submit the
rectification, verify or send back, close (销号), reopen. Flush, never commit.

The moves and who may make them are data in `workflow.MOVES`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any
from uuid import uuid4
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gaswarden.core.auth import Principal, ScopeKind
from gaswarden.core.errors import Conflict, Forbidden, Invalid, NotFound
from gaswarden.core.filters import Filter, FilterSet, date_range
from gaswarden.core.localtime import DEFAULT_TZ
from gaswarden.core.pagination import Page, PageParams
from gaswarden.core.scope import areas_under
from gaswarden.db.base import utcnow
from gaswarden.domains.alarm.service import AreaFilter
from gaswarden.domains.area.models import Area
from gaswarden.domains.attachment.links import link
from gaswarden.domains.hazard.enums import (
    HazardEventKind,
    HazardSource,
    HazardStatus,
    Verdict,
)
from gaswarden.domains.hazard.models import Hazard, HazardEvent, Rectification, RectificationPlan
from gaswarden.domains.hazard.scope import hazard_scope
from gaswarden.domains.hazard.timeline import record
from gaswarden.domains.hazard.workflow import MOVES, REPORTERS, Step
from gaswarden.domains.organization.models import Organization
from gaswarden.domains.site.models import Site
from gaswarden.standards.hazards import (
    DEFAULT_DEADLINE_DAYS,
    PLAN_DUE_DAYS,
    RECURRENCE_WINDOW_DAYS,
    HazardGrade,
)

FILTERS = FilterSet(
    filters=(
        Filter("status", Hazard.status, choices=HazardStatus, zh="状态", en="Status"),
        Filter("grade", Hazard.grade, choices=HazardGrade, zh="级别", en="Grade"),
        Filter("source", Hazard.source, choices=HazardSource, zh="来源", en="Source"),
        Filter("category", Hazard.category, zh="类别", en="Category"),
        AreaFilter("area_id", Hazard.area_id, type=int, zh="区域(含下级)", en="Area (and below)"),
        Filter("owner_id", Hazard.owner_id, type=int, zh="责任企业", en="Enterprise"),
        Filter("site_id", Hazard.site_id, type=int, zh="场站", en="Site"),
        Filter("overdue", Hazard.overdue, op="is", type=bool, zh="逾期", en="Overdue"),
        Filter("recurring", Hazard.recurring, op="is", type=bool, zh="重复出现", en="Recurring"),
        Filter("inspection_id", Hazard.inspection_id, type=int, zh="检查", en="Inspection"),
        *date_range("found", Hazard.found_at, "发现时间", "Found"),
        *date_range("deadline", Hazard.deadline, "整改期限", "Deadline"),
    ),
    search=(Hazard.code, Hazard.title, Hazard.category),
    sort={
        "found_at": Hazard.found_at,
        "deadline": Hazard.deadline,
        "grade": Hazard.grade,
        "status": Hazard.status,
    },
    default_sort=("-found_at",),
)


def local_date(at: datetime, tz: str = DEFAULT_TZ) -> date:
    return at.astimezone(ZoneInfo(tz)).date()


# ---- reads --------------------------------------------------------------------------------------
def get_all(
    *, session: Session, principal: Principal, params: PageParams, filters: dict[str, Any]
) -> Page[Hazard]:
    return FILTERS.page(
        session, select(Hazard).where(hazard_scope(principal)), params, filters, Hazard.id
    )


def get(*, session: Session, principal: Principal, id: int, lock: bool = False) -> Hazard:
    stmt = select(Hazard).where(Hazard.id == id, hazard_scope(principal))
    if lock and session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(of=Hazard)
    hazard = session.scalars(stmt).first()
    if hazard is None:
        raise NotFound(f"hazard {id} not found")
    return hazard


def timeline(*, session: Session, hazard: Hazard) -> list[HazardEvent]:
    stmt = select(HazardEvent).where(HazardEvent.hazard_id == hazard.id).order_by(HazardEvent.id)
    return list(session.scalars(stmt))


# ---- reporting ----------------------------------------------------------------------------------
def _required(field: str, msg: str = "required") -> Invalid:
    return Invalid(f"{field}: {msg}", errors=[{"loc": ["body", field], "msg": msg}])


def report(
    *,
    session: Session,
    principal: Principal,
    source: HazardSource,
    grade: HazardGrade,
    category: str,
    title: str,
    description: str | None = None,
    site_id: int | None = None,
    owner_id: int | None = None,
    area_id: int | None = None,
    address: str | None = None,
    lon: float | None = None,
    lat: float | None = None,
    found_at: datetime | None = None,
    deadline: date | None = None,
    deadline_days: int | None = None,
    item_code: str | None = None,
    inspection_id: int | None = None,
    alarm_id: int | None = None,
    photo_ids: Sequence[int] = (),
    assign: bool = False,
    note: str | None = None,
    tz: str = DEFAULT_TZ,
    now: datetime | None = None,
) -> Hazard:
    """A new hazard. At a registered site it takes the site's enterprise, grid and point; else
    `owner_id`/`area_id`/address name them (a public report of an unlicensed operator).

    `assign` hands it to the responsible enterprise at once (findings of an inspection with a
    known enterprise; an enterprise's own self-inspection findings).
    """
    now = now or utcnow()
    found_at = found_at or now
    if principal.scope_kind is not ScopeKind.ALL and principal.role not in REPORTERS:
        raise Forbidden(f"role {principal.role} may not report hazards")
    if not title.strip():
        raise _required("title")
    site: Site | None = None
    if site_id is not None:
        site = session.get(Site, site_id)
        if site is None:
            raise _required("site_id", "unknown site")
        owner_id = site.owner_id if site.owner_id is not None else owner_id
        area_id = site.area_id if site.area_id is not None else area_id
        address = address or site.address
        lon = lon if lon is not None else site.lon
        lat = lat if lat is not None else site.lat
    elif area_id is None:
        raise _required("site_id", "name the site, or the area where the hazard is")
    if owner_id is not None and session.get(Organization, owner_id) is None:
        raise _required("owner_id", "unknown organisation")
    if principal.scope_kind is ScopeKind.ORG:
        if owner_id != principal.org_id:
            raise NotFound(f"site {site_id} not found")
        source = HazardSource.SELF_INSPECTION if source is HazardSource.INSPECTION else source
    elif not _within_reach(session, principal, area_id=area_id, site_id=site_id):
        # A hazard the caller could not see afterwards: out of scope reads as not found.
        raise NotFound(f"site {site_id} not found" if site_id else f"area {area_id} not found")
    days = deadline_days if deadline_days is not None else DEFAULT_DEADLINE_DAYS[grade]
    found_day = local_date(found_at, tz)
    hazard = Hazard(
        code=f"tmp-{uuid4().hex}"[:32],  # replaced by YH-<year>-<id> after the flush
        source=source,
        grade=grade,
        category=category,
        title=title.strip()[:200],
        description=description,
        site=site,
        site_id=site_id,
        owner_id=owner_id,
        area_id=area_id,
        address=address,
        lon=lon,
        lat=lat,
        status=HazardStatus.REPORTED,
        found_at=found_at,
        found_by_id=principal.user_id,
        found_by_name=principal.username,
        found_by_org_id=principal.org_id,
        deadline=deadline or found_day + timedelta(days=days),
        plan_due_on=found_day + timedelta(days=PLAN_DUE_DAYS)
        if grade is HazardGrade.MAJOR
        else None,
        item_code=item_code,
        inspection_id=inspection_id,
        alarm_id=alarm_id,
    )
    previous = _previous(session, site_id, item_code, found_at)
    if previous is not None:
        hazard.recurring, hazard.previous_id = True, previous.id
    session.add(hazard)
    session.flush()
    hazard.code = f"YH-{found_day.year}-{hazard.id:06d}"
    link(
        session,
        principal,
        photo_ids,
        entity_type="hazard",
        entity_id=hazard.id,
        role="finding",
        owner_id=owner_id,
        area_id=area_id,
        site_id=site_id,
    )
    data: dict[str, Any] = {"source": source.value, "grade": grade.value}
    if previous is not None:
        data["recurring_of"] = previous.code
    record(
        session, hazard, HazardEventKind.REPORTED, at=now, principal=principal, note=note, data=data
    )
    if assign:
        if owner_id is None:
            raise _required("owner_id", "no responsible enterprise to assign to")
        _assign(session, principal, hazard, owner_id, now, None)
    session.flush()
    return hazard


def _within_reach(
    session: Session, principal: Principal, *, area_id: int | None, site_id: int | None
) -> bool:
    """Whether a hazard at this site / in this area lies in the caller's scope (AREA, SITES)."""
    if principal.scope_kind is ScopeKind.AREA:
        if area_id is None:
            return False
        return (
            session.scalar(areas_under(principal.area_paths).where(Area.id == area_id)) is not None
        )
    if principal.scope_kind is ScopeKind.SITES:
        return site_id is not None and site_id in principal.site_ids
    return True


def _previous(
    session: Session, site_id: int | None, item_code: str | None, found_at: datetime
) -> Hazard | None:
    """The latest earlier hazard at the same site and checklist item within the window."""
    if site_id is None or item_code is None:
        return None
    since = found_at - timedelta(days=RECURRENCE_WINDOW_DAYS)
    stmt = (
        select(Hazard)
        .where(
            Hazard.site_id == site_id,
            Hazard.item_code == item_code,
            Hazard.found_at >= since,
            Hazard.found_at <= found_at,
        )
        .order_by(Hazard.found_at.desc(), Hazard.id.desc())
        .limit(1)
    )
    return session.scalars(stmt).first()


# ---- the loop -----------------------------------------------------------------------------------
def _begin(
    session: Session, principal: Principal, id: int, step: Step, note: str | None
) -> tuple[Hazard, HazardStatus]:
    """The start of every step: the hazard locked, its status, the role and the note checked."""
    hazard = get(session=session, principal=principal, id=id, lock=True)
    move = MOVES[step]
    if principal.scope_kind is not ScopeKind.ALL and principal.role not in move.roles_for(
        hazard.grade
    ):
        raise Forbidden(f"role {principal.role} may not {step.value} a {hazard.grade.value} hazard")
    if hazard.status not in move.sources:
        names = ", ".join(sorted(s.value for s in move.sources))
        raise Conflict(f"cannot {step.value} a hazard that is {hazard.status.value} (only {names})")
    if move.note_required and not (note and note.strip()):
        raise _required("note", f"say why ({step.value})")
    return hazard, hazard.status


def _assign(
    session: Session,
    principal: Principal,
    hazard: Hazard,
    org_id: int,
    now: datetime,
    note: str | None,
) -> None:
    before = hazard.status
    hazard.owner_id, hazard.status, hazard.assigned_at = org_id, HazardStatus.ASSIGNED, now
    session.flush()
    record(
        session,
        hazard,
        HazardEventKind.ASSIGNED,
        at=now,
        principal=principal,
        before=before,
        note=note,
        data={"org_id": org_id},
    )


def assign(
    *,
    session: Session,
    principal: Principal,
    id: int,
    org_id: int | None = None,
    note: str | None = None,
    now: datetime | None = None,
) -> Hazard:
    """Hand the hazard to the responsible enterprise (default: the site's)."""
    hazard, _ = _begin(session, principal, id, Step.ASSIGN, note)
    org_id = org_id or hazard.owner_id
    org = session.get(Organization, org_id) if org_id is not None else None
    if org is None or not org.kind.is_enterprise:
        raise _required("org_id", "name the responsible gas enterprise")
    _assign(session, principal, hazard, org.id, now or utcnow(), note)
    return hazard


def submit_plan(
    *,
    session: Session,
    principal: Principal,
    id: int,
    measures: str,
    responsible_person: str,
    deadline: date,
    interim_measures: str,
    funds_yuan: float | None = None,
    note: str | None = None,
    now: datetime | None = None,
) -> Hazard:
    """A major hazard's rectification plan (整改方案); resubmitting replaces it."""
    hazard, before = _begin(session, principal, id, Step.PLAN, note)
    if hazard.grade is not HazardGrade.MAJOR:
        raise Conflict("only major hazards take a rectification plan")
    for field, value in (
        ("measures", measures),
        ("responsible_person", responsible_person),
        ("interim_measures", interim_measures),
    ):
        if not (value and value.strip()):
            raise _required(field)
    now = now or utcnow()
    plan = session.scalars(
        select(RectificationPlan).where(RectificationPlan.hazard_id == hazard.id)
    ).first()
    changes: dict[str, list[Any]] = {}
    if plan is None:
        plan = RectificationPlan(hazard_id=hazard.id)
        session.add(plan)
    else:
        changes = {"plan_deadline": [plan.deadline.isoformat(), deadline.isoformat()]}
    plan.measures, plan.responsible_person = measures.strip(), responsible_person.strip()
    plan.deadline, plan.interim_measures = deadline, interim_measures.strip()
    plan.funds_yuan, plan.submitted_by_name = funds_yuan, principal.username
    session.flush()
    data = {"deadline": deadline.isoformat(), "funds_yuan": funds_yuan}
    record(
        session,
        hazard,
        HazardEventKind.PLAN_SUBMITTED,
        at=now,
        principal=principal,
        before=before,
        note=note,
        data=data,
        changes=changes,
    )
    return hazard


def start(
    *,
    session: Session,
    principal: Principal,
    id: int,
    note: str | None = None,
    now: datetime | None = None,
) -> Hazard:
    """The enterprise takes the hazard on; a major hazard needs its plan first."""
    hazard, before = _begin(session, principal, id, Step.START, note)
    if hazard.grade is HazardGrade.MAJOR and not _has_plan(session, hazard):
        raise Conflict("a major hazard needs its rectification plan before work starts")
    hazard.status = HazardStatus.RECTIFYING
    session.flush()
    record(
        session,
        hazard,
        HazardEventKind.STARTED,
        at=now or utcnow(),
        principal=principal,
        before=before,
        note=note,
    )
    return hazard


def _has_plan(session: Session, hazard: Hazard) -> bool:
    stmt = select(RectificationPlan.id).where(RectificationPlan.hazard_id == hazard.id)
    return session.scalar(stmt) is not None


def submit(
    *,
    session: Session,
    principal: Principal,
    id: int,
    description: str,
    photo_ids: Sequence[int] = (),
    now: datetime | None = None,
) -> Rectification:
    """The rectification done, with evidence, for verification."""
    hazard, before = _begin(session, principal, id, Step.SUBMIT, description)
    if not (description and description.strip()):
        raise _required("description", "describe what was done")
    now = now or utcnow()
    rounds = session.scalar(
        select(func.count()).select_from(Rectification).where(Rectification.hazard_id == hazard.id)
    )
    rect = Rectification(
        hazard_id=hazard.id,
        round=(rounds or 0) + 1,
        description=description.strip(),
        submitted_at=now,
        submitted_by_id=principal.user_id,
        submitted_by_name=principal.username,
    )
    session.add(rect)
    hazard.status, hazard.submitted_at = HazardStatus.SUBMITTED, now
    session.flush()
    link(
        session,
        principal,
        photo_ids,
        entity_type="rectification",
        entity_id=rect.id,
        role="rectification",
        owner_id=hazard.owner_id,
        area_id=hazard.area_id,
        site_id=hazard.site_id,
    )
    record(
        session,
        hazard,
        HazardEventKind.SUBMITTED,
        at=now,
        principal=principal,
        before=before,
        note=rect.description[:2000],
        data={"round": rect.round},
    )
    return rect


def _latest_submission(session: Session, hazard: Hazard) -> Rectification:
    stmt = (
        select(Rectification)
        .where(Rectification.hazard_id == hazard.id)
        .order_by(Rectification.round.desc())
        .limit(1)
    )
    rect = session.scalars(stmt).first()
    assert rect is not None, "a submitted hazard has a rectification"
    return rect


def _verdict(
    session: Session,
    principal: Principal,
    hazard: Hazard,
    verdict: Verdict,
    note: str | None,
    now: datetime,
) -> Rectification:
    rect = _latest_submission(session, hazard)
    rect.verdict, rect.verdict_note, rect.verified_at = verdict, note, now
    rect.verified_by_id, rect.verified_by_name = principal.user_id, principal.username
    return rect


def verify(
    *,
    session: Session,
    principal: Principal,
    id: int,
    note: str | None = None,
    tz: str = DEFAULT_TZ,
    now: datetime | None = None,
) -> Hazard:
    """Accept the rectification: the hazard is closed (销号)."""
    hazard, before = _begin(session, principal, id, Step.VERIFY, note)
    now = now or utcnow()
    rect = _verdict(session, principal, hazard, Verdict.ACCEPTED, note, now)
    hazard.status, hazard.closed_at, hazard.closed_by_id = (
        HazardStatus.CLOSED,
        now,
        principal.user_id,
    )
    hazard.closed_on_time = local_date(rect.submitted_at, tz) <= hazard.deadline
    hazard.days_to_close = round((now - hazard.found_at).total_seconds() / 86400, 2)
    hazard.overdue = False
    session.flush()
    _system_put_right(session, hazard, now)
    data = {"round": rect.round, "on_time": hazard.closed_on_time}
    record(
        session,
        hazard,
        HazardEventKind.VERIFIED,
        at=now,
        principal=principal,
        before=before,
        note=note,
        data=data,
    )
    return hazard


def _system_put_right(session: Session, hazard: Hazard, now: datetime) -> None:
    """A hazard opened for a missing required system (a management checklist item with a
    `system_kind`), verified: the enterprise's register records the system improved."""
    if hazard.inspection_id is None or hazard.item_code is None:
        return
    from gaswarden.domains.hazard import systems  # builds on this module
    from gaswarden.domains.inspection.models import ChecklistItem, Inspection

    kind = session.scalar(
        select(ChecklistItem.system_kind)
        .join(Inspection, Inspection.version_id == ChecklistItem.version_id)
        .where(Inspection.id == hazard.inspection_id, ChecklistItem.code == hazard.item_code)
    )
    if kind:
        systems.improved_by(
            session, org_id=hazard.owner_id, kind_value=kind, ref=hazard.code, at=now
        )


def send_back(
    *,
    session: Session,
    principal: Principal,
    id: int,
    note: str,
    now: datetime | None = None,
) -> Hazard:
    """Reject the rectification with a reason: back to rectifying."""
    hazard, before = _begin(session, principal, id, Step.RETURN, note)
    now = now or utcnow()
    rect = _verdict(session, principal, hazard, Verdict.RETURNED, note, now)
    hazard.status, hazard.returns = HazardStatus.RECTIFYING, hazard.returns + 1
    session.flush()
    record(
        session,
        hazard,
        HazardEventKind.RETURNED,
        at=now,
        principal=principal,
        before=before,
        note=note,
        data={"round": rect.round},
    )
    return hazard


def reopen(
    *,
    session: Session,
    principal: Principal,
    id: int,
    note: str,
    deadline: date | None = None,
    now: datetime | None = None,
) -> Hazard:
    """A closed hazard found not to be put right: open again, with a new deadline."""
    hazard, before = _begin(session, principal, id, Step.REOPEN, note)
    now = now or utcnow()
    hazard.status = HazardStatus.RECTIFYING
    hazard.closed_at = hazard.closed_by_id = hazard.closed_on_time = None
    hazard.days_to_close = None
    hazard.escalation_level = 0  # a new round: overdue escalation may happen again
    changes: dict[str, list[Any]] = {}
    if deadline is not None:
        changes["deadline"] = [hazard.deadline.isoformat(), deadline.isoformat()]
        hazard.deadline = deadline
    session.flush()
    record(
        session,
        hazard,
        HazardEventKind.REOPENED,
        at=now,
        principal=principal,
        before=before,
        note=note,
        changes=changes,
    )
    return hazard


def change_deadline(
    *,
    session: Session,
    principal: Principal,
    id: int,
    deadline: date,
    note: str,
    tz: str = DEFAULT_TZ,
    now: datetime | None = None,
) -> Hazard:
    hazard, before = _begin(session, principal, id, Step.DEADLINE, note)
    now = now or utcnow()
    changes = {"deadline": [hazard.deadline.isoformat(), deadline.isoformat()]}
    hazard.deadline = deadline
    if deadline >= local_date(now, tz):
        # No longer overdue: should the new deadline pass too, it escalates afresh.
        hazard.overdue, hazard.escalation_level = False, 0
    session.flush()
    record(
        session,
        hazard,
        HazardEventKind.DEADLINE_CHANGED,
        at=now,
        principal=principal,
        before=before,
        note=note,
        changes=changes,
    )
    return hazard


def comment(
    *,
    session: Session,
    principal: Principal,
    id: int,
    note: str,
    now: datetime | None = None,
) -> HazardEvent:
    hazard, before = _begin(session, principal, id, Step.COMMENT, note)
    return record(
        session,
        hazard,
        HazardEventKind.COMMENT,
        at=now or utcnow(),
        principal=principal,
        before=before,
        note=note,
    )
