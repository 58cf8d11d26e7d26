"""The demo's bottle-to-pipe conversions (瓶改管) since 2022.

`load_conversions(demo)`: two quota tables (the 2022 one, retired, and the 2024 one, active;
Shandong installation-quota style items with invented prices), four packages, and about
2,700 households: 2,160 connected over the years since January 2022 (more before each heating
season), a few hundred in progress in every state, some refused (too far from a main, no main
planned for the village yet, unsafe buildings ...) and some cancelled. Each household belongs
to the pipeline company serving its town (水城燃气 in the two western towns, 润昌燃气 elsewhere),
lives in a grid (in a village with its main, where the coverage step loaded villages), and was
surveyed, quoted with the active table of the day and the package of its kind, and moved
along its steps: the rows, quote lines and timeline events the services write, and one audit
row each (a bulk import's), built in bulk (one executemany per table) to stay fast.

In 古楼街道 the households near 润昌燃气's network model get their distance from it (source
"network", the nearest main's name); elsewhere the surveyor's measure. Households in progress
include real-name LPG customers of the demo's LPG enterprise (still buying bottles); a few
dozen of its households converted lately: the supplier collected their cylinders (collect
scans through the cylinder service) a few days before the gas was turned on, and their LPG
records are closed through the customer service, as the connect step does.
"""

from __future__ import annotations

import itertools
import logging
import math
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
from sqlalchemy import Table, func, select

from gaswarden.core.auth import SYSTEM
from gaswarden.core.localtime import LOCAL_ZONE
from gaswarden.core.protect import mask_id_number, mask_phone
from gaswarden.domains.audit.models import AuditEntry
from gaswarden.domains.conversion import lpg, quote, rules, survey, tariff
from gaswarden.domains.conversion.enums import (
    ApplicationChannel,
    ConversionEventKind,
    ConversionStatus,
    HouseholdKind,
    RefusalReason,
)
from gaswarden.domains.conversion.models import (
    ConversionApplication,
    ConversionEvent,
    ConversionPackage,
    QuotaTable,
    QuoteLine,
)
from gaswarden.domains.conversion.timeline import ENTITY
from gaswarden.domains.customer.enums import CustomerKind
from gaswarden.domains.customer.models import Customer
from gaswarden.domains.cylinder import events as cylinder_events
from gaswarden.domains.cylinder.enums import CylinderStatus, EventKind, EventResult
from gaswarden.domains.cylinder.event_schemas import CylinderEventIn
from gaswarden.domains.cylinder.models import Cylinder, CylinderEvent
from gaswarden.domains.service.models import Village
from gaswarden.sim import names
from gaswarden.sim.context import Demo
from gaswarden.sim.demo_sites import GAS2_TOWNS
from gaswarden.sim.geography import Grid, Town

log = logging.getLogger(__name__)
EVENT: Table = ConversionEvent.__table__  # type: ignore[assignment]
LINE: Table = QuoteLine.__table__  # type: ignore[assignment]
AUDIT: Table = AuditEntry.__table__  # type: ignore[assignment]

TZ = LOCAL_ZONE
S = ConversionStatus
K = ConversionEventKind
FIRST_DAY = date(2022, 1, 1)
CONNECTED = 2_160  # the article: 2,000+ households converted
IN_PROGRESS = 320
REFUSED = 170
CANCELLED = 60
LPG_IN_PROGRESS = 90  # households in progress that are the LPG enterprise's customers
LPG_CONVERTED = 30  # of its customers whose empties were collected: converted since
NETWORK_TOWN = "古楼街道"  # where 润昌燃气's network model lies (demo_pipes.py)
NEAR_NETWORK = 0.5  # of the households there: placed along the modelled mains

# Invented prices in the style of the Shandong installation quota's gas volume (山东省安装工程
# 消耗量定额 燃气分册): the codes, names and units look like its items; the prices are made up
# for the demo, as are the discount rates (the district's policy against the quota).
ITEMS_2022: tuple[tuple[str, str, str, str, str], ...] = (
    ("10-1-012", "室外PE燃气管 dn32 埋地敷设", "m", "78.60", "service_pipe"),
    ("10-1-014", "室外PE燃气管 dn40 埋地敷设", "m", "92.40", "other"),
    ("10-2-031", "镀锌钢管立管 DN25 沿墙敷设(含支架)", "处", "286.00", "riser"),
    ("10-3-105", "户内镀锌钢管 DN15 安装", "m", "46.80", "other"),
    ("10-4-022", "燃气球阀 DN20 安装", "个", "52.30", "valve"),
    ("10-5-006", "膜式燃气表 G2.5 安装", "块", "142.50", "meter"),
    ("10-6-011", "钢塑转换接头 dn32", "个", "68.00", "other"),
    ("10-7-003", "穿墙/穿楼板 套管制作安装", "个", "35.20", "other"),
    ("10-8-015", "管道强度及严密性试验", "户", "96.00", "other"),
)
ITEMS_2024: tuple[tuple[str, str, str, str, str], ...] = (
    ("10-1-012", "室外PE燃气管 dn32 埋地敷设", "m", "82.90", "service_pipe"),
    ("10-1-014", "室外PE燃气管 dn40 埋地敷设", "m", "97.10", "other"),
    ("10-2-031", "镀锌钢管立管 DN25 沿墙敷设(含支架)", "处", "298.50", "riser"),
    ("10-3-105", "户内镀锌钢管 DN15 安装", "m", "49.20", "other"),
    ("10-4-022", "燃气球阀 DN20 安装", "个", "55.60", "valve"),
    ("10-5-006", "膜式燃气表 G2.5 安装", "块", "149.80", "meter"),
    ("10-5-009", "物联网智能燃气表 G2.5 安装", "块", "168.40", "other"),
    ("10-6-011", "钢塑转换接头 dn32", "个", "71.50", "other"),
    ("10-7-003", "穿墙/穿楼板 套管制作安装", "个", "37.00", "other"),
    ("10-8-015", "管道强度及严密性试验", "户", "101.00", "other"),
)
QUOTA_NAME = "山东省安装工程消耗量定额 燃气分册 瓶改管适用"
TABLES = (
    (QUOTA_NAME, "2022版", 0.30, date(2022, 1, 1), ITEMS_2022),
    (QUOTA_NAME, "2024调整版", 0.35, date(2024, 7, 1), ITEMS_2024),
)
# (name, price, includes, for kind)
PACKAGES: tuple[tuple[str, str, tuple[str, ...], HouseholdKind | None], ...] = (
    ("居民基础套餐", "880.00", ("燃气表", "自闭阀", "不锈钢波纹软管"), HouseholdKind.RESIDENTIAL),
    ("居民安心套餐", "1380.00", ("燃气表", "自闭阀", "不锈钢波纹软管", "家用燃气报警器",
                                "紧急切断阀"), HouseholdKind.RESIDENTIAL),
    ("壁挂炉采暖套餐", "4280.00", ("燃气表", "自闭阀", "燃气壁挂炉", "家用燃气报警器"),
     HouseholdKind.RESIDENTIAL),
    ("餐饮商户安全套餐", "3650.00", ("商用燃气表", "可燃气体报警器", "紧急切断阀",
                                   "熄火保护灶具改装"), None),
)  # fmt: skip
REFUSALS = (
    (RefusalReason.TOO_FAR_FROM_MAIN, 0.42),
    (RefusalReason.NO_PIPE_IN_AREA, 0.16),
    (RefusalReason.BUILDING_UNSAFE, 0.15),
    (RefusalReason.NO_OWNER_CONSENT, 0.11),
    (RefusalReason.BASEMENT_USE, 0.08),
    (RefusalReason.DUPLICATE, 0.05),
    (RefusalReason.OTHER, 0.03),
)
REFUSED_BEFORE_SURVEY = frozenset({RefusalReason.NO_OWNER_CONSENT, RefusalReason.DUPLICATE})
IN_PROGRESS_STATES = (
    (S.APPLIED, 0.25),
    (S.SURVEYED, 0.15),
    (S.QUOTED, 0.2),
    (S.CONTRACTED, 0.15),
    (S.CONSTRUCTING, 0.25),
)
CHANNELS = (
    (ApplicationChannel.COUNTER, 0.45),
    (ApplicationChannel.ONLINE, 0.35),
    (ApplicationChannel.VISIT, 0.2),
)
KINDS = ((HouseholdKind.RESIDENTIAL, 0.94), (HouseholdKind.CATERING, 0.05),
         (HouseholdKind.COMMERCIAL, 0.01))  # fmt: skip
# Days from one step to the next: (low, high) by step.
GAPS = {
    K.SURVEYED: (2, 10),
    K.QUOTED: (1, 5),
    K.CONTRACTED: (1, 14),
    K.WORKS_STARTED: (3, 20),
    K.CONNECTED: (5, 25),
}
PATH = (K.SURVEYED, K.QUOTED, K.CONTRACTED, K.WORKS_STARTED, K.CONNECTED)
REACHED = {
    S.APPLIED: 0,
    S.SURVEYED: 1,
    S.QUOTED: 2,
    S.CONTRACTED: 3,
    S.CONSTRUCTING: 4,
    S.CONNECTED: 5,
}
TO_STATUS = {
    K.APPLIED: S.APPLIED,
    K.SURVEYED: S.SURVEYED,
    K.QUOTED: S.QUOTED,
    K.CONTRACTED: S.CONTRACTED,
    K.WORKS_STARTED: S.CONSTRUCTING,
    K.CONNECTED: S.CONNECTED,
}


def _pick(rng: random.Random, table: tuple[tuple[Any, float], ...]) -> Any:
    roll, acc = rng.random(), 0.0
    for value, share in table:
        acc += share
        if roll < acc:
            return value
    return table[-1][0]


def _at(day: date, rng: random.Random) -> datetime:
    """Office hours on `day` (Shanghai), as UTC."""
    local = datetime.combine(day, time(8 + rng.randrange(9), rng.randrange(60)), TZ)
    return local.astimezone(UTC)


@dataclass
class Household:
    n: int
    outcome: S  # final status
    kind: HouseholdKind
    channel: ApplicationChannel
    town: Town
    grid: Grid
    lon: float
    lat: float
    name: str
    phone: str
    id_number: str | None
    address: str
    village: str | None = None
    piped_village: bool = True
    customer: Customer | None = None
    applied: date = FIRST_DAY
    step_days: list[date] = field(default_factory=list)  # the days of the PATH steps done
    reason: RefusalReason | None = None
    distance: float | None = None
    source: str | None = None
    pipe_ref: str | None = None


class _Mains:
    """The network model's mains in local metres, for the nearest-main distance in bulk."""

    def __init__(self, code: str, lines: list[survey.Line]) -> None:
        self.code = code
        coords = np.array([c for _, line in lines for c in line], dtype=float)
        self.lon0, self.lat0 = float(coords[:, 0].mean()), float(coords[:, 1].mean())
        self.k = math.pi / 180.0 * 6_371_008.8
        self.c = math.cos(math.radians(self.lat0))
        a, b, refs = [], [], []
        for ref, line in lines:
            for p, q in itertools.pairwise(line):
                a.append(p)
                b.append(q)
                refs.append(ref)
        self.a = self._xy(np.array(a, dtype=float))
        self.b = self._xy(np.array(b, dtype=float))
        self.refs = refs
        self.lines = lines

    def _xy(self, lonlat: np.ndarray) -> np.ndarray:
        return np.column_stack(
            ((lonlat[:, 0] - self.lon0) * self.k * self.c, (lonlat[:, 1] - self.lat0) * self.k)
        )

    def to_lonlat(self, x: float, y: float) -> tuple[float, float]:
        return self.lon0 + x / (self.k * self.c), self.lat0 + y / self.k

    def nearest(self, lon: float, lat: float) -> tuple[float, str]:
        p = self._xy(np.array([[lon, lat]]))[0]
        d = self.b - self.a
        length2 = (d**2).sum(axis=1)
        t = np.where(length2 > 0, ((p - self.a) * d).sum(axis=1) / np.maximum(length2, 1e-12), 0)
        t = np.clip(t, 0.0, 1.0)
        foot = self.a + d * t[:, None]
        dist = np.hypot(*(foot - p).T)
        i = int(np.argmin(dist))
        return float(dist[i]), self.refs[i]

    def beside(self, rng: random.Random) -> tuple[float, float]:
        """A point beside a random main, 3 to 70 m off it."""
        i = rng.randrange(len(self.a))
        a, b = self.a[i], self.b[i]
        t = rng.random()
        d = b - a
        length = float(np.hypot(*d)) or 1.0
        normal = np.array([-d[1], d[0]]) / length
        off = rng.uniform(3, 70) * rng.choice((-1, 1))
        x, y = a + d * t + normal * off
        lon, lat = self.to_lonlat(float(x), float(y))
        return round(lon, 6), round(lat, 6)


# ---- the price lists ----------------------------------------------------------------------------
def _tables(demo: Demo) -> list[QuotaTable]:
    out = []
    for name, version, rate, effective, items in TABLES:
        out.append(
            tariff.create_table(
                session=demo.session,
                principal=SYSTEM,
                name=name,
                version=version,
                discount_rate=rate,
                effective_on=effective,
                items=[
                    {"code": c, "name": n, "unit": u, "unit_price_yuan": Decimal(p), "category": k}
                    for c, n, u, p, k in items
                ],
            )
        )
    tariff.activate(session=demo.session, principal=SYSTEM, id=out[-1].id)
    demo.counts["quota_table"] += len(out)
    return out


def _packages(demo: Demo) -> list[ConversionPackage]:
    out = [
        tariff.create_package(
            session=demo.session,
            principal=SYSTEM,
            name=name,
            price_yuan=float(price),
            includes=list(includes),
            for_kind=kind,
        )
        for name, price, includes, kind in PACKAGES
    ]
    demo.counts["conversion_package"] += len(out)
    return out


# ---- the households -----------------------------------------------------------------------------
def _season_days(today: date, last: date) -> tuple[list[date], list[float]]:
    """Every day from FIRST_DAY to `last`, weighted: more before the heating season."""
    days, weights = [], []
    d = FIRST_DAY
    while d <= last:
        days.append(d)
        weights.append(1.7 if d.month in (8, 9, 10, 11) else 0.6 if d.month in (1, 2) else 1.0)
        d += timedelta(days=1)
    return days, weights


def _steps(rng: random.Random, applied: date, count: int) -> list[date]:
    out, day = [], applied
    for kind in PATH[:count]:
        low, high = GAPS[kind]
        day = day + timedelta(days=rng.randint(low, high))
        out.append(day)
    return out


def _span(count: int) -> int:
    return sum(GAPS[k][1] for k in PATH[:count])


def _villages(demo: Demo) -> dict[str, list[Village]]:
    out: dict[str, list[Village]] = {}
    ids = {demo.area_ids[t.code]: t.name for t in demo.towns if t.code in demo.area_ids}
    for v in demo.session.scalars(select(Village).where(Village.lon.is_not(None))):
        if v.area_id in ids:
            out.setdefault(ids[v.area_id], []).append(v)
    return out


def _place(
    demo: Demo,
    rng: random.Random,
    villages: dict[str, list[Village]],
    mains: _Mains | None,
    *,
    year: int,
    piped: bool,
) -> tuple[Grid, float, float, str | None, bool]:
    """Where the household lives: beside the modelled mains (some in 古楼街道), in a village of
    a rural town (one with its main by `year` when `piped`, else one without), or anywhere in
    a grid."""
    town = rng.choice(demo.towns)
    village: Village | None = None
    if town.name == NETWORK_TOWN and mains is not None and piped and rng.random() < NEAR_NETWORK:
        lon, lat = mains.beside(rng)
    else:
        pool = [
            v
            for v in villages.get(town.name, ())
            if (v.pipe_gas_since is not None and v.pipe_gas_since <= year) is piped
        ]
        if pool and not town.urban:
            village = rng.choice(pool)
            assert village.lon is not None and village.lat is not None
            lon = round(village.lon + rng.uniform(-0.002, 0.002), 6)
            lat = round(village.lat + rng.uniform(-0.0015, 0.0015), 6)
        else:
            lon, lat = rng.choice(town.grids).box.point(rng)
    grid = demo.grid_at(lon, lat)
    return grid, lon, lat, village.name if village else None, village is None or piped


def _households(demo: Demo, rng: random.Random, mains: _Mains | None) -> list[Household]:
    villages = _villages(demo)
    today = demo.today
    used: set[str] = set()
    plan = (
        [S.CONNECTED] * CONNECTED
        + [S.APPLIED] * IN_PROGRESS  # the state is drawn below
        + [S.REFUSED] * REFUSED
        + [S.CANCELLED] * CANCELLED
    )
    connect_days, connect_w = _season_days(today, today - timedelta(days=_span(5) + 2))
    any_days, any_w = _season_days(today, today - timedelta(days=30))
    out: list[Household] = []
    for outcome in plan:
        reason: RefusalReason | None = None
        if outcome is S.CONNECTED:
            applied = rng.choices(connect_days, connect_w)[0]
            steps = _steps(rng, applied, 5)
        elif outcome is S.APPLIED:
            outcome = _pick(rng, IN_PROGRESS_STATES)
            done = REACHED[outcome]
            applied = today - timedelta(days=rng.randint(_span(done) + 1, _span(done) + 60))
            steps = _steps(rng, applied, done)
        elif outcome is S.REFUSED:
            applied = rng.choices(any_days, any_w)[0]
            reason = _pick(rng, REFUSALS)
            steps = [] if reason in REFUSED_BEFORE_SURVEY else _steps(rng, applied, 1)
        else:
            applied = rng.choices(any_days, any_w)[0]
            steps = _steps(rng, applied, rng.choice((0, 1, 2)))
        grid, lon, lat, village, piped = _place(
            demo,
            rng,
            villages,
            mains,
            year=applied.year,
            piped=reason is not RefusalReason.NO_PIPE_IN_AREA,
        )
        kind = _pick(rng, KINDS)
        number = names.id_number(rng)
        while number in used:
            number = names.id_number(rng)
        used.add(number)
        out.append(
            Household(
                n=0,
                outcome=outcome,
                kind=kind,
                channel=_pick(rng, CHANNELS),
                town=grid.town,
                grid=grid,
                lon=lon,
                lat=lat,
                name=names.person_name(rng)
                if kind is HouseholdKind.RESIDENTIAL
                else names.restaurant_name(rng, set()),
                phone=names.mobile(rng),
                id_number=number,
                address=names.address(rng, grid.town.name),
                village=village,
                piped_village=piped,
                applied=applied,
                step_days=steps,
                reason=reason,
            )
        )
    return out


def _survey(h: Household, rng: random.Random, mains: _Mains | None) -> None:
    if not h.step_days:
        return
    near = mains is not None and h.town.name == NETWORK_TOWN
    if near:
        assert mains is not None
        if survey.covers((h.lon, h.lat), mains.lines):
            distance, ref = mains.nearest(h.lon, h.lat)
            h.distance, h.source, h.pipe_ref = round(distance, 1), "network", f"{mains.code}/{ref}"
    if h.source is None:
        if h.reason is RefusalReason.TOO_FAR_FROM_MAIN:
            h.distance = round(rng.uniform(rules.MAX_MAIN_DISTANCE_M + 5, 480), 1)
        else:
            h.distance = round(rng.triangular(3, rules.MAX_MAIN_DISTANCE_M - 5, 18), 1)
        h.source = "survey"
    too_far = h.distance is not None and h.distance > rules.MAX_MAIN_DISTANCE_M
    if too_far and h.outcome is not S.REFUSED:
        # the model says it is too far: this household was refused, not converted
        h.outcome, h.reason, h.step_days = (
            S.REFUSED,
            RefusalReason.TOO_FAR_FROM_MAIN,
            h.step_days[:1],
        )
    elif h.reason is RefusalReason.TOO_FAR_FROM_MAIN and not too_far:
        h.reason = RefusalReason.BUILDING_UNSAFE


# ---- the LPG customers --------------------------------------------------------------------------
@dataclass
class _LpgCustomer:
    customer: Customer
    held: list[str]  # tag codes of the cylinders it holds
    last_scan: datetime | None


def _lpg_customers(demo: Demo) -> list[_LpgCustomer]:
    """The LPG enterprise's active households with the cylinders they hold and their last
    scan (the demo's cylinder year leaves every supplied household holding one or two)."""
    session = demo.session
    customers = list(
        session.scalars(
            select(Customer)
            .where(
                Customer.active.is_(True),
                Customer.kind == CustomerKind.RESIDENTIAL,
                Customer.id_number_digest.is_not(None),
            )
            .order_by(Customer.id)
        )
    )
    if not customers:
        return []
    held: dict[int, list[str]] = {}
    for customer_id, tag in session.execute(
        select(Cylinder.customer_id, Cylinder.tag_code)
        .where(Cylinder.status == CylinderStatus.WITH_USER, Cylinder.customer_id.is_not(None))
        .order_by(Cylinder.tag_code)
    ):
        if customer_id is not None:
            held.setdefault(customer_id, []).append(tag)
    last = dict(
        session.execute(
            select(CylinderEvent.customer_id, func.max(CylinderEvent.occurred_at))
            .where(
                CylinderEvent.customer_id.is_not(None),
                CylinderEvent.result.in_([EventResult.ACCEPTED, EventResult.ANOMALY]),
            )
            .group_by(CylinderEvent.customer_id)
        ).all()
    )
    return [_LpgCustomer(c, held.get(c.id, []), last.get(c.id)) for c in customers]


def _as_customer(h: Household, c: Customer, demo: Demo) -> None:
    h.customer, h.kind = c, HouseholdKind.RESIDENTIAL
    h.name, h.phone, h.id_number = c.name, c.phone or h.phone, c.id_number
    h.address = c.address or h.address
    if c.lon is not None and c.lat is not None and c.area_id is not None:
        grid = next((g for t in demo.towns for g in t.grids if demo.grid_id(g) == c.area_id), None)
        if grid is not None:
            h.lon, h.lat, h.grid, h.town = c.lon, c.lat, grid, grid.town
            h.village, h.piped_village = None, True


def _link_lpg(
    demo: Demo, rng: random.Random, households: list[Household]
) -> list[tuple[Household, _LpgCustomer, datetime]]:
    """Households in progress that still buy bottles from the demo's LPG enterprise; and a few
    dozen of its households converted lately: their cylinders collected by the supplier a
    few days before the gas was turned on. Returns those (household, customer, collected at)."""
    found = _lpg_customers(demo)
    rng.shuffle(found)
    today = demo.today
    quiet = [
        f
        for f in found
        if f.held
        and f.last_scan is not None
        and f.last_scan.astimezone(TZ).date() < today - timedelta(days=14)
    ][:LPG_CONVERTED]
    others = [f for f in found if f not in quiet]
    open_ones = [
        h for h in households if h.outcome in (S.APPLIED, S.SURVEYED, S.QUOTED, S.CONTRACTED)
    ]
    for h, f in zip(open_ones[:LPG_IN_PROGRESS], others, strict=False):
        _as_customer(h, f.customer, demo)
    converted: list[tuple[Household, _LpgCustomer, datetime]] = []
    connected = [h for h in households if h.outcome is S.CONNECTED and h.customer is None]
    for f, h in zip(quiet, connected[-len(quiet) :] if quiet else [], strict=False):
        collect_on = today - timedelta(days=rng.randint(3, 10))
        connect_on = collect_on + timedelta(days=rng.randint(1, 2))
        _as_customer(h, f.customer, demo)
        h.source, h.distance, h.pipe_ref = None, None, None
        back = _steps(rng, date(2000, 1, 1), 5)
        offsets = [(d - back[-1]).days for d in back]  # the same gaps, ending at the connection
        h.step_days = [connect_on + timedelta(days=o) for o in offsets]
        h.applied = h.step_days[0] - timedelta(days=rng.randint(*GAPS[K.SURVEYED]))
        converted.append((h, f, _at(collect_on, rng)))
    return converted


def _collect(demo: Demo, converted: list[tuple[Household, _LpgCustomer, datetime]]) -> int:
    """The supplier's collect scans (空瓶回收) of the converted households' cylinders, through
    the cylinder domain's service as its delivery staff would send them."""
    by_org: dict[int, list[CylinderEventIn]] = {}
    for h, f, at in converted:
        if h.outcome is not S.CONNECTED or f.customer.owner_id is None:
            continue
        by_org.setdefault(f.customer.owner_id, []).extend(
            CylinderEventIn(
                key=f"demo-conversion-{f.customer.code}-{tag}",
                kind=EventKind.COLLECT,
                tag_code=tag,
                occurred_at=at + timedelta(minutes=n),
                customer_code=f.customer.code,
                note="瓶改管：通气前回收钢瓶 collected before the conversion",
            )
            for n, tag in enumerate(f.held)
        )
    sent = 0
    for org_id, scans in by_org.items():
        cylinder_events.submit(session=demo.session, principal=SYSTEM, events=scans, org_id=org_id)
        sent += len(scans)
    demo.counts["cylinder_event"] += sent
    return sent


# ---- writing ------------------------------------------------------------------------------------
@dataclass
class _Rows:
    apps: list[dict[str, Any]] = field(default_factory=list)
    events: list[list[dict[str, Any]]] = field(default_factory=list)  # per application
    lines: list[list[dict[str, Any]]] = field(default_factory=list)


def _event(
    kind: K, at: datetime, actor: str, before: S | None, after: S | None, **data: Any
) -> dict[str, Any]:
    note = data.pop("note", None)
    return {
        "kind": kind,
        "at": at,
        "actor_id": None,
        "actor_name": actor,
        "from_status": before,
        "to_status": after,
        "note": note,
        "data": data,
    }


def _build(
    demo: Demo,
    rng: random.Random,
    households: list[Household],
    tables: list[QuotaTable],
    packages: list[ConversionPackage],
    first_serial: int,
) -> _Rows:
    rows = _Rows()
    session = demo.session
    gas1, gas2 = demo.orgs["gas1"].id, demo.orgs["gas2"].id
    clerks = [names.person_name(rng) for _ in range(8)]
    surveyors = [names.person_name(rng) for _ in range(6)]
    by_kind: dict[HouseholdKind, list[ConversionPackage | None]] = {
        HouseholdKind.RESIDENTIAL: [p for p in packages if p.for_kind is HouseholdKind.RESIDENTIAL],
        HouseholdKind.CATERING: [p for p in packages if p.for_kind is None],
        HouseholdKind.COMMERCIAL: [p for p in packages if p.for_kind is None] + [None],
    }
    households.sort(key=lambda h: h.applied)
    for k, h in enumerate(households):
        h.n = first_serial + k
        applied_at = _at(h.applied, rng)
        code = f"PG-{applied_at.astimezone(TZ).year}-{h.n:06d}"
        clerk = rng.choice(clerks)
        surveyor = rng.choice(surveyors)
        staff = "counter" if h.channel is not ApplicationChannel.ONLINE else "online-form"
        app: dict[str, Any] = {
            "code": code,
            "channel": h.channel,
            "household_kind": h.kind,
            "status": h.outcome,
            "applicant_name": h.name[:100],
            "applicant_phone": h.phone,
            "applicant_id_number": h.id_number,
            "applicant_id_digest": lpg.id_digest(session, h.id_number),
            "customer_id": h.customer.id if h.customer else None,
            "owner_id": gas2 if h.town.name in GAS2_TOWNS else gas1,
            "area_id": demo.grid_id(h.grid),
            "address": h.address[:255],
            "lon": h.lon,
            "lat": h.lat,
            "village": h.village,
            "applied_at": applied_at,
            "entered_by_name": None if h.channel is ApplicationChannel.ONLINE else clerk,
        }
        for key in (
            "surveyed_at", "surveyor_name", "main_distance_m", "main_distance_source",
            "nearest_pipe_ref", "eligible", "survey_note", "quota_table_id", "package_id",
            "works_list_yuan", "discount_rate", "works_payable_yuan", "package_yuan",
            "total_payable_yuan", "quoted_at", "contracted_at", "works_started_at",
            "connected_at", "refusal_reason", "refusal_note", "closed_at",
        ):  # fmt: skip
            app[key] = None
        events = [
            _event(
                K.APPLIED,
                applied_at,
                staff if h.channel is ApplicationChannel.ONLINE else clerk,
                None,
                S.APPLIED,
                channel=h.channel.value,
                **({"customer": h.customer.code} if h.customer else {}),
            )
        ]
        lines: list[dict[str, Any]] = []
        status = S.APPLIED
        for step_no, day in enumerate(h.step_days):
            kind = PATH[step_no]
            at = max(_at(day, rng), events[-1]["at"] + timedelta(minutes=5))
            if kind is K.SURVEYED:
                eligible = h.outcome is not S.REFUSED
                app.update(
                    surveyed_at=at,
                    surveyor_name=surveyor,
                    main_distance_m=h.distance,
                    main_distance_source=h.source,
                    nearest_pipe_ref=h.pipe_ref,
                    eligible=eligible,
                )
                if h.distance is None:  # converted LPG customers: measured on site
                    app.update(main_distance_m=round(rng.triangular(3, 60, 15), 1))
                    app["main_distance_source"] = "survey"
                events.append(
                    _event(
                        K.SURVEYED,
                        at,
                        surveyor,
                        status,
                        S.SURVEYED,
                        main_distance_m=app["main_distance_m"],
                        source=app["main_distance_source"],
                        eligible=eligible,
                        max_distance_m=rules.MAX_MAIN_DISTANCE_M,
                        **({"pipe": h.pipe_ref} if h.pipe_ref else {}),
                    )
                )
                status = S.SURVEYED
                h.distance = app["main_distance_m"]
                continue
            if kind is K.QUOTED:
                table = tables[-1] if day >= tables[-1].effective_on else tables[0]
                choices = by_kind[h.kind]
                package = rng.choice(choices) if choices else None
                plan = quote.standard_plan(table, h.distance)
                if rng.random() < 0.3:
                    plan.append(quote.PlanLine("10-7-003", float(rng.randint(1, 3))))
                if rng.random() < 0.2:
                    plan.append(quote.PlanLine("10-3-105", float(rng.randint(2, 12))))
                q = quote.compute(table, plan, package.price_yuan if package else Decimal("0"))
                app.update(
                    quota_table_id=table.id,
                    package_id=package.id if package else None,
                    works_list_yuan=q.works_list,
                    discount_rate=float(q.discount_rate),
                    works_payable_yuan=q.works_payable,
                    package_yuan=q.package,
                    total_payable_yuan=q.total,
                    quoted_at=at,
                )
                lines = [
                    {
                        "quota_item_id": p.item.id,
                        "code": p.item.code,
                        "name": p.item.name,
                        "unit": p.item.unit,
                        "quantity": float(p.quantity),
                        "unit_price_yuan": rules.yuan(p.item.unit_price_yuan),
                        "amount_yuan": p.amount,
                    }
                    for p in q.lines
                ]
                data = {
                    "table": f"{table.name} {table.version}",
                    "lines": len(q.lines),
                    "works_list_yuan": str(q.works_list),
                    "discount_rate": str(q.discount_rate),
                    "works_payable_yuan": str(q.works_payable),
                    "package": package.name if package else None,
                    "package_yuan": str(q.package),
                    "total_payable_yuan": str(q.total),
                }
                events.append(_event(K.QUOTED, at, surveyor, status, S.QUOTED, **data))
                status = S.QUOTED
                continue
            after = TO_STATUS[kind]
            column = {
                K.CONTRACTED: "contracted_at",
                K.WORKS_STARTED: "works_started_at",
                K.CONNECTED: "connected_at",
            }[kind]
            app[column] = at
            extra = (
                {"total_payable_yuan": str(app["total_payable_yuan"])}
                if kind is K.CONTRACTED
                else {}
            )
            events.append(_event(kind, at, clerk, status, after, **extra))
            status = after
        last = events[-1]["at"]
        if h.outcome is S.REFUSED:
            assert h.reason is not None
            at = last + timedelta(hours=rng.randint(1, 48))
            note = (
                f"距最近干管 {h.distance} m，超过 {rules.MAX_MAIN_DISTANCE_M:g} m"
                if h.reason is RefusalReason.TOO_FAR_FROM_MAIN
                else "所在村尚未通管网，已列入村村通计划"
                if h.reason is RefusalReason.NO_PIPE_IN_AREA
                else "经核实不符合安装条件"
                if h.reason is RefusalReason.OTHER
                else None
            )
            app.update(refusal_reason=h.reason, refusal_note=note, closed_at=at)
            events.append(
                _event(K.REFUSED, at, surveyor, status, S.REFUSED, note=note, reason=h.reason.value)
            )
        elif h.outcome is S.CANCELLED:
            at = last + timedelta(days=rng.randint(1, 20))
            app["closed_at"] = at
            note = rng.choice(("住户撤回申请", "房屋出售", "暂不改造，明年再议", "已搬迁"))
            events.append(_event(K.CANCELLED, at, clerk, status, S.CANCELLED, note=note))
        app["status"] = h.outcome
        app["created_at"] = applied_at
        app["updated_at"] = events[-1]["at"]
        rows.apps.append(app)
        rows.events.append(events)
        rows.lines.append(lines)
    return rows


def _write(demo: Demo, rows: _Rows) -> list[int]:
    session = demo.session
    apps: Table = ConversionApplication.__table__  # type: ignore[assignment]
    stmt = apps.insert().returning(apps.c.id, sort_by_parameter_order=True)
    ids = list(session.execute(stmt, rows.apps).scalars())
    events = [
        {"application_id": app_id, **e}
        for app_id, evs in zip(ids, rows.events, strict=True)
        for e in evs
    ]
    session.execute(EVENT.insert(), events)
    lines = [
        {"application_id": app_id, **line}
        for app_id, ls in zip(ids, rows.lines, strict=True)
        for line in ls
    ]
    if lines:
        session.execute(LINE.insert(), lines)
    # One audit row per application, as a bulk import writes it (the timeline has the steps).
    audits = [
        {
            "at": evs[-1]["at"],
            "actor_id": None,
            "actor_name": "system",
            "action": "import",
            "entity_type": ENTITY,
            "entity_id": app_id,
            "entity_label": f"{app['code']} {app['applicant_name']}"[:200],
            "owner_id": app["owner_id"],
            "area_id": app["area_id"],
            "changes": {
                "status": [None, app["status"].value],
                "applicant_phone": [None, mask_phone(app["applicant_phone"])],
                "applicant_id_number": [None, mask_id_number(app["applicant_id_number"])],
                "total_payable_yuan": [None, str(app["total_payable_yuan"])]
                if app["total_payable_yuan"] is not None
                else [None, None],
            },
            "reason": "演示数据：历史申请批量导入 demo: past applications loaded in bulk",
            "ip": None,
        }
        for app_id, app, evs in zip(ids, rows.apps, rows.events, strict=True)
    ]
    session.execute(AUDIT.insert(), audits)
    demo.counts["conversion_application"] += len(ids)
    demo.counts["conversion_event"] += len(events)
    return ids


def _close_converted(
    demo: Demo,
    converted: list[tuple[Household, _LpgCustomer, datetime]],
    ids_by_n: dict[int, int],
) -> int:
    """The connect step's second half for the converted LPG households: the record closed
    through the customer service (once its cylinders are back), and the LPG_CLOSED event."""
    session = demo.session
    events = []
    for h, f, _ in converted:
        if h.outcome is not S.CONNECTED or lpg.held_cylinders(session, f.customer.id):
            continue
        app_id = ids_by_n[h.n]
        code = session.scalar(
            select(ConversionApplication.code).where(ConversionApplication.id == app_id)
        )
        if lpg.close(session, SYSTEM, f.customer, f"{code} 瓶改管通气 converted to pipe gas"):
            at = _at(h.step_days[-1], random.Random(h.n)) + timedelta(minutes=30)
            closed = _event(
                K.LPG_CLOSED, at, "system", S.CONNECTED, S.CONNECTED, customer=f.customer.code
            )
            events.append({"application_id": app_id, **closed})
    if events:
        session.execute(EVENT.insert(), events)
        demo.counts["conversion_event"] += len(events)
    return len(events)


def load_conversions(demo: Demo) -> None:
    session = demo.session
    rng = random.Random(demo.rng.randrange(2**31))
    tables = _tables(demo)
    packages = _packages(demo)
    found = survey.network_mains(session, SYSTEM, owner_id=demo.orgs["gas1"].id)
    mains = _Mains(*found[0]) if found else None
    households = _households(demo, rng, mains)
    converted = _link_lpg(demo, rng, households)
    for h in households:
        _survey(h, rng, mains)
    _collect(demo, converted)
    first = (session.scalar(select(func.max(ConversionApplication.id))) or 0) + 1
    rows = _build(demo, rng, households, tables, packages, first)
    ids = _write(demo, rows)
    closed = _close_converted(
        demo, converted, {h.n: i for h, i in zip(households, ids, strict=True)}
    )
    session.flush()
    log.info(
        "demo conversions: %d applications (%d connected), %d LPG records closed",
        len(ids),
        sum(h.outcome is S.CONNECTED for h in households),
        closed,
    )
