"""Hazard and inspection figures for a period, in the caller's scope: totals and breakdowns per
area (rolled up along the materialised path), enterprise, category, source, inspection kind
and month. Every figure is a conditional SUM in one GROUP BY query per breakdown (both
databases); rates are derived from the additive counts, so rows roll up exactly.

What each figure means is written down in docs/hazard-statistics.md; in short, for a period
[since, until] (local dates, both included) and its reference day (`until`, or today if the
period has not ended yet):

- found, closed, open, closed_on_time, days_sum, recurring, major, general: the cohort of
  hazards found in the period, and what had become of them at the period's end;
- closed_in_period: closures (销号) made in the period, whenever the hazard was found;
- open_total, open_major, open_general, overdue: every hazard still open at the period's end
  (the backlog), and those of it past their deadline on the reference day;
- planned, done, late, tasks_overdue: inspection tasks due in the period.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select
from sqlalchemy.orm import Session

from gaswarden.core.auth import Principal, ScopeKind
from gaswarden.core.errors import Invalid, NotFound
from gaswarden.core.localtime import DEFAULT_TZ
from gaswarden.core.scope import areas_under, located
from gaswarden.db.base import utcnow
from gaswarden.domains.area.models import Area
from gaswarden.domains.hazard.enums import HazardSource, SystemStatus
from gaswarden.domains.hazard.models import EnterpriseSystem, Hazard
from gaswarden.domains.hazard.scope import hazard_scope
from gaswarden.domains.inspection.enums import InspectionKind, TaskStatus
from gaswarden.domains.inspection.models import Inspection, InspectionTask
from gaswarden.domains.organization.models import Organization
from gaswarden.domains.organization.service import service as organizations
from gaswarden.domains.site.models import Site
from gaswarden.standards.hazards import HazardGrade

NO_OWNER = "未明确责任单位 No responsible enterprise"
MAX_MONTHS = 36  # the per-month breakdown is one pair of queries per month


# ---- the period ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Period:
    """Local dates [since, until], both included; `ref_day` is the day "overdue" is judged on:
    `until`, or today when the period has not ended yet."""

    since: date
    until: date
    tz: str = DEFAULT_TZ
    ref_day: date = date.max

    @classmethod
    def of(
        cls, since: date, until: date, *, tz: str = DEFAULT_TZ, now: datetime | None = None
    ) -> Period:
        if until < since:
            raise Invalid(
                "until: before since",
                errors=[{"loc": ["query", "until"], "msg": "must not be before since"}],
            )
        today = (now or utcnow()).astimezone(ZoneInfo(tz)).date()
        return cls(since=since, until=until, tz=tz, ref_day=min(until, today))

    @classmethod
    def month(cls, month: str, *, tz: str = DEFAULT_TZ, now: datetime | None = None) -> Period:
        first = parse_month(month)
        return cls.of(first, _next_month(first) - timedelta(days=1), tz=tz, now=now)

    @property
    def start(self) -> datetime:
        return datetime.combine(self.since, time.min, ZoneInfo(self.tz)).astimezone(UTC)

    @property
    def end(self) -> datetime:
        """The first instant after the period."""
        nxt = self.until + timedelta(days=1)
        return datetime.combine(nxt, time.min, ZoneInfo(self.tz)).astimezone(UTC)

    def months(self) -> Iterator[Period]:
        """The calendar months the period overlaps, each clipped to the period."""
        first = self.since.replace(day=1)
        while first <= self.until:
            last = _next_month(first) - timedelta(days=1)
            since, until = max(first, self.since), min(last, self.until)
            yield Period(since=since, until=until, tz=self.tz, ref_day=min(until, self.ref_day))
            first = _next_month(first)


def parse_month(month: str) -> date:
    try:
        year, mon = month.split("-")
        return date(int(year), int(mon), 1)
    except ValueError as exc:
        raise Invalid(
            f"month: {month!r} is not YYYY-MM",
            errors=[{"loc": ["query", "month"], "msg": "YYYY-MM"}],
        ) from exc


def _next_month(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


# ---- the additive counts ------------------------------------------------------------------------
@dataclass
class Counts:
    found: int = 0
    closed: int = 0
    open: int = 0
    closed_on_time: int = 0
    days_sum: float = 0.0
    recurring: int = 0
    major: int = 0
    general: int = 0
    self_found: int = 0
    closed_in_period: int = 0
    open_total: int = 0
    open_major: int = 0
    open_general: int = 0
    overdue: int = 0
    planned: int = 0
    done: int = 0
    late: int = 0
    tasks_overdue: int = 0

    def add(self, other: Counts) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    @property
    def rectification_rate(self) -> float | None:
        return _ratio(self.closed, self.found)

    @property
    def on_time_rate(self) -> float | None:
        return _ratio(self.closed_on_time, self.closed)

    @property
    def avg_days_to_close(self) -> float | None:
        return round(self.days_sum / self.closed, 2) if self.closed else None

    @property
    def completion_rate(self) -> float | None:
        return _ratio(self.done, self.planned)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {f.name: getattr(self, f.name) for f in fields(self)}
        out["days_sum"] = round(self.days_sum, 2)
        out.update(
            rectification_rate=self.rectification_rate,
            on_time_rate=self.on_time_rate,
            avg_days_to_close=self.avg_days_to_close,
            completion_rate=self.completion_rate,
        )
        return out


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


@dataclass
class Row:
    key: Any
    label: str
    counts: Counts
    level: str | None = None  # area rows: district / town / grid
    code: str | None = None
    parent_id: int | None = None
    depth: int = 0

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"key": self.key, "label": self.label}
        if self.level is not None:
            out.update(level=self.level, code=self.code, parent_id=self.parent_id)
        out.update(self.counts.as_dict())
        return out


@dataclass
class Stats:
    period: Period
    area: Area | None
    owner_id: int | None
    totals: Counts
    by_area: list[Row] = field(default_factory=list)
    by_enterprise: list[Row] = field(default_factory=list)
    by_category: list[Row] = field(default_factory=list)
    by_source: list[Row] = field(default_factory=list)
    by_kind: list[Row] = field(default_factory=list)
    by_month: list[Row] = field(default_factory=list)
    inspections: int = 0
    inspections_self: int = 0
    inspections_failed_items: int = 0
    systems_improved: int = 0

    def as_dict(self) -> dict[str, Any]:
        p = self.period
        return {
            "since": p.since.isoformat(),
            "until": p.until.isoformat(),
            "ref_day": p.ref_day.isoformat(),
            "timezone": p.tz,
            "area": (
                {"id": self.area.id, "code": self.area.code, "name": self.area.name}
                if self.area is not None
                else None
            ),
            "owner_id": self.owner_id,
            "totals": self.totals.as_dict(),
            "inspections": {
                "carried_out": self.inspections,
                "self_inspections": self.inspections_self,
                "failed_items": self.inspections_failed_items,
            },
            "systems_improved": self.systems_improved,
            "by_area": [r.as_dict() for r in self.by_area],
            "by_enterprise": [r.as_dict() for r in self.by_enterprise],
            "by_category": [r.as_dict() for r in self.by_category],
            "by_source": [r.as_dict() for r in self.by_source],
            "by_kind": [r.as_dict() for r in self.by_kind],
            "by_month": [r.as_dict() for r in self.by_month],
        }


# ---- where: scope and filters -------------------------------------------------------------------
@dataclass(frozen=True)
class Where:
    """The caller's scope narrowed to an area subtree and/or an enterprise."""

    principal: Principal
    area: Area | None = None
    owner_id: int | None = None

    def located(self, *, owner: Any, area: Any, site: Any = None) -> ColumnElement[bool]:
        clauses = [located(self.principal, owner=owner, area=area, site=site)]
        if self.area is not None:
            clauses.append(area.in_(areas_under((self.area.path,))))
        if self.owner_id is not None:
            clauses.append(owner == self.owner_id)
        return and_(*clauses)

    def hazards(self) -> ColumnElement[bool]:
        clauses = [hazard_scope(self.principal)]
        if self.area is not None:
            clauses.append(Hazard.area_id.in_(areas_under((self.area.path,))))
        if self.owner_id is not None:
            clauses.append(Hazard.owner_id == self.owner_id)
        return and_(*clauses)

    def tasks(self) -> ColumnElement[bool]:
        t = InspectionTask
        return self.located(owner=t.owner_id, area=t.area_id, site=t.site_id)

    def inspections(self) -> ColumnElement[bool]:
        i = Inspection
        return self.located(owner=i.owner_id, area=i.area_id, site=i.site_id)

    def sites(self) -> ColumnElement[bool]:
        return self.located(owner=Site.owner_id, area=Site.area_id, site=Site.id)

    def organizations(self) -> ColumnElement[bool]:
        """Enterprises (for their systems): in scope, and with a site in the area if one is
        named."""
        clauses = [organizations.scope(self.principal)]
        if self.area is not None:
            under = areas_under((self.area.path,))
            clauses.append(
                Organization.area_id.in_(under)
                | Organization.id.in_(select(Site.owner_id).where(Site.area_id.in_(under)))
            )
        if self.owner_id is not None:
            clauses.append(Organization.id == self.owner_id)
        return and_(*clauses)


def where(
    *,
    session: Session,
    principal: Principal,
    area_id: int | None = None,
    area_code: str | None = None,
    owner_id: int | None = None,
) -> Where:
    """The filters checked: an unknown area or enterprise reads as 404."""
    area: Area | None = None
    if area_id is not None:
        area = session.get(Area, area_id)
        if area is None:
            raise NotFound(f"area {area_id} not found")
    elif area_code is not None:
        area = session.scalars(select(Area).where(Area.code == area_code)).first()
        if area is None:
            raise NotFound(f"area {area_code!r} not found")
    if owner_id is not None:
        org = session.scalars(
            select(Organization).where(Organization.id == owner_id, organizations.scope(principal))
        ).first()
        if org is None:
            raise NotFound(f"organization {owner_id} not found")
    return Where(principal=principal, area=area, owner_id=owner_id)


# ---- the queries --------------------------------------------------------------------------------
def _n(cond: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((cond, 1), else_=0)), 0)


def _hazard_columns(p: Period) -> list[Any]:
    h = Hazard
    found = and_(h.found_at >= p.start, h.found_at < p.end)
    closed_by_end = and_(h.closed_at.is_not(None), h.closed_at < p.end)
    open_at_end = and_(h.found_at < p.end, or_(h.closed_at.is_(None), h.closed_at >= p.end))
    closed = and_(found, closed_by_end)
    return [
        _n(found).label("found"),
        _n(closed).label("closed"),
        _n(and_(found, ~closed_by_end)).label("open"),
        _n(and_(closed, h.closed_on_time.is_(True))).label("closed_on_time"),
        func.coalesce(func.sum(case((closed, h.days_to_close), else_=0.0)), 0.0).label("days_sum"),
        _n(and_(found, h.recurring.is_(True))).label("recurring"),
        _n(and_(found, h.grade == HazardGrade.MAJOR)).label("major"),
        _n(and_(found, h.grade == HazardGrade.GENERAL)).label("general"),
        _n(and_(found, h.source == HazardSource.SELF_INSPECTION)).label("self_found"),
        _n(and_(h.closed_at >= p.start, h.closed_at < p.end)).label("closed_in_period"),
        _n(open_at_end).label("open_total"),
        _n(and_(open_at_end, h.grade == HazardGrade.MAJOR)).label("open_major"),
        _n(and_(open_at_end, h.grade == HazardGrade.GENERAL)).label("open_general"),
        _n(and_(open_at_end, h.deadline < p.ref_day)).label("overdue"),
    ]


_HAZARD_FIELDS = (
    "found",
    "closed",
    "open",
    "closed_on_time",
    "days_sum",
    "recurring",
    "major",
    "general",
    "self_found",
    "closed_in_period",
    "open_total",
    "open_major",
    "open_general",
    "overdue",
)
_TASK_FIELDS = ("planned", "done", "late", "tasks_overdue")


def _task_columns(p: Period) -> list[Any]:
    t = InspectionTask
    done = and_(t.status == TaskStatus.DONE, t.done_at.is_not(None), t.done_at < p.end)
    return [
        func.count(t.id).label("planned"),
        _n(done).label("done"),
        _n(and_(done, t.late.is_(True))).label("late"),
        _n(and_(~done, t.due_on < p.ref_day)).label("tasks_overdue"),
    ]


def _hazard_select(p: Period, w: Where, *keys: Any) -> Select[Any]:
    h = Hazard
    relevant = and_(
        h.found_at < p.end,
        or_(h.found_at >= p.start, h.closed_at.is_(None), h.closed_at >= p.start),
    )
    stmt = select(*keys, *_hazard_columns(p)).where(w.hazards(), relevant)
    return stmt.group_by(*keys) if keys else stmt


def _task_select(p: Period, w: Where, *keys: Any) -> Select[Any]:
    t = InspectionTask
    stmt = select(*keys, *_task_columns(p)).where(
        w.tasks(),
        t.status != TaskStatus.CANCELLED,
        t.due_on >= p.since,
        t.due_on <= p.until,
    )
    return stmt.group_by(*keys) if keys else stmt


def _counts(row: Any, names: Iterable[str], into: Counts | None = None) -> Counts:
    counts = into or Counts()
    for name in names:
        value = getattr(row, name)
        setattr(counts, name, float(value or 0) if name == "days_sum" else int(value or 0))
    return counts


def _grouped(
    session: Session, p: Period, w: Where, hazard_key: Any, task_key: Any = None
) -> dict[Any, Counts]:
    """Counts per key: the hazard query, and the task query if the key applies to tasks."""
    out: dict[Any, Counts] = {}
    for row in session.execute(_hazard_select(p, w, hazard_key.label("key"))):
        out[row.key] = _counts(row, _HAZARD_FIELDS)
    if task_key is not None:
        for row in session.execute(_task_select(p, w, task_key.label("key"))):
            _counts(row, _TASK_FIELDS, out.setdefault(row.key, Counts()))
    return out


def totals(session: Session, p: Period, w: Where) -> Counts:
    counts = _counts(session.execute(_hazard_select(p, w)).one(), _HAZARD_FIELDS)
    return _counts(session.execute(_task_select(p, w)).one(), _TASK_FIELDS, counts)


def per_owner(session: Session, p: Period, w: Where) -> dict[int | None, Counts]:
    return _grouped(session, p, w, Hazard.owner_id, InspectionTask.owner_id)


def per_area_path(session: Session, p: Period, w: Where) -> dict[str, Counts]:
    """Counts per area path (the hazard's or task's own area, usually a grid)."""
    out: dict[str, Counts] = {}
    stmt = _hazard_select(p, w, Area.path.label("key")).join(Area, Area.id == Hazard.area_id)
    for row in session.execute(stmt):
        out[row.key] = _counts(row, _HAZARD_FIELDS)
    stmt = _task_select(p, w, Area.path.label("key")).join(Area, Area.id == InspectionTask.area_id)
    for row in session.execute(stmt):
        _counts(row, _TASK_FIELDS, out.setdefault(row.key, Counts()))
    return out


def path_ids(path: str) -> list[int]:
    """ "/1/4/17/" -> [1, 4, 17]: the area and its ancestors, root first."""
    return [int(part) for part in path.strip("/").split("/") if part]


def rolled_up(per_path: dict[str, Counts]) -> dict[int, Counts]:
    """Each area's counts summed into it and every ancestor."""
    out: dict[int, Counts] = {}
    for path, counts in per_path.items():
        for area_id in path_ids(path):
            out.setdefault(area_id, Counts()).add(counts)
    return out


def visible_areas(session: Session, w: Where, with_figures: Iterable[int]) -> list[Area]:
    """The areas a breakdown lists: the named area's subtree (or all), limited for an area-scoped
    caller to its own subtrees and their ancestors; for others, the areas with figures."""
    stmt = select(Area)
    if w.area is not None:
        stmt = stmt.where(Area.path.startswith(w.area.path))
    areas = list(session.scalars(stmt))
    figures = set(with_figures)
    principal = w.principal
    if principal.scope_kind is ScopeKind.ALL:
        return areas
    if principal.scope_kind is ScopeKind.AREA:
        paths = principal.area_paths
        return [
            a
            for a in areas
            if any(a.path.startswith(p) or p.startswith(a.path) for p in paths) or a.id in figures
        ]
    return [a for a in areas if a.id in figures]


def _area_rows(session: Session, w: Where, by_id: dict[int, Counts]) -> list[Row]:
    areas = visible_areas(session, w, by_id)
    code_of = {a.id: a.code for a in areas}
    base_depth = len(path_ids(w.area.path)) if w.area is not None else 1

    def order(a: Area) -> tuple[str, ...]:
        return tuple(code_of.get(i, str(i)) for i in path_ids(a.path))

    rows = []
    for a in sorted(areas, key=order):
        rows.append(
            Row(
                key=a.id,
                label=a.name,
                counts=by_id.get(a.id, Counts()),
                level=a.level.value,
                code=a.code,
                parent_id=a.parent_id,
                depth=len(path_ids(a.path)) - base_depth,
            )
        )
    return rows


def org_names(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = sorted(i for i in set(ids) if i is not None)
    if not wanted:
        return {}
    stmt = select(Organization.id, Organization.name).where(Organization.id.in_(wanted))
    return {i: n for i, n in session.execute(stmt)}


def _by_found(rows: Iterable[Row]) -> list[Row]:
    return sorted(rows, key=lambda r: (-r.counts.found, -r.counts.open_total, r.label))


def compute(
    *,
    session: Session,
    principal: Principal,
    period: Period,
    area_id: int | None = None,
    area_code: str | None = None,
    owner_id: int | None = None,
    months: bool = True,
) -> Stats:
    """All figures of the period in the caller's scope (see the module docstring)."""
    w = where(
        session=session,
        principal=principal,
        area_id=area_id,
        area_code=area_code,
        owner_id=owner_id,
    )
    stats = Stats(period=period, area=w.area, owner_id=owner_id, totals=totals(session, period, w))
    stats.by_area = _area_rows(session, w, rolled_up(per_area_path(session, period, w)))
    owners = per_owner(session, period, w)
    names = org_names(session, owners)
    stats.by_enterprise = _by_found(
        Row(key=k, label=names.get(k, NO_OWNER) if k is not None else NO_OWNER, counts=c)
        for k, c in owners.items()
    )
    stats.by_category = _by_found(
        Row(key=k, label=k, counts=c)
        for k, c in _grouped(session, period, w, Hazard.category).items()
    )
    sources = _grouped(session, period, w, Hazard.source)
    stats.by_source = [
        Row(key=s.value, label=f"{s.zh} {s.en}", counts=sources[s])
        for s in HazardSource
        if s in sources
    ]
    stats.by_kind = _kind_rows(session, period, w)
    stats.inspections, stats.inspections_self, stats.inspections_failed_items = _inspections(
        session, period, w
    )
    stats.systems_improved = systems_improved(session, period, w)
    if months:
        every = list(period.months())
        if len(every) > MAX_MONTHS:
            raise Invalid(
                f"period: more than {MAX_MONTHS} months",
                errors=[{"loc": ["query", "since"], "msg": f"at most {MAX_MONTHS} months"}],
            )
        for month in every:
            label = month.since.strftime("%Y-%m")
            stats.by_month.append(Row(key=label, label=label, counts=totals(session, month, w)))
    return stats


def _kind_rows(session: Session, p: Period, w: Where) -> list[Row]:
    """Tasks planned and done, and inspections carried out, per inspection kind."""
    tasks: dict[Any, Counts] = {}
    for row in session.execute(_task_select(p, w, InspectionTask.kind.label("key"))):
        tasks[row.key] = _counts(row, _TASK_FIELDS)
    return [
        Row(key=k.value, label=f"{k.zh} {k.en}", counts=tasks[k])
        for k in InspectionKind
        if k in tasks
    ]


def _inspections(session: Session, p: Period, w: Where) -> tuple[int, int, int]:
    i = Inspection
    stmt = select(
        func.count(i.id),
        _n(i.kind == InspectionKind.SELF),
        func.coalesce(func.sum(i.n_fail), 0),
    ).where(w.inspections(), i.inspected_at >= p.start, i.inspected_at < p.end)
    n, n_self, fails = session.execute(stmt).one()
    return int(n), int(n_self), int(fails)


def systems_improved(session: Session, p: Period, w: Where) -> int:
    """Enterprise systems (规章制度) put right in the period."""
    s = EnterpriseSystem
    stmt = select(func.count(s.id)).where(
        s.status == SystemStatus.IMPROVED,
        s.improved_on >= p.since,
        s.improved_on <= p.until,
        s.org_id.in_(select(Organization.id).where(w.organizations())),
    )
    return int(session.scalar(stmt) or 0)


def sites_per_owner(session: Session, w: Where) -> dict[int | None, int]:
    """Sites that are not closed, per enterprise (the score's size normalisation)."""
    from gaswarden.domains.site.enums import SiteStatus

    stmt = (
        select(Site.owner_id, func.count(Site.id))
        .where(w.sites(), Site.status != SiteStatus.CLOSED)
        .group_by(Site.owner_id)
    )
    return {k: int(n) for k, n in session.execute(stmt)}


def sites_per_area(session: Session, w: Where) -> dict[int, int]:
    """Sites that are not closed, per area, rolled up to every ancestor."""
    from gaswarden.domains.site.enums import SiteStatus

    stmt = (
        select(Area.path, func.count(Site.id))
        .join(Area, Area.id == Site.area_id)
        .where(w.sites(), Site.status != SiteStatus.CLOSED)
        .group_by(Area.path)
    )
    out: dict[int, int] = {}
    for path, n in session.execute(stmt):
        for area_id in path_ids(path):
            out[area_id] = out.get(area_id, 0) + int(n)
    return out
