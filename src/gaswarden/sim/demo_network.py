"""The pipe network and what sits on it: pipe segments, regulators, valve wells.

Pressures follow GB 50028-2006 table 6.1.6: the long-distance line enters the gate stations
at 4.0 MPa (high A), the city's sub-high ring runs at 1.6 MPa (sub-high A), regulator
stations feed the medium-pressure PE network at 0.4 MPa (medium A), and area, building and
commercial regulator boxes deliver low pressure (< 0.01 MPa) to appliances.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from datetime import date
from typing import Any

from gaswarden.domains.asset.models import Asset
from gaswarden.domains.asset.service import service as assets
from gaswarden.domains.site.enums import SiteKind
from gaswarden.domains.site.models import Site
from gaswarden.sim import names
from gaswarden.sim.context import Demo
from gaswarden.sim.demo_sites import add_site

N_REGULATORS = 400  # the article: 400 pressure monitors on regulator terminals
N_VALVE_WELLS = 600  # the article: 600 valve wells with leak and intrusion monitors
N_WELL_SITES = 12  # the valve chambers on the sub-high lines are registered as sites

# (inlet MPa, outlet MPa, outlet set point kPa) by where the regulator sits.
REGULATOR_PRESSURES: dict[str, tuple[float, float, float]] = {
    "gate": (4.0, 1.6, 1200.0),
    "station": (1.6, 0.4, 350.0),
    "area_box": (0.4, 0.005, 3.0),
    "building": (0.4, 0.004, 2.5),
    "commercial": (0.2, 0.008, 4.5),
}
REGULATOR_MODELS = {
    "gate": ("RC-FL200", "西安秦川调压设备有限公司"),
    "station": ("RC-TZ100", "西安秦川调压设备有限公司"),
    "area_box": ("BX-RTZ50", "沧州恒压燃气设备有限公司"),
    "building": ("BX-RX25", "沧州恒压燃气设备有限公司"),
    "commercial": ("BX-RTZ32", "沧州恒压燃气设备有限公司"),
}


@dataclass
class Line:
    asset: Asset
    coords: list[tuple[float, float]]
    pressure_mpa: float
    owner: str
    length: float  # in degrees, for spacing wells along it


def _route(rng: Any, a: tuple[float, float], b: tuple[float, float]) -> list[tuple[float, float]]:
    """Pipes follow the roads: east-west then north-south, or the other way round."""
    corner = (b[0], a[1]) if rng.random() < 0.5 else (a[0], b[1])
    points = [a, corner, b]
    return [p for i, p in enumerate(points) if i == 0 or p != points[i - 1]]


def _length(coords: list[tuple[float, float]]) -> float:
    return sum(math.dist(p, q) for p, q in itertools.pairwise(coords))


def _along(coords: list[tuple[float, float]], fraction: float) -> tuple[float, float]:
    target = _length(coords) * fraction
    for p, q in itertools.pairwise(coords):
        step = math.dist(p, q)
        if target <= step and step > 0:
            t = target / step
            return round(p[0] + (q[0] - p[0]) * t, 6), round(p[1] + (q[1] - p[1]) * t, 6)
        target -= step
    return coords[-1]


def _nearest(site: Site, candidates: list[Site]) -> Site:
    return min(candidates, key=lambda c: (c.lon - site.lon) ** 2 + (c.lat - site.lat) ** 2)  # type: ignore[operator]


def _install(demo: Demo, first: int = 2006, last: int = 2023) -> date:
    return date(demo.rng.randint(first, last), demo.rng.randint(1, 12), demo.rng.randint(1, 28))


def _code(demo: Demo, prefix: str) -> str:
    demo.counts["code:" + prefix] += 1
    return f"A-{prefix}-{demo.counts['code:' + prefix]:04d}"


def load_pipes(demo: Demo) -> list[Line]:
    """Sub-high steel lines from each gate station to its regulator stations, and
    medium-pressure PE lines from the regulator stations to the boxes and users."""
    rng, lines = demo.rng, []
    for owner in ("gas1", "gas2"):
        gates = demo.sites_of("gate_station", owner=owner)
        stations = demo.sites_of("regulator_station", owner=owner)
        for station in stations:
            gate = _nearest(station, gates)
            lines.append(
                _pipe(demo, gate, station, owner, 1.6, "steel", rng.choice((219, 273, 323.9)))
            )
        users = demo.sites_of(
            "regulator_box", "residential", "restaurant", "commercial", owner=owner
        )
        for user in users:
            station = _nearest(user, stations)
            material = "steel_unprotected" if rng.random() < 0.04 else "pe"
            diameter = rng.choice((110, 160, 200)) if material == "pe" else 159
            lines.append(_pipe(demo, station, user, owner, 0.4, material, diameter))
    return lines


def _pipe(
    demo: Demo, a: Site, b: Site, owner: str, mpa: float, material: str, diameter: float
) -> Line:
    coords = _route(demo.rng, (a.lon, a.lat), (b.lon, b.lat))  # type: ignore[arg-type]
    klass = "次高压" if mpa > 0.8 else "中压"
    asset = demo.make(
        assets,
        code=_code(demo, "PIPE"),
        name=f"{a.name}至{b.name}{klass}管线",
        kind="pipe_segment",
        owner_id=demo.orgs[owner].id,
        design_pressure_mpa=mpa,
        material=material,
        diameter_mm=diameter,
        depth_m=round(demo.rng.uniform(0.9, 1.8), 1),
        geometry={"type": "LineString", "coordinates": [list(p) for p in coords]},
        install_date=_install(demo, 2008 if mpa > 0.8 else 2010),
    )
    return Line(asset, coords, mpa, owner, _length(coords))


def _regulator(demo: Demo, where: str, name: str, owner: str, **at: Any) -> Asset:
    inlet, outlet, set_kpa = REGULATOR_PRESSURES[where]
    model, maker = REGULATOR_MODELS[where]
    return demo.make(
        assets,
        code=_code(demo, "REG"),
        name=name,
        kind="regulator",
        owner_id=demo.orgs[owner].id,
        inlet_design_mpa=inlet,
        outlet_design_mpa=outlet,
        outlet_set_kpa=set_kpa,
        install_date=_install(demo),
        notes=f"{maker} {model}",
        **at,
    )


def load_regulators(demo: Demo, lines: list[Line]) -> list[Asset]:
    """400 regulators: at gate and regulator stations (a working and a standby run), one in
    each area box and commercial user, several building boxes per community, and the rest as
    street boxes along the medium-pressure lines."""
    rng, out = demo.rng, []
    placed: list[tuple[Site, str, int]] = []
    for site in demo.sites:
        kind, owner = site.kind, _owner_key(demo, site)
        if owner not in ("gas1", "gas2"):
            continue
        if kind is SiteKind.GATE_STATION:
            placed += [(site, "gate", 2)]
        elif kind is SiteKind.REGULATOR_STATION:
            placed += [(site, "station", 2)]
        elif kind is SiteKind.REGULATOR_BOX:
            placed += [(site, "area_box", 1)]
        elif kind is SiteKind.RESIDENTIAL:
            placed += [(site, "building", rng.randint(3, 6))]
        elif kind in (SiteKind.RESTAURANT, SiteKind.COMMERCIAL):
            placed += [(site, "commercial", 1)]
    for site, where, count in placed:
        for k in range(1, count + 1):
            label = {"gate": "调压撬", "station": "调压器", "building": "楼栋调压箱"}.get(
                where, "调压器"
            )
            suffix = ("A" if k == 1 else "B") if count == 2 else str(k) if count > 2 else ""
            name = f"{site.name}{label}{suffix}"
            out.append(_regulator(demo, where, name, _owner_key(demo, site), site_id=site.id))
    medium = [line for line in lines if line.pressure_mpa < 1]
    remaining = N_REGULATORS - len(out)
    if remaining < 0:
        raise AssertionError("the sites already hold more than 400 regulators")
    for i in range(remaining):
        line = medium[i % len(medium)]
        lon, lat = _along(line.coords, rng.uniform(0.2, 0.8))
        grid = demo.grid_at(lon, lat)
        road = rng.choice(names.ROADS)
        out.append(
            _regulator(
                demo,
                "area_box",
                f"{road}{rng.randrange(1, 300)}号路边调压箱",
                line.owner,
                lon=lon,
                lat=lat,
                area_id=demo.grid_id(grid),
                address=f"聊城市东昌府区{grid.town.name}{road}",
            )
        )
    return out


def _owner_key(demo: Demo, site: Site) -> str:
    return next(k for k, o in demo.orgs.items() if o.id == site.owner_id)


def load_valve_wells(demo: Demo, lines: list[Line]) -> list[Asset]:
    """600 valve wells spaced along the lines in proportion to their length; the first few on
    the sub-high lines are valve chambers registered as sites of their own."""
    rng = demo.rng
    total = sum(line.length for line in lines)
    shares = [N_VALVE_WELLS * line.length / total for line in lines]
    counts = [int(s) for s in shares]
    # Largest remainders get the wells that rounding down left over.
    for i in sorted(range(len(lines)), key=lambda i: shares[i] - counts[i], reverse=True)[
        : N_VALVE_WELLS - sum(counts)
    ]:
        counts[i] += 1
    wells: list[Asset] = []
    well_sites = 0
    for line, count in zip(lines, counts, strict=True):
        for j in range(count):
            lon, lat = _along(line.coords, (j + 0.5) / count)
            grid = demo.grid_at(lon, lat)
            number = len(wells) + 1
            at: dict[str, Any] = {"lon": lon, "lat": lat, "area_id": demo.grid_id(grid)}
            name = f"{grid.town.name.removesuffix('街道').removesuffix('镇')}{number}号阀井"
            if line.pressure_mpa > 1 and well_sites < N_WELL_SITES and j == 0:
                well_sites += 1
                site = add_site(
                    demo,
                    SiteKind.VALVE_WELL,
                    line.owner,
                    lon,
                    lat,
                    name=f"{name}(次高压阀室)",
                    address=names.address(rng, grid.town.name),
                    contact_name=names.person_name(rng),
                    contact_phone=names.mobile(rng),
                )
                at = {"site_id": site.id}
            wells.append(
                demo.make(
                    assets,
                    code=_code(demo, "VW"),
                    name=name,
                    kind="valve_well",
                    owner_id=demo.orgs[line.owner].id,
                    design_pressure_mpa=line.pressure_mpa,
                    diameter_mm=line.asset.diameter_mm,
                    depth_m=round(rng.uniform(1.2, 2.6), 1),
                    install_date=line.asset.install_date,
                    notes=f"所在管线 {line.asset.code}",
                    **at,
                )
            )
    return wells
