"""/api/v1/networks: a feed's demand forecast with its band, the supply plan, where the next
pressure monitors should go, and users' pressure fluctuations per area.

No `from __future__ import annotations` here: FastAPI reads these annotations at runtime."""

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query

from gaswarden.deps import PrincipalDep, SessionDep
from gaswarden.domains.network import demand, placement_view, user_pressure

router = APIRouter(prefix="/networks", tags=["network 管网"])
MAX_DAYS = 14  # forecast horizon a request may ask for
MAX_PRESSURE_DAYS = 92


@router.get("/user-pressure", summary="Users' pressure fluctuations per area 用户压力波动")
def users_pressure(
    session: SessionDep,
    principal: PrincipalDep,
    days: Annotated[int, Query(ge=1, le=MAX_PRESSURE_DAYS)] = 7,
) -> Any:
    until = datetime.now(UTC)
    since = until - timedelta(days=days)
    rows = user_pressure.report(session=session, principal=principal, since=since, until=until)
    return {"since": since.isoformat(), "until": until.isoformat(), "areas": rows}


@router.get(
    "/{network_id:int}/forecast",
    summary="A feed's hourly and daily demand forecast with its band, and the actuals",
)
def network_forecast(
    network_id: int,
    session: SessionDep,
    principal: PrincipalDep,
    days: Annotated[int, Query(ge=1, le=MAX_DAYS)] = 7,
    feed: Annotated[int | None, Query(ge=0)] = None,
) -> Any:
    return demand.forecast(
        session=session, principal=principal, id=network_id, feed=feed, days=days
    )


@router.get(
    "/{network_id:int}/plan",
    summary="Day-ahead and week-ahead nominations with capacity and pressure warnings",
)
def network_plan(
    network_id: int,
    session: SessionDep,
    principal: PrincipalDep,
    feed: Annotated[int | None, Query(ge=0)] = None,
) -> Any:
    return demand.plan(session=session, principal=principal, id=network_id, feed=feed)


@router.get(
    "/{network_id:int}/placement",
    summary="Where the next k pressure monitors locate the most leaks within 200 m",
)
def network_placement(
    network_id: int,
    session: SessionDep,
    principal: PrincipalDep,
    k: Annotated[int, Query(ge=1, le=placement_view.MAX_K)] = 20,
) -> Any:
    return placement_view.suggest(session=session, principal=principal, id=network_id, k=k)
