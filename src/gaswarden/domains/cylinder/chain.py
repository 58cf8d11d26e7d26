"""The chain of a cylinder's scans as pure rules: which step is expected after which state, the
state a step leaves behind, and the breaks of the chain (anomalies) a step shows.

A cylinder "holds gas" from a fill until the empty is collected (or it is returned, sent for
inspection, scrapped or found again); gas "not yet delivered" is gas held anywhere but with a
user. Filling over gas not yet delivered is a double fill; delivering without such gas is a
delivery without a fill.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from gaswarden.core.geo import haversine_m
from gaswarden.domains.cylinder.enums import AnomalyKind, CylinderStatus, EventKind
from gaswarden.standards.cylinders import MAX_TRAVEL_KMH, TRAVEL_SLACK_M

S = CylinderStatus
K = EventKind
# Members compared for every scan, as globals (a read off the enum class costs ~70 ns on 3.11)
FILL, DELIVER, REGISTER, INSPECT = K.FILL, K.DELIVER, K.REGISTER, K.INSPECT
WITH_USER, IN_STOCK, SCRAPPED = S.WITH_USER, S.IN_STOCK, S.SCRAPPED

# The states each step is expected after (anything else is out of order).
EXPECTED: dict[EventKind, frozenset[CylinderStatus]] = {
    K.REGISTER: frozenset({S.IN_STOCK}),
    K.FILL: frozenset({S.IN_STOCK, S.EMPTY_RETURNED}),
    K.LOAD: frozenset({S.FILLED, S.AT_STATION, S.EMPTY_RETURNED, S.IN_STOCK}),
    K.ARRIVE: frozenset({S.IN_TRANSIT}),
    K.DELIVER: frozenset({S.AT_STATION, S.IN_TRANSIT}),
    K.COLLECT: frozenset({S.WITH_USER}),
    K.RETURN: frozenset({S.EMPTY_RETURNED, S.IN_TRANSIT, S.AT_STATION}),
    K.SEND_INSPECTION: frozenset({S.IN_STOCK, S.EMPTY_RETURNED}),
    K.INSPECT: frozenset({S.AT_INSPECTION, S.IN_STOCK, S.EMPTY_RETURNED}),
    K.SCRAP: frozenset(set(S) - {S.SCRAPPED}),
    K.LOST: frozenset(set(S) - {S.SCRAPPED, S.LOST}),
    K.FOUND: frozenset({S.LOST}),
}

# The plausible next steps from a state (the scanning page offers these).
NEXT_STEPS: dict[CylinderStatus, tuple[EventKind, ...]] = {
    status: tuple(k for k in (K.FILL, K.LOAD, K.ARRIVE, K.DELIVER, K.COLLECT, K.RETURN,
                              K.SEND_INSPECTION, K.INSPECT, K.FOUND) if status in EXPECTED[k])
    for status in S
}  # fmt: skip

# Steps after which the cylinder still holds the gas it held before (the event carries it).
KEEPS_GAS = frozenset({K.LOAD, K.ARRIVE, K.DELIVER, K.LOST})

AFTER: dict[EventKind, CylinderStatus] = {
    K.REGISTER: S.IN_STOCK,
    K.FILL: S.FILLED,
    K.LOAD: S.IN_TRANSIT,
    K.ARRIVE: S.AT_STATION,
    K.DELIVER: S.WITH_USER,
    K.COLLECT: S.EMPTY_RETURNED,
    K.RETURN: S.IN_STOCK,
    K.SEND_INSPECTION: S.AT_INSPECTION,
    K.SCRAP: S.SCRAPPED,
    K.LOST: S.LOST,
    K.FOUND: S.IN_STOCK,
}


@dataclass(slots=True)
class Before:
    """The cylinder as the previous accepted scan (in device time) left it."""

    status: CylinderStatus
    holds_gas: bool
    fill_event_id: int | None  # the fill whose gas it holds
    batch_id: int | None
    lon: float | None
    lat: float | None
    at: datetime | None  # None: never scanned

    @property
    def undelivered_gas(self) -> bool:
        return self.holds_gas and self.status is not WITH_USER


def status_after(kind: EventKind, passed: bool | None) -> CylinderStatus:
    if kind is INSPECT:
        return IN_STOCK if passed else SCRAPPED
    return AFTER[kind]


def gas_after(
    kind: EventKind, before: Before, event_id: int, batch_id: int | None
) -> tuple[bool, int | None, int | None]:
    """(holds gas, fill_event_id, batch_id) after the step; the event carries the same fill
    and batch (a fill carries itself)."""
    if kind is FILL:
        return True, event_id, batch_id
    if kind in KEEPS_GAS and before.holds_gas:
        return True, before.fill_event_id, before.batch_id
    return False, None, None


def chain_anomalies(kind: EventKind, before: Before) -> list[AnomalyKind]:
    """Breaks of the chain: a delivery without undelivered gas, a fill over undelivered gas,
    or any other step not expected after the previous state."""
    if kind is DELIVER and not before.undelivered_gas:
        return [AnomalyKind.DELIVERED_UNFILLED]
    if kind is FILL and before.undelivered_gas:
        return [AnomalyKind.DOUBLE_FILL]
    if kind is REGISTER and before.at is not None:
        return [AnomalyKind.OUT_OF_ORDER]
    if before.status not in EXPECTED[kind]:
        return [AnomalyKind.OUT_OF_ORDER]
    return []


def impossible_travel(
    before: Before, lon: float | None, lat: float | None, at: datetime
) -> float | None:
    """The speed (km/h) needed between the previous scan's place and this one, when it is
    beyond MAX_TRAVEL_KMH and the places lie farther apart than TRAVEL_SLACK_M; else None."""
    if before.at is None or before.lon is None or before.lat is None or lon is None or lat is None:
        return None
    if before.lon == lon and before.lat == lat:
        return None  # the same place (a station's or a customer's point): most steps
    metres = haversine_m(before.lon, before.lat, lon, lat)
    if metres <= TRAVEL_SLACK_M:
        return None
    hours = abs((at - before.at).total_seconds()) / 3600.0
    kmh = metres / 1000.0 / hours if hours > 0 else float("inf")
    return kmh if kmh > MAX_TRAVEL_KMH else None
