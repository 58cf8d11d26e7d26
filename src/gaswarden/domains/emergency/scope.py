"""Who sees which emergency records: regulators their area subtree, an enterprise its own
records, an inspection agency the incidents and reserves at its assigned sites. District-level
records (owner None) lie in the district's area, so they are the regulator's."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, or_, select, true
from sqlalchemy.orm import Session

from gaswarden.core.auth import Principal, ScopeKind
from gaswarden.core.enums import Role
from gaswarden.core.errors import Forbidden
from gaswarden.core.scope import areas_under, located
from gaswarden.domains.area.models import Area
from gaswarden.domains.emergency.models import (
    Drill,
    EmergencyContact,
    EmergencyPlan,
    Incident,
    ReserveItem,
)
from gaswarden.domains.organization.models import Organization

# Roles that may write emergency records in their scope (an enterprise: its own).
WRITERS = frozenset(
    {Role.REGULATOR_ADMIN, Role.REGULATOR_STAFF, Role.ENTERPRISE_ADMIN, Role.ENTERPRISE_STAFF}
)
# Incidents may also be opened by a grid supervisor who takes a call on the street.
REPORTERS = WRITERS | {Role.GRID_SUPERVISOR}


def district_area(session: Session) -> int | None:
    """The root of the area tree (the district), where district-level records lie."""
    roots = list(session.scalars(select(Area.id).where(Area.parent_id.is_(None)).limit(2)))
    return roots[0] if len(roots) == 1 else None


def require_writer(principal: Principal, what: str, roles: frozenset[Role] = WRITERS) -> None:
    if principal.scope_kind is ScopeKind.ALL:
        return
    if principal.role not in roles:
        raise Forbidden(f"role {principal.role} may not {what}")


def require_regulator(principal: Principal, what: str) -> None:
    if not principal.is_regulator:
        raise Forbidden(f"only a regulator may {what}")


def plan_scope(principal: Principal) -> ColumnElement[bool]:
    if principal.scope_kind is ScopeKind.SITES:
        return false()
    return located(principal, owner=EmergencyPlan.owner_id, area=EmergencyPlan.area_id)


def reserve_scope(principal: Principal) -> ColumnElement[bool]:
    return located(
        principal, owner=ReserveItem.owner_id, area=ReserveItem.area_id, site=ReserveItem.site_id
    )


def incident_scope(principal: Principal) -> ColumnElement[bool]:
    return located(principal, owner=Incident.owner_id, area=Incident.area_id, site=Incident.site_id)


def drill_scope(principal: Principal) -> ColumnElement[bool]:
    if principal.scope_kind is ScopeKind.SITES:
        return false()
    return located(principal, owner=Drill.owner_id, area=Drill.area_id)


def contact_scope(principal: Principal) -> ColumnElement[bool]:
    """The district's list (owner None) and the lists of the enterprises in the area; an
    enterprise its own list and the district's (it must know whom the district tells)."""
    kind = principal.scope_kind
    if kind is ScopeKind.ALL:
        return true()
    if kind is ScopeKind.AREA:
        in_area = select(Organization.id).where(
            Organization.area_id.in_(areas_under(principal.area_paths))
        )
        return or_(EmergencyContact.owner_id.is_(None), EmergencyContact.owner_id.in_(in_area))
    if kind is ScopeKind.ORG:
        return or_(
            EmergencyContact.owner_id.is_(None), EmergencyContact.owner_id == principal.org_id
        )
    return false()
