"""The cockpit's daily safety score (安全指数) per town and per enterprise, with its trend.

It extends the hazard score (domains/hazard/score.py: open major / general / overdue /
recurring hazards and inspection completion) by two live components, so the duty room sees
alarms and emergencies weigh on a unit too:

    score = clamp(100 − hazard penalties − s·(2·unhandled_alarms + 10·open_incidents), 0, 100)

- unhandled_alarms: alarms raised by the day's end and not resolved by then;
- open_incidents: emergency incidents (drills excluded) reported by the day's end and not
  closed by then;
- s = min(1, 10 / sites), the hazard score's "per ten sites" scaling.

The weights are set once, in `EXTRA` (with the hazard score's own in hazard/score.WEIGHTS);
they are this deployment's practice, not a standard. docs/cockpit.md explains them. Like the
hazard score, everything is judged at the day's end from recorded times, so the same data and
day always give the same score.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from time import monotonic
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from gaswarden.cockpit.figures import DEFAULT_TZ, Clock
from gaswarden.cockpit.scope import incident_scope
from gaswarden.core.auth import Principal
from gaswarden.domains.alarm.models import Alarm
from gaswarden.domains.alarm.scope import alarm_scope
from gaswarden.domains.area.enums import AreaLevel
from gaswarden.domains.area.models import Area
from gaswarden.domains.emergency.models import Incident
from gaswarden.domains.hazard import score as hazard_score
from gaswarden.domains.hazard.stats import path_ids

MAX_DAYS = 90  # the longest trend the API draws (one hazard score per day)
CACHE_S = 600.0  # how long a past day's hazard scores are kept for the cockpit page
CACHE_MAX = 2000  # entries (scope and day) kept at most


@dataclass(frozen=True)
class Extra:
    """Points off for the live components (practice of this deployment, not a standard)."""

    unhandled_alarm: float = 2.0  # each alarm not resolved at the day's end
    open_incident: float = 10.0  # each emergency incident not closed at the day's end

    def as_dict(self) -> dict[str, float]:
        return dict(self.__dict__)


EXTRA = Extra()


@dataclass
class Unit:
    """One town or enterprise: today's score and its parts, and the score of every day."""

    kind: str  # "town" | "enterprise"
    id: int
    name: str
    score: float = 100.0
    penalties: dict[str, float] = field(default_factory=dict)
    unhandled_alarms: int = 0
    open_incidents: int = 0
    trend: list[float | None] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class Trend:
    days: list[date]
    towns: list[Unit]
    enterprises: list[Unit]

    def as_dict(self) -> dict[str, Any]:
        return {
            "days": [d.isoformat() for d in self.days],
            "weights": {**hazard_score.WEIGHTS.as_dict(), **EXTRA.as_dict()},
            "towns": [u.as_dict() for u in self.towns],
            "enterprises": [u.as_dict() for u in self.enterprises],
        }


def combined(
    base: float, penalties: dict[str, float], alarms: int, incidents: int, sites: int
) -> tuple[float, dict[str, float]]:
    """The score from the hazard penalties and the live counts (see the module docstring)."""
    w = hazard_score.WEIGHTS
    scale = min(1.0, w.sites_per_unit / sites) if sites > 0 else 1.0
    out = dict(penalties)
    out["unhandled_alarms"] = round(EXTRA.unhandled_alarm * alarms * scale, 2)
    out["open_incidents"] = round(EXTRA.open_incident * incidents * scale, 2)
    value = max(0.0, min(base, base - sum(out.values())))
    return round(value, 1), out


@dataclass
class _Open:
    """Records open over a span: owner, area path, from, until (None: still open)."""

    owner: int | None
    path: str | None
    since: Any
    until: Any


def _open_records(
    session: Session,
    model: Any,
    start_col: Any,
    end_col: Any,
    scope: ColumnElement[bool],
    first_end: Any,
    last_end: Any,
    *extra: ColumnElement[bool],
) -> list[_Open]:
    stmt = (
        select(model.owner_id, Area.path, start_col, end_col)
        .select_from(model)
        .outerjoin(Area, Area.id == model.area_id)
        .where(
            scope,
            start_col < last_end,
            or_(end_col.is_(None), end_col >= first_end),
            *extra,
        )
    )
    return [_Open(o, p, s, u) for o, p, s, u in session.execute(stmt)]


def _count_open(records: Iterable[_Open], end: Any) -> tuple[dict[int, int], dict[int, int]]:
    """Per owner and per area (rolled up the tree): records open at `end`."""
    owners: dict[int, int] = {}
    areas: dict[int, int] = {}
    for r in records:
        if r.since < end and (r.until is None or r.until >= end):
            if r.owner is not None:
                owners[r.owner] = owners.get(r.owner, 0) + 1
            for area_id in path_ids(r.path or ""):
                areas[area_id] = areas.get(area_id, 0) + 1
    return owners, areas


_cache: dict[tuple[Any, ...], tuple[float, hazard_score.Scores]] = {}
_cache_lock = threading.Lock()


def _hazard_scores(
    session: Session, principal: Principal, day: date, tz: str, *, cache: bool
) -> hazard_score.Scores:
    """The hazard scores of `day`. A past day's are judged from recorded times and change only
    when records of that day are entered late; the cockpit page (opened often, by many) keeps
    them for CACHE_S per scope and day, in this process. Today's are always computed."""
    if not cache:
        return hazard_score.daily(session=session, principal=principal, day=day, tz=tz)
    key = (
        principal.scope_kind,
        principal.org_id,
        principal.area_paths,
        tuple(sorted(principal.site_ids)),
        day,
        tz,
    )
    now = monotonic()
    with _cache_lock:
        hit = _cache.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    scores = hazard_score.daily(session=session, principal=principal, day=day, tz=tz)
    with _cache_lock:
        if len(_cache) >= CACHE_MAX:
            _cache.clear()
        _cache[key] = (now + CACHE_S, scores)
    return scores


def trend(
    *,
    session: Session,
    principal: Principal,
    today: date,
    days: int = 30,
    tz: str = DEFAULT_TZ,
    cache: bool = False,
) -> Trend:
    """Scores for the `days` days up to `today`, per town and per enterprise in the caller's
    scope; units sorted by today's score, lowest first. With `cache`, the hazard scores of
    the days before `today` are kept for CACHE_S (see `_hazard_scores`)."""
    days = max(1, min(days, MAX_DAYS))
    span = [today - timedelta(days=days - 1 - k) for k in range(days)]
    clock = Clock(now=datetime.combine(today, time(12), ZoneInfo(tz)), tz=tz)
    ends = [clock.instant(d + timedelta(days=1)) for d in span]
    alarms = _open_records(
        session,
        Alarm,
        Alarm.raised_at,
        Alarm.resolved_at,
        alarm_scope(principal),
        ends[0],
        ends[-1],
    )
    incidents = _open_records(
        session,
        Incident,
        Incident.reported_at,
        Incident.closed_at,
        incident_scope(principal),
        ends[0],
        ends[-1],
        Incident.drill.is_(False),
    )
    towns: dict[int, Unit] = {}
    enterprises: dict[int, Unit] = {}
    for k, (day, end) in enumerate(zip(span, ends, strict=True)):
        scores = _hazard_scores(session, principal, day, tz, cache=cache and day < today)
        a_owner, a_area = _count_open(alarms, end)
        i_owner, i_area = _count_open(incidents, end)
        rows: list[tuple[dict[int, Unit], str, hazard_score.Score, int, int]] = [
            (towns, "town", s, a_area.get(s.id, 0), i_area.get(s.id, 0))
            for s in scores.areas
            if s.level == AreaLevel.TOWN.value
        ]
        rows += [
            (enterprises, "enterprise", s, a_owner.get(s.id, 0), i_owner.get(s.id, 0))
            for s in scores.enterprises
        ]
        for units, kind, s, n_alarms, n_incidents in rows:
            unit = units.get(s.id)
            if unit is None:
                unit = units[s.id] = Unit(kind=kind, id=s.id, name=s.name, trend=[None] * k)
            value, penalties = combined(
                hazard_score.WEIGHTS.base, s.penalties, n_alarms, n_incidents, s.sites
            )
            unit.trend.append(value)
            if day == today:
                unit.score, unit.penalties = value, penalties
                unit.unhandled_alarms, unit.open_incidents = n_alarms, n_incidents
        for unit in (*towns.values(), *enterprises.values()):
            if len(unit.trend) < k + 1:
                unit.trend.append(None)

    def order(units: dict[int, Unit]) -> list[Unit]:
        return sorted(units.values(), key=lambda u: (u.score, u.name))

    return Trend(days=span, towns=order(towns), enterprises=order(enterprises))
