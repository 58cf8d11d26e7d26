"""Emergency teams, staff with certificates, vehicles (the article: 8 professional rescue
teams, 19 vehicles, 225 sets of equipment) and the demo log-ins."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from gaswarden.core.enums import Role
from gaswarden.domains.account import service as accounts
from gaswarden.domains.workforce import service as workforce
from gaswarden.domains.workforce.models import Team
from gaswarden.sim import names
from gaswarden.sim.context import Demo

# (owner, name, equipment sets, rescue vehicles): 8 teams, 225 sets, 11 rescue vehicles.
RESCUE_TEAMS: tuple[tuple[str, str, int, int], ...] = (
    ("gas1", "润昌燃气城区抢险一队", 40, 2),
    ("gas1", "润昌燃气城区抢险二队", 35, 2),
    ("gas1", "润昌燃气管网抢修队", 30, 2),
    ("gas2", "水城燃气应急抢险队", 25, 1),
    ("lpg", "财金液化气储配站应急救援队", 30, 1),
    ("lpg", "财金液化气供应站应急救援队", 20, 1),
    ("lng", "凤凰能源LNG应急救援队", 25, 1),
    ("cng", "运通天然气应急救援队", 20, 1),
)
# LPG delivery teams with their dedicated vehicles: 11 + 8 = 19 vehicles in all.
DELIVERY_TEAMS: tuple[tuple[str, int, int], ...] = (
    ("财金液化气城区配送队", 5, 10),
    ("财金液化气乡镇配送队", 3, 6),
)
# Certificate kind: (number prefix, validity in days)
CERT_RULES = {
    "gas_principal": ("鲁燃考A", 3 * 365),
    "gas_safety": ("鲁燃考B", 3 * 365),
    "gas_operator": ("鲁燃考C", 3 * 365),
    "cylinder_filling": ("TSZY-P", 4 * 365),
    "hazmat_driver": ("鲁交危驾", 6 * 365),
    "hazmat_escort": ("鲁交危押", 6 * 365),
    "other": ("注安", 5 * 365),
}
DEMO_PASSWORD = "gaswarden-demo"


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: Role
    org: str  # organisation key
    display_name: str
    grids_of: str | None = None  # a grid supervisor looks after this town's grids
    scope_zh: str = ""
    scope_en: str = ""


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("reg_admin", Role.REGULATOR_ADMIN, "reg", "监管中心管理员", None,
             "全区", "whole district"),
    DemoUser("reg_staff", Role.REGULATOR_STAFF, "reg", "监管中心科员", None,
             "全区", "whole district"),
    DemoUser("ent_admin", Role.ENTERPRISE_ADMIN, "gas1", "润昌燃气管理员", None,
             "本企业(润昌燃气)", "own enterprise (pipeline gas)"),
    DemoUser("ent_staff", Role.ENTERPRISE_STAFF, "gas1", "润昌燃气安全员", None,
             "本企业(润昌燃气)", "own enterprise (pipeline gas)"),
    DemoUser("lpg_admin", Role.ENTERPRISE_ADMIN, "lpg", "财金液化气管理员", None,
             "本企业(财金液化气)", "own enterprise (state LPG operator)"),
    DemoUser("inspector", Role.INSPECTOR, "agency1", "鲁安技术检查员", None,
             "受委托巡检的场站", "sites assigned to the agency"),
    DemoUser("grid_gulou", Role.GRID_SUPERVISOR, "reg", "古楼街道网格监管员", "古楼街道",
             "古楼街道各网格", "the grids of Gulou street"),
    DemoUser("field_worker", Role.FIELD_WORKER, "lpg", "财金液化气送气工", None,
             "本企业(财金液化气)", "own enterprise (state LPG operator)"),
    DemoUser("viewer", Role.VIEWER, "assoc", "行业协会(只读)", None,
             "全区(只读)", "whole district, read-only"),
    # Those who carry out the year of inspections in the demo's history (sim/demo_history.py):
    # the second agency's inspector and a safety officer at each remaining enterprise.
    DemoUser("inspector2", Role.INSPECTOR, "agency2", "正衡检测检查员", None,
             "受委托巡检的场站", "sites assigned to the agency"),
    DemoUser("gas2_staff", Role.ENTERPRISE_STAFF, "gas2", "水城燃气安全员", None,
             "本企业(水城燃气)", "own enterprise (pipeline gas, west)"),
    DemoUser("lng_staff", Role.ENTERPRISE_STAFF, "lng", "凤凰能源安全员", None,
             "本企业(凤凰能源)", "own enterprise (LNG/CNG)"),
    DemoUser("cng_staff", Role.ENTERPRISE_STAFF, "cng", "运通天然气安全员", None,
             "本企业(运通天然气)", "own enterprise (CNG)"),
)  # fmt: skip


def _person(
    demo: Demo,
    owner: str,
    position: str,
    cert: str | None,
    team: Team | None = None,
    name: str | None = None,
) -> None:
    rng = demo.rng
    name = name or names.person_name(rng)
    person = demo.make(
        workforce.people,
        name=name,
        owner_id=demo.orgs[owner].id,
        position=position,
        id_number=names.id_number(rng),
        phone=names.mobile(rng),
        team_id=team.id if team else None,
    )
    if cert:
        prefix, valid = CERT_RULES[cert]
        issued = demo.today - timedelta(days=rng.randint(30, int(valid * 1.06)))
        demo.counts["cert:" + cert] += 1
        demo.make(
            workforce.certificates,
            person_id=person.id,
            kind=cert,
            number=f"{prefix}{issued.year}{demo.counts['cert:' + cert]:05d}",
            issued_on=issued,
            expires_on=issued + timedelta(days=valid),
        )


def _vehicle(demo: Demo, owner: str, kind: str, team: Team, used: set[str]) -> None:
    rng = demo.rng
    demo.make(
        workforce.vehicles,
        plate=names.plate(rng, used),
        kind=kind,
        owner_id=demo.orgs[owner].id,
        team_id=team.id,
        licence_no=f"鲁交运管聊字371502{rng.randrange(10**6):06d}",
        licence_expiry=demo.days(-30, 900) if kind == "lpg_delivery" else demo.days(200, 1500),
        status="repair" if rng.random() < 0.08 else "in_service",
    )


def load_workforce(demo: Demo) -> None:
    rng = demo.rng
    plates: set[str] = set()
    for owner in ("gas1", "gas2", "lpg", "lng", "cng"):
        _person(demo, owner, "principal", "gas_principal")
        for _ in range(2 if owner in ("gas1", "lpg") else 1):
            _person(demo, owner, "safety_manager", "gas_safety")
    for owner, name, sets, n_vehicles in RESCUE_TEAMS:
        base = next(iter(demo.sites_of(*_BASE_KINDS[owner], owner=owner)), None)
        leader = names.person_name(rng)
        team = demo.make(
            workforce.teams,
            name=name,
            kind="rescue",
            owner_id=demo.orgs[owner].id,
            base_site_id=base.id if base else None,
            leader_name=leader,
            duty_phone=names.mobile(rng),
            equipment_sets=sets,
        )
        _person(demo, owner, "rescue", "gas_operator", team, name=leader)
        for _ in range(4):
            _person(demo, owner, "rescue", "gas_operator", team)
        for _ in range(n_vehicles):
            _vehicle(demo, owner, "rescue", team, plates)
    patrol = demo.make(
        workforce.teams, name="润昌燃气管网巡线队", kind="patrol", owner_id=demo.orgs["gas1"].id
    )
    for _ in range(4):
        _person(demo, "gas1", "operator", "gas_operator", patrol)
    filling = demo.sites_of("lpg_filling")
    for _ in range(6):
        _person(demo, "lpg", "filling_operator", "cylinder_filling")
    for name, n_vehicles, n_workers in DELIVERY_TEAMS:
        team = demo.make(
            workforce.teams,
            name=name,
            kind="delivery",
            owner_id=demo.orgs["lpg"].id,
            base_site_id=filling[0].id,
            duty_phone=names.mobile(rng),
        )
        for _ in range(n_workers):
            _person(demo, "lpg", "delivery_worker", "gas_operator", team)
        for _ in range(n_vehicles):
            _person(demo, "lpg", "driver", "hazmat_driver", team)
            _person(demo, "lpg", "escort", "hazmat_escort", team)
            _vehicle(demo, "lpg", "lpg_delivery", team, plates)
    for agency in ("agency1", "agency2"):
        for _ in range(6):
            _person(demo, agency, "inspector", "other")


_BASE_KINDS = {
    "gas1": ("gate_station",),
    "gas2": ("gate_station",),
    "lpg": ("lpg_filling",),
    "lng": ("lng_station",),
    "cng": ("cng_station",),
}


def load_users(demo: Demo) -> None:
    for user in DEMO_USERS:
        grids = demo.town(user.grids_of).grids if user.grids_of else []
        demo.make(
            accounts.users,
            username=user.username,
            display_name=user.display_name,
            password=DEMO_PASSWORD,
            role=user.role,
            org_id=demo.orgs[user.org].id,
            phone=names.mobile(demo.rng),
            grid_ids=[demo.grid_id(g) for g in grids],
        )
