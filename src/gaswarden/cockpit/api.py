"""/api/v1/cockpit (today's figures), /api/v1/cockpit/scores (the daily safety score per town
and enterprise with its trend), /api/v1/cockpit/map (the map's layers as GeoJSON) and
/api/v1/reports/district (the weekly or monthly district report as XLSX or PDF), all in the
caller's scope.

No `from __future__ import annotations` here: FastAPI reads these annotations at runtime.
"""

from datetime import date
from typing import Annotated, Any, Literal
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Response

from gaswarden.cockpit import figures, layers, report_data, score
from gaswarden.db.base import utcnow
from gaswarden.deps import PrincipalDep, SessionDep, SettingsDep

router = APIRouter(tags=["cockpit"])
Layer = Literal["sites", "devices", "alarms", "hazards", "incidents", "teams"]


def today(tz: str) -> date:
    return utcnow().astimezone(ZoneInfo(tz)).date()


@router.get("/cockpit", summary="Today's figures of the cockpit")
def cockpit_figures(
    session: SessionDep, principal: PrincipalDep, settings: SettingsDep
) -> dict[str, Any]:
    """Devices online, alarms today by grade with response times, hazards, cylinders,
    conversions, service requests and incidents; docs/cockpit.md says what each counts."""
    return figures.compute(session=session, principal=principal, tz=settings.timezone).as_dict()


@router.get("/cockpit/scores", summary="Daily safety score per town and enterprise, with trend")
def cockpit_scores(
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    days: Annotated[int, Query(ge=1, le=score.MAX_DAYS)] = 30,
    day: date | None = None,
) -> dict[str, Any]:
    """One score per day for the `days` days up to `day` (default today)."""
    tz = settings.timezone
    trend = score.trend(
        session=session, principal=principal, today=day or today(tz), days=days, tz=tz
    )
    return trend.as_dict()


@router.get("/cockpit/map", summary="The cockpit map's layers as GeoJSON")
def cockpit_map(
    session: SessionDep,
    principal: PrincipalDep,
    layer: Annotated[list[Layer] | None, Query()] = None,
) -> dict[str, Any]:
    """A FeatureCollection of Points; each feature's properties name its `layer` and `group`
    (site kind, device state, alarm grade, hazard grade, incident grade, duty status)."""
    return layers.collection(
        session=session,
        principal=principal,
        lang=principal.lang,
        layers=layer or layers.LAYERS,
    )


@router.get(
    "/reports/district",
    summary="Weekly or monthly district report (XLSX or PDF)",
    response_class=Response,
    responses={200: {"content": {t: {} for t in report_data.MEDIA_TYPES.values()}}},
)
def district_report(
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    start: Annotated[str, Query(examples=["2026-10-01"], description="YYYY-MM-DD")],
    period: Literal["week", "month"] = "month",
    format: Literal["xlsx", "pdf"] = "xlsx",
) -> Response:
    report = report_data.gather(
        session=session,
        principal=principal,
        period=period,
        start=report_data.parse_start(start),
        tz=settings.timezone,
    )
    content = report_data.render(report, format)
    disposition = (
        f'attachment; filename="{report.filename(format)}"; '
        f"filename*=UTF-8''{quote(report.filename_zh(format))}"
    )
    return Response(
        content,
        media_type=report_data.MEDIA_TYPES[format],
        headers={"Content-Disposition": disposition},
    )
