"""Scope clauses for the records of issue 7 that the cockpit reads directly (the domains'
services are being written alongside): incidents, drills and reserves, conversion
applications, service requests by owner and area (core/scope.py `located`); villages by area
only (they belong to no enterprise: regulators see their area's, others none); teams as the
workforce domain scopes them."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, true

from gaswarden.core.auth import Principal, ScopeKind
from gaswarden.core.scope import areas_under, located
from gaswarden.domains.conversion.models import ConversionApplication
from gaswarden.domains.emergency.models import Drill, Incident
from gaswarden.domains.service.models import ServiceRequest, Village
from gaswarden.domains.workforce.models import Team
from gaswarden.domains.workforce.service import owned_scope


def incident_scope(principal: Principal) -> ColumnElement[bool]:
    i = Incident
    return located(principal, owner=i.owner_id, area=i.area_id, site=i.site_id)


def drill_scope(principal: Principal) -> ColumnElement[bool]:
    return located(principal, owner=Drill.owner_id, area=Drill.area_id)


def conversion_scope(principal: Principal) -> ColumnElement[bool]:
    c = ConversionApplication
    return located(principal, owner=c.owner_id, area=c.area_id)


def request_scope(principal: Principal) -> ColumnElement[bool]:
    return located(principal, owner=ServiceRequest.owner_id, area=ServiceRequest.area_id)


def village_scope(principal: Principal) -> ColumnElement[bool]:
    kind = principal.scope_kind
    if kind is ScopeKind.ALL:
        return true()
    if kind is ScopeKind.AREA:
        return Village.area_id.in_(areas_under(principal.area_paths))
    return false()


def team_scope(principal: Principal) -> ColumnElement[bool]:
    if principal.scope_kind is ScopeKind.SITES:
        return false()
    return owned_scope(principal, Team.owner_id)
