"""The demo's hydraulic network: pandapipes' Schutterwald gas network placed in 古楼街道.

Schutterwald is a planned low-pressure network along the streets of a real town in Baden
(2,559 junctions, ~101 km, one feed, 1,506 house connections), shipped with pandapipes. We
lift it from its Gauss-Krüger metres onto the centre of one town of the demo district, owned
by the city's pipeline gas enterprise, fed by a regulator station with a capacity comfortably
above the peak, watched by 20 pressure monitors spread over the mains and an inlet flow meter,
and cut into shut-off segments by ~40 valves in valve wells.

Its own seeded randomness: the demo's shared generator is left untouched for the later steps.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import numpy as np
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from gaswarden.core.auth import SYSTEM
from gaswarden.domains.asset.service import service as assets
from gaswarden.domains.device.enums import DeviceKind
from gaswarden.domains.device.service import service as devices
from gaswarden.domains.network import service as networks
from gaswarden.domains.network.enums import JunctionRole
from gaswarden.domains.network.models import (
    DemandHour,
    NetworkJunction,
    NetworkPipe,
    PipeNetwork,
)
from gaswarden.network import importer
from gaswarden.network.geo import placed
from gaswarden.network.model import schutterwald, to_json
from gaswarden.network.validate import validate
from gaswarden.sim.context import Demo
from gaswarden.sim.demand_history import demand_history
from gaswarden.sim.demo_devices import CATALOGUE

NETWORK_CODE = "GL-NET"
NETWORK_NAME = "古楼街道中低压管网(Schutterwald)"
TOWN = "古楼街道"
OWNER = "gas1"
FEED_NAME = "润昌燃气古楼区域调压站"
N_PRESSURE_MONITORS = 20
N_VALVES = 40
NORMAL_DENSITY_KG_M3 = 0.73  # hgas at 0 °C, 1.01325 bar (pandapipes' fluid table)
# The nominal loads are yearly means; the coldest hour draws ~3-4 times that (practice value
# for residential heating). The regulator station is sized at five times the mean.
CAPACITY_FACTOR = 5.0
SEED = 6
# The lowest pressure the house regulators on this 1 bar network may see (practice value for
# the demo: a cold spell's peak hour comes close to it).
MIN_PRESSURE_BAR = 0.85
FORECAST_DAYS = 9  # the temperature forecast stored ahead, for the week-ahead plan


def farthest_points(xy: np.ndarray, k: int, start: np.ndarray) -> list[int]:
    """`k` rows of `xy` spread out: each the farthest from the start and those before it."""
    nearest = np.hypot(*(xy - start).T)
    chosen: list[int] = []
    for _ in range(min(k, len(xy))):
        pick = int(np.argmax(nearest))
        chosen.append(pick)
        nearest = np.minimum(nearest, np.hypot(*(xy - xy[pick]).T))
    return chosen


def load_pipe_network(demo: Demo) -> PipeNetwork:
    session = demo.session
    rng = random.Random(SEED)
    town = demo.town(TOWN)
    owner = demo.orgs[OWNER]
    net = schutterwald()
    net.ext_grid["name"] = FEED_NAME
    service_lines = net.pipe.inner_diameter_mm <= 50.0
    net.pipe["material"] = None
    net.pipe.loc[service_lines, "material"] = "pe"  # house connections: PE 63 SDR 11
    imported = importer.read(to_json(net), fmt="pandapipes", crs="EPSG:31467")
    report = validate(imported.net, parsed=imported.findings)
    box = town.box
    geo = imported.net.junction_geodata
    origin = placed(geo.x, geo.y, (box.west + box.east) / 2, (box.south + box.north) / 2)
    network = networks.import_network(
        session=session,
        principal=SYSTEM,
        data={
            "code": NETWORK_CODE,
            "name": NETWORK_NAME,
            "owner_id": owner.id,
            "area_id": demo.area_ids[town.code],
            "min_pressure_bar": MIN_PRESSURE_BAR,
            "notes": "pandapipes Schutterwald 规划管网,置于古楼街道 "
            "(a planned network along a real town's streets, placed in the demo district)",
        },
        imported=imported,
        report=report,
        origin=origin,
    )
    demo.counts["pipe_network"] += 1
    demo.counts["network_junction"] += network.junctions
    demo.counts["network_pipe"] += network.pipes
    inflow_m3h = float(report.figures["demand_kg_s"]) / NORMAL_DENSITY_KG_M3 * 3600.0
    capacity = round(inflow_m3h * CAPACITY_FACTOR, -2)
    networks.set_feed_capacity(
        session=session, principal=SYSTEM, id=network.id, feed=0, data={"capacity_m3h": capacity}
    )
    _sensors(demo, network, rng)
    _valves(demo, network, rng)
    annual_m3 = float(net.sink["demand_m3_per_a"].sum())
    demo.counts["network_demand_hour"] += load_demand_history(session, network, annual_m3)
    return network


def load_demand_history(
    session: Session, network: PipeNetwork, annual_m3: float, *, end: datetime | None = None
) -> int:
    """Two years of the feed's hourly inflow and temperature up to now (sim/demand_history.py),
    and the temperature forecast for the days ahead (volume not yet metered)."""
    now = (end or datetime.now(UTC)).replace(minute=0, second=0, microsecond=0)
    frame = demand_history(
        annual_m3=annual_m3, end=now + timedelta(days=FORECAST_DAYS + 1), seed=SEED
    )
    rows = [
        {
            "network_id": network.id,
            "feed": 0,
            "hour": hour.to_pydatetime(),
            "volume_m3": None if hour >= now else round(float(volume), 2),
            "temperature_c": round(float(temp), 1),
        }
        for hour, volume, temp in frame.itertuples(index=False)
    ]
    session.execute(insert(DemandHour), rows)
    return len(rows)


def _device(demo: Demo, kind: DeviceKind, serial: str, asset_id: int, rng: random.Random) -> int:
    _, model, maker, interval, life = CATALOGUE[kind]
    installed = demo.today - timedelta(days=rng.randint(30, 400))
    device = demo.make(
        devices,
        serial=serial,
        kind=kind,
        status="active",
        model=model,
        maker=maker,
        asset_id=asset_id,
        install_date=installed,
        expiry_date=installed.replace(year=installed.year + life, day=min(installed.day, 28)),
        report_interval_s=interval,
        notes=f"管网 {NETWORK_CODE} 监测点 network sensor",
    )
    return int(device.id)


def _sensors(demo: Demo, network: PipeNetwork, rng: random.Random) -> None:
    rows = demo.session.execute(
        select(
            NetworkJunction.index.label("junction"),
            NetworkJunction.role,
            NetworkJunction.x_m,
            NetworkJunction.y_m,
            NetworkJunction.asset_id,
        )
        .where(NetworkJunction.network_id == network.id)
        .order_by(NetworkJunction.index)
    ).all()
    feed = next(r for r in rows if r.role is JunctionRole.FEED)
    mains = [r for r in rows if r.role is JunctionRole.MAINS]
    xy = np.array([[r.x_m, r.y_m] for r in mains])
    for n, k in enumerate(farthest_points(xy, N_PRESSURE_MONITORS, np.array([feed.x_m, feed.y_m]))):
        at = mains[k]
        device_id = _device(
            demo, DeviceKind.PRESSURE_MONITOR, f"PM-GL{n + 1:03d}", int(at.asset_id), rng
        )
        networks.bind_sensor(
            session=demo.session,
            principal=SYSTEM,
            id=network.id,
            data={"device_id": device_id, "junction": int(at.junction)},
        )
    meter = _device(demo, DeviceKind.FLOW_METER, "FM-GL001", int(feed.asset_id), rng)
    networks.bind_sensor(
        session=demo.session,
        principal=SYSTEM,
        id=network.id,
        data={"device_id": meter, "feed": 0},
    )


def _valves(demo: Demo, network: PipeNetwork, rng: random.Random) -> None:
    """Valves on mains pipes at branch junctions, spread out over the network."""
    session = demo.session
    roles = {
        int(i): role
        for i, role in session.execute(
            select(NetworkJunction.index, NetworkJunction.role).where(
                NetworkJunction.network_id == network.id
            )
        )
    }
    pipes = session.execute(
        select(NetworkPipe.index.label("pipe"), NetworkPipe.from_junction, NetworkPipe.to_junction,
               NetworkPipe.diameter_mm, NetworkPipe.asset_id)
        .where(NetworkPipe.network_id == network.id).order_by(NetworkPipe.index)
    ).all()  # fmt: skip
    degree: dict[int, int] = {}
    for p in pipes:
        for end in (p.from_junction, p.to_junction):
            degree[end] = degree.get(end, 0) + 1
    mains = [
        p
        for p in pipes
        if roles[p.from_junction] is not JunctionRole.SERVICE
        and roles[p.to_junction] is not JunctionRole.SERVICE
        and max(degree[p.from_junction], degree[p.to_junction]) >= 3
    ]
    xy = np.array(
        session.execute(
            select(NetworkJunction.x_m, NetworkJunction.y_m)
            .where(NetworkJunction.network_id == network.id)
            .order_by(NetworkJunction.index)
        ).all()
    )
    mid = np.array([(xy[p.from_junction] + xy[p.to_junction]) / 2 for p in mains])
    feed_xy = xy[next(i for i, r in roles.items() if r is JunctionRole.FEED)]
    origin = networks.origin_of(network)
    assert origin is not None
    for n, k in enumerate(sorted(farthest_points(mid, N_VALVES, feed_xy)), 1):
        pipe = mains[k]
        at = pipe.from_junction if degree[pipe.from_junction] >= 3 else pipe.to_junction
        lon, lat = origin.to_lonlat(*xy[at])
        well = demo.make(
            assets,
            code=f"{NETWORK_CODE}-V{n:02d}",
            name=f"古楼管网{n}号阀井",
            kind="valve_well",
            owner_id=network.owner_id,
            lon=round(float(lon), 6),
            lat=round(float(lat), 6),
            design_pressure_mpa=0.1,
            diameter_mm=pipe.diameter_mm,
            depth_m=round(rng.uniform(1.0, 1.8), 1),
        )
        networks.add_valve(
            session=session,
            principal=SYSTEM,
            id=network.id,
            data={"pipe": int(pipe.pipe), "at_junction": int(at), "asset_id": well.id,
                  "name": f"V{n:02d}"},
        )  # fmt: skip
