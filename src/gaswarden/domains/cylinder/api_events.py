"""/api/v1 for scanning apps: send scans (one or many), preview a code before a step, and the
anomalies of the chain with their review.

No `from __future__ import annotations` here: FastAPI reads these annotations at runtime.
"""

from typing import Annotated

from fastapi import APIRouter, Body, Query
from pydantic import BaseModel

from gaswarden.core.errors import Invalid
from gaswarden.deps import PrincipalDep, SessionDep
from gaswarden.domains.cylinder import anomalies, events, scan_preview
from gaswarden.domains.cylinder.anomaly_schemas import AnomalyPage, AnomalyRead, AnomalyReview
from gaswarden.domains.cylinder.enums import AnomalyKind, EventKind, EventResult
from gaswarden.domains.cylinder.event_schemas import (
    MAX_EVENTS_PER_REQUEST,
    CylinderEventIn,
    EventOutcome,
    ScanPreview,
)

router = APIRouter(tags=["cylinder-events"])


class SubmitResult(BaseModel):
    """One outcome per scan, in the order sent; the counts are of the scans stored now
    (a duplicate counts only as a duplicate)."""

    results: list[EventOutcome]
    accepted: int
    refused: int
    anomalies: int
    duplicates: int


def _read(anomaly: object) -> AnomalyRead:
    return AnomalyRead.model_validate(anomaly)


@router.post(
    "/cylinder-events",
    response_model=SubmitResult,
    summary="Send scans 上传扫码记录 (one or many)",
)
def submit_events(
    body: Annotated[CylinderEventIn | list[CylinderEventIn], Body()],
    session: SessionDep,
    principal: PrincipalDep,
) -> SubmitResult:
    scans = body if isinstance(body, list) else [body]
    if len(scans) > MAX_EVENTS_PER_REQUEST:
        raise Invalid(
            f"at most {MAX_EVENTS_PER_REQUEST} scans per request",
            errors=[{"loc": ["body"], "msg": f"more than {MAX_EVENTS_PER_REQUEST} scans"}],
        )
    results = events.submit(session=session, principal=principal, events=scans)
    fresh = [r for r in results if not r.duplicate]
    return SubmitResult(
        results=results,
        accepted=sum(r.result is EventResult.ACCEPTED for r in fresh),
        refused=sum(r.result is EventResult.REFUSED for r in fresh),
        anomalies=sum(r.result is EventResult.ANOMALY for r in fresh),
        duplicates=len(results) - len(fresh),
    )


@router.get(
    "/cylinder-scan/{tag_code}",
    response_model=ScanPreview,
    summary="A code before a step 扫码预检",
)
def preview_code(
    tag_code: str,
    session: SessionDep,
    principal: PrincipalDep,
    kind: EventKind | None = None,
    customer_code: str | None = None,
) -> ScanPreview:
    return scan_preview.preview(
        session=session,
        principal=principal,
        tag_code=tag_code,
        kind=kind,
        customer_code=customer_code,
    )


@router.get(
    "/cylinder-anomalies", response_model=AnomalyPage, summary="Anomalies of the chain 流转异常"
)
def list_anomalies(
    session: SessionDep,
    principal: PrincipalDep,
    kind: AnomalyKind | None = None,
    reviewed: bool | None = None,
    cylinder_id: int | None = None,
    page: Annotated[int, Query(ge=1)] = 1,
    size: Annotated[int, Query(ge=1, le=500)] = 50,
) -> AnomalyPage:
    found = anomalies.list_anomalies(
        session=session,
        principal=principal,
        kind=kind,
        reviewed=reviewed,
        cylinder_id=cylinder_id,
        page=page,
        size=size,
    )
    return AnomalyPage(
        items=[_read(a) for a in found.items], total=found.total, page=found.page, size=found.size
    )


@router.post(
    "/cylinder-anomalies/{anomaly_id}/review",
    response_model=AnomalyRead,
    summary="Review an anomaly 异常核查",
)
def review_anomaly(
    anomaly_id: int, body: AnomalyReview, session: SessionDep, principal: PrincipalDep
) -> AnomalyRead:
    return _read(
        anomalies.review(session=session, principal=principal, id=anomaly_id, note=body.note)
    )
