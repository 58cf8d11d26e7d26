"""/api/v1/inspections: submit (idempotent by client_id), list, read with results; amendments.

A submitted inspection has no PUT or PATCH: corrections are POSTed as amendments.
No `from __future__ import annotations` here: FastAPI reads these annotations at runtime.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status
from pydantic import create_model
from sqlalchemy.orm import Session

from gaswarden.core.api import split_query
from gaswarden.core.pagination import PageParams
from gaswarden.deps import PrincipalDep, SessionDep, SettingsDep
from gaswarden.domains.inspection import amendments, submission
from gaswarden.domains.inspection.models import Inspection
from gaswarden.domains.inspection.schemas_inspections import (
    AmendmentCreate,
    AmendmentRead,
    InspectionCreate,
    InspectionDetail,
    InspectionPage,
    InspectionRead,
    ResultRead,
    SubmitResult,
)

router = APIRouter(tags=["inspection"])
InspectionQuery: Any = create_model(
    "InspectionQuery",
    __base__=PageParams,
    **{f.name: (f.annotation, None) for f in submission.FILTERS.filters},  # type: ignore[call-overload]
)


def _read(inspection: Inspection) -> dict[str, Any]:
    data = {k: getattr(inspection, k) for k in InspectionRead.model_fields if k != "site_name"}
    return {**data, "site_name": inspection.site.name}


def detail(session: Session, inspection: Inspection) -> dict[str, Any]:
    photos = submission.photos(session, inspection)
    codes = submission.hazard_codes(session, inspection)
    results = [
        ResultRead(
            id=r.id,
            item_id=r.item_id,
            item_code=r.item.code,
            position=r.item.position,
            category=r.item.category,
            text=r.item.text,
            text_en=r.item.text_en,
            standard=r.item.standard,
            hazard_grade=r.item.hazard_grade,
            outcome=r.outcome,
            note=r.note,
            hazard_id=r.hazard_id,
            hazard_code=codes.get(r.hazard_id) if r.hazard_id is not None else None,
            photo_ids=photos.by_result.get(r.id, []),
        )
        for r in sorted(inspection.results, key=lambda r: (r.item.position, r.item_id))
    ]
    version = inspection.version
    return {
        **_read(inspection),
        "template_id": version.template_id,
        "template_name": version.template.name,
        "version_number": version.number,
        "photo_ids": photos.overview,
        "results": results,
        "amendments": [
            AmendmentRead.model_validate(a) for a in amendments.history(session, inspection)
        ],
    }


@router.post(
    "/inspections",
    response_model=SubmitResult,
    status_code=status.HTTP_201_CREATED,
    summary="Submit an inspection (idempotent by client_id: a retry returns the first, 200)",
    responses={200: {"model": SubmitResult, "description": "client_id seen before"}},
)
def submit_inspection(
    body: InspectionCreate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
) -> SubmitResult:
    done = submission.submit(
        session=session,
        principal=principal,
        client_id=body.client_id,
        site_id=body.site_id,
        task_id=body.task_id,
        kind=body.kind,
        version_id=body.version_id,
        inspected_at=body.inspected_at,
        lon=body.lon,
        lat=body.lat,
        note=body.note,
        results=[r.model_dump() for r in body.results],
        photo_ids=body.photo_ids,
        tz=settings.timezone,
    )
    if done.duplicate:
        response.status_code = status.HTTP_200_OK
    return SubmitResult(**detail(session, done.inspection), duplicate=done.duplicate)


@router.get("/inspections", response_model=InspectionPage, summary="List inspections")
def list_inspections(
    query: Annotated[InspectionQuery, Query()], session: SessionDep, principal: PrincipalDep
) -> InspectionPage:
    params, filters = split_query(query)
    page = submission.get_all(session=session, principal=principal, params=params, filters=filters)
    return InspectionPage(
        items=[InspectionRead(**_read(i)) for i in page.items],
        total=page.total,
        page=page.page,
        size=page.size,
    )


@router.get("/inspections/{inspection_id}", response_model=InspectionDetail)
def read_inspection(
    inspection_id: int, session: SessionDep, principal: PrincipalDep
) -> InspectionDetail:
    inspection = submission.get(session=session, principal=principal, id=inspection_id)
    return InspectionDetail(**detail(session, inspection))


@router.get("/inspections/{inspection_id}/amendments", response_model=list[AmendmentRead])
def list_amendments(
    inspection_id: int, session: SessionDep, principal: PrincipalDep
) -> list[AmendmentRead]:
    inspection = submission.get(session=session, principal=principal, id=inspection_id)
    return [AmendmentRead.model_validate(a) for a in amendments.history(session, inspection)]


@router.post(
    "/inspections/{inspection_id}/amendments",
    response_model=InspectionDetail,
    status_code=status.HTTP_201_CREATED,
    summary="Amend a submitted inspection, with a reason (the only way to change one)",
)
def amend_inspection(
    inspection_id: int,
    body: AmendmentCreate,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
) -> InspectionDetail:
    amendments.amend(
        session=session,
        principal=principal,
        id=inspection_id,
        reason=body.reason,
        results=[r.model_dump(exclude_unset=True) for r in body.results],
        note=body.note if "note" in body.model_fields_set else amendments.UNSET,
        tz=settings.timezone,
    )
    inspection = submission.get(session=session, principal=principal, id=inspection_id)
    return InspectionDetail(**detail(session, inspection))
