"""Areas and grids, organisations, gas sites and the agencies' inspection assignments."""

from __future__ import annotations

from datetime import date, timedelta

from gaswarden.domains.area.service import service as areas
from gaswarden.domains.organization.service import service as organizations
from gaswarden.domains.site.enums import SiteKind
from gaswarden.domains.site.models import Site
from gaswarden.domains.site.service import assignment_service
from gaswarden.domains.site.service import service as sites
from gaswarden.sim import names
from gaswarden.sim.context import Demo
from gaswarden.sim.geography import DISTRICT, Town, district_box

# key: (name, short name, kind). Invented companies of the kinds the article names.
ORGANISATIONS: dict[str, tuple[str, str, str]] = {
    "reg": ("东昌府区住建局燃气安全监管中心", "区燃气监管中心", "regulator"),
    "gas1": ("聊城润昌燃气有限公司", "润昌燃气", "pipeline"),
    "gas2": ("聊城水城管道燃气有限公司", "水城燃气", "pipeline"),
    # The state-owned integrated LPG operator (the article's 省财金公司 model).
    "lpg": ("聊城财金液化石油气有限公司", "财金液化气", "lpg"),
    "lng": ("聊城凤凰清洁能源有限公司", "凤凰能源", "lng_cng"),
    "cng": ("东昌运通天然气有限公司", "运通天然气", "lng_cng"),
    "agency1": ("山东鲁安燃气安全技术服务有限公司", "鲁安技术", "agency"),
    "agency2": ("聊城正衡检测技术有限公司", "正衡检测", "agency"),
    "assoc": ("东昌府区燃气行业协会", "燃气行业协会", "association"),
}
LICENCE_LETTER = {"pipeline": "G", "lpg": "L", "lng_cng": "T"}

# Pipeline networks: 润昌 supplies the city and the streets east of it; 水城 the two towns
# in the west (村村通).
GAS2_TOWNS = ("堂邑镇", "侯营镇")

# (kind, owner, how many, where: "urban" | "rural" | "gas1" | "gas2" | "all" | town names)
SITE_PLAN: tuple[tuple[SiteKind, str, int, str | tuple[str, ...]], ...] = (
    (SiteKind.GATE_STATION, "gas1", 2, ("道口铺街道", "阎寺街道")),
    (SiteKind.GATE_STATION, "gas2", 1, ("堂邑镇",)),
    (SiteKind.LPG_FILLING, "lpg", 2, ("侯营镇", "凤凰街道")),
    (SiteKind.LPG_SUPPLY, "lpg", 18, "all"),
    (SiteKind.LNG_STATION, "lng", 4, ("凤凰街道", "道口铺街道", "阎寺街道", "堂邑镇")),
    (SiteKind.CNG_STATION, "lng", 3, "all"),
    (SiteKind.CNG_STATION, "cng", 4, "all"),
    (SiteKind.REGULATOR_STATION, "gas1", 22, "gas1"),
    (SiteKind.REGULATOR_STATION, "gas2", 8, "gas2"),
    (SiteKind.REGULATOR_BOX, "gas1", 30, "gas1"),
    (SiteKind.REGULATOR_BOX, "gas2", 10, "gas2"),
    (SiteKind.RESIDENTIAL, "gas1", 32, "gas1"),
    (SiteKind.RESIDENTIAL, "gas2", 8, "gas2"),
    (SiteKind.RESTAURANT, "gas1", 28, "urban"),
    (SiteKind.RESTAURANT, "lpg", 12, "all"),
    (SiteKind.COMMERCIAL, "gas1", 8, "urban"),
    (SiteKind.COMMERCIAL, "gas2", 2, "gas2"),
    (SiteKind.COMMERCIAL, "lpg", 2, "rural"),
)
PREFIX = {
    SiteKind.GATE_STATION: "GS",
    SiteKind.LPG_FILLING: "LF",
    SiteKind.LPG_SUPPLY: "LS",
    SiteKind.LNG_STATION: "LNG",
    SiteKind.CNG_STATION: "CNG",
    SiteKind.REGULATOR_STATION: "RS",
    SiteKind.REGULATOR_BOX: "RB",
    SiteKind.VALVE_WELL: "VW",
    SiteKind.RESTAURANT: "RT",
    SiteKind.COMMERCIAL: "CM",
    SiteKind.RESIDENTIAL: "RC",
}
# Stations that need a gas business licence (燃气经营许可证) and that the agencies inspect.
LICENSED = {
    SiteKind.GATE_STATION,
    SiteKind.LPG_FILLING,
    SiteKind.LPG_SUPPLY,
    SiteKind.LNG_STATION,
    SiteKind.CNG_STATION,
}
INSPECTED = LICENSED | {SiteKind.REGULATOR_STATION, SiteKind.REGULATOR_BOX}


def load_areas(demo: Demo) -> None:
    rng = demo.rng
    district = demo.make(
        areas,
        code=DISTRICT[0],
        name=DISTRICT[1],
        level="district",
        boundary=district_box().polygon(),
        notes="聊城市东昌府区(演示数据)",
    )
    demo.area_ids[DISTRICT[0]] = district.id
    for town in demo.towns:
        row = demo.make(
            areas,
            code=town.code,
            name=town.name,
            level="town",
            parent_id=district.id,
            boundary=town.box.polygon(),
            supervisor_name=names.person_name(rng),
            supervisor_phone=names.mobile(rng),
            notes="镇(街道)燃气安全监管站",
        )
        demo.area_ids[town.code] = row.id
        for grid in town.grids:
            g = demo.make(
                areas,
                code=grid.code,
                name=grid.name,
                level="grid",
                parent_id=row.id,
                boundary=grid.box.polygon(),
                supervisor_name=names.person_name(rng),
                supervisor_phone=names.mobile(rng),
            )
            demo.area_ids[grid.code] = g.id


def load_organisations(demo: Demo) -> None:
    rng = demo.rng
    district_id = demo.area_ids[DISTRICT[0]]
    for key, (name, short, kind) in ORGANISATIONS.items():
        letter = LICENCE_LETTER.get(kind)
        demo.orgs[key] = demo.make(
            organizations,
            name=name,
            short_name=short,
            kind=kind,
            credit_code=None if kind == "regulator" else names.credit_code(rng),
            area_id=district_id,
            address=names.address(rng, rng.choice(demo.towns).name),
            contact_name=names.person_name(rng),
            contact_phone=names.landline(rng),
            licence_no=f"鲁{2019 + rng.randrange(5)}1502{len(demo.orgs):04d}{letter}"
            if letter
            else None,
            licence_expiry=demo.days(400, 1500) if letter else None,
        )


def _towns_for(demo: Demo, where: str | tuple[str, ...]) -> list[Town]:
    if isinstance(where, tuple):
        return [demo.town(n) for n in where]
    if where == "all":
        return demo.towns
    if where == "urban":
        return [t for t in demo.towns if t.urban]
    if where == "rural":
        return [t for t in demo.towns if not t.urban]
    if where == "gas2":
        return [t for t in demo.towns if t.name in GAS2_TOWNS]
    return [t for t in demo.towns if t.name not in GAS2_TOWNS]  # "gas1"


def _site_name(demo: Demo, kind: SiteKind, town: Town, owner: str, n: int, used: set[str]) -> str:
    rng, short = demo.rng, town.name.removesuffix("街道").removesuffix("镇")
    brand = ORGANISATIONS[owner][1].removesuffix("燃气").removesuffix("天然气")
    match kind:
        case SiteKind.RESIDENTIAL:
            return names.community_name(rng, used)
        case SiteKind.RESTAURANT:
            return names.restaurant_name(rng, used)
        case SiteKind.COMMERCIAL:
            return names.commercial_name(rng, used)
        case SiteKind.REGULATOR_BOX:
            return f"{short}{n}号区域调压箱"
        case SiteKind.REGULATOR_STATION:
            return f"{short}{n}号调压站"
        case SiteKind.LPG_SUPPLY:
            return f"{brand}{short}供应站" + (f"{n}" if n > 1 else "")
        case _:
            return f"{brand}{short}{kind.zh}" + (f"{n}" if n > 1 else "")


def add_site(
    demo: Demo, kind: SiteKind, owner: str, lon: float, lat: float, **extra: object
) -> Site:
    grid = demo.grid_at(lon, lat)
    code = f"S-{PREFIX[kind]}-{demo.counts['site:' + kind.value] + 1:03d}"
    demo.counts["site:" + kind.value] += 1
    site: Site = demo.make(
        sites,
        code=code,
        kind=kind,
        owner_id=demo.orgs[owner].id,
        area_id=demo.grid_id(grid),
        lon=lon,
        lat=lat,
        **extra,
    )
    demo.sites.append(site)
    demo.site_grid[code] = grid
    return site


def load_sites(demo: Demo) -> None:
    rng = demo.rng
    used: set[str] = set()
    per_town: dict[tuple[SiteKind, str], int] = {}
    for kind, owner, count, where in SITE_PLAN:
        towns = _towns_for(demo, where)
        for i in range(count):
            spread = isinstance(where, tuple) or count >= len(towns)
            town = towns[i % len(towns)] if spread else rng.choice(towns)
            grid = rng.choice(town.grids)
            lon, lat = grid.box.point(rng)
            n = per_town[(kind, town.name)] = per_town.get((kind, town.name), 0) + 1
            name = _site_name(demo, kind, town, owner, n, used)
            licensed = kind in LICENSED
            suspended = kind is SiteKind.LPG_SUPPLY and i == 7
            add_site(
                demo,
                kind,
                owner,
                lon,
                lat,
                name=name,
                address=names.address(rng, town.name),
                licence_no=f"鲁燃经{rng.randrange(10**8):08d}" if licensed else None,
                licence_expiry=_licence_expiry(demo) if licensed else None,
                contact_name=names.person_name(rng),
                contact_phone=names.mobile(rng),
                status="suspended" if suspended else "operating",
                notes="停业整改:钢瓶储存区防爆设施不全" if suspended else None,
            )


def _licence_expiry(demo: Demo) -> date:
    """Most licences run for years; about one in eight has lapsed or lapses within a month,
    so that the registry has something to flag."""
    roll = demo.rng.random()
    if roll < 0.06:
        return demo.days(-120, -5)
    if roll < 0.13:
        return demo.days(3, 28)
    return demo.days(90, 1460)


def load_assignments(demo: Demo) -> None:
    """The two agencies split the stations between them (第三方专项巡检), a year at a time."""
    inspected = [s for s in demo.sites if s.kind in INSPECTED]
    until = demo.today + timedelta(days=365)
    for i, site in enumerate(inspected):
        agency = demo.orgs["agency1" if i % 2 == 0 else "agency2"]
        demo.make(assignment_service, agency_id=agency.id, site_id=site.id, valid_until=until)
