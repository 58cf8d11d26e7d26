"""Coverage of pipe gas (村村通, 户户通) and clean heating (清洁取暖) per village, town and year.

Readable by everyone but inspection agencies (`scope.coverage_scope`); a regulator whose area
holds the village updates its figures (audited), which also writes this year's CoverageYear
row, so that the progress over the years follows the updates."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from gaswarden.core.auth import Principal
from gaswarden.core.errors import Forbidden, Invalid, NotFound
from gaswarden.core.localtime import DEFAULT_TZ
from gaswarden.db.base import utcnow
from gaswarden.domains.area.models import Area
from gaswarden.domains.audit import service as audit
from gaswarden.domains.service.models import CoverageYear, Village
from gaswarden.domains.service.scope import coverage_scope, coverage_write_scope, may_edit_coverage

ENTITY = "village"
FIGURES = (
    "households",
    "households_piped",
    "households_clean_heating",
    "pipe_gas_since",
    "clean_heating_since",
)


def _invalid(field: str, msg: str) -> Invalid:
    return Invalid(f"{field}: {msg}", errors=[{"loc": ["body", field], "msg": msg}])


def village_row(v: Village) -> dict[str, Any]:
    return {
        "id": v.id,
        "area_id": v.area_id,
        "town": v.area.name,
        "name": v.name,
        "households": v.households,
        "pipe_gas_since": v.pipe_gas_since,
        "households_piped": v.households_piped,
        "clean_heating_since": v.clean_heating_since,
        "households_clean_heating": v.households_clean_heating,
        "lon": v.lon,
        "lat": v.lat,
    }


def villages(
    *, session: Session, principal: Principal, area_id: int | None = None
) -> list[Village]:
    stmt = select(Village).where(coverage_scope(principal))
    if area_id is not None:
        stmt = stmt.where(Village.area_id == area_id)
    return list(session.scalars(stmt.order_by(Village.area_id, Village.id)))


def get_village(*, session: Session, principal: Principal, id: int) -> Village:
    found = session.scalars(
        select(Village).where(Village.id == id, coverage_scope(principal))
    ).first()
    if found is None:
        raise NotFound(f"village {id} not found")
    return found


def towns(*, session: Session, principal: Principal) -> dict[str, Any]:
    """Per town: villages, with pipe gas, on clean heating; households, piped, clean heating.
    With the district's total."""
    piped = func.sum(case((Village.pipe_gas_since.is_not(None), 1), else_=0))
    heated = func.sum(case((Village.clean_heating_since.is_not(None), 1), else_=0))
    stmt = (
        select(
            Area.id,
            Area.name,
            Area.code,
            func.count(Village.id),
            piped,
            heated,
            func.sum(Village.households),
            func.sum(Village.households_piped),
            func.sum(Village.households_clean_heating),
        )
        .join(Area, Area.id == Village.area_id)
        .where(coverage_scope(principal))
        .group_by(Area.id, Area.name, Area.code)
        .order_by(Area.code)
    )
    keys = (
        "villages",
        "villages_piped",
        "villages_clean_heating",
        "households",
        "households_piped",
        "households_clean_heating",
    )
    rows = []
    for area_id, name, _code, *values in session.execute(stmt).all():
        rows.append(
            {
                "area_id": area_id,
                "town": name,
                **{k: int(v or 0) for k, v in zip(keys, values, strict=True)},
            }
        )
    total = {"area_id": 0, "town": "合计 Total", **{k: sum(r[k] for r in rows) for k in keys}}
    return {"towns": rows, "total": total}


def years(
    *, session: Session, principal: Principal, area_id: int | None = None
) -> list[dict[str, Any]]:
    """The district's (or a town's) coverage at each year's end."""
    cy = CoverageYear
    stmt = (
        select(
            cy.year,
            func.sum(case((cy.piped.is_(True), 1), else_=0)),
            func.sum(cy.households_piped),
            func.sum(case((cy.clean_heating.is_(True), 1), else_=0)),
            func.sum(cy.households_clean_heating),
        )
        .join(Village, Village.id == cy.village_id)
        .where(coverage_scope(principal))
        .group_by(cy.year)
        .order_by(cy.year)
    )
    if area_id is not None:
        stmt = stmt.where(Village.area_id == area_id)
    return [
        {
            "year": int(year),
            "villages_piped": int(vp or 0),
            "households_piped": int(hp or 0),
            "villages_clean_heating": int(vh or 0),
            "households_clean_heating": int(hh or 0),
        }
        for year, vp, hp, vh, hh in session.execute(stmt).all()
    ]


def by_town_year(*, session: Session, principal: Principal) -> dict[str, list[dict[str, Any]]]:
    """Households on clean heating and piped per town per year (the chart's lines)."""
    cy = CoverageYear
    stmt = (
        select(
            Area.name, cy.year, func.sum(cy.households_piped), func.sum(cy.households_clean_heating)
        )
        .join(Village, Village.id == cy.village_id)
        .join(Area, Area.id == Village.area_id)
        .where(coverage_scope(principal))
        .group_by(Area.name, Area.code, cy.year)
        .order_by(Area.code, cy.year)
    )
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for town, year, hp, hh in session.execute(stmt).all():
        out[town].append(
            {
                "year": int(year),
                "households_piped": int(hp or 0),
                "households_clean_heating": int(hh or 0),
            }
        )
    return dict(out)


def update_village(
    *,
    session: Session,
    principal: Principal,
    id: int,
    data: dict[str, Any],
    reason: str | None = None,
    tz: str = DEFAULT_TZ,
    now: datetime | None = None,
) -> Village:
    """New figures for a village (regulators of its area), audited; this year's CoverageYear
    row is written (or rewritten) from the new figures."""
    village = get_village(session=session, principal=principal, id=id)
    if not may_edit_coverage(principal):
        raise Forbidden(f"role {principal.role} may not change coverage figures")
    if (
        session.scalar(select(Village.id).where(Village.id == id, coverage_write_scope(principal)))
        is None
    ):
        raise Forbidden("this village lies outside your area")
    now = now or utcnow()
    year = now.astimezone(ZoneInfo(tz)).year
    before = audit.snapshot(village)
    changed = {k: v for k, v in data.items() if k in FIGURES and v is not None}
    for key, value in changed.items():
        setattr(village, key, value)
    for key in ("pipe_gas_since", "clean_heating_since"):
        since = getattr(village, key)
        if since is not None and since > year:
            raise _invalid(key, f"a year up to {year}")
    if village.households_piped > village.households:
        raise _invalid("households_piped", "more than the village's households")
    if village.households_clean_heating > village.households:
        raise _invalid("households_clean_heating", "more than the village's households")
    if village.households_piped and village.pipe_gas_since is None:
        village.pipe_gas_since = year
    if village.households_clean_heating and village.clean_heating_since is None:
        village.clean_heating_since = year
    session.flush()
    row = session.scalars(
        select(CoverageYear).where(CoverageYear.village_id == village.id, CoverageYear.year == year)
    ).first()
    if row is None:
        row = CoverageYear(village_id=village.id, year=year)
        session.add(row)
    row.piped = village.pipe_gas_since is not None
    row.households_piped = village.households_piped
    row.clean_heating = village.clean_heating_since is not None
    row.households_clean_heating = village.households_clean_heating
    session.flush()
    audit.record(
        session=session,
        principal=principal,
        action="update",
        entity_type=ENTITY,
        entity_id=village.id,
        entity_label=f"{village.area.name} {village.name}",
        changes=audit.diff(before, audit.snapshot(village)),
        reason=reason,
        area_id=village.area_id,
    )
    return village
