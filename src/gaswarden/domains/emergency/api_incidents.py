"""/api/v1/emergency/incidents...: open (from a call, an alarm, a hazard), list and read, the
ranking of the nearest available teams and reserves (road or straight-line, said which), the
response steps, the contacts to tell, and the response-time statistics.

No `from __future__ import annotations` here: FastAPI reads these annotations at runtime.
"""

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, status
from pydantic import create_model
from sqlalchemy.orm import Session

from gaswarden.core.api import split_query
from gaswarden.core.pagination import Page, PageParams
from gaswarden.deps import PrincipalDep, SessionDep, SettingsDep
from gaswarden.domains.emergency import (
    contacts,
    incidents,
    ranking,
    response,
    stats,
)
from gaswarden.domains.emergency.models import Incident
from gaswarden.domains.emergency.schemas import (
    ActionCreate,
    ArrivalCreate,
    CloseCreate,
    ContactRead,
    ControlCreate,
    DispatchCreate,
    DispatchRead,
    GradeCreate,
    IncidentDetail,
    IncidentEventRead,
    IncidentOpen,
    IncidentRead,
    IncidentStats,
    NotifyCreate,
    RankedReserve,
    RankedTeam,
    Ranking,
    ReturnCreate,
)

TAG = "emergency"
P = "/emergency"
router = APIRouter(tags=[TAG])


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
