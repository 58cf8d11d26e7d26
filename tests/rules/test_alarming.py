"""The quick look the ingest worker takes on the transport's thread: would a message start or
feed an alarm (it then goes ahead of the routine backlog)? Both directions of threshold, the
bands of a regulator's outlet, the events an event rule raises on."""

from __future__ import annotations

from datetime import UTC, datetime

from gaswarden.ingestion.contract import DeviceEvent, EventKind, Reading, StatusReport
from gaswarden.rules import setpoints as sp
from gaswarden.rules.catalog import Place, default_params
from gaswarden.rules.device import RulePlan, alarming, compile_rules, plan

NOW = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)


def _plan(place: Place, **drop: bool) -> RulePlan:
    params = {k: v for k, v in default_params(place).items() if not drop.get(k)}
    return plan(compile_rules(params))


def reading(metric: str, value: float) -> Reading:
    return Reading(1, metric, NOW, value)


def test_a_value_at_or_past_a_first_level_is_alarming_either_way() -> None:
    rules = _plan(Place("household_alarm"))
    co_first = sp.CO_LEVELS[0][0]
    battery_first = sp.BATTERY_LEVELS[0][0]  # "below"
    assert not alarming(rules, [reading("co_ppm", co_first - 0.1)])
    assert alarming(rules, [reading("co_ppm", co_first)])
    assert not alarming(rules, [reading("battery_pct", battery_first + 1)])
    assert alarming(rules, [reading("battery_pct", battery_first)])
    calm = [reading("co_ppm", 1.0), reading("battery_pct", 90.0), reading("rssi_dbm", -120.0)]
    assert not alarming(rules, calm)
    assert alarming(rules, [*calm, reading("co_ppm", 400.0)])


def test_a_regulators_outlet_band_trips_on_both_sides() -> None:
    set_kpa = 2.5
    rules = _plan(Place("pressure_monitor", outlet_set_kpa=set_kpa))
    high = min(f for f, _g in sp.OVER_PRESSURE_FACTORS) * set_kpa
    low = max(f for f, _g in sp.UNDER_PRESSURE_FACTORS) * set_kpa
    assert not alarming(rules, [reading("pressure_kpa", set_kpa)])
    assert alarming(rules, [reading("pressure_kpa", high + 0.01)])
    assert alarming(rules, [reading("pressure_kpa", low - 0.01)])


def test_events_alarm_only_when_an_event_rule_raises_on_them() -> None:
    intrusion = DeviceEvent(1, NOW, EventKind.INTRUSION)
    test_run = DeviceEvent(1, NOW, EventKind.SELF_TEST)
    status = StatusReport(1, NOW, online=True)
    assert alarming(_plan(Place("well_intrusion")), [intrusion])
    assert not alarming(_plan(Place("well_intrusion")), [test_run, status])
    without = _plan(Place("well_intrusion"), event_intrusion=True)  # the rule switched off
    assert not alarming(without, [intrusion])
