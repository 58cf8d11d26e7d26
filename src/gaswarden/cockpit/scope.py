"""The scope clauses the cockpit reads the issue-7 tables with: the emergency, conversion and
service domains' own (so the cockpit shows what their pages show), and teams as the workforce
domain scopes them (an inspection agency sees none)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false

from gaswarden.core.auth import Principal, ScopeKind
from gaswarden.domains.conversion.scope import application_scope as conversion_scope
from gaswarden.domains.emergency.scope import drill_scope, incident_scope
from gaswarden.domains.service.scope import coverage_scope as village_scope
from gaswarden.domains.service.scope import request_scope
from gaswarden.domains.workforce.models import Team
from gaswarden.domains.workforce.service import owned_scope

__all__ = [
    "conversion_scope",
    "drill_scope",
    "incident_scope",
    "request_scope",
    "team_scope",
    "village_scope",
]


def team_scope(principal: Principal) -> ColumnElement[bool]:
    if principal.scope_kind is ScopeKind.SITES:
        return false()
    return owned_scope(principal, Team.owner_id)
