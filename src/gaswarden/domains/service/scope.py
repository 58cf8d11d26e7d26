"""Who sees which service requests and which coverage figures.

Requests: a gas company its own (`owner_id`), a regulator its area, a grid supervisor its grid;
inspection agencies none (their engagement is the sites assigned to them, not residents' calls).
Coverage of villages is public-sector data: regulators, grid supervisors and enterprises read
the whole district's; agencies none. Only regulators whose area holds the village change it.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, true

from gaswarden.core.auth import Principal, ScopeKind
from gaswarden.core.enums import Role
from gaswarden.core.scope import areas_under, located
from gaswarden.domains.service.models import ServiceRequest, Village

# Who may take a request's steps (in their scope): the gas company's people and regulators.
HANDLERS = frozenset(
    {
        Role.REGULATOR_ADMIN,
        Role.REGULATOR_STAFF,
        Role.ENTERPRISE_ADMIN,
        Role.ENTERPRISE_STAFF,
        Role.FIELD_WORKER,
    }
)
# Who may take calls on the hotline screen or post through the API.
RECEIVERS = frozenset(
    {Role.REGULATOR_ADMIN, Role.REGULATOR_STAFF, Role.ENTERPRISE_ADMIN, Role.ENTERPRISE_STAFF}
)
COVERAGE_WRITERS = frozenset({Role.REGULATOR_ADMIN, Role.REGULATOR_STAFF})


def request_scope(principal: Principal) -> ColumnElement[bool]:
    if principal.scope_kind is ScopeKind.SITES:
        return false()
    return located(principal, owner=ServiceRequest.owner_id, area=ServiceRequest.area_id)


def coverage_scope(principal: Principal) -> ColumnElement[bool]:
    if principal.scope_kind is ScopeKind.SITES:
        return false()
    return true()


def coverage_write_scope(principal: Principal) -> ColumnElement[bool]:
    if principal.scope_kind is ScopeKind.ALL:
        return true()
    if principal.role not in COVERAGE_WRITERS:
        return false()
    return Village.area_id.in_(areas_under(principal.area_paths))


def may_handle(principal: Principal) -> bool:
    return principal.scope_kind is ScopeKind.ALL or principal.role in HANDLERS


def may_receive(principal: Principal) -> bool:
    return principal.scope_kind is ScopeKind.ALL or principal.role in RECEIVERS


def may_edit_coverage(principal: Principal) -> bool:
    return principal.scope_kind is ScopeKind.ALL or principal.role in COVERAGE_WRITERS
