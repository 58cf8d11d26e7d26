"""The daily safety score (安全指数), 0–100, per enterprise and per area.

    score = clamp(100 − s·(15·open_major + 3·open_general + 5·overdue + 4·recurring)
                      − 20·(1 − completion), 0, 100)

with the counts taken at the end of the day (Asia/Shanghai by default): hazards open then, of
them those past their deadline, hazards found recurring in the trailing 90 days, and the share
of the inspection tasks due in the trailing 30 days that were done. `s` = min(1, 10 / sites)
scales the hazard penalties of a unit with more than ten sites to "per ten sites", so a large
enterprise or a whole town is not zero for its size alone. No bonuses. The weights are set
once, in `WEIGHTS`; docs/hazard-statistics.md explains the choice.

The same data and the same day always give the same score: everything is judged at the day's
end from recorded times (found, closed, due, done), not from the clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from gaswarden.core.auth import Principal
from gaswarden.domains.hazard import stats
from gaswarden.domains.hazard.stats import Counts, Period, Where


@dataclass(frozen=True)
class Weights:
    """Points off per unit of each figure (practice of this deployment, not a standard)."""

    base: float = 100.0
    open_major: float = 15.0  # each open major hazard (重大隐患)
    open_general: float = 3.0  # each open general hazard (一般隐患)
    overdue: float = 5.0  # each open hazard past its deadline (on top of the above)
    recurring: float = 4.0  # each hazard found again at the same site and item
    completion: float = 20.0  # times the share of due inspection tasks not done
    recurring_days: int = 90  # trailing window for recurring findings
    completion_days: int = 30  # trailing window for inspection tasks due
    sites_per_unit: int = 10  # hazard penalties count "per ten sites" above this size

    def as_dict(self) -> dict[str, float | int]:
        return dict(self.__dict__)


WEIGHTS = Weights()


@dataclass
class Score:
    kind: str  # "enterprise" | "area"
    id: int
    name: str
    score: float
    sites: int
    open_major: int
    open_general: int
    overdue: int
    recurring: int
    planned: int
    done: int
    penalties: dict[str, float] = field(default_factory=dict)
    code: str | None = None
    level: str | None = None
    parent_id: int | None = None

    @property
    def completion_rate(self) -> float | None:
        return round(self.done / self.planned, 4) if self.planned else None

    def as_dict(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        out["completion_rate"] = self.completion_rate
        return out


def score_of(
    hazards: Counts, tasks: Counts, sites: int, w: Weights = WEIGHTS
) -> tuple[float, dict[str, float]]:
    """The score and its penalties from the day's counts (see the module docstring)."""
    scale = min(1.0, w.sites_per_unit / sites) if sites > 0 else 1.0
    penalties = {
        "open_major": w.open_major * hazards.open_major * scale,
        "open_general": w.open_general * hazards.open_general * scale,
        "overdue": w.overdue * hazards.overdue * scale,
        "recurring": w.recurring * hazards.recurring * scale,
        "completion": w.completion * (1 - tasks.done / tasks.planned) if tasks.planned else 0.0,
    }
    penalties = {k: round(v, 2) for k, v in penalties.items()}
    value = max(0.0, min(w.base, w.base - sum(penalties.values())))
    return round(value, 1), penalties


def windows(day: date, tz: str, w: Weights = WEIGHTS) -> tuple[Period, Period]:
    """The hazard window (open at the day's end; recurring in the trailing window) and the task
    window (tasks due in the trailing window), both judged on `day`."""
    hazards = Period(
        since=day - timedelta(days=w.recurring_days - 1), until=day, tz=tz, ref_day=day
    )
    tasks = Period(since=day - timedelta(days=w.completion_days - 1), until=day, tz=tz, ref_day=day)
    return hazards, tasks


@dataclass
class Scores:
    day: date
    enterprises: list[Score]
    areas: list[Score]

    def as_dict(self) -> dict[str, Any]:
        return {
            "day": self.day.isoformat(),
            "weights": WEIGHTS.as_dict(),
            "enterprises": [s.as_dict() for s in self.enterprises],
            "areas": [s.as_dict() for s in self.areas],
        }


def _make(
    kind: str, id: int, name: str, hazards: Counts, tasks: Counts, sites: int, **extra: Any
) -> Score:
    value, penalties = score_of(hazards, tasks, sites)
    return Score(
        kind=kind,
        id=id,
        name=name,
        score=value,
        sites=sites,
        open_major=hazards.open_major,
        open_general=hazards.open_general,
        overdue=hazards.overdue,
        recurring=hazards.recurring,
        planned=tasks.planned,
        done=tasks.done,
        penalties=penalties,
        **extra,
    )


def daily(
    *,
    session: Session,
    principal: Principal,
    day: date,
    tz: str = stats.DEFAULT_TZ,
    area_id: int | None = None,
    area_code: str | None = None,
    owner_id: int | None = None,
) -> Scores:
    """Every enterprise's and area's score on `day`, in the caller's scope, lowest first."""
    where: Where = stats.where(
        session=session,
        principal=principal,
        area_id=area_id,
        area_code=area_code,
        owner_id=owner_id,
    )
    hz, tk = windows(day, tz)

    owner_h = stats.per_owner(session, hz, where)
    owner_t = stats.per_owner(session, tk, where)
    owner_sites = stats.sites_per_owner(session, where)
    owner_ids = {k for k in (*owner_h, *owner_t, *owner_sites) if k is not None}
    names = stats.org_names(session, owner_ids)
    enterprises = [
        _make(
            "enterprise",
            oid,
            names.get(oid, str(oid)),
            owner_h.get(oid, Counts()),
            owner_t.get(oid, Counts()),
            owner_sites.get(oid, 0),
        )
        for oid in owner_ids
    ]

    area_h = stats.rolled_up(stats.per_area_path(session, hz, where))
    area_t = stats.rolled_up(stats.per_area_path(session, tk, where))
    area_sites = stats.sites_per_area(session, where)
    areas = [
        _make(
            "area",
            a.id,
            a.name,
            area_h.get(a.id, Counts()),
            area_t.get(a.id, Counts()),
            area_sites.get(a.id, 0),
            code=a.code,
            level=a.level.value,
            parent_id=a.parent_id,
        )
        for a in stats.visible_areas(session, where, {*area_h, *area_t, *area_sites})
    ]
    return Scores(
        day=day,
        enterprises=sorted(enterprises, key=lambda s: (s.score, s.name)),
        areas=sorted(areas, key=lambda s: (s.score, s.code or "")),
    )
