"""Closures of illegal sites (取缔) on the map, and the counts of cases: what the
regulator reports ("9 illegal filling stations, 5 supply stations and 1 LNG facility closed")."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from gaswarden.core.auth import Principal
from gaswarden.domains.enforcement.enums import CaseStatus, ClosureKind, Decision
from gaswarden.domains.enforcement.models import EnforcementCase
from gaswarden.domains.enforcement.service import DEFAULT_TZ, FILTERS, local_date, visible


def executed_closures(principal: Principal, filters: dict[str, Any] | None = None) -> Select[Any]:
    stmt = visible(principal).where(
        EnforcementCase.decision == Decision.CLOSURE,
        EnforcementCase.executed_at.is_not(None),
    )
    return FILTERS.apply(stmt, filters or {}, None)


def geojson(
    *,
    session: Session,
    principal: Principal,
    filters: dict[str, Any] | None = None,
    tz: str = DEFAULT_TZ,
) -> dict[str, Any]:
    """Closed illegal sites as GeoJSON points (cases without a position are left out)."""
    stmt = executed_closures(principal, filters).order_by(
        EnforcementCase.executed_at, EnforcementCase.id
    )
    features: list[dict[str, Any]] = []
    for case in session.scalars(stmt):
        lon = case.lon if case.lon is not None else (case.site.lon if case.site else None)
        lat = case.lat if case.lat is not None else (case.site.lat if case.site else None)
        if lon is None or lat is None:
            continue
        kind = case.closure_kind or ClosureKind.OTHER
        assert case.executed_at is not None
        features.append(
            {
                "type": "Feature",
                "id": case.id,
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": {
                    "case_id": case.id,
                    "code": case.code,
                    "closure_kind": kind.value,
                    "closure_kind_zh": kind.zh,
                    "closure_kind_en": kind.en,
                    "colour": kind.colour,
                    "party_name": case.party_name,
                    "party_kind": case.party_kind.value,
                    "address": case.address,
                    "site_id": case.site_id,
                    "area_id": case.area_id,
                    "closed_on": local_date(case.executed_at, tz).isoformat(),
                    "status": case.status.value,
                    "watched": case.watched,
                    "activity_flagged": case.activity_flagged,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _counts(session: Session, stmt: Select[Any]) -> dict[Any, int]:
    return {key: int(n) for key, n in session.execute(stmt).all()}


def summary(
    *, session: Session, principal: Principal, filters: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Executed closures by kind (the article: 9 filling stations, 5 supply stations, 1 LNG
    facility), cases by status and decision, watched and flagged places, fines."""
    base = FILTERS.apply(visible(principal), filters or {}, None).subquery()
    closures = executed_closures(principal, filters).subquery()
    by_kind = _counts(
        session, select(closures.c.closure_kind, func.count()).group_by(closures.c.closure_kind)
    )
    by_status = _counts(session, select(base.c.status, func.count()).group_by(base.c.status))
    by_decision = _counts(
        session,
        select(base.c.decision, func.count())
        .where(base.c.decision.is_not(None))
        .group_by(base.c.decision),
    )
    totals = session.execute(
        select(
            func.count(),
            func.count().filter(base.c.watched.is_(True)),
            func.count().filter(base.c.activity_flagged.is_(True)),
            func.coalesce(func.sum(base.c.fine_yuan), 0),
        ).select_from(base)
    ).one()
    return {
        "closures": [
            {"kind": k.value, "zh": k.zh, "en": k.en, "count": int(by_kind.get(k, 0))}
            for k in ClosureKind
        ],
        "closures_total": int(sum(by_kind.values())),
        "by_status": {s.value: int(by_status.get(s, 0)) for s in CaseStatus},
        "by_decision": {d.value: int(by_decision.get(d, 0)) for d in Decision},
        "cases": int(totals[0]),
        "watched": int(totals[1]),
        "activity_flagged": int(totals[2]),
        "fines_yuan": float(totals[3] or 0),
    }
