"""Which rules exist, what they watch, and their default parameters for a device.

Defaults come from setpoints.py; a pressure monitor's band comes from its asset (the
regulator's outlet set point, else the design pressure or the pressure class's ceiling).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from gaswarden.ingestion.contract import EventKind
from gaswarden.rules import setpoints as sp
from gaswarden.rules.grades import Grade
from gaswarden.rules.model import levels_json
from gaswarden.standards.pressure import PRESSURE_CLASS_UPPER_MPA


class RuleKind(StrEnum):
    THRESHOLD = "threshold"
    RATE = "rate"
    EVENT = "event"
    OFFLINE = "offline"
    EXPIRY = "expiry"
    NETWORK = "network"  # raised by the pipe-network watch, not by a device's readings


@dataclass(frozen=True)
class RuleDef:
    id: str
    kind: RuleKind
    zh: str
    en: str
    metric: str | None = None
    event: EventKind | None = None
    contextual: bool = False  # graded up in a valve well next to other buried spaces

    def label(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en


def _event_rules() -> list[RuleDef]:
    return [
        RuleDef(f"event_{kind.value}", RuleKind.EVENT, kind.zh, kind.en, event=kind)
        for kind in EventKind
        if kind.value in sp.EVENT_GRADES
    ]


RULES: dict[str, RuleDef] = {
    r.id: r
    for r in (
        RuleDef(
            "methane_lel",
            RuleKind.THRESHOLD,
            "可燃气体浓度超限",
            "Methane above set point",
            metric="methane_lel_pct",
            contextual=True,
        ),
        RuleDef(
            "methane_ppm_m",
            RuleKind.THRESHOLD,
            "激光甲烷浓度超限",
            "Laser methane above set point",
            metric="methane_ppm_m",
            contextual=True,
        ),
        RuleDef("co_ppm", RuleKind.THRESHOLD, "一氧化碳超限", "Carbon monoxide", metric="co_ppm"),
        RuleDef(
            "pressure_high", RuleKind.THRESHOLD, "超压", "Over-pressure", metric="pressure_kpa"
        ),
        RuleDef(
            "pressure_low", RuleKind.THRESHOLD, "欠压", "Under-pressure", metric="pressure_kpa"
        ),
        RuleDef(
            "pressure_drop",
            RuleKind.RATE,
            "压力骤降",
            "Sudden pressure drop",
            metric="pressure_kpa",
        ),
        RuleDef("battery_low", RuleKind.THRESHOLD, "电量低", "Low battery", metric="battery_pct"),
        RuleDef("offline", RuleKind.OFFLINE, "设备离线", "Device offline"),
        RuleDef("expiry", RuleKind.EXPIRY, "设备到期", "Device expiry"),
        RuleDef(
            "network_leak",
            RuleKind.NETWORK,
            "管网疑似泄漏(压力流量分析)",
            "Suspected network leak (from pressures and inflow)",
        ),
        *_event_rules(),
    )
}
# Pseudo-rules whose settings are not alarm rules: context flags and response targets.
CONTEXT = "context"
RESPONSE = "response"
SETTING_NAMES = frozenset({*RULES, CONTEXT, RESPONSE})


@dataclass(frozen=True)
class Place:
    """What the defaults depend on: the device's kind and where it sits."""

    device_kind: str
    site_kind: str | None = None
    asset_kind: str | None = None
    outlet_set_kpa: float | None = None
    design_kpa: float | None = None  # design pressure of the asset (outlet for regulators)
    pressure_class: str | None = None

    @property
    def in_valve_well(self) -> bool:
        return self.site_kind == "valve_well" or self.asset_kind == "valve_well"


def _threshold(levels: Any, hysteresis: float, direction: str = "above") -> dict[str, Any]:
    return {
        "levels": levels_json(levels),
        "direction": direction,
        "hysteresis": hysteresis,
        "duration_s": 0,
        "escalate_after_s": sp.ESCALATE_AFTER_S,
    }


def methane_defaults(place: Place) -> dict[str, Any]:
    if place.device_kind == "household_alarm":
        levels = ((sp.HOUSEHOLD_LEL_ALARM, Grade.YELLOW), (sp.HOUSEHOLD_LEL_HIGH, Grade.ORANGE))
    elif place.in_valve_well:
        levels = ((sp.BURIED_LEL_ALARM, Grade.YELLOW), (sp.BURIED_LEL_CUTOFF, Grade.ORANGE))
    else:
        levels = ((sp.STATION_LEL_LEVEL1, Grade.YELLOW), (sp.STATION_LEL_LEVEL2, Grade.ORANGE))
    return _threshold(levels, sp.LEL_HYSTERESIS)


def nominal_kpa(place: Place) -> float | None:
    """The pressure the monitor should see: the set point, else the design pressure."""
    if place.outlet_set_kpa:
        return place.outlet_set_kpa
    return design_ceiling_kpa(place)


def design_ceiling_kpa(place: Place) -> float | None:
    if place.design_kpa:
        return place.design_kpa
    for klass, upper_mpa in PRESSURE_CLASS_UPPER_MPA:
        if klass.value == place.pressure_class:
            return upper_mpa * 1000.0
    return None


def pressure_defaults(place: Place) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    nominal = nominal_kpa(place)
    if place.outlet_set_kpa:
        set_kpa = place.outlet_set_kpa
        hyst = set_kpa * sp.PRESSURE_HYSTERESIS_FRACTION
        high = tuple((round(set_kpa * f, 4), g) for f, g in sp.OVER_PRESSURE_FACTORS)
        low = tuple((round(set_kpa * f, 4), g) for f, g in sp.UNDER_PRESSURE_FACTORS)
        out["pressure_high"] = _threshold(high, hyst)
        out["pressure_low"] = _threshold(low, hyst, "below")
    else:
        ceiling = design_ceiling_kpa(place)
        if ceiling:
            high = tuple((round(ceiling * f, 4), g) for f, g in sp.DESIGN_PRESSURE_FACTORS)
            out["pressure_high"] = _threshold(high, ceiling * sp.PRESSURE_HYSTERESIS_FRACTION)
    drop = (
        max(sp.PRESSURE_DROP_MIN_KPA_PER_MIN, nominal * sp.PRESSURE_DROP_FRACTION_PER_MIN)
        if nominal
        else sp.PRESSURE_DROP_FALLBACK_KPA_PER_MIN
    )
    out["pressure_drop"] = {
        "drop_per_min": round(drop, 4),
        "grade": Grade.ORANGE.value,
        "max_gap_s": sp.RATE_MAX_GAP_S,
        "window_s": sp.RATE_WINDOW_S,
    }
    return out


def default_params(place: Place) -> dict[str, dict[str, Any]]:
    """Every rule that applies to a device at `place`, with its default parameters."""
    rules: dict[str, dict[str, Any]] = {
        "methane_lel": methane_defaults(place),
        "methane_ppm_m": _threshold(sp.LASER_PPM_M_LEVELS, sp.LASER_HYSTERESIS),
        "co_ppm": _threshold(sp.CO_LEVELS, sp.CO_HYSTERESIS),
        "battery_low": {
            **_threshold(sp.BATTERY_LEVELS, sp.BATTERY_HYSTERESIS, "below"),
            "escalate_after_s": None,
        },
        "offline": {
            "multiple": sp.OFFLINE_INTERVAL_MULTIPLE,
            "grade": sp.OFFLINE_GRADE.value,
        },
        "expiry": {
            "warn_days": sp.EXPIRY_WARN_DAYS,
            "warn_grade": sp.EXPIRY_WARN_GRADE.value,
            "expired_grade": sp.EXPIRED_GRADE.value,
        },
    }
    rules.update(pressure_defaults(place))
    for rule in RULES.values():
        if rule.kind is RuleKind.EVENT and rule.event is not None:
            rules[rule.id] = {"grade": sp.EVENT_GRADES[rule.event.value].value}
    return rules


def response_targets(overrides: dict[str, Any] | None = None) -> dict[Grade, tuple[int, int]]:
    """(to acknowledge, to be on site) seconds per grade; overrides like
    {"red": {"ack_s": 300, "on_site_s": 1800}}."""
    targets = dict(sp.RESPONSE_TARGETS_S)
    for key, value in (overrides or {}).items():
        grade = Grade(key)
        ack, on_site = targets[grade]
        targets[grade] = (int(value.get("ack_s", ack)), int(value.get("on_site_s", on_site)))
    return targets
