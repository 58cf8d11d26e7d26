"""Who sees which cylinders, events and anomalies; customers' scope is in customer.scope.

An LPG enterprise sees its own cylinders, the scans it made and the anomalies it must explain;
a regulator (or a grid supervisor) sees what lies in its areas and what the enterprises
registered there own; an inspection agency sees none of it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, false, or_, select, true

from gaswarden.core.auth import Principal, ScopeKind
from gaswarden.core.scope import areas_under
from gaswarden.domains.cylinder.models import Cylinder, CylinderAnomaly, CylinderEvent
from gaswarden.domains.organization.models import Organization


def _owned_or_located(principal: Principal, owner: Any, area: Any) -> ColumnElement[bool]:
    kind = principal.scope_kind
    if kind is ScopeKind.ALL:
        return true()
    if kind is ScopeKind.ORG:
        return owner == principal.org_id if principal.org_id is not None else false()
    if kind is ScopeKind.AREA:
        areas = areas_under(principal.area_paths)
        orgs = select(Organization.id).where(Organization.area_id.in_(areas))
        return or_(area.in_(areas), owner.in_(orgs))
    return false()


def cylinder_scope(principal: Principal) -> ColumnElement[bool]:
    return _owned_or_located(principal, Cylinder.owner_id, Cylinder.area_id)


def event_scope(principal: Principal) -> ColumnElement[bool]:
    """Scans: by the enterprise that made them (its own cylinders' scans by others show on
    the cylinder's timeline through `cylinder_scope`)."""
    return _owned_or_located(principal, CylinderEvent.org_id, CylinderEvent.area_id)


def anomaly_scope(principal: Principal) -> ColumnElement[bool]:
    return _owned_or_located(principal, CylinderAnomaly.owner_id, CylinderAnomaly.area_id)
