"""/api/v1 tracing (可追溯): a cylinder's life, a gas batch's recall, where the cylinders are,
the overdue ones still with users, unknown codes, a customer's history, the statistics.

Included by cylinder/api.py before the archive's /cylinders/{id}, so that /cylinders/whereabouts
and its siblings are not taken for an id. No `from __future__ import annotations` here: FastAPI
reads these annotations at runtime.
"""

from typing import Annotated

from fastapi import APIRouter, Query

from gaswarden.deps import PrincipalDep, SessionDep, SettingsDep
from gaswarden.domains.cylinder import fleet, recalls, stats, tracing
from gaswarden.domains.cylinder.tracing_schemas import (
    CustomerHistory,
    CylinderLife,
    OverduePage,
    Recall,
    UnknownCode,
    Whereabouts,
)

router = APIRouter(tags=["cylinder tracing"])


@router.get(
    "/cylinders/whereabouts",
    summary="Where the cylinders are: counts by status, station and area",
)
def whereabouts(session: SessionDep, principal: PrincipalDep) -> Whereabouts:
    return fleet.whereabouts(session=session, principal=principal, lang=principal.lang)


@router.get(
    "/cylinders/overdue-with-users",
    summary="Cylinders with users although overdue for inspection or past their life",
)
def overdue_with_users(
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    page: Annotated[int, Query(ge=1)] = 1,
    size: Annotated[int, Query(ge=1, le=500)] = 50,
) -> OverduePage:
    return fleet.overdue_with_users(
        session=session,
        principal=principal,
        today=tracing.local_today(settings.timezone),
        page=page,
        size=size,
    )


@router.get(
    "/cylinders/unknown-codes",
    summary="Ownerless or unregistered codes seen in the field, by code",
)
def unknown_codes(
    session: SessionDep,
    principal: PrincipalDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[UnknownCode]:
    return fleet.unknown_codes(session=session, principal=principal, limit=limit)


@router.get(
    "/cylinders/{cylinder_id}/timeline",
    summary="A cylinder's whole life: every scan (refused ones too), places, handlers",
)
def cylinder_timeline(
    cylinder_id: int, session: SessionDep, principal: PrincipalDep
) -> CylinderLife:
    return tracing.life(session=session, principal=principal, cylinder_id=cylinder_id)


@router.get(
    "/gas-batches/{batch_id}/recall",
    summary="Recall: every customer who received gas from the batch, and through whom",
)
def batch_recall(batch_id: int, session: SessionDep, principal: PrincipalDep) -> Recall:
    return recalls.recall(session=session, principal=principal, batch_id=batch_id)


@router.get(
    "/customers/{customer_id}/history",
    summary="A customer's deliveries, cylinders held now and safety checks (masked)",
)
def customer_history(
    customer_id: int, session: SessionDep, principal: PrincipalDep
) -> CustomerHistory:
    return tracing.customer_history(session=session, principal=principal, customer_id=customer_id)


@router.get(
    "/cylinder-statistics",
    summary="Filled per day, deliveries per station, overdue cylinders, real-name coverage",
)
def cylinder_statistics(
    session: SessionDep, principal: PrincipalDep, settings: SettingsDep
) -> stats.CylinderStats:
    tz = settings.timezone
    return stats.compute(session=session, principal=principal, today=tracing.local_today(tz), tz=tz)
