"""Users, passwords, API tokens, and turning a user into a Principal with a scope."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, date, datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import ColumnElement, func, or_, select, true
from sqlalchemy.orm import Session

from gaswarden.core.auth import Action, Principal, ScopeKind
from gaswarden.core.crud import CrudService
from gaswarden.core.enums import Role
from gaswarden.core.errors import Forbidden, Invalid
from gaswarden.core.filters import Filter, FilterSet
from gaswarden.domains.account.models import ApiToken, User
from gaswarden.domains.account.schemas import UserCreate, UserUpdate
from gaswarden.domains.area.enums import AreaLevel
from gaswarden.domains.area.models import Area
from gaswarden.domains.audit import service as audit
from gaswarden.domains.audit.models import AuditEntry
from gaswarden.domains.organization.enums import OrgKind
from gaswarden.domains.organization.models import Organization
from gaswarden.domains.organization.service import service as organizations
from gaswarden.domains.site.models import SiteAssignment

_hasher = PasswordHasher()
TOKEN_PREFIX = "gw_"

# Which organisation kinds each role can belong to.
ENTERPRISE_KINDS = frozenset({OrgKind.PIPELINE, OrgKind.LPG, OrgKind.LNG_CNG})
ROLE_ORG_KINDS: dict[Role, frozenset[OrgKind]] = {
    Role.REGULATOR_ADMIN: frozenset({OrgKind.REGULATOR}),
    Role.REGULATOR_STAFF: frozenset({OrgKind.REGULATOR}),
    Role.GRID_SUPERVISOR: frozenset({OrgKind.REGULATOR}),
    Role.ENTERPRISE_ADMIN: ENTERPRISE_KINDS,
    Role.ENTERPRISE_STAFF: ENTERPRISE_KINDS,
    Role.FIELD_WORKER: ENTERPRISE_KINDS,
    Role.INSPECTOR: frozenset({OrgKind.AGENCY}),
    Role.VIEWER: frozenset(OrgKind),
}
ENTERPRISE_ADMIN_GRANTS = frozenset(
    {Role.ENTERPRISE_ADMIN, Role.ENTERPRISE_STAFF, Role.FIELD_WORKER, Role.VIEWER}
)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


class UserService(CrudService[User]):
    model = User
    create_schema = UserCreate
    update_schema = UserUpdate
    entity = "user"
    zh, en = "用户", "Users"
    write_action = Action.USER_WRITE
    unique = ("username",)
    virtual = ("password", "grid_ids")
    filters = FilterSet(
        filters=(
            Filter("role", User.role, choices=Role, zh="角色", en="Role"),
            Filter("org_id", User.org_id, type=int, zh="单位", en="Organisation"),
            Filter("active", User.active, op="is", type=bool, zh="启用", en="Active"),
        ),
        search=(User.username, User.display_name, User.email),
        sort={"username": User.username, "role": User.role, "last_login_at": User.last_login_at},
        default_sort=("username",),
    )

    def scope(self, principal: Principal) -> ColumnElement[bool]:
        if principal.scope_kind is ScopeKind.ALL:
            return true()
        own = User.id == principal.user_id
        if principal.role in (Role.REGULATOR_ADMIN, Role.REGULATOR_STAFF):
            orgs = select(Organization.id).where(organizations.scope(principal))
            return or_(own, User.org_id.in_(orgs))
        if principal.role is Role.ENTERPRISE_ADMIN:
            return or_(own, User.org_id == principal.org_id)
        return own

    def references(self) -> dict[str, CrudService[Any]]:
        return {"org_id": organizations}

    def snapshot(self, obj: User) -> dict[str, Any]:
        # Grids and a password change matter to the audit log but are not columns of the user.
        out = {**audit.snapshot(obj), "grid_ids": sorted(g.id for g in obj.grids)}
        if obj.__dict__.pop("_password_changed", False):  # set by prepare, read once
            out["password"] = "******"
        return out

    def audit_place(self, obj: User) -> tuple[int | None, int | None]:
        return obj.org_id, obj.org.area_id if obj.org else None

    def prepare(
        self,
        *,
        session: Session,
        principal: Principal,
        obj: User,
        data: dict[str, Any],
        creating: bool,
    ) -> None:
        # Checked first: a role the caller may not grant is forbidden, whatever the org.
        if principal.role is Role.ENTERPRISE_ADMIN and obj.role not in ENTERPRISE_ADMIN_GRANTS:
            raise Forbidden(f"an enterprise admin cannot grant the role {obj.role.en}")
        if obj.org_id is None:
            obj.org_id = principal.org_id
        org = session.get(Organization, obj.org_id)
        if org is None:
            raise Invalid(
                "org_id: no such organisation",
                errors=[{"loc": ["body", "org_id"], "msg": "required"}],
            )
        if org.kind not in ROLE_ORG_KINDS[obj.role]:
            raise Invalid(
                f"role {obj.role.en} does not belong in a {org.kind.en.lower()}",
                errors=[{"loc": ["body", "role"], "msg": "role does not fit the organisation"}],
            )
        if data.get("password"):
            obj.password_hash = hash_password(data["password"])
            obj._password_changed = not creating  # type: ignore[attr-defined]
        elif creating:
            raise Invalid(
                "password is required", errors=[{"loc": ["body", "password"], "msg": "required"}]
            )
        if data.get("grid_ids") is not None:
            grids = list(session.scalars(select(Area).where(Area.id.in_(data["grid_ids"]))))
            missing = set(data["grid_ids"]) - {g.id for g in grids}
            if missing or any(g.level is AreaLevel.DISTRICT for g in grids):
                raise Invalid(
                    "grid_ids must name towns or grids",
                    errors=[
                        {"loc": ["body", "grid_ids"], "msg": f"bad ids {sorted(missing) or ''}"}
                    ],
                )
            obj.grids = grids
        if obj.role is Role.GRID_SUPERVISOR and not obj.grids:
            raise Invalid(
                "a grid supervisor needs at least one grid",
                errors=[{"loc": ["body", "grid_ids"], "msg": "required for grid supervisors"}],
            )


users = UserService()


# ---- authentication ---------------------------------------------------------------------
LOGIN_MAX_FAILURES = 10
LOGIN_LOCK_WINDOW = timedelta(minutes=15)


def locked_out(*, session: Session, username: str) -> bool:
    since = datetime.now(UTC) - LOGIN_LOCK_WINDOW
    failures = session.scalar(
        select(func.count()).where(
            AuditEntry.action == "login_failed",
            AuditEntry.entity_label == username[:64],
            AuditEntry.at >= since,
        )
    )
    return (failures or 0) >= LOGIN_MAX_FAILURES


def change_password(*, session: Session, principal: Principal, current: str, new: str) -> None:
    """A signed-in user changes their own password, proving the current one."""
    user = session.get(User, principal.user_id) if principal.user_id else None
    if user is None:
        raise Forbidden("only a signed-in user can change a password")
    try:
        _hasher.verify(user.password_hash, current)
    except (VerificationError, InvalidHashError) as exc:
        raise Invalid(
            "the current password is wrong",
            errors=[{"loc": ["body", "current_password"], "msg": "wrong password"}],
        ) from exc
    user.password_hash = hash_password(new)
    audit.record(
        session=session,
        principal=principal,
        action="change_password",
        entity_type="user",
        entity_id=user.id,
        entity_label=user.username,
        owner_id=user.org_id,
        area_id=user.org.area_id,
    )


def authenticate(
    *, session: Session, username: str, password: str, ip: str | None = None
) -> User | None:
    """The active user with this password, or None; the attempt is audited either way.

    After LOGIN_MAX_FAILURES failed attempts on a username within LOGIN_LOCK_WINDOW, further
    attempts fail without checking the password until the window has passed.
    """
    user = session.scalar(select(User).where(User.username == username))
    ok = False
    if user is not None and user.active and not locked_out(session=session, username=username):
        try:
            ok = _hasher.verify(user.password_hash, password)
        except (VerificationError, InvalidHashError):
            ok = False
    actor = principal_for(session=session, user=user) if ok and user else None
    audit.record(
        session=session,
        principal=actor
        or Principal(None, username[:64], username[:64], None, None, ScopeKind.ORG, ip=ip),
        action="login" if ok else "login_failed",
        entity_type="user",
        entity_id=user.id if user else None,
        entity_label=username[:64],
        owner_id=user.org_id if user else None,
        area_id=user.org.area_id if user else None,  # so the area's regulator reads it too
    )
    if not ok or user is None:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.last_login_at = datetime.now(UTC)
    return user


def principal_for(*, session: Session, user: User) -> Principal:
    org = user.org
    role = user.role
    kind = ScopeKind.ORG
    paths: tuple[str, ...] = ()
    site_ids: frozenset[int] = frozenset()
    if role in (Role.REGULATOR_ADMIN, Role.REGULATOR_STAFF) or (
        role is Role.VIEWER and org.kind in (OrgKind.REGULATOR, OrgKind.ASSOCIATION)
    ):
        kind, paths = ScopeKind.AREA, (org.area.path,)
    elif role is Role.GRID_SUPERVISOR:
        kind, paths = ScopeKind.AREA, tuple(g.path for g in user.grids)
    elif role is Role.INSPECTOR or (role is Role.VIEWER and org.kind is OrgKind.AGENCY):
        today = date.today()
        rows = session.scalars(
            select(SiteAssignment.site_id).where(
                SiteAssignment.agency_id == org.id,
                or_(SiteAssignment.valid_until.is_(None), SiteAssignment.valid_until >= today),
            )
        )
        kind, site_ids = ScopeKind.SITES, frozenset(rows)
    return Principal(
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=role,
        org_id=user.org_id,
        scope_kind=kind,
        area_paths=paths,
        site_ids=site_ids,
        lang=user.lang,
    )


def principal_for_user_id(*, session: Session, user_id: int) -> Principal | None:
    user = session.get(User, user_id)
    if user is None or not user.active:
        return None
    return principal_for(session=session, user=user)


# ---- API tokens -------------------------------------------------------------------------
def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(
    *, session: Session, user: User, name: str, expires_days: int | None = 90
) -> tuple[ApiToken, str]:
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires = datetime.now(UTC) + timedelta(days=expires_days) if expires_days else None
    row = ApiToken(
        user_id=user.id, name=name, prefix=token[:10], digest=_digest(token), expires_at=expires
    )
    session.add(row)
    session.flush()
    audit.record(
        session=session,
        principal=principal_for(session=session, user=user),
        action="create_token",
        entity_type="api_token",
        entity_id=row.id,
        entity_label=f"{user.username}: {name}",
        owner_id=user.org_id,
        area_id=user.org.area_id,
    )
    return row, token


def principal_from_token(*, session: Session, token: str) -> Principal | None:
    row = session.scalar(select(ApiToken).where(ApiToken.digest == _digest(token)))
    now = datetime.now(UTC)
    if row is None or row.revoked_at is not None or (row.expires_at and row.expires_at < now):
        return None
    if not row.user.active:
        return None
    if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=5):
        row.last_used_at = now
    return principal_for(session=session, user=row.user)


def list_tokens(*, session: Session, principal: Principal) -> list[ApiToken]:
    stmt = select(ApiToken).where(ApiToken.user_id == principal.user_id).order_by(ApiToken.id)
    return list(session.scalars(stmt))


def revoke_token(*, session: Session, principal: Principal, token_id: int) -> ApiToken:
    from gaswarden.core.errors import NotFound

    row = session.get(ApiToken, token_id)
    if row is None or row.user_id != principal.user_id:
        raise NotFound(f"api_token {token_id} not found")
    row.revoked_at = datetime.now(UTC)
    audit.record(
        session=session,
        principal=principal,
        action="revoke_token",
        entity_type="api_token",
        entity_id=row.id,
        entity_label=row.name,
        owner_id=principal.org_id,
        area_id=row.user.org.area_id,
    )
    return row
