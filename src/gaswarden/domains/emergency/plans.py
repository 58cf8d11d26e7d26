"""Emergency plans (应急预案): versions of a plan code, submit, approve (the regulator; the
approved version supersedes the one in force), the review due date; overdue reviews flagged
and counted. The plan document is an upload of the attachment domain linked to the version.
Flush, never commit."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, select
from sqlalchemy.orm import Session

from gaswarden.core.auth import Principal, ScopeKind
from gaswarden.core.errors import Conflict, Forbidden, Invalid, NotFound
from gaswarden.core.filters import Filter, FilterSet
from gaswarden.core.pagination import Page, PageParams
from gaswarden.db.base import utcnow
from gaswarden.domains.attachment.links import link
from gaswarden.domains.audit import service as audit
from gaswarden.domains.emergency.clock import local_date, local_today
from gaswarden.domains.emergency.enums import PlanLevel, PlanStatus
from gaswarden.domains.emergency.models import EmergencyPlan
from gaswarden.domains.emergency.schemas import PlanApprove, PlanCreate, PlanRead, PlanVersionCreate
from gaswarden.domains.emergency.scope import (
    district_area,
    plan_scope,
    require_regulator,
    require_writer,
)
from gaswarden.domains.organization.models import Organization
from gaswarden.standards.emergency import PLAN_REVIEW_YEARS

ENTITY = "emergency_plan"
DOCUMENT_ROLE = "plan_document"

FILTERS = FilterSet(
    filters=(
        Filter("status", EmergencyPlan.status, choices=PlanStatus, zh="状态", en="Status"),
        Filter("level", EmergencyPlan.level, choices=PlanLevel, zh="级别", en="Level"),
        Filter("owner_id", EmergencyPlan.owner_id, type=int, zh="编制单位", en="Owner"),
        Filter("code", EmergencyPlan.code, zh="预案编号", en="Code"),
    ),
    search=(EmergencyPlan.code, EmergencyPlan.title, EmergencyPlan.filed_with),
    sort={
        "code": EmergencyPlan.code,
        "version": EmergencyPlan.version,
        "review_due_on": EmergencyPlan.review_due_on,
        "updated_at": EmergencyPlan.updated_at,
    },
    default_sort=("code", "-version"),
)


def overdue_clause(today: date) -> ColumnElement[bool]:
    """The plan in force whose review date has passed."""
    return and_(EmergencyPlan.status == PlanStatus.APPROVED, EmergencyPlan.review_due_on < today)


def review_overdue(plan: EmergencyPlan, today: date) -> bool:
    return (
        plan.status is PlanStatus.APPROVED
        and plan.review_due_on is not None
        and plan.review_due_on < today
    )


def read(plan: EmergencyPlan, today: date) -> PlanRead:
    return PlanRead.model_validate(plan).model_copy(
        update={"review_overdue": review_overdue(plan, today)}
    )


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


# ---- reads --------------------------------------------------------------------------------------
def visible(principal: Principal) -> Select[Any]:
    return select(EmergencyPlan).where(plan_scope(principal))


def get_all(
    *,
    session: Session,
    principal: Principal,
    params: PageParams,
    filters: dict[str, Any],
    overdue: bool | None = None,
    current: bool = False,
) -> Page[EmergencyPlan]:
    """Plans in scope; `overdue` only those whose review is past due, `current` only the
    latest version of each code."""
    stmt = visible(principal)
    if overdue:
        stmt = stmt.where(overdue_clause(local_today()))
    if current:
        newest = (
            select(
                EmergencyPlan.owner_id,
                EmergencyPlan.code,
                func.max(EmergencyPlan.version).label("v"),
            )
            .group_by(EmergencyPlan.owner_id, EmergencyPlan.code)
            .subquery()
        )
        stmt = stmt.join(
            newest,
            and_(
                EmergencyPlan.code == newest.c.code,
                EmergencyPlan.version == newest.c.v,
                func.coalesce(EmergencyPlan.owner_id, 0) == func.coalesce(newest.c.owner_id, 0),
            ),
        )
    return FILTERS.page(session, stmt, params, filters, EmergencyPlan.id)


def get(*, session: Session, principal: Principal, id: int) -> EmergencyPlan:
    plan = session.scalars(visible(principal).where(EmergencyPlan.id == id)).first()
    if plan is None:
        raise NotFound(f"emergency plan {id} not found")
    return plan


def versions(*, session: Session, principal: Principal, plan: EmergencyPlan) -> list[EmergencyPlan]:
    stmt = (
        visible(principal)
        .where(EmergencyPlan.code == plan.code, _same_owner(plan.owner_id))
        .order_by(EmergencyPlan.version.desc())
    )
    return list(session.scalars(stmt))


def counts(*, session: Session, principal: Principal) -> dict[str, int]:
    """Plans in force, awaiting approval, and reviews overdue, in scope."""
    today = local_today()
    scope = plan_scope(principal)

    def n(*where: ColumnElement[bool]) -> int:
        return int(session.scalar(select(func.count(EmergencyPlan.id)).where(scope, *where)) or 0)

    return {
        "in_force": n(EmergencyPlan.status == PlanStatus.APPROVED),
        "submitted": n(EmergencyPlan.status == PlanStatus.SUBMITTED),
        "drafts": n(EmergencyPlan.status == PlanStatus.DRAFT),
        "review_overdue": n(overdue_clause(today)),
    }


# ---- writes -------------------------------------------------------------------------------------
def _same_owner(owner_id: int | None) -> ColumnElement[bool]:
    return (
        EmergencyPlan.owner_id.is_(None) if owner_id is None else EmergencyPlan.owner_id == owner_id
    )


def _audit(
    session: Session,
    principal: Principal,
    plan: EmergencyPlan,
    action: str,
    changes: dict[str, list[Any]],
    reason: str | None = None,
) -> None:
    audit.record(
        session=session,
        principal=principal,
        action=action,
        entity_type=ENTITY,
        entity_id=plan.id,
        entity_label=str(plan),
        changes=changes,
        reason=reason,
        owner_id=plan.owner_id,
        area_id=plan.area_id,
    )


def _attach(
    session: Session, principal: Principal, plan: EmergencyPlan, attachment_id: int | None
) -> None:
    if attachment_id is None:
        return
    try:
        linked = link(
            session,
            principal,
            [attachment_id],
            entity_type=ENTITY,
            entity_id=plan.id,
            role=DOCUMENT_ROLE,
            owner_id=plan.owner_id,
            area_id=plan.area_id,
        )
    except (Invalid, NotFound, Forbidden) as exc:
        raise Invalid(
            f"attachment_id: {exc}", errors=[{"loc": ["body", "attachment_id"], "msg": str(exc)}]
        ) from exc
    plan.attachment_id = linked[0].id if linked else attachment_id


def create(*, session: Session, principal: Principal, data: PlanCreate) -> EmergencyPlan:
    """Version 1 of a new plan code (a draft). An enterprise writes its own plans; the
    district plan (no owner) is the regulator's."""
    require_writer(principal, "write emergency plans")
    owner_id = data.owner_id
    if principal.scope_kind is ScopeKind.ORG:
        if owner_id not in (None, principal.org_id):
            raise Forbidden("an enterprise writes its own plans only")
        owner_id = principal.org_id
    area_id = data.area_id
    if owner_id is not None:
        org = session.get(Organization, owner_id)
        if org is None or not org.kind.is_enterprise:
            raise Invalid(
                "owner_id: not a gas enterprise",
                errors=[{"loc": ["body", "owner_id"], "msg": "not an enterprise"}],
            )
        area_id = area_id or org.area_id
    area_id = area_id or district_area(session)
    exists = session.scalar(
        select(EmergencyPlan.id).where(EmergencyPlan.code == data.code, _same_owner(owner_id))
    )
    if exists is not None:
        raise Conflict(f"plan {data.code} exists: add a new version of it")
    plan = EmergencyPlan(
        code=data.code,
        version=1,
        title=data.title,
        level=data.level,
        status=PlanStatus.DRAFT,
        owner_id=owner_id,
        area_id=area_id,
        scenarios=list(data.scenarios),
        summary=data.summary,
        review_due_on=data.review_due_on,
        filed_with=data.filed_with,
    )
    session.add(plan)
    session.flush()
    if (
        session.scalar(
            visible(principal)
            .with_only_columns(EmergencyPlan.id)
            .where(EmergencyPlan.id == plan.id)
        )
        is None
    ):
        raise Forbidden("this plan would lie outside your area")
    _attach(session, principal, plan, data.attachment_id)
    _audit(session, principal, plan, "create", audit.diff({}, audit.snapshot(plan)))
    session.flush()
    return plan


def new_version(
    *, session: Session, principal: Principal, id: int, data: PlanVersionCreate
) -> EmergencyPlan:
    """A revision (修订): a new draft of the same code, from the latest version."""
    require_writer(principal, "revise emergency plans")
    base = get(session=session, principal=principal, id=id)
    all_versions = versions(session=session, principal=principal, plan=base)
    latest = all_versions[0]
    if any(v.status in (PlanStatus.DRAFT, PlanStatus.SUBMITTED) for v in all_versions):
        raise Conflict(f"plan {base.code} already has a revision in progress")
    plan = EmergencyPlan(
        code=latest.code,
        version=latest.version + 1,
        title=data.title or latest.title,
        level=latest.level,
        status=PlanStatus.DRAFT,
        owner_id=latest.owner_id,
        area_id=latest.area_id,
        scenarios=list(data.scenarios if data.scenarios is not None else latest.scenarios),
        summary=data.summary if data.summary is not None else latest.summary,
        review_due_on=data.review_due_on,
        filed_with=latest.filed_with,
    )
    session.add(plan)
    session.flush()
    _attach(session, principal, plan, data.attachment_id)
    _audit(session, principal, plan, "new_version", {"version": [latest.version, plan.version]})
    session.flush()
    return plan


def submit(
    *, session: Session, principal: Principal, id: int, note: str | None = None
) -> EmergencyPlan:
    require_writer(principal, "submit emergency plans")
    plan = get(session=session, principal=principal, id=id)
    if plan.status is not PlanStatus.DRAFT:
        raise Conflict(f"only a draft is submitted (this one is {plan.status.value})")
    plan.status, plan.submitted_at = PlanStatus.SUBMITTED, utcnow()
    session.flush()
    _audit(session, principal, plan, "submit", {"status": ["draft", "submitted"]}, note)
    return plan


def send_back(*, session: Session, principal: Principal, id: int, note: str) -> EmergencyPlan:
    """The regulator returns a submitted plan to its author for changes (退回修改)."""
    require_regulator(principal, "send a plan back")
    plan = get(session=session, principal=principal, id=id)
    if plan.status is not PlanStatus.SUBMITTED:
        raise Conflict("only a submitted plan is sent back")
    if not note.strip():
        raise Invalid(
            "note: say what to change", errors=[{"loc": ["body", "note"], "msg": "required"}]
        )
    plan.status = PlanStatus.DRAFT
    session.flush()
    _audit(session, principal, plan, "send_back", {"status": ["submitted", "draft"]}, note)
    return plan


def approve(*, session: Session, principal: Principal, id: int, data: PlanApprove) -> EmergencyPlan:
    """The regulator approves (批准/备案) a submitted version: it comes into force, the
    version in force before it is superseded. Review due: as given, else after
    PLAN_REVIEW_YEARS from the effective date."""
    require_regulator(principal, "approve emergency plans")
    require_writer(principal, "approve emergency plans")
    plan = get(session=session, principal=principal, id=id)
    if plan.status is not PlanStatus.SUBMITTED:
        raise Conflict(f"only a submitted plan is approved (this one is {plan.status.value})")
    now = utcnow()
    effective = data.effective_on or local_date(now)
    plan.status = PlanStatus.APPROVED
    plan.approved_at, plan.approved_by_name = now, principal.display_name or principal.username
    plan.effective_on = effective
    plan.review_due_on = (
        data.review_due_on or plan.review_due_on or add_years(effective, PLAN_REVIEW_YEARS)
    )
    changes: dict[str, list[Any]] = {
        "status": ["submitted", "approved"],
        "review_due_on": [None, plan.review_due_on.isoformat()],
    }
    for old in session.scalars(
        select(EmergencyPlan).where(
            EmergencyPlan.code == plan.code,
            _same_owner(plan.owner_id),
            EmergencyPlan.status == PlanStatus.APPROVED,
            EmergencyPlan.id != plan.id,
        )
    ):
        old.status, old.superseded_by_id = PlanStatus.SUPERSEDED, plan.id
        _audit(
            session,
            principal,
            old,
            "supersede",
            {"status": ["approved", "superseded"], "superseded_by": [None, plan.version]},
        )
        changes["supersedes"] = [None, old.version]
    session.flush()
    _audit(session, principal, plan, "approve", changes, data.note)
    return plan


def set_review_due(
    *, session: Session, principal: Principal, id: int, review_due_on: date, note: str | None = None
) -> EmergencyPlan:
    require_writer(principal, "set a plan's review date")
    plan = get(session=session, principal=principal, id=id)
    before = plan.review_due_on
    plan.review_due_on = review_due_on
    session.flush()
    _audit(
        session,
        principal,
        plan,
        "review_due",
        {"review_due_on": [before.isoformat() if before else None, review_due_on.isoformat()]},
        note,
    )
    return plan
