"""Who sees which conversions: the pipeline company its own applications (`owner_id`), a
regulator those in its area, a grid supervisor those in its grid. Inspection agencies none:
a household's conversion is no site inspection. Quota tables and packages are public price
lists: every signed-in user reads them."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false

from gaswarden.core.auth import Principal, ScopeKind
from gaswarden.core.scope import located
from gaswarden.domains.conversion.models import ConversionApplication


def application_scope(principal: Principal) -> ColumnElement[bool]:
    if principal.scope_kind is ScopeKind.SITES:
        return false()
    return located(
        principal, owner=ConversionApplication.owner_id, area=ConversionApplication.area_id
    )
