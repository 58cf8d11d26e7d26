"""Who sees which cases: regulators their area, a grid supervisor its grid, an enterprise the
cases against itself (`owner_id` is the licensed party). Inspection agencies see none: a case
is the regulator's business, not the site inspection an agency is engaged for."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false

from gaswarden.core.auth import Principal, ScopeKind
from gaswarden.core.scope import located
from gaswarden.domains.enforcement.models import EnforcementCase


def case_scope(principal: Principal) -> ColumnElement[bool]:
    if principal.scope_kind is ScopeKind.SITES:
        return false()
    return located(principal, owner=EnforcementCase.owner_id, area=EnforcementCase.area_id)
