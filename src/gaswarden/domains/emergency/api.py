"""/api/v1/emergency/...: plans with versions and approval, teams' duty, reserves with their
flags, contacts, drills with follow-ups and counts, the road graph; the incidents' routes are
api_incidents.py's, included here.

No `from __future__ import annotations` here: FastAPI reads these annotations at runtime.
"""

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query, status
from pydantic import BaseModel, create_model
from sqlalchemy.orm import Session

from gaswarden.core.api import list_query_model, split_query
from gaswarden.core.pagination import Page, PageParams
from gaswarden.deps import PrincipalDep, SessionDep
from gaswarden.domains.emergency import (
    api_incidents,
    contacts,
    drills,
    plans,
    reserves,
    roads,
    teams,
)
from gaswarden.domains.emergency.clock import local_today
from gaswarden.domains.emergency.schemas import (
    ContactCreate,
    ContactRead,
    DrillActionCreate,
    DrillActionDone,
    DrillActionRead,
    DrillCount,
    DrillCreate,
    DrillHeld,
    DrillRead,
    DutyUpdate,
    PlanApprove,
    PlanCreate,
    PlanRead,
    PlanVersionCreate,
    ReserveCreate,
    ReserveRead,
    ReserveUpdate,
    RoadImportResult,
    TeamBaseUpdate,
    TeamRead,
)

TAG = "emergency"
P = "/emergency"
router = APIRouter(tags=[TAG])
router.include_router(api_incidents.router)


class Note(BaseModel):
    note: str | None = None


class NoteRequired(BaseModel):
    note: str


class ReviewDue(BaseModel):
    review_due_on: date
    note: str | None = None


# ---- plans --------------------------------------------------------------------------------------
PlanQuery: Any = create_model(
    "PlanQuery",
    __base__=PageParams,
    overdue=(bool | None, None),
    current=(bool, False),
    **{f.name: (f.annotation, None) for f in plans.FILTERS.filters},  # type: ignore[call-overload]
)


class PlanPage(Page[PlanRead]):
    pass


class PlanDetail(PlanRead):
    versions: list[PlanRead] = []


def _plan_detail(session: Session, principal: Any, plan: Any) -> PlanDetail:
    today = local_today()
    return PlanDetail(
        **plans.read(plan, today).model_dump(),
        versions=[
            plans.read(v, today)
            for v in plans.versions(session=session, principal=principal, plan=plan)
        ],
    )


@router.get(f"{P}/plans", response_model=PlanPage, summary="Emergency plans 应急预案")
def list_plans(
    query: Annotated[PlanQuery, Query()], session: SessionDep, principal: PrincipalDep
) -> PlanPage:
    raw = query.model_dump()
    overdue, current = raw.pop("overdue"), raw.pop("current")
    params = PageParams(**{k: raw.pop(k) for k in PageParams.model_fields})
    filters = {k: v for k, v in raw.items() if v is not None}
    page = plans.get_all(
        session=session,
        principal=principal,
        params=params,
        filters=filters,
        overdue=overdue,
        current=current,
    )
    today = local_today()
    return PlanPage(
        items=[plans.read(p, today) for p in page.items],
        total=page.total,
        page=page.page,
        size=page.size,
    )


@router.get(f"{P}/plans/counts", summary="Plans in force, awaiting approval, reviews overdue")
def plan_counts(session: SessionDep, principal: PrincipalDep) -> dict[str, int]:
    return plans.counts(session=session, principal=principal)


@router.post(f"{P}/plans", response_model=PlanDetail, status_code=status.HTTP_201_CREATED)
def create_plan(body: PlanCreate, session: SessionDep, principal: PrincipalDep) -> PlanDetail:
    plan = plans.create(session=session, principal=principal, data=body)
    return _plan_detail(session, principal, plan)


@router.get(f"{P}/plans/{{plan_id}}", response_model=PlanDetail)
def read_plan(plan_id: int, session: SessionDep, principal: PrincipalDep) -> PlanDetail:
    plan = plans.get(session=session, principal=principal, id=plan_id)
    return _plan_detail(session, principal, plan)


@router.post(
    f"{P}/plans/{{plan_id}}/versions",
    response_model=PlanDetail,
    status_code=status.HTTP_201_CREATED,
    summary="A new version (revision) of the plan",
)
def new_plan_version(
    plan_id: int, body: PlanVersionCreate, session: SessionDep, principal: PrincipalDep
) -> PlanDetail:
    plan = plans.new_version(session=session, principal=principal, id=plan_id, data=body)
    return _plan_detail(session, principal, plan)


@router.post(f"{P}/plans/{{plan_id}}/submit", response_model=PlanDetail)
def submit_plan(
    plan_id: int, body: Note, session: SessionDep, principal: PrincipalDep
) -> PlanDetail:
    plan = plans.submit(session=session, principal=principal, id=plan_id, note=body.note)
    return _plan_detail(session, principal, plan)


@router.post(f"{P}/plans/{{plan_id}}/approve", response_model=PlanDetail)
def approve_plan(
    plan_id: int, body: PlanApprove, session: SessionDep, principal: PrincipalDep
) -> PlanDetail:
    plan = plans.approve(session=session, principal=principal, id=plan_id, data=body)
    return _plan_detail(session, principal, plan)


@router.post(f"{P}/plans/{{plan_id}}/send-back", response_model=PlanDetail)
def send_back_plan(
    plan_id: int, body: NoteRequired, session: SessionDep, principal: PrincipalDep
) -> PlanDetail:
    plan = plans.send_back(session=session, principal=principal, id=plan_id, note=body.note)
    return _plan_detail(session, principal, plan)


@router.post(f"{P}/plans/{{plan_id}}/review-due", response_model=PlanDetail)
def set_plan_review_due(
    plan_id: int, body: ReviewDue, session: SessionDep, principal: PrincipalDep
) -> PlanDetail:
    plan = plans.set_review_due(
        session=session,
        principal=principal,
        id=plan_id,
        review_due_on=body.review_due_on,
        note=body.note,
    )
    return _plan_detail(session, principal, plan)


# ---- teams --------------------------------------------------------------------------------------
@router.get(f"{P}/teams", response_model=list[TeamRead], summary="Rescue teams 应急救援队伍")
def list_teams(session: SessionDep, principal: PrincipalDep) -> list[TeamRead]:
    return [
        TeamRead.model_validate(v.read()) for v in teams.teams(session=session, principal=principal)
    ]


@router.post(f"{P}/teams/{{team_id}}/duty", response_model=TeamRead, summary="Set duty status")
def set_duty(
    team_id: int, body: DutyUpdate, session: SessionDep, principal: PrincipalDep
) -> TeamRead:
    teams.set_duty(
        session=session,
        principal=principal,
        id=team_id,
        duty_status=body.duty_status,
        note=body.note,
    )
    return _team(session, principal, team_id)


@router.patch(f"{P}/teams/{{team_id}}", response_model=TeamRead, summary="Skills, base point")
def update_team(
    team_id: int, body: TeamBaseUpdate, session: SessionDep, principal: PrincipalDep
) -> TeamRead:
    teams.update_base(session=session, principal=principal, id=team_id, **body.model_dump())
    return _team(session, principal, team_id)


def _team(session: Session, principal: Any, team_id: int) -> TeamRead:
    views = teams.teams(session=session, principal=principal, kinds=())
    view = next(v for v in views if v.team.id == team_id)
    return TeamRead.model_validate(view.read())


# ---- reserves -----------------------------------------------------------------------------------
ReserveQuery: Any = create_model(
    "ReserveQuery",
    __base__=list_query_model(reserves.service, "ReserveBaseQuery"),
    flag=(Literal["expired", "maintenance"] | None, None),
)


class ReservePage(Page[ReserveRead]):
    pass


@router.get(f"{P}/reserves", response_model=ReservePage, summary="Equipment and materials 装备物资")
def list_reserves(
    query: Annotated[ReserveQuery, Query()], session: SessionDep, principal: PrincipalDep
) -> ReservePage:
    raw = query.model_dump()
    flag = raw.pop("flag")
    params = PageParams(**{k: raw.pop(k) for k in PageParams.model_fields})
    filters = {k: v for k, v in raw.items() if v is not None}
    today = local_today()
    stmt = reserves.service.filtered(principal, filters, params.q)
    if flag:
        stmt = stmt.where(reserves.flagged_clause(flag, today))
    page = reserves.service.filters.page(session, stmt, params, {}, reserves.ReserveItem.id)
    return ReservePage(
        items=[reserves.read(r, today) for r in page.items],
        total=page.total,
        page=page.page,
        size=page.size,
    )


@router.get(f"{P}/reserves/totals", summary="Equipment sets, lines, flagged lines")
def reserve_totals(session: SessionDep, principal: PrincipalDep) -> dict[str, int]:
    return reserves.totals(session=session, principal=principal)


@router.post(f"{P}/reserves", response_model=ReserveRead, status_code=status.HTTP_201_CREATED)
def create_reserve(
    body: ReserveCreate, session: SessionDep, principal: PrincipalDep
) -> ReserveRead:
    item = reserves.service.create(session=session, principal=principal, data=body)
    return reserves.read(item, local_today())


@router.get(f"{P}/reserves/{{item_id}}", response_model=ReserveRead)
def read_reserve(item_id: int, session: SessionDep, principal: PrincipalDep) -> ReserveRead:
    item = reserves.service.get(session=session, principal=principal, id=item_id)
    return reserves.read(item, local_today())


@router.patch(f"{P}/reserves/{{item_id}}", response_model=ReserveRead)
def update_reserve(
    item_id: int, body: ReserveUpdate, session: SessionDep, principal: PrincipalDep
) -> ReserveRead:
    item = reserves.service.update(session=session, principal=principal, id=item_id, data=body)
    return reserves.read(item, local_today())


# ---- contacts -----------------------------------------------------------------------------------
@router.get(f"{P}/contacts", response_model=list[ContactRead], summary="Emergency contacts")
def list_contacts(session: SessionDep, principal: PrincipalDep) -> list[ContactRead]:
    page = contacts.service.get_all(
        session=session, principal=principal, params=PageParams(size=500)
    )
    return [ContactRead.model_validate(c) for c in page.items]


@router.post(f"{P}/contacts", response_model=ContactRead, status_code=status.HTTP_201_CREATED)
def create_contact(
    body: ContactCreate, session: SessionDep, principal: PrincipalDep
) -> ContactRead:
    return ContactRead.model_validate(
        contacts.service.create(session=session, principal=principal, data=body)
    )


# ---- drills -------------------------------------------------------------------------------------
DrillQuery: Any = create_model(
    "DrillQuery",
    __base__=PageParams,
    **{f.name: (f.annotation, None) for f in drills.FILTERS.filters},  # type: ignore[call-overload]
)


class DrillPage(Page[DrillRead]):
    pass


@router.get(f"{P}/drills", response_model=DrillPage, summary="Drills 应急演练")
def list_drills(
    query: Annotated[DrillQuery, Query()], session: SessionDep, principal: PrincipalDep
) -> DrillPage:
    params, filters = split_query(query)
    page = drills.get_all(session=session, principal=principal, params=params, filters=filters)
    return DrillPage(
        items=[DrillRead.model_validate(d) for d in page.items],
        total=page.total,
        page=page.page,
        size=page.size,
    )


@router.get(
    f"{P}/drills/counts",
    response_model=list[DrillCount],
    summary="Drills per enterprise per year 演练次数",
)
def drill_counts(session: SessionDep, principal: PrincipalDep) -> list[DrillCount]:
    return drills.counts_by_year(session=session, principal=principal, lang=principal.lang)


@router.post(f"{P}/drills", response_model=DrillRead, status_code=status.HTTP_201_CREATED)
def plan_drill(body: DrillCreate, session: SessionDep, principal: PrincipalDep) -> DrillRead:
    return DrillRead.model_validate(
        drills.plan_drill(session=session, principal=principal, data=body)
    )


@router.get(f"{P}/drills/{{drill_id}}", response_model=DrillRead)
def read_drill(drill_id: int, session: SessionDep, principal: PrincipalDep) -> DrillRead:
    return DrillRead.model_validate(drills.get(session=session, principal=principal, id=drill_id))


@router.post(f"{P}/drills/{{drill_id}}/held", response_model=DrillRead)
def hold_drill(
    drill_id: int, body: DrillHeld, session: SessionDep, principal: PrincipalDep
) -> DrillRead:
    return DrillRead.model_validate(
        drills.hold(session=session, principal=principal, id=drill_id, data=body)
    )


@router.post(f"{P}/drills/{{drill_id}}/cancel", response_model=DrillRead)
def cancel_drill(
    drill_id: int, body: NoteRequired, session: SessionDep, principal: PrincipalDep
) -> DrillRead:
    return DrillRead.model_validate(
        drills.cancel(session=session, principal=principal, id=drill_id, note=body.note)
    )


@router.post(
    f"{P}/drills/{{drill_id}}/actions",
    response_model=DrillActionRead,
    status_code=status.HTTP_201_CREATED,
)
def add_drill_action(
    drill_id: int, body: DrillActionCreate, session: SessionDep, principal: PrincipalDep
) -> DrillActionRead:
    return DrillActionRead.model_validate(
        drills.add_action(session=session, principal=principal, id=drill_id, data=body)
    )


@router.post(f"{P}/drills/{{drill_id}}/actions/{{action_id}}/done", response_model=DrillActionRead)
def drill_action_done(
    drill_id: int,
    action_id: int,
    body: DrillActionDone,
    session: SessionDep,
    principal: PrincipalDep,
) -> DrillActionRead:
    return DrillActionRead.model_validate(
        drills.action_done(
            session=session,
            principal=principal,
            id=drill_id,
            action_id=action_id,
            done_on=body.done_on,
        )
    )


# ---- roads --------------------------------------------------------------------------------------
@router.get(f"{P}/roads", response_model=RoadImportResult, summary="The loaded road graph")
def road_summary(session: SessionDep, principal: PrincipalDep) -> RoadImportResult:
    nodes, edges, km = roads.summary(session)
    return RoadImportResult(nodes=nodes, edges=edges, length_km=km)


@router.post(
    f"{P}/roads",
    response_model=RoadImportResult,
    summary="Replace the road graph with GeoJSON LineStrings (regulators)",
)
def import_roads(
    session: SessionDep,
    principal: PrincipalDep,
    collection: Annotated[dict[str, Any], Body()],
) -> RoadImportResult:
    nodes, edges, km = roads.import_geojson(
        session=session, principal=principal, collection=collection
    )
    return RoadImportResult(nodes=nodes, edges=edges, length_km=km)
