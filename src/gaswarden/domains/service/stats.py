"""Statistics of the service channels in the caller's scope: counts by kind, channel and
status; on-time rates against the time targets; mean response and resolve times;
satisfaction at the return visit. For all requests, per enterprise and per (local) month.

On time: responded (resolved) at or before the due time. Late: responded (resolved) after
it, or not yet responded (resolved) with the due time passed. A rate is on time over on time
plus late; requests whose due time is still ahead count in neither."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Row, Select, select
from sqlalchemy.orm import Session

from gaswarden.core.auth import Principal
from gaswarden.db.base import utcnow
from gaswarden.domains.organization.models import Organization
from gaswarden.domains.service.models import ServiceRequest
from gaswarden.domains.service.requests import DEFAULT_TZ, FILTERS
from gaswarden.domains.service.scope import request_scope

R = ServiceRequest
COLUMNS = (
    R.kind,
    R.channel,
    R.status,
    R.owner_id,
    R.received_at,
    R.respond_due_at,
    R.resolve_due_at,
    R.responded_at,
    R.resolved_at,
    R.satisfaction,
    R.overdue,
)


def _rate(good: int, bad: int) -> float | None:
    return round(good / (good + bad), 4) if good + bad else None


def _mean(values: Sequence[float]) -> float | None:
    return round(sum(values) / len(values), 2) if values else None


def figures(rows: Iterable[Row[Any]], now: datetime) -> dict[str, Any]:
    """The figures of one group of rows (of COLUMNS)."""
    rows = list(rows)
    counts: dict[str, Counter[str]] = {k: Counter() for k in ("kind", "channel", "status")}
    r_good = r_bad = s_good = s_bad = overdue = 0
    respond_min: list[float] = []
    resolve_h: list[float] = []
    scores: list[int] = []
    for r in rows:
        counts["kind"][r.kind.value] += 1
        counts["channel"][r.channel.value] += 1
        counts["status"][r.status.value] += 1
        if r.responded_at is not None:
            respond_min.append((r.responded_at - r.received_at).total_seconds() / 60)
            if r.responded_at <= r.respond_due_at:
                r_good += 1
            else:
                r_bad += 1
        elif r.respond_due_at < now:
            r_bad += 1
        if r.resolved_at is not None:
            resolve_h.append((r.resolved_at - r.received_at).total_seconds() / 3600)
            if r.resolved_at <= r.resolve_due_at:
                s_good += 1
            else:
                s_bad += 1
        elif r.resolve_due_at < now:
            s_bad += 1
        if r.satisfaction is not None:
            scores.append(r.satisfaction)
        overdue += bool(r.overdue)
    return {
        "total": len(rows),
        "by_kind": dict(counts["kind"]),
        "by_channel": dict(counts["channel"]),
        "by_status": dict(counts["status"]),
        "respond_on_time": r_good,
        "respond_late": r_bad,
        "respond_on_time_rate": _rate(r_good, r_bad),
        "resolve_on_time": s_good,
        "resolve_late": s_bad,
        "resolve_on_time_rate": _rate(s_good, s_bad),
        "mean_respond_min": _mean(respond_min),
        "mean_resolve_h": _mean(resolve_h),
        "satisfaction_mean": _mean([float(s) for s in scores]),
        "satisfaction_count": len(scores),
        "overdue": overdue,
    }


def statistics(
    *,
    session: Session,
    principal: Principal,
    filters: dict[str, Any] | None = None,
    tz: str = DEFAULT_TZ,
    now: datetime | None = None,
) -> dict[str, Any]:
    """{"overall": figures, "by_enterprise": [...], "by_month": [...]} in the caller's scope."""
    now = now or utcnow()
    stmt = cast("Select[Any]", select(*COLUMNS).where(request_scope(principal)))
    stmt = FILTERS.apply(stmt, filters or {}, None)
    rows: list[Row[Any]] = list(session.execute(stmt).all())
    zone = ZoneInfo(tz)
    by_owner: dict[int | None, list[Row[Any]]] = defaultdict(list)
    by_month: dict[str, list[Row[Any]]] = defaultdict(list)
    for r in rows:
        by_owner[r.owner_id].append(r)
        by_month[r.received_at.astimezone(zone).strftime("%Y-%m")].append(r)
    ids = [i for i in by_owner if i is not None]
    names = (
        dict(
            session.execute(
                select(Organization.id, Organization.name).where(Organization.id.in_(ids))
            ).all()
        )
        if ids
        else {}
    )
    enterprises = [
        {
            "owner_id": owner,
            "owner_name": names.get(owner, "—") if owner else "—",
            **figures(group, now),
        }
        for owner, group in by_owner.items()
    ]
    enterprises.sort(key=lambda e: (-e["total"], e["owner_name"]))
    months = [{"month": m, **figures(by_month[m], now)} for m in sorted(by_month)]
    return {"overall": figures(rows, now), "by_enterprise": enterprises, "by_month": months}
