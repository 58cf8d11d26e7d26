"""What an applied scan does to the cylinder's state: the state a scan is checked against
(the row's, or a late scan's step before it), the move of a scan that is not late, what an
inspection or scrapping writes into the archive, and a late fill's re-links."""

from __future__ import annotations

import bisect
from datetime import date, datetime

from gaswarden.domains.cylinder import chain
from gaswarden.domains.cylinder.chain import Before
from gaswarden.domains.cylinder.enums import CylinderStatus, EventKind
from gaswarden.domains.cylinder.event_schemas import CylinderEventIn
from gaswarden.domains.cylinder.lookups import CylState, Rec, Step
from gaswarden.standards import cylinders as std

# Members compared for every scan, as globals (a read off the enum class costs ~70 ns on 3.11)
LOAD, DELIVER, COLLECT = EventKind.LOAD, EventKind.DELIVER, EventKind.COLLECT
INSPECT, SCRAP, LOST = EventKind.INSPECT, EventKind.SCRAP, EventKind.LOST
SCRAPPED, IN_STOCK = CylinderStatus.SCRAPPED, CylinderStatus.IN_STOCK
GONE = frozenset({CylinderStatus.SCRAPPED, CylinderStatus.LOST})


def before_state(cyl: CylState) -> Before:
    return Before(
        status=cyl.status,
        holds_gas=cyl.holds_gas,
        fill_event_id=cyl.fill_event_id,
        batch_id=cyl.batch_id,
        lon=cyl.lon,
        lat=cyl.lat,
        at=cyl.last_event_at,
    )


def before_step(timeline: list[Step], at: datetime) -> Before:
    """The state the applied scan just before `at` left (a late scan is checked on it)."""
    i = bisect.bisect_right(timeline, at, key=lambda s: s.at)
    if i == 0:
        return Before(IN_STOCK, False, None, None, None, None, None)
    return timeline[i - 1].left()


def move(
    cyl: CylState,
    kind: EventKind,
    status: CylinderStatus,
    holds: bool,
    fill_id: int | None,
    batch_id: int | None,
    site: Rec | None,
    vehicle: Rec | None,
    customer: Rec | None,
) -> None:
    """The cylinder's current state after an applied scan that is not late."""
    if cyl.revoked and status is not SCRAPPED:
        return  # scrapped by an earlier scan of the batch (a later scan was refused before)
    cyl.status = status
    cyl.holds_gas, cyl.fill_event_id, cyl.batch_id = holds, fill_id, batch_id
    if kind is LOST:
        return  # where it was last seen
    site_id = site.id if site is not None else None
    if kind is LOAD:
        cyl.site_id, cyl.vehicle_id, cyl.customer_id = None, vehicle.id if vehicle else None, None
    elif kind is DELIVER:
        cyl.site_id, cyl.vehicle_id = None, None
        cyl.customer_id = customer.id if customer else None
    elif kind is COLLECT:
        cyl.site_id, cyl.vehicle_id, cyl.customer_id = (
            site_id,
            vehicle.id if vehicle else None,
            None,
        )
    elif kind is SCRAP:
        cyl.site_id = site_id if site_id is not None else cyl.site_id
        cyl.vehicle_id, cyl.customer_id = None, None
    else:
        cyl.site_id, cyl.vehicle_id, cyl.customer_id = site_id, None, None


def archive(cyl: CylState, ev: CylinderEventIn, day: date) -> None:
    """What an inspection or scrapping writes into the archive, late or not."""
    kind = ev.kind
    scrapped = kind is SCRAP or (kind is INSPECT and ev.passed is False)
    if kind is INSPECT and (cyl.last_inspected_on is None or day >= cyl.last_inspected_on):
        cyl.last_inspected_on = day
        if ev.passed:
            cyl.next_inspection_on = ev.next_inspection_on or std.next_inspection(day)
            design_end = std.service_life_end(cyl.made_on)
            extended_end = std.service_life_end(cyl.made_on, extended=True)
            last_interval = std.add_years(design_end, -std.INSPECTION_INTERVAL_YEARS)
            if (
                not cyl.life_extended
                and extended_end > design_end
                and (last_interval <= day <= design_end)
            ):
                cyl.life_extended, cyl.life_ends_on = True, extended_end
        cyl.changed = True
    if scrapped and not cyl.revoked:
        cyl.status, cyl.revoked, cyl.scrapped_on = SCRAPPED, True, day
        cyl.holds_gas, cyl.batch_id, cyl.fill_event_id = False, None, None
        cyl.changed = True


def relink(
    cyl: CylState,
    timeline: list[Step],
    fill: Step,
    relinks: dict[int, tuple[int | None, int | None]],
) -> None:
    """A late fill: the scans after it carry its gas until the gas is gone or the next
    fill (each re-linked event's (batch, fill) put in `relinks`); if that reaches the newest
    scan, the cylinder holds this gas now."""
    start = bisect.bisect_right(timeline, fill.order, key=lambda s: s.order)
    for step in timeline[start:]:
        if step.kind not in chain.KEEPS_GAS:
            return
        if (step.batch_id, step.fill_event_id) != (fill.batch_id, fill.id):
            step.batch_id, step.fill_event_id = fill.batch_id, fill.id
            relinks[step.id] = (fill.batch_id, fill.id)
    if not cyl.revoked and cyl.status not in GONE:
        last = timeline[-1] if timeline else None
        if (last is not None and last.id == cyl.last_event_id) or last is fill:
            cyl.holds_gas, cyl.batch_id, cyl.fill_event_id = True, fill.batch_id, fill.id
            cyl.changed = True
