"""/api/v1/service-requests: list, receive (channel api), read with the timeline, the steps,
the time targets and the statistics; /api/v1/coverage: per town, per year, villages, and a
regulator's update of a village's figures.

No `from __future__ import annotations` here: FastAPI reads these annotations at runtime.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Query, status
from pydantic import create_model
from sqlalchemy.orm import Session

from gaswarden.core.api import split_query
from gaswarden.core.pagination import PageParams
from gaswarden.deps import PrincipalDep, SessionDep, SettingsDep
from gaswarden.domains.service import coverage, requests, stats
from gaswarden.domains.service.enums import RequestChannel
from gaswarden.domains.service.models import ServiceRequest
from gaswarden.domains.service.schemas import (
    CoverageSummary,
    RequestAssign,
    RequestClose,
    RequestCreate,
    RequestDetail,
    RequestEventRead,
    RequestNote,
    RequestPage,
    RequestRead,
    RequestResolve,
    ServiceStatistics,
    TargetRead,
    VillageRead,
    VillageUpdate,
    YearCoverage,
)
from gaswarden.standards.service import all_targets

TAG = "service"
PATH = "/service-requests"
router = APIRouter(tags=[TAG])

RequestQuery: Any = create_model(
    "ServiceRequestQuery",
    __base__=PageParams,
    **{f.name: (f.annotation, None) for f in requests.FILTERS.filters},  # type: ignore[call-overload]
)
RequestFilters: Any = requests.FILTERS.query_model("ServiceRequestFilters")


def _detail(session: Session, request: ServiceRequest) -> RequestDetail:
    return RequestDetail(
        **RequestRead.model_validate(request).model_dump(),
        timeline=[
            RequestEventRead.model_validate(e)
            for e in requests.timeline(session=session, request=request)
        ],
    )


@router.get(PATH, response_model=RequestPage, summary="List service requests 服务工单")
def list_requests(
    query: Annotated[RequestQuery, Query()], session: SessionDep, principal: PrincipalDep
) -> RequestPage:
    params, filters = split_query(query)
    page = requests.get_all(session=session, principal=principal, params=params, filters=filters)
    return RequestPage(
        items=[RequestRead.model_validate(r) for r in page.items],
        total=page.total,
        page=page.page,
        size=page.size,
    )


@router.post(
    PATH,
    response_model=RequestDetail,
    status_code=status.HTTP_201_CREATED,
    summary="Receive a request (channel api); a leak report opens an incident at once",
)
def receive(
    body: RequestCreate, session: SessionDep, principal: PrincipalDep, settings: SettingsDep
) -> RequestDetail:
    request = requests.receive(
        session=session,
        principal=principal,
        channel=RequestChannel.API,
        tz=settings.timezone,
        **body.model_dump(),
    )
    return _detail(session, request)


@router.get(f"{PATH}/targets", response_model=list[TargetRead], summary="Time targets 服务时限")
def targets(principal: PrincipalDep) -> list[TargetRead]:
    return [
        TargetRead(
            kind=kind,
            zh=kind.zh,
            en=kind.en,
            priority=t.priority,
            respond_min=t.respond_min,
            resolve_min=t.resolve_min,
            source=t.source,
        )
        for kind, t in all_targets().items()
    ]


@router.get(f"{PATH}/statistics", response_model=ServiceStatistics, summary="Statistics 服务统计")
def statistics(
    query: Annotated[RequestFilters, Query()],
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
) -> ServiceStatistics:
    filters = {k: v for k, v in query.model_dump().items() if v is not None}
    return ServiceStatistics.model_validate(
        stats.statistics(
            session=session, principal=principal, filters=filters, tz=settings.timezone
        )
    )


@router.get(f"{PATH}/{{request_id}}", response_model=RequestDetail)
def read_request(request_id: int, session: SessionDep, principal: PrincipalDep) -> RequestDetail:
    return _detail(session, requests.get(session=session, principal=principal, id=request_id))


@router.post(f"{PATH}/{{request_id}}/assign", response_model=RequestDetail)
def assign(
    request_id: int, body: RequestAssign, session: SessionDep, principal: PrincipalDep
) -> RequestDetail:
    request = requests.assign(
        session=session, principal=principal, id=request_id, **body.model_dump()
    )
    return _detail(session, request)


@router.post(f"{PATH}/{{request_id}}/respond", response_model=RequestDetail)
def respond(
    request_id: int, body: RequestNote, session: SessionDep, principal: PrincipalDep
) -> RequestDetail:
    request = requests.respond(session=session, principal=principal, id=request_id, note=body.note)
    return _detail(session, request)


@router.post(f"{PATH}/{{request_id}}/resolve", response_model=RequestDetail)
def resolve(
    request_id: int, body: RequestResolve, session: SessionDep, principal: PrincipalDep
) -> RequestDetail:
    request = requests.resolve(
        session=session, principal=principal, id=request_id, resolution=body.resolution
    )
    return _detail(session, request)


@router.post(f"{PATH}/{{request_id}}/close", response_model=RequestDetail)
def close(
    request_id: int, body: RequestClose, session: SessionDep, principal: PrincipalDep
) -> RequestDetail:
    request = requests.close(
        session=session, principal=principal, id=request_id, **body.model_dump()
    )
    return _detail(session, request)


@router.post(f"{PATH}/{{request_id}}/note", response_model=RequestDetail)
def note(
    request_id: int, body: RequestNote, session: SessionDep, principal: PrincipalDep
) -> RequestDetail:
    requests.add_note(session=session, principal=principal, id=request_id, note=body.note or "")
    return _detail(session, requests.get(session=session, principal=principal, id=request_id))


# ---- coverage -----------------------------------------------------------------------------------
@router.get("/coverage/towns", response_model=CoverageSummary, summary="Coverage per town 覆盖")
def coverage_towns(session: SessionDep, principal: PrincipalDep) -> CoverageSummary:
    return CoverageSummary.model_validate(coverage.towns(session=session, principal=principal))


@router.get(
    "/coverage/years", response_model=list[YearCoverage], summary="Coverage per year 历年进展"
)
def coverage_years(
    session: SessionDep, principal: PrincipalDep, area_id: int | None = None
) -> list[YearCoverage]:
    rows = coverage.years(session=session, principal=principal, area_id=area_id)
    return [YearCoverage.model_validate(r) for r in rows]


@router.get("/coverage/villages", response_model=list[VillageRead], summary="Villages 村庄")
def coverage_villages(
    session: SessionDep, principal: PrincipalDep, area_id: int | None = None
) -> list[VillageRead]:
    found = coverage.villages(session=session, principal=principal, area_id=area_id)
    return [VillageRead.model_validate(coverage.village_row(v)) for v in found]


@router.get("/coverage/villages/{village_id}", response_model=VillageRead)
def read_village(village_id: int, session: SessionDep, principal: PrincipalDep) -> VillageRead:
    village = coverage.get_village(session=session, principal=principal, id=village_id)
    return VillageRead.model_validate(coverage.village_row(village))


@router.patch("/coverage/villages/{village_id}", response_model=VillageRead)
def update_village(
    village_id: int,
    body: VillageUpdate,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
) -> VillageRead:
    data = body.model_dump(exclude={"reason"}, exclude_unset=True)
    village = coverage.update_village(
        session=session,
        principal=principal,
        id=village_id,
        data=data,
        reason=body.reason,
        tz=settings.timezone,
    )
    return VillageRead.model_validate(coverage.village_row(village))
