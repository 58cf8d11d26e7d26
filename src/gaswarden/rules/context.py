"""Effective rule parameters for devices: defaults for the device's kind and place, the
asset's set points, then overrides (deployment < site < asset < device: the most specific wins).

A setting whose params hold `"enabled": false` switches the rule off at that scope. The pseudo
rule "context" carries flags about the place, e.g. `{"near_buried_spaces": true}` on a valve
well next to other buried spaces (cable trenches, sewers): its contextual rules grade higher.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from gaswarden.domains.alarm.enums import ScopeLevel
from gaswarden.domains.alarm.models import RuleSetting
from gaswarden.domains.asset.models import Asset
from gaswarden.domains.device.models import Device
from gaswarden.domains.site.models import Site
from gaswarden.rules import setpoints as sp
from gaswarden.rules.catalog import CONTEXT, RULES, Place, default_params
from gaswarden.rules.device import CompiledRule, RulePlan, compile_rules, plan


@dataclass
class DeviceRules:
    device: Device
    place: Place
    params: dict[str, dict[str, Any]]  # enabled rules only
    context: dict[str, Any] = field(default_factory=dict)

    @property
    def graded_up(self) -> bool:
        return self.place.in_valve_well and bool(self.context.get("near_buried_spaces"))


def place_of(device: Device) -> Place:
    asset, site = device.asset, device.site
    design_mpa = None
    if asset is not None:
        design_mpa = asset.outlet_design_mpa or asset.design_pressure_mpa
    return Place(
        device_kind=device.kind.value,
        site_kind=site.kind.value if site is not None else None,
        asset_kind=asset.kind.value if asset is not None else None,
        outlet_set_kpa=asset.outlet_set_kpa if asset is not None else None,
        design_kpa=design_mpa * 1000.0 if design_mpa else None,
        pressure_class=(
            asset.pressure_class.value if asset is not None and asset.pressure_class else None
        ),
    )


def layers_for(device: Device) -> list[tuple[ScopeLevel, int]]:
    """The scopes that apply to a device, least specific first."""
    out = [(ScopeLevel.GLOBAL, 0)]
    if device.site_id is not None:
        out.append((ScopeLevel.SITE, device.site_id))
    if device.asset_id is not None:
        out.append((ScopeLevel.ASSET, device.asset_id))
    out.append((ScopeLevel.DEVICE, device.id))
    return out


def resolve(
    device: Device, settings: dict[tuple[ScopeLevel, int], dict[str, dict[str, Any]]]
) -> DeviceRules:
    """Pure given the settings map {(scope, id): {rule: params}}."""
    place = place_of(device)
    params = default_params(place)
    overridden: dict[str, dict[str, Any]] = {}
    context: dict[str, Any] = {}
    for layer in layers_for(device):
        for rule, values in settings.get(layer, {}).items():
            if rule == CONTEXT:
                context.update(values)
            elif rule in RULES:
                params[rule] = {**params.get(rule, {}), **values}
                overridden.setdefault(rule, {}).update(values)
    rules = DeviceRules(device=device, place=place, params={}, context=context)
    for rule, values in params.items():
        if values.get("enabled", True) is False:
            continue
        if (
            rules.graded_up
            and RULES[rule].contextual
            and "grade_steps" not in overridden.get(rule, {})
        ):
            values = {**values, "grade_steps": sp.CONTEXT_GRADE_STEPS}
        rules.params[rule] = values
    return rules


def load_settings(
    session: Session, devices: Iterable[Device]
) -> dict[tuple[ScopeLevel, int], dict[str, dict[str, Any]]]:
    site_ids, asset_ids, device_ids = set(), set(), set()
    for d in devices:
        device_ids.add(d.id)
        if d.site_id is not None:
            site_ids.add(d.site_id)
        if d.asset_id is not None:
            asset_ids.add(d.asset_id)
    clauses = [RuleSetting.scope == ScopeLevel.GLOBAL]
    for level, ids in (
        (ScopeLevel.SITE, site_ids),
        (ScopeLevel.ASSET, asset_ids),
        (ScopeLevel.DEVICE, device_ids),
    ):
        if ids:
            clauses.append((RuleSetting.scope == level) & RuleSetting.scope_id.in_(sorted(ids)))
    out: dict[tuple[ScopeLevel, int], dict[str, dict[str, Any]]] = {}
    for s in session.scalars(select(RuleSetting).where(or_(*clauses))):
        out.setdefault((s.scope, s.scope_id), {})[s.rule] = dict(s.params or {})
    return out


def load(session: Session, device_ids: Sequence[int]) -> dict[int, DeviceRules]:
    """Effective rules of the given devices (unknown ids are left out)."""
    if not device_ids:
        return {}
    devices = list(session.scalars(select(Device).where(Device.id.in_(sorted(set(device_ids))))))
    settings = load_settings(session, devices)
    return {d.id: resolve(d, settings) for d in devices}


def _signature_query() -> Any:
    """Counts and latest changes of everything effective rule parameters depend on."""
    parts: list[Any] = []
    for model in (RuleSetting, Device, Site, Asset):
        parts.append(select(func.count()).select_from(model).scalar_subquery())
        parts.append(select(func.max(model.updated_at)).scalar_subquery())
    return select(*parts)


_SIGNATURE = _signature_query()  # built once: it runs with every batch
# The same as PostgreSQL text, for the rules engine to send beside its lock (one round trip);
# on PostgreSQL the cache always reads it this way, so that its answers compare alike.
SIGNATURE_PG = str(_SIGNATURE.compile(dialect=postgresql.dialect()))


def signature(session: Session) -> tuple[Any, ...]:
    """The answer of the signature query (see ParamsCache)."""
    if session.get_bind().dialect.name == "postgresql":
        dbapi: Any = session.connection().connection.dbapi_connection
        with dbapi.cursor() as cur:
            return tuple(cur.execute(SIGNATURE_PG).fetchone())
    return tuple(session.execute(_SIGNATURE).one())


@dataclass(frozen=True)
class Compiled:
    """A device's effective rules as the engine uses them on every batch."""

    params: dict[str, dict[str, Any]]
    rules: tuple[CompiledRule, ...]
    windows: dict[str, float]  # each rule's nuisance-grouping window (seconds)
    plan: RulePlan  # the rules as the engine walks them per batch


def compiled(params: dict[str, dict[str, Any]]) -> Compiled:
    windows = {
        rule: float(p.get("group_window_s", sp.NUISANCE_WINDOW_S)) for rule, p in params.items()
    }
    rules = compile_rules(params)
    return Compiled(params, rules, windows, plan(rules))


class ParamsCache:
    """Effective rule parameters per device, kept (parsed) between batches.

    Checked by one cheap query per batch: the count and the latest `updated_at` of the rule
    settings, devices, sites and assets; any change (an insert, update or delete through the
    services) drops the whole cache. Keyed by the database too, so one engine instance used
    against several databases never mixes them.
    """

    def __init__(self) -> None:
        self._key: tuple[Any, ...] | None = None
        self._compiled: dict[int, Compiled] = {}

    def compiled(
        self,
        session: Session,
        device_ids: Sequence[int],
        known: tuple[Any, ...] | None = None,
    ) -> dict[int, Compiled]:
        """{device id: its compiled enabled rules} (unknown ids are left out). `known`: the
        answer of the signature query, when the caller already has it (SIGNATURE_PG)."""
        key = (str(session.get_bind().engine.url), *(known or signature(session)))
        if key != self._key:
            self._key, self._compiled = key, {}
        cache = self._compiled
        missing = [d for d in device_ids if d not in cache]
        if missing:
            for device_id, rules in load(session, missing).items():
                cache[device_id] = compiled(rules.params)
        return {d: c for d in device_ids if (c := cache.get(d)) is not None}

    def peek(self, device_id: int) -> Compiled | None:
        """A device's compiled rules as last loaded, without asking the database whether they
        are still current (any thread: a quick look, not a verdict)."""
        return self._compiled.get(device_id)

    def params(self, session: Session, device_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        """{device id: {rule: params}} of the enabled rules (unknown ids are left out)."""
        return {d: c.params for d, c in self.compiled(session, device_ids).items()}
