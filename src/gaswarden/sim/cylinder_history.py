"""A plausible history of one LPG enterprise's cylinders, scan by scan, deterministic from a seed.

`CylinderHistory(enterprise, plan)` is an iterator of `CylinderEventIn`, in the order a server
would receive them: in device-time order but for the scans of a device that was offline for a
day (`plan.late_share`), which come in one to three days later. Every scan has a unique `key`.

The model is driven by the customers' demand, day by day:
- a household takes one 15 kg cylinder about every month (or a 5 kg one every week or two),
  a restaurant a 50 kg one every one to three days (it keeps two or three on its premises),
  other commercial users one every few days; a few customers stop after their first delivery
  and keep that cylinder (so some cylinders fall overdue while with a user);
- for the customers due tomorrow, each supply station's cylinders are filled today at the
  filling station that serves it (from the gas batch current at that date, re-weighed at
  tare + capacity less a little), loaded onto one of the enterprise's vehicles and taken to
  the station; tomorrow its delivery worker delivers them and collects the empties that the
  customer hands back; in the evening the empties are returned to the filling station;
- an empty is filled again only while its periodic inspection and service life are well ahead
  (`MARGIN_DAYS`): otherwise it is sent for inspection (passed: due again in 4 years; a few
  fail) or scrapped at the end of its life.

`plan.anomalies` injects that many scans of each kind the chain must flag or refuse: a delivery
of a cylinder that was never filled, a load on an unregistered vehicle, a fill of a code that is
not in the archive. Their keys are in `history.injected` (key -> what).
"""

from __future__ import annotations

import random
import zlib
from bisect import bisect_right
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from math import hypot

from gaswarden.domains.customer.enums import CustomerKind
from gaswarden.domains.cylinder.enums import EventKind
from gaswarden.domains.cylinder.event_schemas import CylinderEventIn
from gaswarden.standards.cylinders import next_inspection, service_life_end

LOCAL_OFFSET = timedelta(hours=8)  # Asia/Shanghai: no daylight saving
MARGIN_DAYS = 45  # an empty is filled only while inspection and life end are this far ahead
P_INSPECTION_FAILS = 0.03
INSPECTION_DAYS = (1, 3)  # sent for inspection -> inspected

INJECTED_UNFILLED = "delivered_unfilled"
INJECTED_VEHICLE = "unregistered_vehicle"
INJECTED_UNKNOWN = "unknown_code"


# ---- what the generator is told ------------------------------------------------------------------
@dataclass(frozen=True)
class CylinderIn:
    tag_code: str
    capacity_kg: int
    tare_kg: float
    next_inspection_on: date
    life_ends_on: date
    made_on: date | None = None


@dataclass(frozen=True)
class CustomerIn:
    code: str
    kind: CustomerKind
    lon: float | None = None
    lat: float | None = None


@dataclass(frozen=True)
class StationIn:
    code: str
    lon: float | None = None
    lat: float | None = None


@dataclass(frozen=True)
class BatchIn:
    code: str
    arrived_on: date
    station: str | None = None  # the filling station it was received at (None: any)


@dataclass
class Enterprise:
    cylinders: Sequence[CylinderIn]
    customers: Sequence[CustomerIn]
    filling: Sequence[StationIn]  # filling stations (储配站)
    supply: Sequence[StationIn]  # supply stations (供应站)
    vehicles: Sequence[str]  # plates of the dedicated vehicles
    operators: Sequence[int]  # person ids: filling operators
    delivery_workers: Sequence[int]  # person ids
    batches: Sequence[BatchIn]


@dataclass
class Plan:
    start: date
    end: date  # exclusive: nothing happens at or after local midnight of `end`
    seed: int = 1
    limit: int | None = None  # stop after this many scans
    anomalies: int = 0  # scans of each injected kind
    late_share: float = 0.0  # share of (device, day)s whose scans come in late
    dormant_share: float = 0.02  # customers who keep their first cylinder
    demand: float = 1.0  # deliveries per customer relative to the usual (0.5: half as often)
    joining: float = 0.0  # share of customers who sign up at some day within the period
    key_prefix: str = "H"
    until: datetime | None = None  # nor at or after this moment (a history up to the present)


# ---- the simulation's own state ------------------------------------------------------------------
@dataclass
class _Customer:
    code: str
    capacity: int
    interval: tuple[float, float]  # days between deliveries
    keeps: int  # cylinders on the premises
    station: int  # supply station index
    lon: float | None
    lat: float | None
    dormant: bool
    held: deque[int] = field(default_factory=deque)


@dataclass
class _Unit:
    """One cylinder going to one customer tomorrow."""

    customer: int
    cylinder: int
    unfilled: bool = False


def _local(day: date, hours: float) -> datetime:
    """`hours` after local midnight of `day`, in UTC."""
    return datetime.combine(day, time.min, UTC) - LOCAL_OFFSET + timedelta(hours=hours)


def _profile(kind: CustomerKind, rng: random.Random) -> tuple[int, tuple[float, float], int]:
    """Capacity, days between deliveries, cylinders kept on the premises."""
    if kind is CustomerKind.CATERING:
        return 50, (1.0, 3.0), rng.choice((2, 2, 3))
    if kind is CustomerKind.COMMERCIAL:
        return 50, (3.0, 7.0), 2
    if rng.random() < 0.2:
        return 5, (8.0, 14.0), 1
    return 15, (25.0, 36.0), 1


class CylinderHistory:
    """Iterate to get the scans, in arrival order; see the module's docstring."""

    def __init__(self, enterprise: Enterprise, plan: Plan) -> None:
        if not enterprise.filling or not enterprise.supply or not enterprise.vehicles:
            raise ValueError("an enterprise needs filling and supply stations and vehicles")
        if not enterprise.operators or not enterprise.delivery_workers or not enterprise.batches:
            raise ValueError("an enterprise needs operators, delivery workers and gas batches")
        self.ent = enterprise
        self.plan = plan
        end = _local(plan.end, 0)
        self._cutoff = end if plan.until is None else min(end, plan.until)
        self.rng = random.Random(plan.seed)
        self._late_rng = random.Random(f"late-{plan.seed}")  # the same history, late or not
        self.injected: dict[str, str] = {}  # key -> INJECTED_*
        self.late: dict[str, date] = {}  # key -> the day a held-back scan came in
        self.emitted = 0
        self._seq = 0
        self._batches: list[tuple[list[date], list[str]]] = []
        for st in enterprise.filling:
            mine = sorted(
                (b.arrived_on, b.code) for b in enterprise.batches if b.station in (None, st.code)
            )
            if not mine:
                raise ValueError(f"no gas batch for filling station {st.code}")
            self._batches.append(([d for d, _ in mine], [c for _, c in mine]))
        # cylinders: mutable dates, the filling station that holds them
        cyl = enterprise.cylinders
        self._next_insp = [c.next_inspection_on for c in cyl]
        self._life_end = [c.life_ends_on for c in cyl]
        self._fs_of_supply = [self._nearest(s, enterprise.filling) for s in enterprise.supply]
        self._pools: dict[tuple[int, int], deque[int]] = {}
        order = list(range(len(cyl)))
        self.rng.shuffle(order)
        for i in order:  # cylinder i belongs to filling station i % len(filling)
            key = (i % len(enterprise.filling), cyl[i].capacity_kg)
            self._pools.setdefault(key, deque()).append(i)
        self._ready: list[date] = [plan.start - timedelta(days=1)] * len(cyl)
        # the customers and when they are next due
        self._customers: list[_Customer] = []
        self._due: dict[date, list[int]] = {}
        for k, c in enumerate(enterprise.customers):
            capacity, (low, high), keeps = _profile(c.kind, self.rng)
            interval = (low / plan.demand, high / plan.demand)
            station = (
                self._nearest(c, enterprise.supply)
                if c.lon is not None
                else k % len(enterprise.supply)
            )
            self._customers.append(
                _Customer(
                    c.code,
                    capacity,
                    interval,
                    keeps,
                    station,
                    c.lon,
                    c.lat,
                    dormant=self.rng.random() < plan.dormant_share,
                )
            )
            span = interval[1]
            if self.rng.random() < plan.joining:
                span = (plan.end - plan.start).days
            first = plan.start + timedelta(days=1 + int(self.rng.uniform(0, span)))
            self._due.setdefault(first, []).append(k)
        # who works where: delivery workers and vehicles by supply station
        workers, plates = enterprise.delivery_workers, enterprise.vehicles
        n = len(enterprise.supply)
        self._station_workers = [
            [w for j, w in enumerate(workers) if j % n == s] or [workers[s % len(workers)]]
            for s in range(n)
        ]
        self._station_vehicle = [plates[i % len(plates)] for i in range(len(enterprise.supply))]
        self._buckets: dict[date, list[tuple[datetime, int, CylinderEventIn]]] = {}
        self._late: dict[date, list[CylinderEventIn]] = {}
        self._offline: dict[tuple[int, date], date | None] = {}
        self._inject_days = self._injection_days()

    # ---- helpers -------------------------------------------------------------------------------
    @staticmethod
    def _nearest(point: CustomerIn | StationIn, stations: Sequence[StationIn]) -> int:
        if point.lon is None or point.lat is None:
            return zlib.crc32(point.code.encode()) % len(stations)
        best, best_d = 0, float("inf")
        for i, s in enumerate(stations):
            if s.lon is None or s.lat is None:
                continue
            d = hypot(s.lon - point.lon, s.lat - point.lat)
            if d < best_d:
                best, best_d = i, d
        return best

    def _injection_days(self) -> dict[date, list[str]]:
        days = (self.plan.end - self.plan.start).days
        out: dict[date, list[str]] = {}
        if days < 4:
            return out
        for what in (INJECTED_UNFILLED, INJECTED_VEHICLE, INJECTED_UNKNOWN):
            for _ in range(self.plan.anomalies):
                day = self.plan.start + timedelta(days=self.rng.randrange(2, days - 1))
                out.setdefault(day, []).append(what)
        return out

    def _batch(self, day: date, fs: int) -> str:
        """The batch current at filling station `fs` on `day` (the first one before any)."""
        days, codes = self._batches[fs]
        return codes[max(bisect_right(days, day) - 1, 0)]

    def _offline_until(self, worker: int, day: date) -> date | None:
        """The day a device's scans of `day` come in, if it was offline that day."""
        key = (worker, day)
        if key not in self._offline:
            rng = self._late_rng
            late = rng.random() < self.plan.late_share
            self._offline[key] = day + timedelta(days=rng.randint(1, 3)) if late else None
        return self._offline[key]

    def _scan(
        self,
        at: datetime,
        kind: EventKind,
        tag: str,
        *,
        worker: int,
        site: StationIn | None = None,
        customer: _Customer | None = None,
        plate: str | None = None,
        injected: str | None = None,
        batch_code: str | None = None,
        gross_kg: float | None = None,
        passed: bool | None = None,
        next_inspection_on: date | None = None,
    ) -> None:
        day = (at + LOCAL_OFFSET).date()
        if at >= self._cutoff or day < self.plan.start:
            return
        self._seq += 1
        key = f"{self.plan.key_prefix}{self.plan.seed}-{self._seq:09d}"
        lon = customer.lon if customer else site.lon if site else None
        lat = customer.lat if customer else site.lat if site else None
        event = CylinderEventIn(
            key=key,
            kind=kind,
            tag_code=tag,
            occurred_at=at,
            site_code=site.code if site else None,
            vehicle_plate=plate,
            worker_id=worker,
            customer_code=customer.code if customer else None,
            batch_code=batch_code,
            gross_kg=gross_kg,
            passed=passed,
            next_inspection_on=next_inspection_on,
            lon=lon,
            lat=lat,
            device=f"app-{worker}",
            note=None,
        )
        if injected:
            self.injected[key] = injected
        self._buckets.setdefault(day, []).append((at, self._seq, event))

    # ---- one day -------------------------------------------------------------------------------
    def _eligible(self, i: int, day: date) -> bool:
        limit = day + timedelta(days=MARGIN_DAYS)
        return self._next_insp[i] > limit and self._life_end[i] > limit

    def _maintain(self, i: int, fs: int, day: date) -> None:
        """An empty not fit to be filled: inspected, or scrapped at the end of its life."""
        rng, cyl, station = self.rng, self.ent.cylinders[i], self.ent.filling[fs]
        operator = self.ent.operators[i % len(self.ent.operators)]
        at = _local(day, 8 + rng.random() * 2)
        if self._life_end[i] <= day + timedelta(days=MARGIN_DAYS):
            self._scan(at, EventKind.SCRAP, cyl.tag_code, worker=operator, site=station)
            return
        self._scan(at, EventKind.SEND_INSPECTION, cyl.tag_code, worker=operator, site=station)
        inspected = day + timedelta(days=rng.randint(*INSPECTION_DAYS))
        passed = rng.random() >= P_INSPECTION_FAILS
        due = next_inspection(inspected)
        self._scan(
            _local(inspected, 9 + rng.random() * 6),
            EventKind.INSPECT,
            cyl.tag_code,
            worker=operator,
            site=station,
            passed=passed,
            next_inspection_on=due if passed else None,
        )
        if passed:
            self._next_insp[i] = due
            self._ready[i] = inspected + timedelta(days=1)
            self._pools[(fs, cyl.capacity_kg)].append(i)

    def _take(self, fs: int, capacity: int, day: date, earliest_due: bool) -> int | None:
        """A ready empty of `capacity` at filling station `fs` fit to be filled on `day`."""
        pool = self._pools.get((fs, capacity))
        if not pool:
            return None
        for _ in range(len(pool)):
            i = pool[0]
            if self._ready[i] > day:
                return None  # FIFO: the rest are not ready either
            pool.popleft()
            if self._eligible(i, day):
                if earliest_due:
                    return self._soonest_due(pool, i, day)
                return i
            self._maintain(i, fs, day)
        return None

    def _soonest_due(self, pool: deque[int], i: int, day: date) -> int:
        """A dormant customer's cylinder: the one due soonest among the next few ready."""
        best = i
        for j in list(pool)[:40]:
            due = min(self._next_insp[j], self._life_end[j])
            if (
                self._ready[j] <= day
                and self._eligible(j, day)
                and due < min(self._next_insp[best], self._life_end[best])
            ):
                best = j
        if best != i:
            pool.remove(best)
            pool.appendleft(i)
        return best

    def _plan_tomorrow(self, day: date, injections: list[str]) -> None:
        """Fill, load and carry today what is delivered tomorrow; schedule tomorrow's rounds."""
        rng, tomorrow = self.rng, day + timedelta(days=1)
        by_station: dict[int, list[_Unit]] = {}
        unfilled = injections.count(INJECTED_UNFILLED)
        for k in self._due.pop(tomorrow, []):
            cust = self._customers[k]
            fs = self._fs_of_supply[cust.station]
            i = self._take(fs, cust.capacity, day, earliest_due=cust.dormant)
            if i is None:  # none ready: the customer waits a day
                self._due.setdefault(tomorrow + timedelta(days=1), []).append(k)
                continue
            unit = _Unit(k, i)
            if unfilled:
                unit.unfilled, unfilled = True, unfilled - 1
            by_station.setdefault(cust.station, []).append(unit)
            if not cust.dormant:
                nxt = tomorrow + timedelta(days=max(1, round(rng.uniform(*cust.interval))))
                self._due.setdefault(nxt, []).append(k)
        vehicle_injections = injections.count(INJECTED_VEHICLE)
        for s, units in sorted(by_station.items()):
            plate = self._station_vehicle[s]
            injected = None
            if vehicle_injections:
                vehicle_injections -= 1
                plate, injected = f"京A{rng.randrange(10**5):05d}", INJECTED_VEHICLE
            self._carry(day, s, units, plate, injected)
            self._deliver(tomorrow, s, units)
        for _ in range(injections.count(INJECTED_UNKNOWN)):
            fs = rng.randrange(len(self.ent.filling))
            self._scan(
                _local(day, 8 + rng.random() * 3),
                EventKind.FILL,
                f"UNREG-{self.plan.seed}-{rng.randrange(10**8):08d}",
                worker=self.ent.operators[0],
                site=self.ent.filling[fs],
                batch_code=self._batch(day, fs),
                gross_kg=31.0,
                injected=INJECTED_UNKNOWN,
            )

    def _carry(
        self, day: date, s: int, units: list[_Unit], plate: str, injected: str | None
    ) -> None:
        """Fill at the filling station, load, arrive at supply station `s`."""
        rng, ent = self.rng, self.ent
        fs = self._fs_of_supply[s]
        filling, supply = ent.filling[fs], ent.supply[s]
        operator = ent.operators[(s + day.toordinal()) % len(ent.operators)]
        worker = self._station_workers[s][0]
        batch = self._batch(day, fs)
        load_at = _local(day, 12 + rng.random())
        arrive_at = _local(day, 14.5 + rng.random() * 1.5)
        for u in units:
            if u.unfilled:
                continue
            cyl = ent.cylinders[u.cylinder]
            short = rng.uniform(0.02, 0.1) * (cyl.capacity_kg / 5) ** 0.5
            self._scan(
                _local(day, 8 + rng.random() * 3.5),
                EventKind.FILL,
                cyl.tag_code,
                worker=operator,
                site=filling,
                batch_code=batch,
                gross_kg=round(cyl.tare_kg + cyl.capacity_kg - short, 2),
            )
            self._scan(
                load_at,
                EventKind.LOAD,
                cyl.tag_code,
                worker=worker,
                site=filling,
                plate=plate if injected else self._station_vehicle[s],
                injected=injected,
            )
            injected = None  # one injected scan per run
            self._scan(
                arrive_at,
                EventKind.ARRIVE,
                cyl.tag_code,
                worker=worker,
                site=supply,
                plate=self._station_vehicle[s],
            )

    def _deliver(self, day: date, s: int, units: list[_Unit]) -> None:
        """Tomorrow's round from supply station `s`: deliver, collect the empties handed back,
        return them to the filling station in the evening."""
        rng, ent = self.rng, self.ent
        workers, plate = self._station_workers[s], self._station_vehicle[s]
        fs = self._fs_of_supply[s]
        filling = ent.filling[fs]
        returning: list[int] = []
        units = sorted(units, key=lambda u: u.customer)
        clock = 8.5 + rng.random()
        step = min(0.5, 9.0 / max(len(units), 1))
        for u in units:
            cust = self._customers[u.customer]
            worker = workers[u.customer % len(workers)]
            at = _local(day, clock)
            clock += step * rng.uniform(0.5, 1.0)
            self._scan(
                at,
                EventKind.DELIVER,
                ent.cylinders[u.cylinder].tag_code,
                worker=worker,
                customer=cust,
                plate=plate,
                injected=INJECTED_UNFILLED if u.unfilled else None,
            )
            cust.held.append(u.cylinder)
            if len(cust.held) > cust.keeps:
                empty = cust.held.popleft()
                self._scan(
                    at + timedelta(minutes=2),
                    EventKind.COLLECT,
                    ent.cylinders[empty].tag_code,
                    worker=worker,
                    customer=cust,
                    plate=plate,
                )
                returning.append(empty)
        back = _local(day, 19 + rng.random())
        for i in returning:
            self._scan(
                back,
                EventKind.RETURN,
                ent.cylinders[i].tag_code,
                worker=workers[0],
                site=filling,
                plate=plate,
            )
            self._ready[i] = day + timedelta(days=1)
            self._pools[(fs, ent.cylinders[i].capacity_kg)].append(i)

    # ---- the order scans come in ---------------------------------------------------------------
    def _release(self, day: date) -> Iterator[CylinderEventIn]:
        for _at, _seq, event in sorted(self._buckets.pop(day, []), key=lambda r: (r[0], r[1])):
            worker = event.worker_id or 0
            comes = self._offline_until(worker, day) if self.plan.late_share else None
            if comes is not None:
                self._late.setdefault(comes, []).append(event)
                self.late[event.key] = comes
            else:
                yield event
        yield from self._late.pop(day, [])

    def __iter__(self) -> Iterator[CylinderEventIn]:
        day = self.plan.start
        limit = self.plan.limit
        while day < self.plan.end:
            self._plan_tomorrow(day, self._inject_days.get(day, []))
            for event in self._release(day):
                if limit is not None and self.emitted >= limit:
                    return
                self.emitted += 1
                yield event
            day += timedelta(days=1)
        for comes in sorted(self._late):
            for event in self._late[comes]:
                if limit is not None and self.emitted >= limit:
                    return
                self.emitted += 1
                yield event
        self._late.clear()


# ---- a synthetic fleet (benchmark, tests) --------------------------------------------------------
TARE_KG = {5: 7.5, 15: 16.5, 50: 42.0}  # typical YSP5 / YSP15 / YSP50 tare weights
CAPACITY_MIX = ((5, 0.2), (15, 0.45), (50, 0.35))  # share of the fleet by nominal capacity
KIND_MIX = (
    (CustomerKind.RESIDENTIAL, 0.9),
    (CustomerKind.CATERING, 0.08),
    (CustomerKind.COMMERCIAL, 0.02),
)


def _pick(rng: random.Random, mix: Sequence[tuple[object, float]]) -> object:
    roll, acc = rng.random(), 0.0
    for value, share in mix:
        acc += share
        if roll < acc:
            return value
    return mix[-1][0]


def fleet_cylinders(
    rng: random.Random, count: int, *, today: date, prefix: str
) -> list[CylinderIn]:
    """`count` cylinders made over the last eleven years, their inspections and life end as
    the standards set them (those past the design life were extended on inspection)."""
    out: list[CylinderIn] = []
    for n in range(count):
        capacity = int(_pick(rng, CAPACITY_MIX))  # type: ignore[call-overload]
        age_days = rng.randrange(30, 11 * 365)
        made = today - timedelta(days=age_days)
        extended = age_days > 7 * 365 + 200
        due = made
        while due <= today:
            due = next_inspection(due)
        out.append(
            CylinderIn(
                tag_code=f"{prefix}{n:08d}",
                capacity_kg=capacity,
                tare_kg=round(TARE_KG[capacity] + rng.uniform(-0.4, 0.4), 1),
                next_inspection_on=due,
                life_ends_on=service_life_end(made, extended=extended),
                made_on=made,
            )
        )
    return out


def fleet_customers(
    rng: random.Random, count: int, *, box: tuple[float, float, float, float], prefix: str
) -> list[CustomerIn]:
    """`count` customers spread over `box` (lon0, lat0, lon1, lat1), mostly households."""
    lon0, lat0, lon1, lat1 = box
    return [
        CustomerIn(
            code=f"{prefix}{n:07d}",
            kind=_pick(rng, KIND_MIX),  # type: ignore[arg-type]
            lon=round(rng.uniform(lon0, lon1), 6),
            lat=round(rng.uniform(lat0, lat1), 6),
        )
        for n in range(count)
    ]
