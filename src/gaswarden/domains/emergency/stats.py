"""Measured response times: dispatch minus report and first arrival minus report, per
enterprise, per grade and per month (local time), over the incidents in scope."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timedelta
from statistics import fmean
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from gaswarden.core.auth import Principal
from gaswarden.domains.emergency.clock import DEFAULT_TZ
from gaswarden.domains.emergency.enums import IncidentGrade
from gaswarden.domains.emergency.models import Incident
from gaswarden.domains.emergency.schemas import IncidentStats, ResponseStat
from gaswarden.domains.emergency.scope import incident_scope


def _stat(key: str, label: str, rows: list[Incident]) -> ResponseStat:
    dispatch = [r.dispatch_s for r in rows if r.dispatch_s is not None]
    arrival = [r.arrival_s for r in rows if r.arrival_s is not None]
    return ResponseStat(
        key=key,
        label=label,
        incidents=len(rows),
        dispatched=len(dispatch),
        arrived=len(arrival),
        mean_dispatch_s=round(fmean(dispatch), 1) if dispatch else None,
        mean_arrival_s=round(fmean(arrival), 1) if arrival else None,
        max_arrival_s=float(max(arrival)) if arrival else None,
    )


def _group(
    rows: Iterable[Incident], key: Callable[[Incident], tuple[str, str]]
) -> dict[tuple[str, str], list[Incident]]:
    out: dict[tuple[str, str], list[Incident]] = defaultdict(list)
    for r in rows:
        out[key(r)].append(r)
    return out


def incident_stats(
    *,
    session: Session,
    principal: Principal,
    start: date | None = None,
    end: date | None = None,
    include_drills: bool = False,
    tz: str = DEFAULT_TZ,
    lang: str = "zh",
) -> IncidentStats:
    """Counts and mean/max response times of the incidents reported between `start` and
    `end` (local dates, inclusive)."""
    zone = ZoneInfo(tz)
    stmt = select(Incident).where(incident_scope(principal))
    if start is not None:
        stmt = stmt.where(Incident.reported_at >= datetime.combine(start, time(), zone))
    if end is not None:
        stmt = stmt.where(
            Incident.reported_at < datetime.combine(end + timedelta(days=1), time(), zone)
        )
    if not include_drills:
        stmt = stmt.where(Incident.drill.is_(False))
    rows = list(session.scalars(stmt.order_by(Incident.reported_at)))
    district = "区级/无责任企业" if lang == "zh" else "District / no enterprise"

    by_owner = _group(rows, lambda r: (str(r.owner_id or 0), r.owner_name or district))
    by_grade = _group(rows, lambda r: (r.grade.value, r.grade.zh if lang == "zh" else r.grade.en))
    by_month = _group(
        rows,
        lambda r: (r.reported_at.astimezone(zone).strftime("%Y-%m"),) * 2,
    )
    grade_order = {g.value: g.rank for g in IncidentGrade}
    return IncidentStats(
        total=len(rows),
        open=sum(1 for r in rows if r.status.is_open),
        by_owner=[
            _stat(k, lbl, v) for (k, lbl), v in sorted(by_owner.items(), key=lambda kv: kv[0][1])
        ],
        by_grade=[
            _stat(k, lbl, v)
            for (k, lbl), v in sorted(by_grade.items(), key=lambda kv: grade_order[kv[0][0]])
        ],
        by_month=[_stat(k, lbl, v) for (k, lbl), v in sorted(by_month.items())],
    )
