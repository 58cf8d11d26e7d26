"""Enterprise self-inspection against the inspectors' findings at the same sites.

Per enterprise and site, in a period: the inspections the enterprise made itself (kind self)
and those of agencies and regulators (every other kind), and the hazards each found per
inspection (hazards linked to the inspection). Where inspectors found hazards and the
enterprise's rate is below SELF_INSPECTION_RATIO_FLAG times theirs — or the enterprise did not
inspect the site itself at all — the row is flagged: its self-inspection misses what is there.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gaswarden.core.auth import Principal
from gaswarden.core.errors import Invalid
from gaswarden.core.scope import located
from gaswarden.domains.hazard.models import Hazard
from gaswarden.domains.hazard.service import DEFAULT_TZ
from gaswarden.domains.inspection.enums import InspectionKind
from gaswarden.domains.inspection.models import Inspection
from gaswarden.domains.organization.models import Organization
from gaswarden.domains.site.models import Site
from gaswarden.standards.hazards import SELF_INSPECTION_RATIO_FLAG


@dataclass
class Row:
    owner_id: int
    owner_name: str
    site_id: int | None  # None: the enterprise's total
    site_name: str | None
    self_inspections: int = 0
    self_hazards: int = 0
    other_inspections: int = 0
    other_hazards: int = 0

    @property
    def self_rate(self) -> float | None:
        return _rate(self.self_hazards, self.self_inspections)

    @property
    def other_rate(self) -> float | None:
        return _rate(self.other_hazards, self.other_inspections)

    @property
    def ratio(self) -> float | None:
        if self.self_rate is None or not self.other_rate:
            return None
        return round(self.self_rate / self.other_rate, 3)

    @property
    def flagged(self) -> bool:
        other = self.other_rate
        if not other or self.other_hazards < 1:
            return False  # nothing found by the inspectors: nothing to miss
        mine = self.self_rate
        return mine is None or mine < SELF_INSPECTION_RATIO_FLAG * other


def _rate(hazards: int, inspections: int) -> float | None:
    return round(hazards / inspections, 3) if inspections else None


def _bounds(since: date, until: date, tz: str) -> tuple[datetime, datetime]:
    zone = ZoneInfo(tz)
    start = datetime.combine(since, time.min, tzinfo=zone).astimezone(UTC)
    end = datetime.combine(until + timedelta(days=1), time.min, tzinfo=zone).astimezone(UTC)
    return start, end


def compare(
    *,
    session: Session,
    principal: Principal,
    since: date,
    until: date,
    owner_id: int | None = None,
    tz: str = DEFAULT_TZ,
) -> list[Row]:
    """Rows per enterprise (its total first, `site_id` None) and per site, in scope; the
    period is local days `since`..`until`, both included."""
    if until < since:
        raise Invalid(
            "until is before since", errors=[{"loc": ["query", "until"], "msg": "before since"}]
        )
    start, end = _bounds(since, until, tz)
    hazards = (
        select(Hazard.inspection_id, func.count(Hazard.id).label("n"))
        .where(Hazard.inspection_id.is_not(None))
        .group_by(Hazard.inspection_id)
        .subquery()
    )
    stmt = (
        select(
            Inspection.owner_id,
            Inspection.site_id,
            Inspection.kind,
            func.count(Inspection.id),
            func.coalesce(func.sum(hazards.c.n), 0),
        )
        .outerjoin(hazards, hazards.c.inspection_id == Inspection.id)
        .where(
            Inspection.owner_id.is_not(None),
            Inspection.inspected_at >= start,
            Inspection.inspected_at < end,
            located(
                principal,
                owner=Inspection.owner_id,
                area=Inspection.area_id,
                site=Inspection.site_id,
            ),
        )
        .group_by(Inspection.owner_id, Inspection.site_id, Inspection.kind)
    )
    if owner_id is not None:
        stmt = stmt.where(Inspection.owner_id == owner_id)
    counts = session.execute(stmt).all()
    if not counts:
        return []
    owners = _names(session, Organization, {c[0] for c in counts})
    sites = _names(session, Site, {c[1] for c in counts})
    totals: dict[int, Row] = {}
    per_site: dict[tuple[int, int], Row] = defaultdict(lambda: Row(0, "", None, None))
    for owner, site, kind, n, found in counts:
        total = totals.setdefault(owner, Row(owner, owners.get(owner, ""), None, None))
        row = per_site[(owner, site)]
        row.owner_id, row.owner_name = owner, owners.get(owner, "")
        row.site_id, row.site_name = site, sites.get(site)
        for r in (total, row):
            if InspectionKind(kind).by_enterprise:
                r.self_inspections += int(n)
                r.self_hazards += int(found)
            else:
                r.other_inspections += int(n)
                r.other_hazards += int(found)
    out: list[Row] = []
    for owner in sorted(totals, key=lambda o: (totals[o].owner_name, o)):
        out.append(totals[owner])
        mine = [r for (o, _), r in per_site.items() if o == owner]
        out.extend(sorted(mine, key=lambda r: (r.site_name or "", r.site_id or 0)))
    return out


def _names(
    session: Session, model: type[Organization] | type[Site], ids: set[int]
) -> dict[int, str]:
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    return dict(session.execute(select(model.id, model.name).where(model.id.in_(wanted))).all())
