"""Hazards are scoped like their site: the responsible enterprise, the grid, the site (agencies
see the hazards at the sites assigned to them)."""

from __future__ import annotations

from sqlalchemy import ColumnElement

from gaswarden.core.auth import Principal
from gaswarden.core.scope import located
from gaswarden.domains.hazard.models import Hazard


def hazard_scope(principal: Principal) -> ColumnElement[bool]:
    return located(principal, owner=Hazard.owner_id, area=Hazard.area_id, site=Hazard.site_id)
