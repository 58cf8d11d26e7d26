"""Who sees which customers: the enterprise they are registered with, the regulator and the
grid supervisor of the grid they live in (personal data masked for all of them)."""

from __future__ import annotations

from sqlalchemy import ColumnElement

from gaswarden.core.auth import Principal
from gaswarden.core.scope import located
from gaswarden.domains.customer.models import Customer


def customer_scope(principal: Principal) -> ColumnElement[bool]:
    return located(principal, owner=Customer.owner_id, area=Customer.area_id)
