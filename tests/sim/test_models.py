"""The signal models and incident scenarios on their own: no broker, no database."""

from __future__ import annotations

import json
import random
import statistics
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from gaswarden.domains.device.enums import DeviceKind
from gaswarden.ingestion.contract import MAX_BATCH_ITEMS, MAX_PAYLOAD_BYTES, METRICS
from gaswarden.sim.incidents import SCENARIOS, IncidentKind, IncidentSpec, choose_targets
from gaswarden.sim.publisher import BrokerAddress
from gaswarden.sim.registry import select_devices
from gaswarden.sim.runner import catch_up_chunks
from gaswarden.sim.telemetry import DeviceState, SimDevice, demand, set_point_kpa

TZ = ZoneInfo("Asia/Shanghai")
DAY = datetime(2024, 6, 3, tzinfo=TZ)  # local midnight


def state(kind: DeviceKind, serial: str = "X-1", seed: int = 1, **kw: object) -> DeviceState:
    device = SimDevice(serial, kind, 300, set_kpa=kw.pop("set_kpa", None))  # type: ignore[arg-type]
    return DeviceState.create(device, seed, **kw)  # type: ignore[arg-type]


def at(hour: float) -> datetime:
    return DAY + timedelta(hours=hour)


def test_demand_has_a_morning_and_a_larger_evening_peak() -> None:
    curve = [demand(h / 4) for h in range(96)]
    peaks = [
        h / 4 for h in range(96) if curve[h] > curve[h - 1] and curve[h] >= curve[(h + 1) % 96]
    ]
    assert len(peaks) == 2 and 6.5 <= peaks[0] <= 8.5 and 17 <= peaks[1] <= 19
    assert demand(18) > demand(7.5) > demand(12) > demand(3)
    assert all(0 < v <= 1 for v in curve)


def test_pressure_follows_the_set_point_and_sags_at_the_evening_peak() -> None:
    s = state(DeviceKind.PRESSURE_MONITOR, set_kpa=3.0)
    night = [s.values(at(3), TZ, 0)["pressure_kpa"] for _ in range(50)]
    evening = [s.values(at(18), TZ, 0)["pressure_kpa"] for _ in range(50)]
    assert 2.9 < statistics.mean(night) < 3.15
    assert statistics.mean(evening) < statistics.mean(night) - 0.1
    assert statistics.stdev(night) > 0  # sensor noise
    station = state(DeviceKind.PRESSURE_MONITOR, set_kpa=1200.0).values(at(3), TZ, 0)
    assert 1150 < station["pressure_kpa"] < 1260


@pytest.mark.parametrize(
    ("kind", "metric", "low", "high"),
    [
        (DeviceKind.WELL_METHANE, "methane_lel_pct", 0, 2),
        (DeviceKind.HOUSEHOLD_ALARM, "methane_lel_pct", 0, 2),
        (DeviceKind.LASER_METHANE, "methane_ppm_m", 0, 10),
    ],
)
def test_detectors_read_near_zero(kind: DeviceKind, metric: str, low: float, high: float) -> None:
    s = state(kind)
    values = [s.values(at(h / 10), TZ, 0)[metric] for h in range(240)]
    assert all(low <= v <= high for v in values)
    assert len(set(values)) > 3


def test_flow_meters_follow_the_demand_curve() -> None:
    s = state(DeviceKind.FLOW_METER)
    assert s.values(at(18), TZ, 0)["flow_m3h"] > 3 * s.values(at(3), TZ, 0)["flow_m3h"]


def test_batteries_drain_slowly_and_signal_wanders() -> None:
    s = state(DeviceKind.WELL_METHANE)
    start, later = s.battery_at(0), s.battery_at(24 * 30)
    assert start is not None and later is not None
    assert 0 < start - later < 15  # a month of model time costs a few per cent
    assert s.battery_at(10**6) == 0.0
    assert state(DeviceKind.CAMERA).battery_at(0) is None
    rssi = [s.wander_rssi() for _ in range(200)]
    assert len(set(rssi)) > 5 and all(-120 <= r <= -50 for r in rssi)


def test_every_value_is_within_the_contract_limits() -> None:
    for kind in DeviceKind:
        s = state(kind, set_kpa=2.0)
        for h in range(48):
            for name, value in s.values(at(h / 2), TZ, h).items():
                assert METRICS[name].low <= value <= METRICS[name].high


def test_same_seed_same_signals() -> None:
    def run(seed: int) -> list[dict[str, float]]:
        s = state(DeviceKind.PRESSURE_MONITOR, serial="PM-1", seed=seed, set_kpa=2.5)
        return [s.values(at(h), TZ, h) for h in range(24)]

    assert run(5) == run(5)
    assert run(5) != run(6)


def test_flaky_devices_drop_and_return() -> None:
    s = state(DeviceKind.WELL_METHANE, offline_share=1.0)
    changes = []
    for report in range(1, 120):
        s.reports = report
        change = s.offline_step()
        if change:
            changes.append(change)
    assert changes[:4] == ["drop", "return", "drop", "return"]
    assert state(DeviceKind.WELL_METHANE, offline_share=0.0).offline_step() is None


def test_leak_passes_both_levels_then_falls_after_repair() -> None:
    leak = SCENARIOS[IncidentKind.LEAK]
    rng = random.Random(1)
    curve = [(t, leak.value_at(t, None, rng) or 0.0) for t in range(int(leak.duration_s) + 1)]
    first_25 = next(t for t, v in curve if v > 25)
    first_50 = next(t for t, v in curve if v > 50)
    assert first_25 < first_50
    assert sum(1 for _, v in curve if v > 25) >= 30  # held: long enough for a duration rule
    assert curve[-1][1] < 5


def test_pressure_incidents_scale_with_the_set_point() -> None:
    rng = random.Random(1)
    over = SCENARIOS[IncidentKind.OVERPRESSURE]
    assert max(over.value_at(t, 3.0, rng) or 0 for t in range(160)) > 1.5 * 3.0
    drop = SCENARIOS[IncidentKind.PRESSURE_DROP]
    assert (drop.value_at(0, 3.0, rng) or 0) > 2.9
    assert (drop.value_at(10, 3.0, rng) or 9) < 0.2 * 3.0 * 1.1


def test_cooking_is_a_short_spike() -> None:
    cooking = SCENARIOS[IncidentKind.COOKING]
    rng = random.Random(1)
    values = [cooking.value_at(t, None, rng) or 0 for t in range(61)]
    assert max(values) > 20 and values[-1] < 1
    assert sum(1 for v in values if v > 20) < 10


def test_incident_specs_and_targets() -> None:
    assert IncidentSpec.parse("leak") == IncidentSpec(IncidentKind.LEAK, 5.0, None)
    assert IncidentSpec.parse("smoke:CAM-1@12.5") == IncidentSpec(IncidentKind.SMOKE, 12.5, "CAM-1")
    with pytest.raises(ValueError, match="unknown incident"):
        IncidentSpec.parse("flood")
    kinds = {"PM-1": DeviceKind.PRESSURE_MONITOR, "PM-2": DeviceKind.PRESSURE_MONITOR}
    specs = [IncidentSpec(IncidentKind.OVERPRESSURE), IncidentSpec(IncidentKind.PRESSURE_DROP)]
    chosen = choose_targets(specs, kinds, seed=3)
    assert {serial for _, serial in chosen} == {"PM-1", "PM-2"}
    assert chosen == choose_targets(specs, kinds, seed=3)
    with pytest.raises(ValueError, match="valve-well methane"):
        choose_targets([IncidentSpec(IncidentKind.LEAK)], kinds, seed=3)


def test_a_few_devices_still_cover_every_kind() -> None:
    pool = [SimDevice(f"{k.value}-{i}", k, 60) for k in DeviceKind for i in range(5)]
    chosen = select_devices(pool, limit=len(DeviceKind))
    assert {d.kind for d in chosen} == set(DeviceKind)
    only = select_devices(pool, kinds=["camera"], need_kinds=[IncidentKind.LEAK], limit=2)
    assert {d.kind for d in only} == {DeviceKind.CAMERA, DeviceKind.WELL_METHANE}


def test_catch_up_arrays_stay_within_the_contract() -> None:
    items = [
        {"ts": 1_700_000_000_000 + i, "seq": i + 1, "values": {"pressure_kpa": 2.0}}
        for i in range(2500)
    ]
    chunks = list(catch_up_chunks(items))
    assert [item for chunk in chunks for item in chunk] == items
    for chunk in chunks:
        assert len(chunk) <= MAX_BATCH_ITEMS
        assert len(json.dumps(chunk, separators=(",", ":")).encode()) <= MAX_PAYLOAD_BYTES


def test_broker_urls() -> None:
    assert BrokerAddress.parse("mqtt://u:p%40ss@broker:1884") == BrokerAddress(
        "broker", 1884, "u", "p@ss"
    )
    assert BrokerAddress.parse("127.0.0.1") == BrokerAddress("127.0.0.1", 1883)
    assert BrokerAddress.parse("mqtts://h").port == 8883
    with pytest.raises(ValueError):
        BrokerAddress.parse("http://h")


def test_set_points() -> None:
    assert set_point_kpa(3.0, 0.005, None) == 3.0
    assert set_point_kpa(None, 0.01, None) == 6.0
    assert set_point_kpa(None, None, None) == 2.0
