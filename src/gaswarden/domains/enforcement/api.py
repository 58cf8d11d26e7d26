"""/api/v1/enforcement-cases: list, read with timeline, activities and evidence, open, the steps,
activity at watched places and its review; the closed illegal sites as GeoJSON; counts.

No `from __future__ import annotations` here: FastAPI reads these annotations at runtime.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Query, status
from fastapi.responses import JSONResponse
from pydantic import create_model
from sqlalchemy.orm import Session

from gaswarden.core.api import split_query
from gaswarden.core.pagination import PageParams
from gaswarden.deps import PrincipalDep, SessionDep, SettingsDep
from gaswarden.domains.enforcement import closures, service, watch
from gaswarden.domains.enforcement.models import EnforcementCase
from gaswarden.domains.enforcement.schemas import (
    ActivityRead,
    ActivityReport,
    ActivityReview,
    CaseDecide,
    CaseDetail,
    CaseEventRead,
    CaseEvidence,
    CaseExecute,
    CaseNote,
    CaseOpen,
    CasePage,
    CaseRead,
    CaseSummary,
    EvidenceRead,
)

TAG = "enforcement"
PATH = "/enforcement-cases"
router = APIRouter(tags=[TAG])


class GeoJSONResponse(JSONResponse):
    media_type = "application/geo+json"


CaseQuery: Any = create_model(
    "EnforcementCaseQuery",
    __base__=PageParams,
    **{f.name: (f.annotation, None) for f in service.FILTERS.filters},  # type: ignore[call-overload]
)
# The map and the counts take the same filters, without paging.
CaseFilters: Any = service.FILTERS.query_model("EnforcementCaseFilters")


def _read(case: EnforcementCase) -> CaseRead:
    read = CaseRead.model_validate(case)
    read.site_name = case.site.name if case.site else None
    return read


def _detail(session: Session, case: EnforcementCase) -> CaseDetail:
    return CaseDetail(
        **_read(case).model_dump(),
        timeline=[
            CaseEventRead.model_validate(e) for e in service.timeline(session=session, case=case)
        ],
        activities=[
            ActivityRead.model_validate(a) for a in service.activities(session=session, case=case)
        ],
        evidence=[
            EvidenceRead.model_validate(a) for a in service.evidence(session=session, case=case)
        ],
    )


@router.get(PATH, response_model=CasePage, summary="List enforcement cases 执法案件")
def list_cases(
    query: Annotated[CaseQuery, Query()], session: SessionDep, principal: PrincipalDep
) -> CasePage:
    params, filters = split_query(query)
    page = service.get_all(session=session, principal=principal, params=params, filters=filters)
    return CasePage(
        items=[_read(c) for c in page.items], total=page.total, page=page.page, size=page.size
    )


@router.get(
    f"{PATH}/closures.geojson",
    summary="Closed illegal sites as GeoJSON points 取缔点位",
    response_class=GeoJSONResponse,
)
def closures_geojson(
    query: Annotated[CaseFilters, Query()],
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
) -> dict[str, Any]:
    filters = {k: v for k, v in query.model_dump().items() if v is not None}
    return closures.geojson(
        session=session, principal=principal, filters=filters, tz=settings.timezone
    )


@router.get(f"{PATH}/summary", response_model=CaseSummary, summary="Counts 执法统计")
def summary(
    query: Annotated[CaseFilters, Query()], session: SessionDep, principal: PrincipalDep
) -> CaseSummary:
    filters = {k: v for k, v in query.model_dump().items() if v is not None}
    return CaseSummary.model_validate(
        closures.summary(session=session, principal=principal, filters=filters)
    )


@router.post(PATH, response_model=CaseDetail, status_code=status.HTTP_201_CREATED)
def open_case(
    body: CaseOpen, session: SessionDep, principal: PrincipalDep, settings: SettingsDep
) -> CaseDetail:
    case = service.open_case(
        session=session, principal=principal, tz=settings.timezone, **body.model_dump()
    )
    return _detail(session, case)


@router.get(f"{PATH}/{{case_id}}", response_model=CaseDetail)
def read_case(case_id: int, session: SessionDep, principal: PrincipalDep) -> CaseDetail:
    return _detail(session, service.get(session=session, principal=principal, id=case_id))


@router.post(f"{PATH}/{{case_id}}/investigate", response_model=CaseDetail)
def investigate(
    case_id: int, body: CaseNote, session: SessionDep, principal: PrincipalDep
) -> CaseDetail:
    case = service.investigate(session=session, principal=principal, id=case_id, note=body.note)
    return _detail(session, case)


@router.post(f"{PATH}/{{case_id}}/evidence", response_model=CaseDetail)
def add_evidence(
    case_id: int, body: CaseEvidence, session: SessionDep, principal: PrincipalDep
) -> CaseDetail:
    case = service.add_evidence(
        session=session, principal=principal, id=case_id, **body.model_dump()
    )
    return _detail(session, case)


@router.post(f"{PATH}/{{case_id}}/decide", response_model=CaseDetail)
def decide(
    case_id: int, body: CaseDecide, session: SessionDep, principal: PrincipalDep
) -> CaseDetail:
    case = service.decide(session=session, principal=principal, id=case_id, **body.model_dump())
    return _detail(session, case)


@router.post(f"{PATH}/{{case_id}}/execute", response_model=CaseDetail)
def execute(
    case_id: int, body: CaseExecute, session: SessionDep, principal: PrincipalDep
) -> CaseDetail:
    case = service.execute(session=session, principal=principal, id=case_id, **body.model_dump())
    return _detail(session, case)


@router.post(f"{PATH}/{{case_id}}/close", response_model=CaseDetail)
def close(case_id: int, body: CaseNote, session: SessionDep, principal: PrincipalDep) -> CaseDetail:
    case = service.close(session=session, principal=principal, id=case_id, note=body.note)
    return _detail(session, case)


@router.post(f"{PATH}/{{case_id}}/comment", response_model=CaseDetail)
def comment(
    case_id: int, body: CaseNote, session: SessionDep, principal: PrincipalDep
) -> CaseDetail:
    service.comment(session=session, principal=principal, id=case_id, note=body.note or "")
    return _detail(session, service.get(session=session, principal=principal, id=case_id))


@router.post(
    f"{PATH}/{{case_id}}/activities",
    response_model=ActivityRead,
    status_code=status.HTTP_201_CREATED,
    summary="Record activity seen at a closed place 关停后发现活动",
)
def report_activity(
    case_id: int, body: ActivityReport, session: SessionDep, principal: PrincipalDep
) -> ActivityRead:
    activity = watch.report_activity(
        session=session, principal=principal, id=case_id, **body.model_dump()
    )
    return ActivityRead.model_validate(activity)


@router.post(f"{PATH}/activities/{{activity_id}}/review", response_model=ActivityRead)
def review_activity(
    activity_id: int, body: ActivityReview, session: SessionDep, principal: PrincipalDep
) -> ActivityRead:
    activity = watch.review(
        session=session, principal=principal, activity_id=activity_id, note=body.note
    )
    return ActivityRead.model_validate(activity)
