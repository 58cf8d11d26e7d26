"""Scripted incidents: short scenarios that one device plays out on top of its normal signal.

A scenario runs on the wall clock (the timestamps the ingest and the rules see), whatever the
simulator's speed, so that a duration rule ("above 25 %LEL for 10 s") sees the same thing at
--speed 1 and --speed 60. While it runs, the target device reports every `step_s` seconds
(detectors switch to fast reporting in alarm) and its regular reports carry the same values.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from gaswarden.core.enums import LabeledEnum
from gaswarden.domains.device.enums import DeviceKind
from gaswarden.ingestion.contract import EventKind


class IncidentKind(LabeledEnum):
    LEAK = "leak", "阀井燃气泄漏", "Leak in a valve well", "red"
    OVERPRESSURE = "overpressure", "调压器故障超压", "Over-pressure after a regulator fault", "red"
    PRESSURE_DROP = "pressure_drop", "管道破损压力骤降", "Sudden pressure drop (pipe damage)", "red"
    INTRUSION = "intrusion", "夜间阀井闯入", "Intrusion into a valve well at night", "orange"
    COOKING = "cooking", "烹饪油烟误报", "Household alarm from cooking vapour", "yellow"
    SMOKE = "smoke", "摄像头发现烟雾", "Camera sees smoke", "red"
    NETWORK_LEAK = "network_leak", "管网隐蔽泄漏", "Hidden leak in the pipe network", "orange"


Keyframes = tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class Scenario:
    kind: IncidentKind
    target: DeviceKind
    duration_s: float
    step_s: float = 2.0
    metric: str | None = None  # the measurement the scenario drives
    keyframes: Keyframes = ()  # (seconds since start, value), linear in between
    relative: bool = False  # keyframe values are multiples of the device's set point
    noise: float = 0.02  # relative noise on the driven value
    events: tuple[tuple[float, EventKind, dict[str, Any]], ...] = ()

    def value_at(self, t: float, set_kpa: float | None, rng: random.Random) -> float | None:
        if self.metric is None or not self.keyframes or not 0 <= t <= self.duration_s:
            return None
        value = _interpolate(self.keyframes, t)
        if self.relative:
            value *= set_kpa or 1.0
        value *= 1 + rng.gauss(0, self.noise)
        if self.metric == "methane_lel_pct":
            return round(min(100.0, max(0.0, value)), 1)
        return round(max(0.0, value), 3 if value < 100 else 1)


def _interpolate(frames: Keyframes, t: float) -> float:
    if t <= frames[0][0]:
        return frames[0][1]
    for (t0, v0), (t1, v1) in itertools.pairwise(frames):
        if t <= t1:
            return v0 + (v1 - v0) * (t - t0) / (t1 - t0)
    return frames[-1][1]


SCENARIOS: dict[IncidentKind, Scenario] = {
    # Methane in a valve well: past 25 %LEL (level 1) at ~37 s and 50 %LEL (level 2) at ~68 s
    # (GB/T 50493-2019 set points), held near 60 %LEL until the repair at 120 s, then falling.
    IncidentKind.LEAK: Scenario(
        IncidentKind.LEAK,
        DeviceKind.WELL_METHANE,
        duration_s=160,
        metric="methane_lel_pct",
        keyframes=(
            (0, 0.5),
            (20, 12),
            (40, 30),
            (60, 45),
            (75, 62),
            (120, 60),
            (140, 15),
            (160, 0.5),
        ),
    ),
    # The regulator fails open: the outlet climbs to 1.6 x its set point and stays there until
    # the crew isolates it.
    IncidentKind.OVERPRESSURE: Scenario(
        IncidentKind.OVERPRESSURE,
        DeviceKind.PRESSURE_MONITOR,
        duration_s=160,
        metric="pressure_kpa",
        relative=True,
        noise=0.005,
        keyframes=((0, 1.0), (30, 1.25), (60, 1.6), (120, 1.62), (140, 1.0), (160, 1.0)),
    ),
    # A digger hits the pipe: the pressure falls to 15 % of set point within ten seconds.
    IncidentKind.PRESSURE_DROP: Scenario(
        IncidentKind.PRESSURE_DROP,
        DeviceKind.PRESSURE_MONITOR,
        duration_s=130,
        step_s=1.0,
        metric="pressure_kpa",
        relative=True,
        noise=0.005,
        keyframes=((0, 1.0), (5, 0.35), (10, 0.15), (100, 0.15), (120, 1.0), (130, 1.0)),
    ),
    IncidentKind.INTRUSION: Scenario(
        IncidentKind.INTRUSION,
        DeviceKind.WELL_INTRUSION,
        duration_s=25,
        events=(
            (0, EventKind.INTRUSION, {"sensor": "lid", "state": "opened", "night": True}),
            (20, EventKind.INTRUSION, {"sensor": "infrared", "state": "motion", "night": True}),
        ),
    ),
    # Cooking vapour drifts onto a kitchen alarm: a short spike past 20 %LEL, back to zero.
    IncidentKind.COOKING: Scenario(
        IncidentKind.COOKING,
        DeviceKind.HOUSEHOLD_ALARM,
        duration_s=60,
        metric="methane_lel_pct",
        noise=0.03,
        keyframes=((0, 0.3), (6, 12), (12, 26), (18, 9), (30, 0.5), (60, 0.3)),
    ),
    IncidentKind.SMOKE: Scenario(
        IncidentKind.SMOKE,
        DeviceKind.CAMERA,
        duration_s=20,
        events=(
            (0, EventKind.SMOKE, {"confidence": 0.87, "rule": "smoke_detection"}),
            (15, EventKind.SMOKE, {"confidence": 0.94, "rule": "smoke_detection"}),
        ),
    ),
    # A hidden leak somewhere in a modelled pipe network (sim/network_twin.py): no single
    # device sees it; the network's pressure monitors and inlet flow meter shift a little.
    # Played on the network's inlet flow meter; lasts until the simulator stops.
    IncidentKind.NETWORK_LEAK: Scenario(
        IncidentKind.NETWORK_LEAK,
        DeviceKind.FLOW_METER,
        duration_s=24 * 3600,
    ),
}


@dataclass(frozen=True)
class IncidentSpec:
    """An incident asked for: which, when (wall seconds after the start), optionally where."""

    kind: IncidentKind
    at: float = 5.0
    serial: str | None = None

    @classmethod
    def parse(cls, text: str, default_at: float = 5.0) -> IncidentSpec:
        """`leak`, `leak@30` or `leak:WM-00012@30`."""
        name, _, at = text.partition("@")
        name, _, serial = name.partition(":")
        try:
            kind = IncidentKind(name.strip())
        except ValueError:
            known = ", ".join(k.value for k in IncidentKind)
            raise ValueError(f"unknown incident {name!r}; choose from {known}") from None
        return cls(kind, float(at) if at else default_at, serial.strip() or None)


@dataclass
class IncidentRun:
    """One incident under way on one device."""

    spec: IncidentSpec
    serial: str
    start: float  # wall offset, seconds after the simulator started
    rng: random.Random
    started: bool = False
    finished: bool = False
    low: float | None = None  # the range the driven value went through
    high: float | None = None
    pace: float = 1.0  # > 1 plays the scenario faster (tests)

    @property
    def scenario(self) -> Scenario:
        return SCENARIOS[self.spec.kind]

    @property
    def end(self) -> float:
        return self.start + self.scenario.duration_s / self.pace

    def active(self, offset: float) -> bool:
        return self.start <= offset <= self.end

    def override(self, offset: float, set_kpa: float | None) -> dict[str, float]:
        """The driven value at a wall offset, if the scenario is running then."""
        t = (offset - self.start) * self.pace
        value = self.scenario.value_at(t, set_kpa, self.rng)
        if value is None or self.scenario.metric is None:
            return {}
        self.low = value if self.low is None else min(self.low, value)
        self.high = value if self.high is None else max(self.high, value)
        return {self.scenario.metric: value}

    def report_offsets(self) -> list[float]:
        """Wall offsets of the extra reports the scenario makes."""
        if self.scenario.metric is None:
            return []
        n = int(self.scenario.duration_s // self.scenario.step_s)
        return [self.start + k * self.scenario.step_s / self.pace for k in range(n + 1)]

    def event_offsets(self) -> list[float]:
        return [self.start + t / self.pace for t, _, _ in self.scenario.events]

    def event_body(
        self, index: int, ts: datetime, ts_value: str | int
    ) -> tuple[EventKind, dict[str, Any]]:
        _t, event, detail = self.scenario.events[index]
        body: dict[str, Any] = {"ts": ts_value, "event": event.value, "detail": dict(detail)}
        if self.spec.kind is IncidentKind.SMOKE:
            body["detail"]["zone"] = "储罐区"
            body["snapshot_url"] = (
                f"http://camera.local/{self.serial}/snapshots/{int(ts.timestamp() * 1000)}.jpg"
            )
        return event, body


def choose_targets(
    specs: list[IncidentSpec],
    kinds: dict[str, DeviceKind],
    seed: int,
    eligible: dict[IncidentKind, set[str]] | None = None,
) -> list[tuple[IncidentSpec, str]]:
    """A device of the right kind for each incident: the serial asked for, else one picked
    with the seed (never the same device for two incidents). `eligible` narrows the devices
    an incident may play on (a network leak: the modelled networks' inlet meters)."""
    taken: set[str] = set()
    chosen: list[tuple[IncidentSpec, str]] = []
    for index, spec in enumerate(specs):
        want = SCENARIOS[spec.kind].target
        allowed = (eligible or {}).get(spec.kind)
        among = kinds if allowed is None else {s: k for s, k in kinds.items() if s in allowed}
        if spec.serial is not None:
            if among.get(spec.serial) is not want:
                raise ValueError(
                    f"{spec.serial} is not a simulated {want.en.lower()} "
                    f"(needed for the {spec.kind.value} incident)"
                )
            serial = spec.serial
        else:
            pool = sorted(s for s, k in among.items() if k is want and s not in taken)
            if not pool:
                bound = " bound to a modelled network's feed" if allowed is not None else ""
                raise ValueError(
                    f"the {spec.kind.value} incident needs an active {want.en.lower()} "
                    f"({want.zh}){bound}; none is among the simulated devices"
                )
            serial = random.Random(f"{seed}/incident/{index}").choice(pool)
        taken.add(serial)
        chosen.append((spec, serial))
    return chosen
