"""Who is calling and what they may see and do."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from gaswarden.core.enums import Role
from gaswarden.core.errors import Forbidden


class ScopeKind(StrEnum):
    AREA = "area"  # everything located in an area subtree (regulators; grid supervisors)
    ORG = "org"  # records owned by one organisation (enterprises)
    SITES = "sites"  # sites assigned to an inspection agency
    ALL = "all"  # the system itself (CLI, demo loader)


class Action(StrEnum):
    AREA_WRITE = "area.write"
    ORGANIZATION_WRITE = "organization.write"
    REGISTRY_WRITE = "registry.write"
    SITE_WRITE = "site.write"
    USER_WRITE = "user.write"
    ASSIGNMENT_WRITE = "assignment.write"
    AUDIT_READ = "audit.read"


_REGISTRY = {Action.REGISTRY_WRITE}
PERMISSIONS: dict[Role, frozenset[Action]] = {
    Role.REGULATOR_ADMIN: frozenset(Action),
    Role.REGULATOR_STAFF: frozenset(_REGISTRY | {Action.SITE_WRITE, Action.AUDIT_READ}),
    Role.ENTERPRISE_ADMIN: frozenset(
        _REGISTRY | {Action.SITE_WRITE, Action.USER_WRITE, Action.AUDIT_READ}
    ),
    Role.ENTERPRISE_STAFF: frozenset(_REGISTRY),
    Role.INSPECTOR: frozenset(),
    Role.GRID_SUPERVISOR: frozenset(),
    Role.FIELD_WORKER: frozenset(),
    Role.VIEWER: frozenset(),
}


@dataclass(frozen=True)
class Principal:
    """The caller, resolved once per request from a session cookie or an API token."""

    user_id: int | None
    username: str
    display_name: str
    role: Role | None
    org_id: int | None
    scope_kind: ScopeKind
    area_paths: tuple[str, ...] = ()
    site_ids: frozenset[int] = field(default_factory=frozenset)
    lang: str = "zh"
    ip: str | None = None

    def can(self, action: Action) -> bool:
        if self.scope_kind is ScopeKind.ALL:
            return True
        return self.role is not None and action in PERMISSIONS[self.role]

    def require(self, action: Action) -> None:
        if not self.can(action):
            raise Forbidden(f"role {self.role} may not perform {action}")

    @property
    def is_regulator(self) -> bool:
        return self.role in (Role.REGULATOR_ADMIN, Role.REGULATOR_STAFF) or (
            self.scope_kind is ScopeKind.ALL
        )


SYSTEM = Principal(
    user_id=None,
    username="system",
    display_name="系统 System",
    role=None,
    org_id=None,
    scope_kind=ScopeKind.ALL,
)
