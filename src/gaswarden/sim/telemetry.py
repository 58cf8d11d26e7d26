"""What each simulated device measures: seeded signal models, no I/O.

Two clocks drive a simulated device. Its *model clock* runs `speed` times faster than the wall
clock, so that a demo at --speed 60 shows a day's pressure cycle in 24 minutes and batteries
drain visibly; its *timestamps* are wall-clock times (the ingest refuses readings from the
future), placed on a fixed schedule of `report_interval_s / speed` seconds.

Every device has its own random generator seeded from (seed, serial): the values it sends do
not depend on which other devices are simulated or in what order they are served.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from gaswarden.domains.device.enums import DeviceKind

# Kinds that run on batteries (and report battery_pct); the others are mains-powered.
BATTERY_KINDS = frozenset(
    {
        DeviceKind.PRESSURE_MONITOR,
        DeviceKind.WELL_METHANE,
        DeviceKind.WELL_INTRUSION,
        DeviceKind.HOUSEHOLD_ALARM,
    }
)
# Cheap NB-IoT devices send epoch milliseconds; the others RFC 3339 (the contract takes both).
EPOCH_MS_KINDS = frozenset({DeviceKind.WELL_INTRUSION, DeviceKind.HOUSEHOLD_ALARM})
FIRMWARE = {
    DeviceKind.PRESSURE_MONITOR: "2.3.1",
    DeviceKind.WELL_METHANE: "1.8.0",
    DeviceKind.WELL_INTRUSION: "1.2.4",
    DeviceKind.HOUSEHOLD_ALARM: "3.0.7",
    DeviceKind.LASER_METHANE: "5.1.2",
    DeviceKind.FLOW_METER: "4.0.3",
    DeviceKind.CAMERA: "V5.7.3",
}
STATUS_EVERY = 12  # a heartbeat every 12th report (cameras: every report)
# Outlet of a medium-to-low regulator when the registry gives no set point: 2.0 kPa nominal
# (GB 50028-2006 low-pressure supply; see STANDARDS.md).
DEFAULT_SET_KPA = 2.0

# A healthy fleet: one device in a hundred drops off the network now and then (NB-IoT in
# basements and wells), and one battery in two hundred is nearly flat and due for the
# replacement round. More than that buries a demo's incident under blue alarms.
OFFLINE_SHARE = 0.01  # share of devices that drop off the network now and then
FIRST_DROP_REPORTS = (5, 40)  # a flaky device's first outage, in reports after the start
LOW_BATTERY_SHARE = 0.005  # share of battery devices that start nearly flat
BATTERY_DRAIN_PCT_PER_H = (0.004, 0.012)  # model-clock drain: about a year per battery


@dataclass(frozen=True)
class SimDevice:
    """What the simulator needs of a registered device (read once from the registry)."""

    serial: str
    kind: DeviceKind
    report_interval_s: int
    token: str | None = None
    set_kpa: float | None = None  # pressure monitors: outlet set point of their regulator
    site: str | None = None


def set_point_kpa(
    outlet_set_kpa: float | None,
    outlet_design_mpa: float | None,
    design_pressure_mpa: float | None,
) -> float:
    """The pressure a monitor sits at: the regulator's set point, else a share of the design
    pressure of what it is mounted on, else the low-pressure nominal."""
    if outlet_set_kpa:
        return outlet_set_kpa
    for mpa in (outlet_design_mpa, design_pressure_mpa):
        if mpa:
            return round(mpa * 1000 * 0.6, 3)
    return DEFAULT_SET_KPA


def demand(hour: float) -> float:
    """Relative city gas demand (0..1) at a local hour: a breakfast peak at 07:30 and the
    larger evening cooking peak at 18:00 over a night-time base."""

    def peak(centre: float, width: float) -> float:
        d = min(abs(hour - centre), 24 - abs(hour - centre))  # wraps round midnight
        return math.exp(-0.5 * (d / width) ** 2)

    return min(1.0, 0.18 + 0.5 * peak(7.5, 1.2) + 0.82 * peak(18.0, 1.5))


def local_hour(moment: datetime, tz: Any) -> float:
    local = moment.astimezone(tz)
    return local.hour + local.minute / 60 + local.second / 3600


def format_ts(moment: datetime, epoch_ms: bool) -> str | int:
    if epoch_ms:
        return int(moment.timestamp() * 1000)
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class DeviceState:
    """One device's evolving state. All randomness comes from `rng`."""

    device: SimDevice
    rng: random.Random
    battery: float | None
    drain_per_h: float
    rssi: float
    capacity_m3h: float
    seq: int = 0
    reports: int = 0
    flaky: bool = False
    online: bool = True
    next_change: int = 0  # report count at which a flaky device goes off or comes back
    backlog: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def create(
        cls, device: SimDevice, seed: int, offline_share: float = OFFLINE_SHARE
    ) -> DeviceState:
        rng = random.Random(f"{seed}/{device.serial}")
        battery: float | None = None
        if device.kind in BATTERY_KINDS:
            low = rng.random() < LOW_BATTERY_SHARE
            battery = rng.uniform(12, 22) if low else rng.uniform(55, 100)
        state = cls(
            device=device,
            rng=rng,
            battery=battery,
            drain_per_h=rng.uniform(*BATTERY_DRAIN_PCT_PER_H),
            rssi=max(-115.0, min(-55.0, rng.gauss(-85, 8))),
            capacity_m3h=rng.uniform(8_000, 20_000),
            flaky=rng.random() < offline_share,
        )
        state.next_change = rng.randint(*FIRST_DROP_REPORTS)
        return state

    # ---- the signals -------------------------------------------------------------------

    def values(self, clock: datetime, tz: Any, elapsed_h: float) -> dict[str, float]:
        """One report's measurements at model time `clock`, `elapsed_h` model hours after
        the simulation began (for the battery)."""
        rng, kind = self.rng, self.device.kind
        hour = local_hour(clock, tz)
        out: dict[str, float] = {}
        if kind is DeviceKind.PRESSURE_MONITOR:
            set_kpa = self.device.set_kpa or DEFAULT_SET_KPA
            # The outlet sags as demand rises: lowest at the evening cooking peak.
            level = set_kpa * (1.02 - 0.07 * demand(hour))
            out["pressure_kpa"] = _round(level + rng.gauss(0, 0.004 * set_kpa))
            out["temperature_c"] = round(12 + 6 * math.sin((hour - 9) / 24 * 2 * math.pi), 1)
        elif kind in (DeviceKind.WELL_METHANE, DeviceKind.HOUSEHOLD_ALARM):
            out["methane_lel_pct"] = round(max(0.0, rng.gauss(0.3, 0.25)), 1)
            if kind is DeviceKind.WELL_METHANE:
                out["temperature_c"] = round(14 + 1.5 * math.sin((hour - 12) / 24 * 2 * math.pi), 1)
        elif kind is DeviceKind.LASER_METHANE:
            out["methane_ppm_m"] = round(max(0.0, rng.gauss(3.0, 1.2)), 1)
        elif kind is DeviceKind.FLOW_METER:
            flow = self.capacity_m3h * (0.12 + 0.88 * demand(hour))
            out["flow_m3h"] = round(max(0.0, flow * (1 + rng.gauss(0, 0.01))), 1)
        battery = self.battery_at(elapsed_h)
        if battery is not None and kind is not DeviceKind.CAMERA:
            out["battery_pct"] = battery
        return out

    def battery_at(self, elapsed_h: float) -> float | None:
        if self.battery is None:
            return None
        return round(max(0.0, self.battery - self.drain_per_h * elapsed_h), 1)

    def wander_rssi(self) -> float:
        self.rssi = max(-120.0, min(-50.0, self.rssi + self.rng.gauss(0, 1.5)))
        return round(self.rssi)

    def status(self, ts: datetime, elapsed_h: float, online: bool = True) -> dict[str, Any]:
        body: dict[str, Any] = {"ts": self.ts(ts), "online": online}
        if online:
            battery = self.battery_at(elapsed_h)
            if battery is not None:
                body["battery_pct"] = battery
            body["rssi_dbm"] = round(self.rssi)
            body["firmware"] = FIRMWARE[self.device.kind]
        return body

    # ---- message bodies ------------------------------------------------------------------

    def ts(self, moment: datetime) -> str | int:
        return format_ts(moment, self.device.kind in EPOCH_MS_KINDS)

    def telemetry(self, ts: datetime, values: dict[str, float]) -> dict[str, Any]:
        self.seq += 1
        return {"ts": self.ts(ts), "seq": self.seq, "values": values}

    def sends_telemetry(self) -> bool:
        return self.device.kind is not DeviceKind.CAMERA

    def status_due(self) -> bool:
        return self.device.kind is DeviceKind.CAMERA or self.reports % STATUS_EVERY == 1

    def offline_step(self) -> str | None:
        """Advance the flaky device's on/off plan by one report: "drop", "return" or None."""
        if not self.flaky or self.reports < self.next_change:
            return None
        if self.online:
            self.online = False
            self.next_change = self.reports + self.rng.randint(4, 15)
            return "drop"
        self.online = True
        self.next_change = self.reports + self.rng.randint(20, 60)
        return "return"


def _round(value: float) -> float:
    """Three significant decimals for low pressures, one for station pressures."""
    return round(value, 3 if abs(value) < 100 else 1)
