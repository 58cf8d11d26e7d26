"""Rule settings: read and change the overrides of rule parameters (regulator and enterprise
admins; the deployment-wide scope is the regulator admin's). Every change is audited."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from gaswarden.core.auth import Principal, ScopeKind
from gaswarden.core.crud import CrudService
from gaswarden.core.enums import Role
from gaswarden.core.errors import Forbidden, Invalid, NotFound
from gaswarden.core.scope import located
from gaswarden.domains.alarm.enums import ScopeLevel
from gaswarden.domains.alarm.models import RuleSetting
from gaswarden.domains.asset.service import service as assets
from gaswarden.domains.audit import service as audit
from gaswarden.domains.device.service import service as devices
from gaswarden.domains.site.service import service as sites
from gaswarden.rules import context
from gaswarden.rules.catalog import CONTEXT, RESPONSE, RULES, RuleKind, response_targets
from gaswarden.rules.evaluate import RateParams, ThresholdParams
from gaswarden.rules.grades import Grade

EDITORS = frozenset({Role.REGULATOR_ADMIN, Role.ENTERPRISE_ADMIN})
TARGETS: dict[ScopeLevel, CrudService[Any]] = {
    ScopeLevel.SITE: sites,
    ScopeLevel.ASSET: assets,
    ScopeLevel.DEVICE: devices,
}


def scope(principal: Principal) -> ColumnElement[bool]:
    own = located(
        principal, owner=RuleSetting.owner_id, area=RuleSetting.area_id, site=RuleSetting.site_id
    )
    return own | (RuleSetting.scope == ScopeLevel.GLOBAL)


def get_all(
    *, session: Session, principal: Principal, filters: dict[str, Any]
) -> list[RuleSetting]:
    stmt = select(RuleSetting).where(scope(principal))
    for key in ("scope", "scope_id", "rule"):
        if filters.get(key) is not None:
            stmt = stmt.where(getattr(RuleSetting, key) == filters[key])
    stmt = stmt.order_by(RuleSetting.scope, RuleSetting.scope_id, RuleSetting.rule)
    return list(session.scalars(stmt))


def validate(rule: str, params: dict[str, Any]) -> None:
    """Refuse parameters the rule could not use (checked against its default shape)."""
    try:
        if rule == RESPONSE:
            response_targets(params)
            return
        if rule == CONTEXT:
            return
        if rule not in RULES:
            raise ValueError(f"unknown rule {rule!r}")
        if "enabled" in params and not isinstance(params["enabled"], bool):
            raise ValueError("enabled is true or false")
        kind = RULES[rule].kind
        if kind is RuleKind.THRESHOLD and "levels" in params:
            ThresholdParams.from_json({"levels": [], **params})
            if not params["levels"]:
                raise ValueError("levels must not be empty")
        elif kind is RuleKind.RATE and "drop_per_min" in params:
            RateParams.from_json(params)
        for key in ("grade", "warn_grade", "expired_grade"):
            if key in params:
                Grade(params[key])
        for key in ("duration_s", "hysteresis", "multiple", "group_window_s", "warn_days"):
            if key in params and float(params[key]) < 0:
                raise ValueError(f"{key} must not be negative")
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise Invalid(
            f"params for {rule}: {exc}", errors=[{"loc": ["body", "params"], "msg": str(exc)}]
        ) from exc


def _place(
    session: Session, principal: Principal, level: ScopeLevel, scope_id: int
) -> tuple[int | None, int | None, int | None]:
    if level is ScopeLevel.GLOBAL:
        if principal.scope_kind is not ScopeKind.ALL and principal.role is not Role.REGULATOR_ADMIN:
            raise Forbidden("only a regulator admin changes deployment-wide rule settings")
        return None, None, None
    target = TARGETS[level].get(session=session, principal=principal, id=scope_id)
    site_id = target.id if level is ScopeLevel.SITE else target.site_id
    return target.owner_id, target.area_id, site_id


def put(
    *,
    session: Session,
    principal: Principal,
    level: ScopeLevel,
    scope_id: int,
    rule: str,
    params: dict[str, Any],
    note: str | None = None,
) -> RuleSetting:
    """Create or replace the setting of `rule` at one scope."""
    if principal.scope_kind is not ScopeKind.ALL and principal.role not in EDITORS:
        raise Forbidden(f"role {principal.role} may not change rule settings")
    scope_id = 0 if level is ScopeLevel.GLOBAL else scope_id
    validate(rule, params)
    owner_id, area_id, site_id = _place(session, principal, level, scope_id)
    setting = session.scalars(
        select(RuleSetting).where(
            RuleSetting.scope == level, RuleSetting.scope_id == scope_id, RuleSetting.rule == rule
        )
    ).first()
    before = audit.snapshot(setting) if setting is not None else {}
    if setting is None:
        setting = RuleSetting(scope=level, scope_id=scope_id, rule=rule)
        session.add(setting)
    setting.params, setting.note = dict(params), note
    setting.owner_id, setting.area_id, setting.site_id = owner_id, area_id, site_id
    session.flush()
    audit.record(
        session=session,
        principal=principal,
        action="update" if before else "create",
        entity_type="rule_setting",
        entity_id=setting.id,
        entity_label=str(setting),
        changes=audit.diff(before, audit.snapshot(setting)),
        reason=note,
        owner_id=owner_id,
        area_id=area_id,
    )
    return setting


def delete(*, session: Session, principal: Principal, id: int, reason: str | None = None) -> None:
    setting = session.scalars(
        select(RuleSetting).where(RuleSetting.id == id, scope(principal))
    ).first()
    if setting is None:
        raise NotFound(f"rule setting {id} not found")
    if principal.scope_kind is not ScopeKind.ALL and principal.role not in EDITORS:
        raise Forbidden(f"role {principal.role} may not change rule settings")
    _place(session, principal, setting.scope, setting.scope_id)
    before = audit.snapshot(setting)
    session.delete(setting)
    session.flush()
    audit.record(
        session=session,
        principal=principal,
        action="delete",
        entity_type="rule_setting",
        entity_id=id,
        entity_label=str(setting),
        changes=audit.diff(before, {}),
        reason=reason,
        owner_id=setting.owner_id,
        area_id=setting.area_id,
    )


def effective(*, session: Session, principal: Principal, device_id: int) -> context.DeviceRules:
    """The parameters the engine uses for one device, after every override."""
    device = devices.get(session=session, principal=principal, id=device_id)
    return context.resolve(device, context.load_settings(session, [device]))
