"""The benchmark's LPG enterprise on a scratch PostgreSQL database: the registry (district and
grids, the enterprise, its stations, staff with certificates, vehicles) through the services;
the gas batches in one insert; the cylinder archive and the real-name customers by COPY.

Sizes at scale 1: 1,000,000 cylinders, 200,000 customers, 10 filling stations each receiving a
batch a day, 100 supply stations with two vehicles and two delivery workers each."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, NamedTuple

from sqlalchemy import Engine, insert, text

from gaswarden.core.auth import SYSTEM
from gaswarden.core.protect import mask_phone
from gaswarden.db.session import make_session_factory, unit_of_work
from gaswarden.domains.area.service import service as areas
from gaswarden.domains.cylinder.models import GasBatch
from gaswarden.domains.organization.service import service as organizations
from gaswarden.domains.site.service import service as sites
from gaswarden.domains.workforce import service as workforce
from gaswarden.sim import names
from gaswarden.sim.cylinder_history import (
    BatchIn,
    CustomerIn,
    CylinderIn,
    Enterprise,
    StationIn,
    fleet_customers,
    fleet_cylinders,
)
from gaswarden.standards.cylinders import DESIGN_LIFE_YEARS, add_years

BOX = (115.9, 36.4, 116.1, 36.6)  # the bench city: lon0, lat0, lon1, lat1
GRIDS = 4  # 4 x 4 grids
CYLINDERS, CUSTOMERS = 1_000_000, 200_000  # at scale 1
FILLING, SUPPLY = 10, 100


@dataclass
class Built:
    enterprise: Enterprise
    org_id: int
    district_path: str
    filling_ids: list[int]


def _square(lon: float, lat: float, size: float) -> dict[str, object]:
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size]]
    return {"type": "Polygon", "coordinates": [[*ring, [lon, lat]]]}


def _grid_of(lon: float, lat: float) -> int:
    size = (BOX[2] - BOX[0]) / GRIDS
    col = min(int((lon - BOX[0]) / size), GRIDS - 1)
    row = min(int((lat - BOX[1]) / size), GRIDS - 1)
    return row * GRIDS + col


class Registry(NamedTuple):
    org_id: int
    district_path: str
    filling_ids: list[int]
    filling: list[StationIn]
    supply: list[StationIn]
    plates: list[str]
    operators: list[int]
    workers: list[int]
    grid_ids: list[int]


def registry(
    engine: Engine, *, scale: float, start: date, end: date, rng: random.Random
) -> Registry:
    """The district, the enterprise, its stations, staff and vehicles through the services."""
    n_fill, n_sup = max(1, round(FILLING * scale)), max(2, round(SUPPLY * scale))
    size = (BOX[2] - BOX[0]) / GRIDS
    with unit_of_work(make_session_factory(engine)) as session:

        def make(service: Any, **data: Any) -> Any:
            return service.create(session=session, principal=SYSTEM, data=data)

        district = make(areas, code="371599", name="压测市区", level="district",
                        boundary=_square(BOX[0], BOX[1], BOX[2] - BOX[0]))  # fmt: skip
        town = make(
            areas,
            code="371599001",
            name="压测街道",
            level="town",
            parent_id=district.id,
            boundary=_square(BOX[0], BOX[1], BOX[2] - BOX[0]),
        )
        grid_ids = []
        for k in range(GRIDS * GRIDS):
            lon, lat = BOX[0] + (k % GRIDS) * size, BOX[1] + (k // GRIDS) * size
            grid = make(areas, code=f"37159901{k:03d}", name=f"第{k + 1}网格", level="grid",
                        parent_id=town.id, boundary=_square(lon, lat, size))  # fmt: skip
            grid_ids.append(grid.id)
        org = make(organizations, name="压测液化石油气有限公司", kind="lpg", area_id=district.id)

        def station(kind: str, prefix: str, n: int) -> tuple[StationIn, int]:
            lon, lat = rng.uniform(BOX[0], BOX[2]), rng.uniform(BOX[1], BOX[3])
            site = make(sites, code=f"{prefix}-{n:03d}", name=f"压测{prefix}{n}", kind=kind,
                        owner_id=org.id, lon=round(lon, 6), lat=round(lat, 6))  # fmt: skip
            return StationIn(site.code, site.lon, site.lat), site.id

        filling = [station("lpg_filling", "BF", n) for n in range(n_fill)]
        supply = [station("lpg_supply", "BS", n)[0] for n in range(n_sup)]

        def person(position: str, cert: str) -> int:
            p = make(workforce.people, name=names.person_name(rng), owner_id=org.id,
                     position=position)  # fmt: skip
            make(workforce.certificates, person_id=p.id, kind=cert,
                 number=f"B{cert[:2].upper()}{p.id:06d}", issued_on=start - timedelta(days=400),
                 expires_on=end + timedelta(days=900))  # fmt: skip
            return int(p.id)

        operators = [person("filling_operator", "cylinder_filling") for _ in range(4 * n_fill)]
        workers = [person("delivery_worker", "gas_operator") for _ in range(2 * n_sup)]
        plates = []
        for n in range(2 * n_sup):
            v = make(workforce.vehicles, plate=f"鲁P{n:05d}", kind="lpg_delivery",
                     owner_id=org.id, licence_expiry=end + timedelta(days=900))  # fmt: skip
            plates.append(v.plate)
        return Registry(
            org.id, district.path, [i for _, i in filling], [s for s, _ in filling], supply,
            plates, operators, workers, grid_ids,
        )  # fmt: skip


def batches(
    engine: Engine, org_id: int, filling: Sequence[StationIn], site_ids: Sequence[int],
    start: date, end: date,
) -> list[BatchIn]:  # fmt: skip
    """A tanker a day at each filling station (a city's ~300 t/day), in one insert."""
    out: list[BatchIn] = []
    rows: list[dict[str, Any]] = []
    day = start - timedelta(days=1)
    while day < end:
        for st, site_id in zip(filling, site_ids, strict=True):
            code = f"{st.code}-{day:%Y%m%d}"
            out.append(BatchIn(code, day, st.code))
            rows.append(
                dict(code=code, owner_id=org_id, site_id=site_id, supplier="压测炼化",
                     quantity_t=24.0, certificate_no=f"QC-{code}", arrived_on=day)
            )  # fmt: skip
        day += timedelta(days=1)
    with engine.begin() as conn:
        conn.execute(insert(GasBatch), rows)
    return out


def copy_cylinders(
    engine: Engine, cylinders: Sequence[CylinderIn], org_id: int, site_ids: Sequence[int]
) -> None:
    """The archive by COPY: every cylinder empty in stock at one of the filling stations."""
    cols = (
        "tag_code, stamp_serial, maker, made_on, capacity_kg, tare_kg, design_life_years, "
        "life_extended, life_ends_on, last_inspected_on, next_inspection_on, status, revoked, "
        "holds_gas, site_id, owner_id"
    )
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        with cur.copy(f"COPY cylinder ({cols}) FROM STDIN") as copy:
            for n, c in enumerate(cylinders):
                made = c.made_on or date(2020, 1, 1)
                last = add_years(c.next_inspection_on, -4)
                copy.write_row((
                    c.tag_code, f"ST{c.tag_code}", "压测钢瓶厂", made, c.capacity_kg, c.tare_kg,
                    DESIGN_LIFE_YEARS, c.life_ends_on > add_years(made, DESIGN_LIFE_YEARS),
                    c.life_ends_on, last if last > made else None, c.next_inspection_on,
                    "in_stock", False, False, site_ids[n % len(site_ids)], org_id,
                ))  # fmt: skip
        raw.commit()
    finally:
        raw.close()


def copy_customers(
    engine: Engine, customers: Sequence[CustomerIn], org_id: int, grid_ids: Sequence[int],
    rng: random.Random, today: date,
) -> None:  # fmt: skip
    """Real-name customers by COPY: ID number and phone encrypted as ProtectedText does,
    safety checked and passed; catering and commercial ones with alarm and shut-off valve."""
    protector = engine.dialect.gaswarden_protector  # type: ignore[attr-defined]
    cols = (
        "code, kind, name, id_number, id_number_digest, phone, phone_masked, has_gas_alarm, "
        "has_shutoff_valve, safety_status, last_checked_on, registered_on, active, owner_id, "
        "area_id, address, lon, lat"
    )
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        with cur.copy(f"COPY customer ({cols}) FROM STDIN") as copy:
            for c in customers:
                idn = names.id_number(rng)
                name, phone = names.person_name(rng), names.mobile(rng)  # the former order
                business = c.kind.is_commercial
                copy.write_row((
                    c.code, c.kind.value, name, protector.encrypt(idn),
                    protector.digest(idn), protector.encrypt(phone), mask_phone(phone), business,
                    business, "passed", today - timedelta(days=rng.randrange(400)),
                    today - timedelta(days=rng.randrange(400, 3000)), True, org_id,
                    grid_ids[_grid_of(c.lon or BOX[0], c.lat or BOX[1])], "压测市区", c.lon, c.lat,
                ))  # fmt: skip
        raw.commit()
    finally:
        raw.close()


def build(
    engine: Engine, *, scale: float, start: date, end: date, seed: int,
    progress: Callable[[str], None],
) -> Built:  # fmt: skip
    rng = random.Random(seed)
    org_id, path, fill_ids, filling, supply, plates, operators, workers, grid_ids = registry(
        engine, scale=scale, start=start, end=end, rng=rng
    )
    progress(f"registry: {len(filling)} filling + {len(supply)} supply stations, "
             f"{len(plates)} vehicles, {len(operators) + len(workers)} staff")  # fmt: skip
    gas = batches(engine, org_id, filling, fill_ids, start, end)
    cylinders = fleet_cylinders(rng, max(10, round(CYLINDERS * scale)), today=start, prefix="BC")
    copy_cylinders(engine, cylinders, org_id, fill_ids)
    customers = fleet_customers(rng, max(5, round(CUSTOMERS * scale)), box=BOX, prefix="BU")
    copy_customers(engine, customers, org_id, grid_ids, rng, end)
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    progress(f"bulk: {len(cylinders):,} cylinders, {len(customers):,} customers, "
             f"{len(gas):,} gas batches")  # fmt: skip
    enterprise = Enterprise(
        cylinders=cylinders, customers=customers, filling=filling, supply=supply,
        vehicles=plates, operators=operators, delivery_workers=workers, batches=gas,
    )  # fmt: skip
    return Built(enterprise, org_id, path, fill_ids)
