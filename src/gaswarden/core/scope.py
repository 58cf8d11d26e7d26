"""Scope clauses: the WHERE that limits a query to what the caller may see."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, false, or_, select, true

from gaswarden.core.auth import Principal, ScopeKind
from gaswarden.domains.area.models import Area


def areas_under(paths: tuple[str, ...]) -> Select[Any]:
    """Ids of the areas in the subtrees at `paths` (an area's own path included)."""
    if not paths:
        return select(Area.id).where(false())
    return select(Area.id).where(or_(*(Area.path.startswith(p) for p in paths)))


def located(
    principal: Principal,
    *,
    owner: Any,
    area: Any,
    site: Any = None,
) -> ColumnElement[bool]:
    """For records that have an owner organisation, an area and (maybe) a site."""
    kind = principal.scope_kind
    if kind is ScopeKind.ALL:
        return true()
    if kind is ScopeKind.AREA:
        return area.in_(areas_under(principal.area_paths))
    if kind is ScopeKind.ORG:
        return owner == principal.org_id
    if site is not None and principal.site_ids:
        return site.in_(sorted(principal.site_ids))
    return false()
