"""Inspection plans: which sites (by kind, area, enterprise), which checklist, how often, by
whom. Regulators plan every kind of inspection in their area; an enterprise admin plans its own
self-inspections (kind=self, owner = itself); an agency sees the plans assigned to it.
Every write is audited. Flush, never commit.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import ColumnElement, and_, false, or_, select, true
from sqlalchemy.orm import Session

from gaswarden.core.auth import Principal, ScopeKind
from gaswarden.core.enums import Role
from gaswarden.core.errors import Conflict, Forbidden, Invalid, NotFound
from gaswarden.core.filters import Filter, FilterSet
from gaswarden.core.pagination import Page, PageParams
from gaswarden.core.scope import areas_under
from gaswarden.domains.alarm.service import AreaFilter
from gaswarden.domains.area.models import Area
from gaswarden.domains.audit import service as audit
from gaswarden.domains.inspection.enums import SITE_TARGET, ChecklistTarget, InspectionKind
from gaswarden.domains.inspection.models import ChecklistTemplate, InspectionPlan, InspectionTask
from gaswarden.domains.inspection.schemas_plans import PlanCreate, PlanUpdate
from gaswarden.domains.organization.enums import OrgKind
from gaswarden.domains.organization.models import Organization
from gaswarden.domains.site.enums import SiteKind
from gaswarden.domains.site.models import Site
from gaswarden.domains.workforce.models import Team
from gaswarden.standards.hazards import Frequency

ENTITY = "inspection_plan"
REGULATORS = frozenset({Role.REGULATOR_ADMIN, Role.REGULATOR_STAFF})

FILTERS = FilterSet(
    filters=(
        Filter("kind", InspectionPlan.kind, choices=InspectionKind, zh="检查类型", en="Kind"),
        Filter("frequency", InspectionPlan.frequency, choices=Frequency, zh="频次", en="Frequency"),
        Filter("active", InspectionPlan.active, op="is", type=bool, zh="启用", en="Active"),
        Filter("template_id", InspectionPlan.template_id, type=int, zh="检查表", en="Checklist"),
        Filter("owner_id", InspectionPlan.owner_id, type=int, zh="企业", en="Enterprise"),
        Filter(
            "assignee_org_id",
            InspectionPlan.assignee_org_id,
            type=int,
            zh="执行单位",
            en="Assignee",
        ),
        AreaFilter("area_id", InspectionPlan.area_id, type=int, zh="区域", en="Area"),
    ),
    search=(InspectionPlan.name,),
    sort={
        "name": InspectionPlan.name,
        "starts_on": InspectionPlan.starts_on,
        "kind": InspectionPlan.kind,
        "created_at": InspectionPlan.created_at,
    },
    default_sort=("-created_at",),
)


# ---- scope and permissions -----------------------------------------------------------------
def _ancestor_ids(paths: tuple[str, ...]) -> list[int]:
    """Ids of the areas on the paths ("/1/4/17/" -> 1, 4, 17): plans there cover these areas."""
    return sorted({int(p) for path in paths for p in path.strip("/").split("/") if p})


def plan_scope(principal: Principal) -> ColumnElement[bool]:
    """Regulators and grid supervisors: plans in, or covering, their areas (and the plans of
    enterprises registered or with sites there); an enterprise: its own plans, those assigned
    to it and those with tasks at its sites; an agency: the plans assigned to it and those with
    tasks at the sites it serves."""
    kind = principal.scope_kind
    if kind is ScopeKind.ALL:
        return true()
    if kind is ScopeKind.AREA:
        if not principal.area_paths:
            return false()
        areas = areas_under(principal.area_paths)
        registered_here = select(Organization.id).where(Organization.area_id.in_(areas))
        with_sites_here = select(Site.owner_id).where(
            Site.area_id.in_(areas), Site.owner_id.is_not(None)
        )
        return or_(
            InspectionPlan.area_id.in_(areas),
            InspectionPlan.area_id.in_(_ancestor_ids(principal.area_paths)),
            and_(
                InspectionPlan.area_id.is_(None),
                or_(
                    InspectionPlan.owner_id.is_(None),
                    InspectionPlan.owner_id.in_(registered_here),
                    InspectionPlan.owner_id.in_(with_sites_here),
                ),
            ),
        )
    if principal.org_id is None:
        return false()
    # ... and whoever sees a task sees the plan it comes from (an enterprise the regulator's
    # plan that inspects its sites, an agency the self-inspection plan of a site it serves).
    if kind is ScopeKind.ORG:
        return or_(
            InspectionPlan.owner_id == principal.org_id,
            InspectionPlan.assignee_org_id == principal.org_id,
            InspectionPlan.id.in_(
                select(InspectionTask.plan_id).where(InspectionTask.owner_id == principal.org_id)
            ),
        )
    mine = InspectionPlan.assignee_org_id == principal.org_id
    if principal.site_ids:
        at_its_sites = select(InspectionTask.plan_id).where(
            InspectionTask.site_id.in_(sorted(principal.site_ids))
        )
        return or_(mine, InspectionPlan.id.in_(at_its_sites))
    return mine


def is_regulator(principal: Principal) -> bool:
    return principal.scope_kind is ScopeKind.ALL or principal.role in REGULATORS


def may_write(principal: Principal, plan: InspectionPlan) -> bool:
    if is_regulator(principal):
        return True
    return (
        principal.role is Role.ENTERPRISE_ADMIN
        and plan.kind is InspectionKind.SELF
        and plan.owner_id == principal.org_id
    )


def _error(field: str, msg: str) -> Invalid:
    return Invalid(f"{field}: {msg}", errors=[{"loc": ["body", field], "msg": msg}])


def _validated(schema: type[BaseModel], data: Any) -> dict[str, Any]:
    if isinstance(data, BaseModel):
        return data.model_dump(exclude_unset=True)
    try:
        return schema.model_validate(data).model_dump(exclude_unset=True)
    except ValidationError as exc:
        errors = [
            {"loc": ["body", *map(str, e["loc"])], "msg": e["msg"], "type": e["type"]}
            for e in exc.errors()
        ]
        detail = "; ".join(f"{'.'.join(e['loc'][1:]) or 'body'}: {e['msg']}" for e in errors)
        raise Invalid(detail, errors=errors) from exc


# ---- reads ---------------------------------------------------------------------------------
def get_all(
    *,
    session: Session,
    principal: Principal,
    params: PageParams,
    filters: dict[str, Any] | None = None,
) -> Page[InspectionPlan]:
    stmt = select(InspectionPlan).where(plan_scope(principal))
    return FILTERS.page(session, stmt, params, filters, InspectionPlan.id)


def get(*, session: Session, principal: Principal, id: int) -> InspectionPlan:
    plan = session.scalar(
        select(InspectionPlan).where(InspectionPlan.id == id, plan_scope(principal))
    )
    if plan is None:
        raise NotFound(f"inspection plan {id} not found")
    return plan


# ---- writes --------------------------------------------------------------------------------
def _target_kinds(target: ChecklistTarget) -> set[SiteKind]:
    return {kind for kind, t in SITE_TARGET.items() if t is target}


def _check(session: Session, principal: Principal, plan: InspectionPlan) -> None:
    """The rules a plan obeys after every write, whoever writes it."""
    template = session.get(ChecklistTemplate, plan.template_id)
    if template is None:
        raise _error("template_id", f"no checklist {plan.template_id}")
    if template.current_version_id is None:
        raise _error("template_id", "the checklist has no published version")
    if template.target is not ChecklistTarget.ENTERPRISE and plan.site_kinds:
        wrong = sorted(set(plan.site_kinds) - {k.value for k in _target_kinds(template.target)})
        if wrong:
            raise _error(
                "site_kinds",
                f"checklist {template.code} is for {template.target.value}; not for "
                + ", ".join(wrong),
            )
    if plan.ends_on is not None and plan.ends_on < plan.starts_on:
        raise _error("ends_on", "before starts_on")
    if plan.owner_id is not None:
        owner = session.get(Organization, plan.owner_id)
        if owner is None or not owner.kind.is_enterprise:
            raise _error("owner_id", "must be a gas enterprise")
    if plan.kind is InspectionKind.SELF and plan.owner_id is None:
        raise _error("owner_id", "a self-inspection plan names its enterprise")
    if plan.assignee_org_id is not None:
        assignee = session.get(Organization, plan.assignee_org_id)
        if assignee is None:
            raise _error("assignee_org_id", f"no organisation {plan.assignee_org_id}")
        if plan.kind is InspectionKind.THIRD_PARTY and assignee.kind is not OrgKind.AGENCY:
            raise _error("assignee_org_id", "a third-party inspection is assigned to an agency")
        if plan.kind is InspectionKind.SELF and assignee.id != plan.owner_id:
            raise _error("assignee_org_id", "a self-inspection is carried out by the enterprise")
    if plan.assignee_team_id is not None and session.get(Team, plan.assignee_team_id) is None:
        raise _error("assignee_team_id", f"no team {plan.assignee_team_id}")
    if plan.area_id is not None:
        if session.get(Area, plan.area_id) is None:
            raise _error("area_id", f"no area {plan.area_id}")
        if principal.scope_kind is ScopeKind.AREA:
            inside = session.scalar(
                select(Area.id).where(
                    Area.id == plan.area_id, Area.id.in_(areas_under(principal.area_paths))
                )
            )
            if inside is None:
                raise _error("area_id", "outside your area")


def _apply_role(principal: Principal, data: dict[str, Any], creating: bool) -> dict[str, Any]:
    if is_regulator(principal):
        return data
    if principal.role is not Role.ENTERPRISE_ADMIN:
        raise Forbidden("only regulators and enterprise admins plan inspections")
    if creating and data.get("kind") not in (None, InspectionKind.SELF):
        raise Forbidden("an enterprise plans its own self-inspections only (kind=self)")
    for field in ("owner_id", "assignee_org_id"):
        if data.get(field) not in (None, principal.org_id):
            raise Forbidden(f"{field}: an enterprise plans for itself only")
    if creating:
        data = {
            **data,
            "kind": InspectionKind.SELF,
            "owner_id": principal.org_id,
            "assignee_org_id": principal.org_id,
        }
    return data


def _default_area(session: Session, principal: Principal) -> int | None:
    if principal.scope_kind is not ScopeKind.AREA or principal.org_id is None:
        return None
    org = session.get(Organization, principal.org_id)
    return org.area_id if org is not None else None


def _audit(
    session: Session,
    principal: Principal,
    plan: InspectionPlan,
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
        entity_label=plan.name,
        changes=changes,
        reason=reason,
        owner_id=plan.owner_id,
        area_id=plan.area_id,
    )


def create(
    *,
    session: Session,
    principal: Principal,
    data: PlanCreate | dict[str, Any],
    reason: str | None = None,
) -> InspectionPlan:
    values = _apply_role(principal, _validated(PlanCreate, data), creating=True)
    if "area_id" not in values and values.get("owner_id") is None:
        values["area_id"] = _default_area(session, principal)
    if values.get("kind") is InspectionKind.SELF and values.get("assignee_org_id") is None:
        values["assignee_org_id"] = values.get("owner_id")
    values["site_kinds"] = [SiteKind(k).value for k in values.get("site_kinds") or []]
    plan = InspectionPlan(**values, created_by_org_id=principal.org_id)
    _check(session, principal, plan)
    session.add(plan)
    session.flush()
    if (
        session.scalar(
            select(InspectionPlan.id).where(InspectionPlan.id == plan.id, plan_scope(principal))
        )
        is None
    ):
        raise Forbidden("this plan would lie outside your scope")
    _audit(session, principal, plan, "create", audit.diff({}, audit.snapshot(plan)), reason)
    return plan


def update(
    *,
    session: Session,
    principal: Principal,
    id: int,
    data: PlanUpdate | dict[str, Any],
    reason: str | None = None,
) -> InspectionPlan:
    """Changes apply to tasks generated from now on; tasks already made stay as they are."""
    values = _apply_role(principal, _validated(PlanUpdate, data), creating=False)
    plan = get(session=session, principal=principal, id=id)
    if not may_write(principal, plan):
        raise Forbidden("you may not change this plan")
    before = audit.snapshot(plan)
    for key, value in values.items():
        if value is None and key in ("name", "template_id", "frequency", "starts_on", "active"):
            raise _error(key, "cannot be empty")
        if key == "site_kinds":
            value = [SiteKind(k).value for k in value or []]
        setattr(plan, key, value)
    _check(session, principal, plan)
    session.flush()
    changes = audit.diff(before, audit.snapshot(plan))
    if changes:
        _audit(session, principal, plan, "update", changes, reason)
    return plan


def delete(*, session: Session, principal: Principal, id: int, reason: str | None = None) -> None:
    """Only a plan without tasks; one that has made tasks is deactivated instead (active=false)."""
    plan = get(session=session, principal=principal, id=id)
    if not may_write(principal, plan):
        raise Forbidden("you may not delete this plan")
    if session.scalar(select(InspectionTask.id).where(InspectionTask.plan_id == plan.id).limit(1)):
        raise Conflict(
            "the plan has tasks; deactivate it instead of deleting it (已生成任务的计划请停用)"
        )
    before = audit.snapshot(plan)
    _audit(session, principal, plan, "delete", audit.diff(before, {}), reason)
    session.delete(plan)
    session.flush()
