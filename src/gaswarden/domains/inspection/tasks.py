"""Inspection tasks: generated from the active plans on schedule, listed in the caller's scope
with the overdue ones flagged and counted, cancelled by the regulator.

`generate` makes one task per matching site for every period of every active plan from its
start up to today (the current period included) that has none yet: running it twice adds
nothing (and the (plan, site, period_start) unique constraint backs that up).
gaswarden/maintenance.py runs it in the background of serve and demo. Flush, never commit.
"""

from __future__ import annotations

import calendar
import logging
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, false, func, not_, or_, select, true
from sqlalchemy.orm import Session

from gaswarden.core.auth import SYSTEM, Principal, ScopeKind
from gaswarden.core.errors import Conflict, Forbidden, Invalid, NotFound
from gaswarden.core.filters import Filter, FilterSet, date_range
from gaswarden.core.localtime import DEFAULT_TZ
from gaswarden.core.pagination import Page, PageParams
from gaswarden.core.scope import areas_under
from gaswarden.domains.alarm.service import AreaFilter
from gaswarden.domains.area.models import Area
from gaswarden.domains.audit import service as audit
from gaswarden.domains.inspection.enums import (
    SITE_TARGET,
    ChecklistTarget,
    InspectionKind,
    TaskStatus,
)
from gaswarden.domains.inspection.models import InspectionPlan, InspectionTask
from gaswarden.domains.inspection.plans import ENTITY as PLAN_ENTITY
from gaswarden.domains.inspection.plans import is_regulator
from gaswarden.domains.organization.enums import OrgKind
from gaswarden.domains.organization.models import Organization
from gaswarden.domains.site.enums import SiteKind, SiteStatus
from gaswarden.domains.site.models import Site, SiteAssignment
from gaswarden.standards.hazards import FREQUENCY_MONTHS, Frequency

log = logging.getLogger(__name__)
ENTITY = "inspection_task"
WEEK_DAYS = 7  # Frequency.WEEKLY steps by a week (FREQUENCY_MONTHS covers the rest)

FILTERS = FilterSet(
    filters=(
        Filter("status", InspectionTask.status, choices=TaskStatus, zh="状态", en="Status"),
        Filter("kind", InspectionTask.kind, choices=InspectionKind, zh="检查类型", en="Kind"),
        Filter("plan_id", InspectionTask.plan_id, type=int, zh="计划", en="Plan"),
        Filter("site_id", InspectionTask.site_id, type=int, zh="场站", en="Site"),
        Filter(
            "assignee_org_id",
            InspectionTask.assignee_org_id,
            type=int,
            zh="执行单位",
            en="Assignee",
        ),
        Filter("owner_id", InspectionTask.owner_id, type=int, zh="企业", en="Enterprise"),
        AreaFilter("area_id", InspectionTask.area_id, type=int, zh="区域", en="Area"),
        Filter("late", InspectionTask.late, op="is", type=bool, zh="逾期完成", en="Done late"),
        *date_range("due", InspectionTask.due_on, "截止日期", "Due"),
        *date_range("period", InspectionTask.period_start, "周期开始", "Period"),
    ),
    sort={
        "due_on": InspectionTask.due_on,
        "period_start": InspectionTask.period_start,
        "status": InspectionTask.status,
    },
    default_sort=("due_on",),
)


def local_today(tz: str = DEFAULT_TZ) -> date:
    return datetime.now(ZoneInfo(tz)).date()


# ---- periods -------------------------------------------------------------------------------
def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the month's end (31 Jan + 1 -> 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def period_start(starts_on: date, frequency: Frequency, n: int) -> date:
    """The start of the n-th period (0-based), always counted from the plan's first day."""
    if frequency is Frequency.WEEKLY:
        return starts_on + timedelta(days=WEEK_DAYS * n)
    return add_months(starts_on, FREQUENCY_MONTHS[frequency] * n)


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # the last day of the period

    def due(self, due_days: int | None) -> date:
        """The period's end, or `due_days` after its start when the plan sets that."""
        return self.end if due_days is None else self.start + timedelta(days=due_days)


def periods(plan: InspectionPlan, today: date, since: date | None = None) -> Iterator[Period]:
    """Every period that has started by `today` (the current one included), not before
    `since`, and not after the plan's end."""
    n = 0
    while True:
        start = period_start(plan.starts_on, plan.frequency, n)
        if start > today or (plan.ends_on is not None and start > plan.ends_on):
            return
        end = period_start(plan.starts_on, plan.frequency, n + 1) - timedelta(days=1)
        if plan.ends_on is not None:
            end = min(end, plan.ends_on)
        if since is None or start >= since:
            yield Period(start, end)
        n += 1


# ---- which sites a plan covers --------------------------------------------------------------
def site_kinds(plan: InspectionPlan) -> set[SiteKind]:
    """The plan's kinds; left empty, the kinds its checklist is for (enterprise-management
    checklists: the enterprise's stations)."""
    if plan.site_kinds:
        return {SiteKind(k) for k in plan.site_kinds}
    target = plan.template.target
    if target is ChecklistTarget.ENTERPRISE:
        return {k for k in SiteKind if k.is_station}
    return {k for k, t in SITE_TARGET.items() if t is target}


def plan_sites(session: Session, plan: InspectionPlan) -> list[Site]:
    stmt = select(Site).where(
        Site.kind.in_(sorted(site_kinds(plan))), Site.status != SiteStatus.CLOSED
    )
    if plan.area_id is not None:
        area = session.get(Area, plan.area_id)
        paths = (area.path,) if area is not None and area.path else ()
        stmt = stmt.where(Site.area_id.in_(areas_under(paths)))
    if plan.owner_id is not None:
        stmt = stmt.where(Site.owner_id == plan.owner_id)
    agency = session.get(Organization, plan.assignee_org_id) if plan.assignee_org_id else None
    if agency is not None and agency.kind is OrgKind.AGENCY:
        # An agency inspects the sites it is engaged for (第三方专项巡检), no others.
        engaged = select(SiteAssignment.site_id).where(SiteAssignment.agency_id == agency.id)
        stmt = stmt.where(Site.id.in_(engaged))
    return list(session.scalars(stmt.order_by(Site.id)))


# ---- generation ----------------------------------------------------------------------------
@dataclass
class Generated:
    today: date
    plans: int = 0
    tasks: int = 0
    by_plan: dict[int, int] = field(default_factory=dict)


def generate_plan(
    *, session: Session, plan: InspectionPlan, today: date, principal: Principal = SYSTEM
) -> int:
    """The missing tasks of one plan up to `today`; returns how many were made."""
    since = plan.generated_until  # regenerate that period too: sites added since then
    todo = list(periods(plan, today, since))
    if not todo:
        return 0
    rows = session.execute(
        select(InspectionTask.site_id, InspectionTask.period_start).where(
            InspectionTask.plan_id == plan.id,
            InspectionTask.period_start >= todo[0].start,
        )
    )
    existing = {(site_id, start) for site_id, start in rows}
    sites = plan_sites(session, plan)
    made = 0
    for period in todo:
        for site in sites:
            if (site.id, period.start) in existing:
                continue
            session.add(
                InspectionTask(
                    plan_id=plan.id,
                    site_id=site.id,
                    template_id=plan.template_id,
                    kind=plan.kind,
                    period_start=period.start,
                    due_on=period.due(plan.due_days),
                    status=TaskStatus.PENDING,
                    assignee_org_id=plan.assignee_org_id,
                    assignee_team_id=plan.assignee_team_id,
                    owner_id=site.owner_id,
                    area_id=site.area_id,
                )
            )
            made += 1
    before = plan.generated_until
    plan.generated_until = todo[-1].start
    session.flush()
    if made:
        audit.record(
            session=session,
            principal=principal,
            action="generate_tasks",
            entity_type=PLAN_ENTITY,
            entity_id=plan.id,
            entity_label=plan.name,
            changes={
                "tasks": [None, made],
                "generated_until": [_iso(before), _iso(todo[-1].start)],
            },
            owner_id=plan.owner_id,
            area_id=plan.area_id,
        )
    return made


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def generate(session: Session, today: date, *, principal: Principal = SYSTEM) -> Generated:
    """Tasks for every active plan (see the module's docstring). On PostgreSQL each plan row
    is locked while its tasks are made, so several processes may run this at once."""
    result = Generated(today=today)
    plan_ids = list(
        session.scalars(
            select(InspectionPlan.id)
            .where(InspectionPlan.active, InspectionPlan.starts_on <= today)
            .order_by(InspectionPlan.id)
        )
    )
    postgres = session.get_bind().dialect.name == "postgresql"
    for plan_id in plan_ids:
        stmt = select(InspectionPlan).where(InspectionPlan.id == plan_id)
        if postgres:
            stmt = stmt.with_for_update(of=InspectionPlan)
        plan = session.scalar(stmt)
        if plan is None or not plan.active:
            continue
        result.plans += 1
        made = generate_plan(session=session, plan=plan, today=today, principal=principal)
        if made:
            result.by_plan[plan.id] = made
            result.tasks += made
    return result


def generate_for(*, session: Session, principal: Principal, plan_id: int, today: date) -> int:
    """Generate one plan's tasks now (its regulator or its enterprise, from the plan's page)."""
    from gaswarden.domains.inspection import plans

    plan = plans.get(session=session, principal=principal, id=plan_id)
    if not plans.may_write(principal, plan):
        raise Forbidden("you may not generate this plan's tasks")
    if not plan.active:
        raise Conflict("the plan is not active")
    return generate_plan(session=session, plan=plan, today=today, principal=principal)


# ---- scope and reads -----------------------------------------------------------------------
def task_scope(principal: Principal) -> ColumnElement[bool]:
    """Regulators and grid supervisors: tasks at sites in their areas; an enterprise: tasks at
    its sites (and any assigned to it); an agency: tasks assigned to it or at its sites."""
    kind = principal.scope_kind
    if kind is ScopeKind.ALL:
        return true()
    if kind is ScopeKind.AREA:
        return InspectionTask.area_id.in_(areas_under(principal.area_paths))
    if principal.org_id is None:
        return false()
    if kind is ScopeKind.ORG:
        return or_(
            InspectionTask.owner_id == principal.org_id,
            InspectionTask.assignee_org_id == principal.org_id,
        )
    mine = InspectionTask.assignee_org_id == principal.org_id
    if principal.site_ids:
        return or_(mine, InspectionTask.site_id.in_(sorted(principal.site_ids)))
    return mine


def overdue_clause(today: date) -> ColumnElement[bool]:
    return and_(InspectionTask.status == TaskStatus.PENDING, InspectionTask.due_on < today)


def _filtered(principal: Principal, filters: dict[str, Any], q: str | None, today: date) -> Any:
    filters = dict(filters)
    overdue = filters.pop("overdue", None)
    stmt = FILTERS.apply(select(InspectionTask).where(task_scope(principal)), filters, q)
    if overdue is True:
        stmt = stmt.where(overdue_clause(today))
    elif overdue is False:
        stmt = stmt.where(not_(overdue_clause(today)))
    return stmt


@dataclass
class TaskList:
    page: Page[InspectionTask]
    overdue: int
    today: date


def get_all(
    *,
    session: Session,
    principal: Principal,
    params: PageParams,
    filters: dict[str, Any] | None = None,
    today: date,
) -> TaskList:
    """Filters: those in FILTERS, and `overdue` (pending and due before `today`)."""
    stmt = _filtered(principal, filters or {}, params.q, today)
    ids = stmt.with_only_columns(InspectionTask.id)
    total = session.scalar(select(func.count()).select_from(ids.subquery()))
    overdue = session.scalar(
        select(func.count()).select_from(ids.where(overdue_clause(today)).subquery())
    )
    stmt = FILTERS.order(stmt, params.sort, InspectionTask.id)
    items = list(session.scalars(stmt.offset(params.offset).limit(params.size)))
    page: Page[InspectionTask] = Page(
        items=items, total=total or 0, page=params.page, size=params.size
    )
    return TaskList(page=page, overdue=overdue or 0, today=today)


def counts(
    *,
    session: Session,
    principal: Principal,
    filters: dict[str, Any] | None = None,
    today: date,
) -> dict[str, int]:
    """Tasks per status and overdue, in scope and matching the filters."""
    stmt = _filtered(principal, filters or {}, None, today).subquery()
    rows = session.execute(select(stmt.c.status, func.count()).group_by(stmt.c.status))
    by_status: Counter[str] = Counter()
    for status, n in rows:
        by_status[TaskStatus(status).value] += n
    overdue = session.scalar(
        select(func.count()).select_from(
            _filtered(principal, filters or {}, None, today)
            .with_only_columns(InspectionTask.id)
            .where(overdue_clause(today))
            .subquery()
        )
    )
    out = {s.value: by_status.get(s.value, 0) for s in TaskStatus}
    out["total"] = sum(by_status.values())
    out["overdue"] = overdue or 0
    return out


def get(*, session: Session, principal: Principal, id: int) -> InspectionTask:
    task = session.scalar(
        select(InspectionTask).where(InspectionTask.id == id, task_scope(principal))
    )
    if task is None:
        raise NotFound(f"inspection task {id} not found")
    return task


# ---- writes --------------------------------------------------------------------------------
def cancel(*, session: Session, principal: Principal, id: int, reason: str) -> InspectionTask:
    """The regulator cancels a pending task (the site is closed, inspected otherwise ...)."""
    if not is_regulator(principal):
        raise Forbidden("only the regulator cancels inspection tasks")
    if not reason or not reason.strip():
        raise Invalid(
            "reason: give the reason for cancelling",
            errors=[{"loc": ["body", "reason"], "msg": "required"}],
        )
    task = get(session=session, principal=principal, id=id)
    if task.status is not TaskStatus.PENDING:
        raise Conflict(f"task {id} is {task.status.value}; only a pending task can be cancelled")
    task.status = TaskStatus.CANCELLED
    session.flush()
    audit.record(
        session=session,
        principal=principal,
        action="cancel",
        entity_type=ENTITY,
        entity_id=task.id,
        entity_label=f"{task.site.name} {task.period_start.isoformat()}",
        changes={"status": [TaskStatus.PENDING.value, TaskStatus.CANCELLED.value]},
        reason=reason.strip(),
        owner_id=task.owner_id,
        area_id=task.area_id,
    )
    return task


def mark_done(
    *, session: Session, task: InspectionTask, at: datetime, tz: str = DEFAULT_TZ
) -> None:
    """For the inspection submission: the task is done at `at` (late if after its due day).
    The submission records its own audit row."""
    if task.status is TaskStatus.DONE:
        return
    task.status = TaskStatus.DONE
    task.done_at = at
    task.late = at.astimezone(ZoneInfo(tz)).date() > task.due_on
    session.flush()
