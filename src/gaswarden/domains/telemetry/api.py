"""Telemetry reads under /api/v1 (scoped through each device), and the HTTP ingest routes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from gaswarden.deps import PrincipalDep, SessionDep
from gaswarden.domains.device.enums import DeviceKind
from gaswarden.domains.telemetry import service
from gaswarden.domains.telemetry.schemas import (
    HealthPage,
    HealthRead,
    LatestRead,
    OnlineRateRead,
    QuarantinePage,
    QuarantineRead,
    SeriesRead,
)
from gaswarden.ingestion.contract import RejectReason
from gaswarden.ingestion.http import router as ingest_router

router = APIRouter()
router.include_router(ingest_router)
reads = APIRouter(tags=["telemetry"])

Page = Annotated[int, Query(ge=1)]
Size = Annotated[int, Query(ge=1, le=500)]


@reads.get("/devices/{device_id}/latest", response_model=list[LatestRead])
def device_latest(
    device_id: int, session: SessionDep, principal: PrincipalDep
) -> list[dict[str, Any]]:
    return service.latest(session=session, principal=principal, device_id=device_id)


@reads.get("/devices/{device_id}/readings", response_model=list[SeriesRead])
def device_readings(
    device_id: int,
    session: SessionDep,
    principal: PrincipalDep,
    start: Annotated[datetime | None, Query(alias="from")] = None,
    end: Annotated[datetime | None, Query(alias="to")] = None,
    metric: str | None = None,
    resolution: Literal["auto", "raw", "hour"] = "auto",
) -> list[service.Series]:
    end = end or datetime.now(UTC)
    start = start or end - timedelta(days=1)
    if start.tzinfo is None:
        start = start.replace(tzinfo=UTC)
    if end.tzinfo is None:
        end = end.replace(tzinfo=UTC)
    return service.readings(
        session=session,
        principal=principal,
        device_id=device_id,
        start=start,
        end=end,
        metric=metric,
        resolution=resolution,
    )


@reads.get("/telemetry/health", response_model=HealthPage)
def device_health(
    session: SessionDep,
    principal: PrincipalDep,
    owner_id: int | None = None,
    area_id: int | None = None,
    site_id: int | None = None,
    kind: DeviceKind | None = None,
    page: Page = 1,
    size: Size = 50,
) -> HealthPage:
    filters = {"owner_id": owner_id, "area_id": area_id, "site_id": site_id, "kind": kind}
    items, total = service.health(
        session=session, principal=principal, filters=filters, page=page, size=size
    )
    return HealthPage(items=[HealthRead(**i) for i in items], total=total, page=page, size=size)


@reads.get("/telemetry/online-rate", response_model=list[OnlineRateRead])
def online_rate(session: SessionDep, principal: PrincipalDep) -> list[dict[str, Any]]:
    return service.online_rate(session=session, principal=principal)


@reads.get("/telemetry/quarantine", response_model=QuarantinePage)
def quarantine(
    session: SessionDep,
    principal: PrincipalDep,
    reason: RejectReason | None = None,
    serial: str | None = None,
    transport: str | None = None,
    start: Annotated[datetime | None, Query(alias="from")] = None,
    end: Annotated[datetime | None, Query(alias="to")] = None,
    page: Page = 1,
    size: Size = 50,
) -> QuarantinePage:
    rows, total = service.quarantine(
        session=session,
        principal=principal,
        reason=reason,
        serial=serial,
        transport=transport,
        start=start,
        end=end,
        page=page,
        size=size,
    )
    return QuarantinePage(
        items=[QuarantineRead.model_validate(r) for r in rows], total=total, page=page, size=size
    )


router.include_router(reads)
