"""/api/v1/hazard-stats (figures of a period), /api/v1/hazard-stats/scores (the daily safety
score) and /api/v1/reports/hazards (the monthly report as XLSX or PDF), in the caller's scope.

No `from __future__ import annotations` here: FastAPI reads these annotations at runtime.
"""

from datetime import date
from typing import Annotated, Any, Literal
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Response

from gaswarden.db.base import utcnow
from gaswarden.deps import PrincipalDep, SessionDep, SettingsDep
from gaswarden.domains.hazard import report_data, score, stats

router = APIRouter(tags=["hazard statistics"])


def _today(tz: str) -> date:
    return utcnow().astimezone(ZoneInfo(tz)).date()


@router.get("/hazard-stats", summary="Hazard and inspection figures of a period")
def hazard_stats(
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    since: date | None = None,
    until: date | None = None,
    area_id: int | None = None,
    owner_id: int | None = None,
) -> dict[str, Any]:
    """Defaults: from the first of this month to today (local dates, both included)."""
    tz = settings.timezone
    until = until or _today(tz)
    since = since or until.replace(day=1)
    period = stats.Period.of(since, until, tz=tz)
    figures = stats.compute(
        session=session, principal=principal, period=period, area_id=area_id, owner_id=owner_id
    )
    return figures.as_dict()


@router.get("/hazard-stats/scores", summary="Daily safety score per enterprise and area")
def hazard_scores(
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    day: date | None = None,
    area_id: int | None = None,
    owner_id: int | None = None,
) -> dict[str, Any]:
    """Scores at the end of `day` (default today); the formula is in docs/hazard-statistics.md."""
    tz = settings.timezone
    result = score.daily(
        session=session,
        principal=principal,
        day=day or _today(tz),
        tz=tz,
        area_id=area_id,
        owner_id=owner_id,
    )
    return result.as_dict()


@router.get(
    "/reports/hazards",
    summary="Monthly hazard report (XLSX or PDF)",
    response_class=Response,
    responses={200: {"content": {t: {} for t in report_data.MEDIA_TYPES.values()}}},
)
def hazard_report(
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    month: Annotated[str, Query(pattern=r"^\d{4}-\d{2}$", examples=["2026-10"])],
    area_id: int | None = None,
    format: Literal["xlsx", "pdf"] = "xlsx",
) -> Response:
    report = report_data.gather(
        session=session,
        principal=principal,
        month=month,
        area_id=area_id,
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
