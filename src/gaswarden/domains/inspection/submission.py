"""Carrying out an inspection: the submission (idempotent by the form's client id), its checks,
the hazards its failed items open, and reading inspections back in the caller's scope.
Flush, never commit. Changes after submission are amendments (`amendments.py`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gaswarden.core.auth import Principal, ScopeKind
from gaswarden.core.enums import Role
from gaswarden.core.errors import Conflict, Forbidden, Invalid, NotFound
from gaswarden.core.filters import Filter, FilterSet, date_range
from gaswarden.core.pagination import Page, PageParams
from gaswarden.core.scope import located
from gaswarden.db.base import utcnow
from gaswarden.domains.alarm.service import AreaFilter
from gaswarden.domains.attachment.links import attached, link
from gaswarden.domains.attachment.service import check_usable
from gaswarden.domains.audit import service as audit
from gaswarden.domains.hazard import service as hazards
from gaswarden.domains.hazard import systems
from gaswarden.domains.hazard.enums import HazardSource
from gaswarden.domains.hazard.models import Hazard
from gaswarden.domains.inspection import tasks
from gaswarden.domains.inspection.enums import (
    SITE_TARGET,
    ChecklistTarget,
    InspectionKind,
    Outcome,
    TaskStatus,
)
from gaswarden.domains.inspection.models import (
    ChecklistItem,
    ChecklistTemplate,
    ChecklistVersion,
    Inspection,
    InspectionResult,
    InspectionTask,
)
from gaswarden.domains.site.models import Site

DEFAULT_TZ = hazards.DEFAULT_TZ
# A phone's clock may run a little ahead of the server's.
CLOCK_SKEW = timedelta(minutes=5)
# An inspection filled in offline must be submitted within this many days (house rule).
MAX_AGE_DAYS = 30

REGULATORS = frozenset({Role.REGULATOR_ADMIN, Role.REGULATOR_STAFF})
ENTERPRISE = frozenset({Role.ENTERPRISE_ADMIN, Role.ENTERPRISE_STAFF, Role.FIELD_WORKER})
# Who carries out inspections: agencies' inspectors, regulators, grid supervisors, and the
# enterprises themselves (self-inspection, 企业自查).
SUBMITTERS = REGULATORS | ENTERPRISE | {Role.INSPECTOR, Role.GRID_SUPERVISOR}
DEFAULT_KIND: dict[Role, InspectionKind] = {
    Role.INSPECTOR: InspectionKind.THIRD_PARTY,
    Role.REGULATOR_ADMIN: InspectionKind.SPOT_CHECK,
    Role.REGULATOR_STAFF: InspectionKind.SPOT_CHECK,
    Role.GRID_SUPERVISOR: InspectionKind.SPOT_CHECK,
}

# Attachments: where an inspection's photos are linked.
OVERVIEW = "inspection"  # photos of the inspection as a whole
RESULT = "inspection_result"  # photos of an item that passed (or n/a); failures go to the hazard

FILTERS = FilterSet(
    filters=(
        Filter("site_id", Inspection.site_id, type=int, zh="场站", en="Site"),
        Filter("kind", Inspection.kind, choices=InspectionKind, zh="检查类型", en="Kind"),
        Filter("owner_id", Inspection.owner_id, type=int, zh="所属企业", en="Enterprise"),
        AreaFilter(
            "area_id", Inspection.area_id, type=int, zh="区域(含下级)", en="Area (and below)"
        ),
        Filter("inspector_org_id", Inspection.inspector_org_id, type=int, zh="检查单位", en="By"),
        Filter("task_id", Inspection.task_id, type=int, zh="检查任务", en="Task"),
        Filter("amended", Inspection.amended, op="is", type=bool, zh="已更正", en="Amended"),
        *date_range("inspected", Inspection.inspected_at, "检查时间", "Inspected"),
    ),
    search=(Inspection.inspector_name, Inspection.client_id),
    sort={
        "inspected_at": Inspection.inspected_at,
        "submitted_at": Inspection.submitted_at,
        "n_fail": Inspection.n_fail,
    },
    default_sort=("-inspected_at",),
)


def _invalid(loc: Sequence[str | int], msg: str) -> Invalid:
    return Invalid(f"{'.'.join(map(str, loc[1:]))}: {msg}", errors=[{"loc": list(loc), "msg": msg}])


# ---- reads --------------------------------------------------------------------------------------
def inspection_scope(principal: Principal) -> ColumnElement[bool]:
    return located(
        principal, owner=Inspection.owner_id, area=Inspection.area_id, site=Inspection.site_id
    )


def get(*, session: Session, principal: Principal, id: int, lock: bool = False) -> Inspection:
    stmt = select(Inspection).where(Inspection.id == id, inspection_scope(principal))
    if lock and session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(of=Inspection)
    inspection = session.scalars(stmt).first()
    if inspection is None:
        raise NotFound(f"inspection {id} not found")
    return inspection


def get_all(
    *, session: Session, principal: Principal, params: PageParams, filters: dict[str, Any]
) -> Page[Inspection]:
    return FILTERS.page(
        session,
        select(Inspection).where(inspection_scope(principal)),
        params,
        filters,
        Inspection.id,
    )


@dataclass
class Photos:
    """An inspection's photo ids: of the whole, and per result (a failed item's photos are
    its hazard's findings)."""

    overview: list[int] = field(default_factory=list)
    by_result: dict[int, list[int]] = field(default_factory=dict)


def photos(session: Session, inspection: Inspection) -> Photos:
    out = Photos(overview=[a.id for a in attached(session, OVERVIEW, [inspection.id])])
    result_ids = [r.id for r in inspection.results]
    for a in attached(session, RESULT, result_ids):
        out.by_result.setdefault(a.entity_id or 0, []).append(a.id)
    hazard_to_result = {r.hazard_id: r.id for r in inspection.results if r.hazard_id is not None}
    for a in attached(session, "hazard", list(hazard_to_result)):
        if a.role == "finding" and a.entity_id in hazard_to_result:
            out.by_result.setdefault(hazard_to_result[a.entity_id], []).append(a.id)
    return out


def hazard_codes(session: Session, inspection: Inspection) -> dict[int, str]:
    ids = [r.hazard_id for r in inspection.results if r.hazard_id is not None]
    if not ids:
        return {}
    return dict(session.execute(select(Hazard.id, Hazard.code).where(Hazard.id.in_(ids))).all())


# ---- submission ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Answer:
    item_id: int
    outcome: Outcome
    note: str | None = None
    photo_ids: tuple[int, ...] = ()


def parse_answers(results: Sequence[Mapping[str, Any] | Answer]) -> list[Answer]:
    out = []
    for n, r in enumerate(results):
        if isinstance(r, Answer):
            out.append(r)
            continue
        try:
            note = (r.get("note") or "").strip() or None
            out.append(
                Answer(
                    item_id=int(r["item_id"]),
                    outcome=Outcome(r["outcome"]),
                    note=note,
                    photo_ids=tuple(int(i) for i in r.get("photo_ids") or ()),
                )
            )
        except (KeyError, ValueError, TypeError) as exc:
            raise _invalid(
                ["body", "results", n], f"item_id and outcome (pass/fail/na): {exc}"
            ) from exc
    return out


@dataclass(frozen=True)
class Submission:
    inspection: Inspection
    duplicate: bool  # the client id was seen before: this is the first submission, unchanged


def _existing(session: Session, principal: Principal, client_id: str) -> Inspection | None:
    found = session.scalars(select(Inspection).where(Inspection.client_id == client_id)).first()
    if found is None:
        return None
    visible = session.scalar(
        select(Inspection.id).where(Inspection.id == found.id, inspection_scope(principal))
    )
    if visible is None and found.inspector_id != principal.user_id:
        raise Conflict(f"client_id {client_id!r} belongs to another inspection")
    return found


def visible_site(session: Session, principal: Principal, site_id: int) -> Site:
    stmt = select(Site).where(
        Site.id == site_id,
        located(principal, owner=Site.owner_id, area=Site.area_id, site=Site.id),
    )
    site = session.scalars(stmt).first()
    if site is None:
        raise NotFound(f"site {site_id} not found")
    return site


def _task(session: Session, principal: Principal, task_id: int, site: Site) -> InspectionTask:
    stmt = select(InspectionTask).where(InspectionTask.id == task_id, tasks.task_scope(principal))
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(of=InspectionTask)
    task = session.scalars(stmt).first()
    if task is None:
        raise NotFound(f"inspection task {task_id} not found")
    if task.site_id != site.id:
        raise _invalid(["body", "task_id"], f"task {task_id} is for another site")
    if task.status is not TaskStatus.PENDING:
        raise Conflict(f"inspection task {task_id} is {task.status.value}")
    if (
        task.assignee_org_id is not None
        and task.assignee_org_id != principal.org_id
        and not principal.is_regulator
    ):
        raise Forbidden(f"inspection task {task_id} is assigned to another organisation")
    return task


def inspection_kind(
    principal: Principal, asked: InspectionKind | None, task: InspectionTask | None
) -> InspectionKind:
    """Enterprises inspect themselves (SELF, whatever they ask); a task fixes the kind; else
    the one asked for, or the caller's usual kind."""
    if principal.role in ENTERPRISE:
        if task is not None and task.kind is not InspectionKind.SELF:
            raise _invalid(["body", "task_id"], "an enterprise carries out self-inspections only")
        return InspectionKind.SELF
    if task is not None:
        if asked is not None and asked is not task.kind:
            raise _invalid(["body", "kind"], f"the task is a {task.kind.value} inspection")
        kind = task.kind
    else:
        kind = asked or DEFAULT_KIND.get(principal.role or Role.VIEWER, InspectionKind.SPOT_CHECK)
    if kind is InspectionKind.SELF and principal.scope_kind is not ScopeKind.ALL:
        raise _invalid(["body", "kind"], "self-inspections are carried out by the enterprise")
    return kind


def _targets(site: Site) -> set[ChecklistTarget]:
    """Checklists that fit a site: its kind's, and the enterprise-management one."""
    out = {ChecklistTarget.ENTERPRISE}
    if site.kind in SITE_TARGET:
        out.add(SITE_TARGET[site.kind])
    return out


def checklist_version(
    session: Session, site: Site, task: InspectionTask | None, version_id: int | None
) -> ChecklistVersion:
    """The version asked for (a form filled in offline keeps the version it was opened with,
    even if a newer one was published since), else the current version of the task's template
    or of the site kind's template (a regulator's own before a built-in one, newest first)."""
    if version_id is not None:
        version = session.get(ChecklistVersion, version_id)
        if version is None:
            raise _invalid(["body", "version_id"], "unknown checklist version")
        if task is not None and version.template_id != task.template_id:
            raise _invalid(["body", "version_id"], "not a version of the task's checklist")
        if task is None and version.template.target not in _targets(site):
            raise _invalid(["body", "version_id"], f"not a checklist for a {site.kind.value}")
        return version
    if task is not None:
        template: ChecklistTemplate | None = task.template
    else:
        stmt = (
            select(ChecklistTemplate)
            .where(
                ChecklistTemplate.target == SITE_TARGET.get(site.kind, ChecklistTarget.ENTERPRISE),
                ChecklistTemplate.active.is_(True),
                ChecklistTemplate.current_version_id.is_not(None),
            )
            .order_by(ChecklistTemplate.builtin.asc(), ChecklistTemplate.id.desc())
            .limit(1)
        )
        template = session.scalars(stmt).first()
    if template is None or template.current_version_id is None:
        raise _invalid(["body", "version_id"], f"no published checklist for a {site.kind.value}")
    version = session.get(ChecklistVersion, template.current_version_id)
    if version is None:
        raise _invalid(["body", "version_id"], "the checklist's current version is missing")
    return version


def _check_answers(version: ChecklistVersion, answers: list[Answer]) -> dict[int, ChecklistItem]:
    """Every item of the version answered exactly once, and nothing else."""
    items = {i.id: i for i in version.items}
    seen: set[int] = set()
    errors: list[dict[str, Any]] = []
    for n, a in enumerate(answers):
        if a.item_id not in items:
            msg = f"item {a.item_id} is not in checklist version {version.id}"
            errors.append({"loc": ["body", "results", n, "item_id"], "msg": msg})
        elif a.item_id in seen:
            msg = f"item {a.item_id} answered twice"
            errors.append({"loc": ["body", "results", n, "item_id"], "msg": msg})
        seen.add(a.item_id)
    missing = [i.code for i in version.items if i.id not in seen]
    if missing:
        msg = f"not answered: {', '.join(missing)}"
        errors.append({"loc": ["body", "results"], "msg": msg})
    if not items:
        errors.append({"loc": ["body", "version_id"], "msg": "the checklist has no items"})
    if errors:
        raise Invalid("; ".join(e["msg"] for e in errors), errors=errors)
    return items


def _check_time(inspected_at: datetime, now: datetime) -> None:
    if inspected_at.tzinfo is None:
        raise _invalid(["body", "inspected_at"], "give the time with its UTC offset")
    if inspected_at > now + CLOCK_SKEW:
        raise _invalid(["body", "inspected_at"], "in the future")
    if inspected_at < now - timedelta(days=MAX_AGE_DAYS):
        raise _invalid(["body", "inspected_at"], f"more than {MAX_AGE_DAYS} days ago")


def open_hazard(
    session: Session,
    principal: Principal,
    inspection: Inspection,
    item: ChecklistItem,
    answer: Answer,
    *,
    found_at: datetime,
    now: datetime,
    tz: str,
    note: str | None = None,
) -> Hazard:
    """The hazard a failed item opens, linked to the inspection, the item and its photos."""
    self_inspection = inspection.kind is InspectionKind.SELF
    return hazards.report(
        session=session,
        principal=principal,
        source=HazardSource.SELF_INSPECTION if self_inspection else HazardSource.INSPECTION,
        grade=item.hazard_grade,
        category=item.category,
        title=item.text,
        description=answer.note,
        site_id=inspection.site_id,
        item_code=item.code,
        inspection_id=inspection.id,
        deadline_days=item.deadline_days,
        photo_ids=answer.photo_ids,
        assign=inspection.owner_id is not None,
        found_at=found_at,
        note=note,
        tz=tz,
        now=now,
    )


def link_result_photos(
    session: Session,
    principal: Principal,
    inspection: Inspection,
    result: InspectionResult,
    photo_ids: Sequence[int],
) -> None:
    link(
        session,
        principal,
        photo_ids,
        entity_type=RESULT,
        entity_id=result.id,
        role="finding",
        owner_id=inspection.owner_id,
        area_id=inspection.area_id,
        site_id=inspection.site_id,
    )


def count(inspection: Inspection) -> None:
    outcomes = [r.outcome for r in inspection.results]
    inspection.n_pass = outcomes.count(Outcome.PASS)
    inspection.n_fail = outcomes.count(Outcome.FAIL)
    inspection.n_na = outcomes.count(Outcome.NOT_APPLICABLE)


def submit(
    *,
    session: Session,
    principal: Principal,
    client_id: str,
    site_id: int,
    inspected_at: datetime,
    results: Sequence[Mapping[str, Any] | Answer],
    task_id: int | None = None,
    kind: InspectionKind | None = None,
    version_id: int | None = None,
    lon: float | None = None,
    lat: float | None = None,
    note: str | None = None,
    photo_ids: Sequence[int] = (),
    tz: str = DEFAULT_TZ,
    now: datetime | None = None,
) -> Submission:
    """Record a submitted inspection and open a hazard for every failed item.

    Idempotent by `client_id` (made by the form when it was opened): the same id again, say
    an offline phone retrying, returns the first inspection unchanged (`duplicate`), whatever
    else the second request says.
    """
    if principal.scope_kind is not ScopeKind.ALL and principal.role not in SUBMITTERS:
        raise Forbidden(f"role {principal.role} may not submit inspections")
    client_id = (client_id or "").strip()
    if not client_id or len(client_id) > 64:
        raise _invalid(["body", "client_id"], "1 to 64 characters (the form's UUID)")
    first = _existing(session, principal, client_id)
    if first is not None:
        return Submission(first, duplicate=True)

    now = now or utcnow()
    site = visible_site(session, principal, site_id)
    task = _task(session, principal, task_id, site) if task_id is not None else None
    kind = inspection_kind(principal, kind, task)
    _check_time(inspected_at, now)
    if (lon is None) != (lat is None):
        raise _invalid(["body", "lat" if lat is None else "lon"], "give both lon and lat")
    version = checklist_version(session, site, task, version_id)
    answers = parse_answers(results)
    items = _check_answers(version, answers)
    all_photos = [*photo_ids, *(i for a in answers for i in a.photo_ids)]
    check_usable(session, principal, all_photos, ["body", "photo_ids"])

    inspection = Inspection(
        client_id=client_id,
        task_id=task.id if task is not None else None,
        site_id=site.id,
        site_kind=site.kind,
        kind=kind,
        version_id=version.id,
        inspector_id=principal.user_id,
        inspector_name=principal.username,
        inspector_org_id=principal.org_id,
        owner_id=site.owner_id,
        area_id=site.area_id,
        inspected_at=inspected_at,
        submitted_at=now,
        lon=lon,
        lat=lat,
        note=(note or "").strip() or None,
    )
    try:
        with session.begin_nested():  # a concurrent retry of the same client id loses here
            session.add(inspection)
            session.flush()
    except IntegrityError:
        first = _existing(session, principal, client_id)
        if first is None:
            raise
        return Submission(first, duplicate=True)

    opened: list[str] = []
    for a in answers:
        result = InspectionResult(
            inspection=inspection, item_id=a.item_id, outcome=a.outcome, note=a.note
        )
        session.add(result)
        session.flush()
        if a.outcome is Outcome.FAIL:
            item = items[a.item_id]
            hazard = open_hazard(
                session, principal, inspection, item, a, found_at=inspected_at, now=now, tz=tz
            )
            result.hazard_id = hazard.id
            opened.append(hazard.code)
        else:
            link_result_photos(session, principal, inspection, result, a.photo_ids)
    link(
        session,
        principal,
        photo_ids,
        entity_type=OVERVIEW,
        entity_id=inspection.id,
        role="overview",
        owner_id=inspection.owner_id,
        area_id=inspection.area_id,
        site_id=inspection.site_id,
    )
    count(inspection)
    findings = [
        (item.system_kind, a.outcome is Outcome.PASS)
        for a in answers
        if (item := items[a.item_id]).system_kind and a.outcome is not Outcome.NOT_APPLICABLE
    ]
    if findings:  # the management checklist feeds the register of required systems
        systems.record_findings(
            session,
            org_id=inspection.owner_id,
            findings=findings,
            ref=f"inspection #{inspection.id}",
            at=inspected_at,
        )
    if task is not None:
        _task_done(session, principal, task, inspection, tz)
    audit.record(
        session=session,
        principal=principal,
        action="inspection_submit",
        entity_type="inspection",
        entity_id=inspection.id,
        entity_label=f"{site.name} {inspected_at:%Y-%m-%d}",
        changes={
            "kind": [None, kind.value],
            "site_id": [None, site.id],
            "version_id": [None, version.id],
            "n_pass": [None, inspection.n_pass],
            "n_fail": [None, inspection.n_fail],
            "n_na": [None, inspection.n_na],
            "hazards": [None, opened],
        },
        owner_id=inspection.owner_id,
        area_id=inspection.area_id,
    )
    session.flush()
    return Submission(inspection, duplicate=False)


def _task_done(
    session: Session,
    principal: Principal,
    task: InspectionTask,
    inspection: Inspection,
    tz: str,
) -> None:
    tasks.mark_done(session=session, task=task, at=inspection.inspected_at, tz=tz)
    audit.record(
        session=session,
        principal=principal,
        action="task_done",
        entity_type="inspection_task",
        entity_id=task.id,
        entity_label=f"{task.site.name} {task.period_start}",
        changes={
            "status": [TaskStatus.PENDING.value, TaskStatus.DONE.value],
            "late": [None, task.late],
        },
        reason=f"inspection {inspection.id}",
        owner_id=task.owner_id,
        area_id=task.area_id,
    )
