"""Progress of the programme in the caller's scope: converted (connected), in progress by
state, refused by reason, cancelled; per town and per month (local time). Counts come from
GROUP BY queries; the months from the two timestamps of the applications in scope."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gaswarden.core.auth import Principal
from gaswarden.core.localtime import DEFAULT_TZ
from gaswarden.domains.area.enums import AreaLevel
from gaswarden.domains.area.models import Area
from gaswarden.domains.conversion.applications import FILTERS
from gaswarden.domains.conversion.enums import (
    ApplicationChannel,
    ConversionStatus,
    RefusalReason,
)
from gaswarden.domains.conversion.models import ConversionApplication
from gaswarden.domains.conversion.scope import application_scope

S = ConversionStatus
A = ConversionApplication


def _towns(session: Session, area_ids: set[int]) -> dict[int, tuple[int | None, str]]:
    """Area id -> (its town's id, the town's name); an area above towns maps to itself."""
    areas = {a.id: a for a in session.scalars(select(Area))} if area_ids else {}
    out: dict[int, tuple[int | None, str]] = {}
    for area_id in area_ids:
        area = areas.get(area_id)
        seen = 0
        while area is not None and area.level is AreaLevel.GRID and seen < 8:
            area = areas.get(area.parent_id) if area.parent_id is not None else None
            seen += 1
        out[area_id] = (area.id, area.name) if area is not None else (None, "—")
    return out


def _month(at: datetime | None, tz: ZoneInfo) -> str | None:
    return at.astimezone(tz).strftime("%Y-%m") if at is not None else None


def progress(
    *,
    session: Session,
    principal: Principal,
    filters: dict[str, Any] | None = None,
    tz: str = DEFAULT_TZ,
) -> dict[str, Any]:
    base = FILTERS.apply(
        select(A.id).where(application_scope(principal)), filters or {}, None
    ).subquery()
    ids = select(base.c.id)
    rows = session.execute(
        select(A.status, A.refusal_reason, A.area_id, A.channel, func.count())
        .where(A.id.in_(ids))
        .group_by(A.status, A.refusal_reason, A.area_id, A.channel)
    ).all()
    by_status: Counter[str] = Counter()
    by_reason: Counter[str] = Counter()
    by_channel: Counter[str] = Counter()
    per_area: dict[int | None, Counter[str]] = defaultdict(Counter)
    for status, reason, area_id, channel, n in rows:
        by_status[status.value] += n
        by_channel[channel.value] += n
        if status is S.REFUSED:
            by_reason[(reason or RefusalReason.OTHER).value] += n
        bucket = (
            "converted"
            if status is S.CONNECTED
            else "refused"
            if status is S.REFUSED
            else "cancelled"
            if status is S.CANCELLED
            else "in_progress"
        )
        per_area[area_id][bucket] += n
    towns = _towns(session, {a for a in per_area if a is not None})
    per_town: dict[int | None, dict[str, Any]] = {}
    for area_id, counts in per_area.items():
        town_id, name = towns.get(area_id, (None, "—")) if area_id is not None else (None, "—")
        entry = per_town.setdefault(
            town_id,
            {
                "area_id": town_id,
                "name": name,
                "converted": 0,
                "in_progress": 0,
                "refused": 0,
                "cancelled": 0,
            },
        )
        for key, n in counts.items():
            entry[key] += n
    zone = ZoneInfo(tz)
    applied: Counter[str] = Counter()
    connected: Counter[str] = Counter()
    for applied_at, connected_at in session.execute(
        select(A.applied_at, A.connected_at).where(A.id.in_(ids))
    ):
        month = _month(applied_at, zone)
        if month:
            applied[month] += 1
        month = _month(connected_at, zone)
        if month:
            connected[month] += 1
    months = sorted(set(applied) | set(connected))
    total_paid = session.scalar(
        select(func.sum(A.total_payable_yuan)).where(A.id.in_(ids), A.status == S.CONNECTED)
    )
    in_progress = {s.value: by_status.get(s.value, 0) for s in S if s.in_progress}
    converted = by_status.get(S.CONNECTED.value, 0)
    return {
        "applications": sum(by_status.values()),
        "converted": converted,
        "in_progress": sum(in_progress.values()),
        "refused": by_status.get(S.REFUSED.value, 0),
        "cancelled": by_status.get(S.CANCELLED.value, 0),
        "in_progress_by_status": in_progress,
        "refused_by_reason": {r.value: by_reason.get(r.value, 0) for r in RefusalReason},
        "by_channel": {c.value: by_channel.get(c.value, 0) for c in ApplicationChannel},
        "by_town": sorted(
            per_town.values(), key=lambda e: (-e["converted"], -e["in_progress"], e["name"])
        ),
        "by_month": [
            {"month": m, "applied": applied.get(m, 0), "connected": connected.get(m, 0)}
            for m in months
        ],
        "connected_payable_yuan": float(total_paid or 0),
    }
