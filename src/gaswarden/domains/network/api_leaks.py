"""/api/v1/networks/.../leaks: the leaks a network found, one leak with its candidates, zone
and shut-off segments, and its handling (confirm, repaired, false alarm).

No `from __future__ import annotations` here: FastAPI reads these annotations at runtime."""

from datetime import datetime
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from gaswarden.deps import PrincipalDep, SessionDep
from gaswarden.domains.network import leaks, service
from gaswarden.domains.network.enums import DetectionMethod, LeakStatus

router = APIRouter(prefix="/networks", tags=["network 管网"])


class NetworkLeakRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    network_id: int
    status: LeakStatus
    method: DetectionMethod
    detected_at: datetime
    window_start: datetime | None
    window_end: datetime | None
    leak_kg_s: float | None
    leak_share: float | None
    candidates: list[dict[str, Any]]
    zone: dict[str, Any]
    segments: list[dict[str, Any]]
    residuals: dict[str, Any]
    excluded_sensors: list[dict[str, Any]]
    alarm_id: int | None
    simulated: bool
    true_junction: int | None
    note: str | None
    created_at: datetime | None = None
    updated_at: datetime | None = None


class LeakStatusChange(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    status: LeakStatus
    note: str | None = Field(default=None, max_length=1000)


@router.get(
    "/{network_id:int}/leaks",
    response_model=list[NetworkLeakRead],
    summary="A network's leaks, newest first",
)
def network_leaks(
    network_id: int,
    session: SessionDep,
    principal: PrincipalDep,
    status: LeakStatus | None = None,
) -> Any:
    service.get_network(session=session, principal=principal, id=network_id)  # 404 if unseen
    found = leaks.list_leaks(
        session=session, principal=principal, network_id=network_id, status=status
    )
    return [NetworkLeakRead.model_validate(lk) for lk in found]


@router.get("/leaks/{leak_id:int}", response_model=NetworkLeakRead, summary="One leak")
def get_leak(leak_id: int, session: SessionDep, principal: PrincipalDep) -> Any:
    return NetworkLeakRead.model_validate(
        leaks.get_leak(session=session, principal=principal, id=leak_id)
    )


@router.post(
    "/leaks/{leak_id:int}/status",
    response_model=NetworkLeakRead,
    summary="Confirm a leak, mark it repaired, or a false alarm",
)
def set_status(
    leak_id: int, body: LeakStatusChange, session: SessionDep, principal: PrincipalDep
) -> Any:
    leak = leaks.set_status(
        session=session, principal=principal, id=leak_id, status=body.status, note=body.note
    )
    return NetworkLeakRead.model_validate(leak)
