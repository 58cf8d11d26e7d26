"""/api/v1/emergency/...: plans with versions and approval, teams' duty, reserves with their
flags, contacts, incidents with the ranking of resources, the response steps and statistics,
drills with follow-ups and counts, the road graph.

No `from __future__ import annotations` here: FastAPI reads these annotations at runtime.
"""

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query, status
from pydantic import BaseModel, create_model
from sqlalchemy.orm import Session

from gaswarden.core.api import list_query_model, split_query
from gaswarden.core.pagination import Page, PageParams
from gaswarden.deps import PrincipalDep, SessionDep, SettingsDep
from gaswarden.domains.emergency import (
    contacts,
    drills,
    incidents,
    plans,
    ranking,
    reserves,
    response,
    roads,
    stats,
    teams,
)
from gaswarden.domains.emergency.clock import local_today
from gaswarden.domains.emergency.models import Incident
from gaswarden.domains.emergency.schemas import (
    ActionCreate,
    ArrivalCreate,
    CloseCreate,
    ContactCreate,
    ContactRead,
    ControlCreate,
    DispatchCreate,
    DispatchRead,
    DrillActionCreate,
    DrillActionDone,
    DrillActionRead,
    DrillCount,
    DrillCreate,
    DrillHeld,
    DrillRead,
    DutyUpdate,
    GradeCreate,
    IncidentDetail,
    IncidentEventRead,
    IncidentOpen,
    IncidentRead,
    IncidentStats,
    NotifyCreate,
    PlanApprove,
    PlanCreate,
    PlanRead,
    PlanVersionCreate,
    RankedReserve,
    RankedTeam,
    Ranking,
    ReserveCreate,
    ReserveRead,
    ReserveUpdate,
    ReturnCreate,
    RoadImportResult,
    TeamBaseUpdate,
    TeamRead,
)

TAG = "emergency"
P = "/emergency"
router = APIRouter(tags=[TAG])


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


# ---- incidents ----------------------------------------------------------------------------------
IncidentQuery: Any = create_model(
    "IncidentQuery",
    __base__=PageParams,
    **{f.name: (f.annotation, None) for f in incidents.FILTERS.filters},  # type: ignore[call-overload]
)


class IncidentPage(Page[IncidentRead]):
    pass


def _incident_detail(session: Session, incident: Incident) -> IncidentDetail:
    return IncidentDetail(
        **IncidentRead.model_validate(incident).model_dump(),
        dispatches=[DispatchRead.model_validate(d) for d in incident.dispatches],
        events=[
            IncidentEventRead.model_validate(e)
            for e in incidents.timeline(session=session, incident=incident)
        ],
    )


@router.get(f"{P}/incidents", response_model=IncidentPage, summary="Incidents 突发事件")
def list_incidents(
    query: Annotated[IncidentQuery, Query()], session: SessionDep, principal: PrincipalDep
) -> IncidentPage:
    params, filters = split_query(query)
    page = incidents.get_all(session=session, principal=principal, params=params, filters=filters)
    return IncidentPage(
        items=[IncidentRead.model_validate(i) for i in page.items],
        total=page.total,
        page=page.page,
        size=page.size,
    )


@router.get(
    f"{P}/incidents/stats",
    response_model=IncidentStats,
    summary="Response times per enterprise, grade and month 响应时间统计",
)
def incident_stats(
    session: SessionDep,
    principal: PrincipalDep,
    start: date | None = None,
    end: date | None = None,
    include_drills: bool = False,
) -> IncidentStats:
    return stats.incident_stats(
        session=session,
        principal=principal,
        start=start,
        end=end,
        include_drills=include_drills,
        lang=principal.lang,
    )


@router.post(
    f"{P}/incidents",
    response_model=IncidentDetail,
    status_code=status.HTTP_201_CREATED,
    summary="Open an incident 接报",
)
def open_incident(
    body: IncidentOpen, session: SessionDep, principal: PrincipalDep
) -> IncidentDetail:
    incident = incidents.open_incident(session=session, principal=principal, data=body)
    return _incident_detail(session, incident)


@router.get(f"{P}/incidents/{{incident_id}}", response_model=IncidentDetail)
def read_incident(incident_id: int, session: SessionDep, principal: PrincipalDep) -> IncidentDetail:
    incident = incidents.get(session=session, principal=principal, id=incident_id)
    return _incident_detail(session, incident)


@router.get(
    f"{P}/incidents/{{incident_id}}/ranking",
    response_model=Ranking,
    summary="Nearest available teams and reserves, with the distance method",
)
def incident_ranking(
    incident_id: int, session: SessionDep, principal: PrincipalDep, limit: int = 10
) -> Ranking:
    incident = incidents.get(session=session, principal=principal, id=incident_id)
    return build_ranking(session, principal, incident, limit)


def build_ranking(session: Session, principal: Any, incident: Incident, limit: int) -> Ranking:
    method, team_rows = ranking.rank_teams(
        session=session, principal=principal, incident=incident, limit=limit
    )
    _, reserve_rows = ranking.rank_reserves(
        session=session, principal=principal, incident=incident, limit=limit
    )
    return Ranking(
        incident_id=incident.id,
        method=method,
        method_zh=method.zh,
        method_en=method.en,
        teams=[
            RankedTeam(
                team_id=r.view.team.id,
                name=r.view.team.name,
                owner_name=r.view.team.owner_name,
                duty_status=r.view.team.duty_status,
                skills=[str(s) for s in r.view.team.skills or []],
                lon=r.point[0],
                lat=r.point[1],
                distance_m=round(r.distance_m, 1),
                by_road=r.by_road,
                members=len(r.view.members),
                vehicles=[v.plate for v in r.view.vehicles],
            )
            for r in team_rows
        ],
        reserves=[
            RankedReserve(
                reserve_id=r.item.id,
                name=r.item.name,
                kind=r.item.kind,
                quantity=r.item.quantity,
                unit=r.item.unit,
                holder=r.item.team.name
                if r.item.team
                else (r.item.site.name if r.item.site else None),
                lon=r.point[0],
                lat=r.point[1],
                distance_m=round(r.distance_m, 1),
                by_road=r.by_road,
            )
            for r in reserve_rows
        ],
    )


@router.get(
    f"{P}/incidents/{{incident_id}}/contacts",
    response_model=list[ContactRead],
    summary="The contacts to notify at this grade",
)
def incident_contacts(
    incident_id: int, session: SessionDep, principal: PrincipalDep
) -> list[ContactRead]:
    incident = incidents.get(session=session, principal=principal, id=incident_id)
    return [
        ContactRead.model_validate(c)
        for c in contacts.for_incident(session=session, incident=incident)
    ]


@router.post(
    f"{P}/incidents/{{incident_id}}/dispatch",
    response_model=IncidentDetail,
    status_code=status.HTTP_201_CREATED,
)
def dispatch(
    incident_id: int, body: DispatchCreate, session: SessionDep, principal: PrincipalDep
) -> IncidentDetail:
    response.dispatch(session=session, principal=principal, id=incident_id, **body.model_dump())
    return _incident_detail(
        session, incidents.get(session=session, principal=principal, id=incident_id)
    )


@router.post(f"{P}/incidents/{{incident_id}}/arrive", response_model=IncidentDetail)
def arrive(
    incident_id: int, body: ArrivalCreate, session: SessionDep, principal: PrincipalDep
) -> IncidentDetail:
    incident = response.arrive(
        session=session, principal=principal, id=incident_id, **body.model_dump()
    )
    return _incident_detail(session, incident)


@router.post(f"{P}/incidents/{{incident_id}}/actions", response_model=IncidentDetail)
def add_action(
    incident_id: int, body: ActionCreate, session: SessionDep, principal: PrincipalDep
) -> IncidentDetail:
    incident = response.add_action(
        session=session, principal=principal, id=incident_id, **body.model_dump()
    )
    return _incident_detail(session, incident)


@router.post(f"{P}/incidents/{{incident_id}}/control", response_model=IncidentDetail)
def control(
    incident_id: int, body: ControlCreate, session: SessionDep, principal: PrincipalDep
) -> IncidentDetail:
    incident = response.control(
        session=session, principal=principal, id=incident_id, **body.model_dump()
    )
    return _incident_detail(session, incident)


@router.post(f"{P}/incidents/{{incident_id}}/return", response_model=IncidentDetail)
def return_team(
    incident_id: int, body: ReturnCreate, session: SessionDep, principal: PrincipalDep
) -> IncidentDetail:
    incident = response.return_team(
        session=session, principal=principal, id=incident_id, **body.model_dump()
    )
    return _incident_detail(session, incident)


@router.post(f"{P}/incidents/{{incident_id}}/close", response_model=IncidentDetail)
def close(
    incident_id: int, body: CloseCreate, session: SessionDep, principal: PrincipalDep
) -> IncidentDetail:
    incident = response.close(
        session=session, principal=principal, id=incident_id, **body.model_dump()
    )
    return _incident_detail(session, incident)


@router.post(
    f"{P}/incidents/{{incident_id}}/grade",
    response_model=IncidentDetail,
    summary="Set the incident's grade 定级",
)
def regrade(
    incident_id: int, body: GradeCreate, session: SessionDep, principal: PrincipalDep
) -> IncidentDetail:
    incident = response.regrade(
        session=session, principal=principal, id=incident_id, **body.model_dump()
    )
    return _incident_detail(session, incident)


@router.post(f"{P}/incidents/{{incident_id}}/notify", response_model=IncidentDetail)
def notify(
    incident_id: int,
    body: NotifyCreate,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
) -> IncidentDetail:
    incident = response.notify(
        session=session,
        principal=principal,
        id=incident_id,
        timezone=settings.timezone,
        **body.model_dump(),
    )
    return _incident_detail(session, incident)


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
