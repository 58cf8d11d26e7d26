"""Which gas company answers a request and in which area it lies: the operator's choice, else
the grid containing the point and the company owning the nearest site; with no point, the
company with the most sites in the area (pipeline companies first)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gaswarden.core.geo import haversine_m
from gaswarden.core.scope import areas_under
from gaswarden.domains.area.models import Area
from gaswarden.domains.area.service import grid_at
from gaswarden.domains.organization.enums import OrgKind
from gaswarden.domains.organization.models import Organization
from gaswarden.domains.site.models import Site

ENTERPRISES = (OrgKind.PIPELINE, OrgKind.LPG, OrgKind.LNG_CNG)


def area_at(session: Session, lon: float | None, lat: float | None) -> int | None:
    if lon is None or lat is None:
        return None
    area = grid_at(session, lon, lat)
    return area.id if area is not None else None


def nearest_owner(session: Session, lon: float, lat: float) -> int | None:
    """The owner of the nearest site of an active enterprise, pipeline companies first."""
    rows = session.execute(
        select(Site.lon, Site.lat, Site.owner_id, Organization.kind)
        .join(Organization, Organization.id == Site.owner_id)
        .where(
            Site.lon.is_not(None),
            Site.lat.is_not(None),
            Organization.active.is_(True),
            Organization.kind.in_(ENTERPRISES),
        )
    ).all()
    if not rows:
        return None
    pipeline = [r for r in rows if r.kind is OrgKind.PIPELINE] or list(rows)
    best = min(pipeline, key=lambda r: haversine_m(lon, lat, r.lon, r.lat))
    return int(best.owner_id)


def area_owner(session: Session, area_id: int) -> int | None:
    """The enterprise with the most sites in the area's subtree, pipeline companies first."""
    path = session.scalar(select(Area.path).where(Area.id == area_id))
    if not path:
        return None
    count = func.count(Site.id)
    rows = session.execute(
        select(Site.owner_id, Organization.kind, count)
        .join(Organization, Organization.id == Site.owner_id)
        .where(
            Site.area_id.in_(areas_under((path,))),
            Organization.active.is_(True),
            Organization.kind.in_(ENTERPRISES),
        )
        .group_by(Site.owner_id, Organization.kind)
    ).all()
    if not rows:
        return None
    best = max(rows, key=lambda r: (r.kind is OrgKind.PIPELINE, r[2], -r.owner_id))
    return int(best.owner_id)


def responsible(
    session: Session,
    *,
    owner_id: int | None,
    area_id: int | None,
    lon: float | None,
    lat: float | None,
) -> tuple[int | None, int | None]:
    """(owner, area) for a new request."""
    area_id = area_id if area_id is not None else area_at(session, lon, lat)
    if owner_id is None and lon is not None and lat is not None:
        owner_id = nearest_owner(session, lon, lat)
    if owner_id is None and area_id is not None:
        owner_id = area_owner(session, area_id)
    return owner_id, area_id
