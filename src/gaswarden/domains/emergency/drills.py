"""Drills (应急演练): planned, held (with participants, rating, evaluation) or cancelled;
follow-up actions with due and done dates; counts per enterprise per year. Flush, never
commit."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from gaswarden.core.auth import Principal, ScopeKind
from gaswarden.core.errors import Conflict, Forbidden, Invalid, NotFound
from gaswarden.core.filters import Filter, FilterSet, date_range
from gaswarden.core.pagination import Page, PageParams
from gaswarden.domains.audit import service as audit
from gaswarden.domains.emergency.enums import DrillKind, DrillRating, DrillStatus
from gaswarden.domains.emergency.models import Drill, DrillAction, EmergencyPlan
from gaswarden.domains.emergency.schemas import (
    DrillActionCreate,
    DrillCount,
    DrillCreate,
    DrillHeld,
)
from gaswarden.domains.emergency.scope import district_area, drill_scope, plan_scope, require_writer
from gaswarden.domains.organization.models import Organization
from gaswarden.domains.site.service import locate

ENTITY = "drill"

FILTERS = FilterSet(
    filters=(
        Filter("status", Drill.status, choices=DrillStatus, zh="状态", en="Status"),
        Filter("kind", Drill.kind, choices=DrillKind, zh="类型", en="Kind"),
        Filter("rating", Drill.rating, choices=DrillRating, zh="评估", en="Rating"),
        Filter("owner_id", Drill.owner_id, type=int, zh="组织单位", en="Organiser"),
        *date_range("planned", Drill.planned_on, "计划日期", "Planned"),
    ),
    search=(Drill.title, Drill.scenario, Drill.participant_units),
    sort={"planned_on": Drill.planned_on, "held_on": Drill.held_on, "title": Drill.title},
    default_sort=("-planned_on",),
)


def visible(principal: Principal) -> Select[Any]:
    return select(Drill).where(drill_scope(principal))


def get_all(
    *, session: Session, principal: Principal, params: PageParams, filters: dict[str, Any]
) -> Page[Drill]:
    return FILTERS.page(session, visible(principal), params, filters, Drill.id)


def get(*, session: Session, principal: Principal, id: int) -> Drill:
    drill = session.scalars(visible(principal).where(Drill.id == id)).first()
    if drill is None:
        raise NotFound(f"drill {id} not found")
    return drill


def _audit(
    session: Session,
    principal: Principal,
    drill: Drill,
    action: str,
    changes: dict[str, list[Any]],
) -> None:
    audit.record(
        session=session,
        principal=principal,
        action=action,
        entity_type=ENTITY,
        entity_id=drill.id,
        entity_label=str(drill),
        changes=changes,
        owner_id=drill.owner_id,
        area_id=drill.area_id,
    )


def plan_drill(*, session: Session, principal: Principal, data: DrillCreate) -> Drill:
    """A drill on the calendar. An enterprise plans its own; the district's (no owner) are
    the regulator's."""
    require_writer(principal, "plan drills")
    owner_id = data.owner_id
    if principal.scope_kind is ScopeKind.ORG:
        if owner_id not in (None, principal.org_id):
            raise Forbidden("an enterprise plans its own drills only")
        owner_id = principal.org_id
    if data.plan_id is not None:
        plan = session.scalars(
            select(EmergencyPlan).where(EmergencyPlan.id == data.plan_id, plan_scope(principal))
        ).first()
        if plan is None:
            raise Invalid(
                "plan_id: no plan that you can see",
                errors=[{"loc": ["body", "plan_id"], "msg": "unknown"}],
            )
    drill = Drill(
        title=data.title,
        kind=data.kind,
        status=DrillStatus.PLANNED,
        plan_id=data.plan_id,
        scenario=data.scenario,
        planned_on=data.planned_on,
        owner_id=owner_id,
        area_id=data.area_id,
        address=data.address,
        lon=data.lon,
        lat=data.lat,
        participant_units=data.participant_units,
        team_ids=list(data.team_ids),
    )
    locate(session, drill, {})
    if drill.area_id is None and owner_id is not None:
        org = session.get(Organization, owner_id)
        drill.area_id = org.area_id if org else None
    drill.area_id = drill.area_id or district_area(session)
    session.add(drill)
    session.flush()
    if (
        session.scalar(visible(principal).with_only_columns(Drill.id).where(Drill.id == drill.id))
        is None
    ):
        raise Forbidden("this drill would lie outside your area")
    _audit(session, principal, drill, "create", audit.diff({}, audit.snapshot(drill)))
    session.flush()
    return drill


def hold(*, session: Session, principal: Principal, id: int, data: DrillHeld) -> Drill:
    """The drill was held: date, participants, rating and evaluation (评估总结)."""
    require_writer(principal, "record drills")
    drill = get(session=session, principal=principal, id=id)
    if drill.status is not DrillStatus.PLANNED:
        raise Conflict(f"the drill is {drill.status.value}")
    drill.status, drill.held_on = DrillStatus.HELD, data.held_on
    drill.participants, drill.rating, drill.evaluation = (
        data.participants,
        data.rating,
        data.evaluation,
    )
    if data.participant_units:
        drill.participant_units = data.participant_units
    session.flush()
    _audit(
        session,
        principal,
        drill,
        "held",
        {
            "status": ["planned", "held"],
            "held_on": [None, data.held_on.isoformat()],
            "rating": [None, data.rating.value],
        },
    )
    return drill


def cancel(*, session: Session, principal: Principal, id: int, note: str) -> Drill:
    require_writer(principal, "cancel drills")
    drill = get(session=session, principal=principal, id=id)
    if drill.status is not DrillStatus.PLANNED:
        raise Conflict(f"the drill is {drill.status.value}")
    drill.status = DrillStatus.CANCELLED
    drill.evaluation = note.strip() or None
    session.flush()
    _audit(session, principal, drill, "cancel", {"status": ["planned", "cancelled"]})
    return drill


def add_action(
    *, session: Session, principal: Principal, id: int, data: DrillActionCreate
) -> DrillAction:
    """A follow-up action from the evaluation (整改措施)."""
    require_writer(principal, "add drill follow-ups")
    drill = get(session=session, principal=principal, id=id)
    if drill.status is not DrillStatus.HELD:
        raise Conflict("follow-up actions come from a drill that was held")
    action = DrillAction(
        drill_id=drill.id, text=data.text, responsible=data.responsible, due_on=data.due_on
    )
    session.add(action)
    session.flush()
    session.refresh(drill, ["actions"])
    _audit(session, principal, drill, "action_add", {"action": [None, data.text]})
    return action


def action_done(
    *, session: Session, principal: Principal, id: int, action_id: int, done_on: Any
) -> DrillAction:
    require_writer(principal, "close drill follow-ups")
    drill = get(session=session, principal=principal, id=id)
    action = next((a for a in drill.actions if a.id == action_id), None)
    if action is None:
        raise NotFound(f"action {action_id} not found on drill {id}")
    if action.done_on is not None:
        raise Conflict("the action is already done")
    action.done_on = done_on
    session.flush()
    _audit(session, principal, drill, "action_done", {"action_done": [None, done_on.isoformat()]})
    return action


def counts_by_year(*, session: Session, principal: Principal, lang: str = "zh") -> list[DrillCount]:
    """Planned, held and cancelled drills per organiser per year (the year of the holding,
    else of the plan)."""
    names: dict[int, str] = {
        i: n for i, n in session.execute(select(Organization.id, Organization.name))
    }
    district = "区级(监管部门)" if lang == "zh" else "District (regulator)"
    out: dict[tuple[int | None, int], dict[str, int]] = defaultdict(
        lambda: {"planned": 0, "held": 0, "cancelled": 0}
    )
    rows = session.execute(
        select(Drill.owner_id, Drill.status, Drill.planned_on, Drill.held_on).where(
            drill_scope(principal)
        )
    )
    for owner_id, status, planned_on, held_on in rows:
        year = (held_on or planned_on).year
        out[(owner_id, year)][status.value] += 1
    result = [
        DrillCount(
            owner_id=owner_id,
            owner_name=names.get(owner_id, district) if owner_id else district,
            year=year,
            **counts,
        )
        for (owner_id, year), counts in out.items()
    ]
    result.sort(key=lambda c: (-c.year, c.owner_name))
    return result
