"""Builders that make records through the services (so paths, scope and audit are real)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from gaswarden.core.auth import SYSTEM
from gaswarden.core.enums import Role
from gaswarden.domains.account import service as accounts
from gaswarden.domains.area.service import service as areas
from gaswarden.domains.asset.service import service as assets
from gaswarden.domains.device.service import service as devices
from gaswarden.domains.organization.service import service as organizations
from gaswarden.domains.site.service import assignment_service
from gaswarden.domains.site.service import service as sites
from gaswarden.domains.workforce import service as workforce

PASSWORD = "correct-horse-9"
# A resident ID number with a valid GB 11643 check digit; shown as 3715**********1234.
ID_NUMBER = "371502199001011234"


def square(lon: float, lat: float, size: float = 0.01) -> dict[str, Any]:
    """A square GeoJSON polygon with its south-west corner at (lon, lat)."""
    ring = [
        [lon, lat],
        [lon + size, lat],
        [lon + size, lat + size],
        [lon, lat + size],
        [lon, lat],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


def make(service: Any, session: Session, **data: Any) -> Any:
    return service.create(session=session, principal=SYSTEM, data=data)


@dataclass
class World:
    ids: dict[str, int] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    def headers(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}


def build_world(session: Session) -> World:
    """A district of two towns and three grids, a regulator, two enterprises, an agency,
    four sites with a device each, and one user (with an API token) per role."""
    w = World()
    district = make(
        areas,
        session,
        code="371502",
        name="东昌府区",
        level="district",
        boundary=square(115.90, 36.40, 0.2),
    )
    t1 = make(
        areas,
        session,
        code="371502001",
        name="古楼街道",
        level="town",
        parent_id=district.id,
        boundary=square(115.90, 36.40, 0.1),
    )
    t2 = make(
        areas,
        session,
        code="371502002",
        name="柳园街道",
        level="town",
        parent_id=district.id,
        boundary=square(116.00, 36.40, 0.1),
    )
    g11 = make(
        areas,
        session,
        code="371502001-01",
        name="古楼一网格",
        level="grid",
        parent_id=t1.id,
        boundary=square(115.90, 36.40, 0.05),
    )
    g12 = make(
        areas,
        session,
        code="371502001-02",
        name="古楼二网格",
        level="grid",
        parent_id=t1.id,
        boundary=square(115.95, 36.40, 0.05),
    )
    g21 = make(
        areas,
        session,
        code="371502002-01",
        name="柳园一网格",
        level="grid",
        parent_id=t2.id,
        boundary=square(116.00, 36.40, 0.05),
    )
    w.ids.update(district=district.id, t1=t1.id, t2=t2.id, g11=g11.id, g12=g12.id, g21=g21.id)

    reg = make(
        organizations,
        session,
        name="东昌府区住房和城乡建设局",
        kind="regulator",
        area_id=district.id,
    )
    ent_a = make(
        organizations,
        session,
        name="聊城东昌燃气有限公司",
        kind="pipeline",
        area_id=district.id,
        credit_code="91371502MA3C000001",
        contact_phone="13800000001",
    )
    ent_b = make(
        organizations, session, name="聊城鲁通液化气有限公司", kind="lpg", area_id=district.id
    )
    agency = make(
        organizations, session, name="山东安和检测技术有限公司", kind="agency", area_id=district.id
    )
    w.ids.update(reg=reg.id, ent_a=ent_a.id, ent_b=ent_b.id, agency=agency.id)

    gate = make(
        sites,
        session,
        code="S-A-GATE",
        name="东昌门站",
        kind="gate_station",
        owner_id=ent_a.id,
        lon=115.91,
        lat=36.41,
        contact_phone="13912345678",
    )
    box = make(
        sites,
        session,
        code="S-A-BOX",
        name="古楼二号调压箱",
        kind="regulator_box",
        owner_id=ent_a.id,
        lon=115.96,
        lat=36.41,
    )
    filling = make(
        sites,
        session,
        code="S-B-FILL",
        name="鲁通储配站",
        kind="lpg_filling",
        owner_id=ent_b.id,
        lon=116.01,
        lat=36.41,
    )
    supply = make(
        sites,
        session,
        code="S-B-SUP",
        name="鲁通古楼供应站",
        kind="lpg_supply",
        owner_id=ent_b.id,
        lon=115.92,
        lat=36.42,
    )
    w.ids.update(gate=gate.id, box=box.id, filling=filling.id, supply=supply.id)
    w.ids["assign_gate"] = make(
        assignment_service, session, agency_id=agency.id, site_id=gate.id
    ).id

    for key, site in (
        ("dev_gate", gate),
        ("dev_box", box),
        ("dev_fill", filling),
        ("dev_sup", supply),
    ):
        dev = make(
            devices, session, serial=f"SN-{site.code}", kind="pressure_monitor", site_id=site.id
        )
        w.ids[key] = dev.id
    _add_registry(session, w)

    people = {
        "reg_admin": (Role.REGULATOR_ADMIN, reg.id, []),
        "reg_staff": (Role.REGULATOR_STAFF, reg.id, []),
        "viewer": (Role.VIEWER, reg.id, []),
        "grid_sup": (Role.GRID_SUPERVISOR, reg.id, [g11.id]),
        "ent_a_admin": (Role.ENTERPRISE_ADMIN, ent_a.id, []),
        "ent_a_staff": (Role.ENTERPRISE_STAFF, ent_a.id, []),
        "ent_b_admin": (Role.ENTERPRISE_ADMIN, ent_b.id, []),
        "worker_b": (Role.FIELD_WORKER, ent_b.id, []),
        "inspector": (Role.INSPECTOR, agency.id, []),
    }
    for username, (role, org_id, grids) in people.items():
        user = make(
            accounts.users,
            session,
            username=username,
            display_name=username,
            password=PASSWORD,
            role=role,
            org_id=org_id,
            grid_ids=grids,
            phone="13812345678",
        )
        w.ids[f"user_{username}"] = user.id
        _, token = accounts.create_token(session=session, user=user, name="tests")
        w.tokens[username] = token
    return w


def _add_registry(session: Session, w: World) -> None:
    """Assets, teams, staff with certificates and vehicles: two of each, one per enterprise."""
    ids = w.ids
    reg_a = make(
        assets,
        session,
        code="A-A-REG",
        name="古楼二号调压器",
        kind="regulator",
        site_id=ids["box"],
        inlet_design_mpa=0.4,
        outlet_design_mpa=0.01,
    )
    well_b = make(
        assets,
        session,
        code="A-B-WELL",
        name="鲁通储配站阀井",
        kind="valve_well",
        site_id=ids["filling"],
        design_pressure_mpa=0.2,
    )
    ids.update(asset_reg=reg_a.id, asset_well=well_b.id)
    team_a = make(
        workforce.teams,
        session,
        name="东昌燃气抢险队",
        kind="rescue",
        owner_id=ids["ent_a"],
        base_site_id=ids["gate"],
        leader_name="张强",
        duty_phone="13700001111",
        equipment_sets=12,
    )
    team_b = make(
        workforce.teams,
        session,
        name="鲁通配送队",
        kind="delivery",
        owner_id=ids["ent_b"],
        leader_name="李明",
    )
    ids.update(team_a=team_a.id, team_b=team_b.id)
    person_a = make(
        workforce.people,
        session,
        name="王安全",
        owner_id=ids["ent_a"],
        position="safety_manager",
        id_number=ID_NUMBER,
        phone="13812345678",
        team_id=team_a.id,
    )
    person_b = make(
        workforce.people,
        session,
        name="赵送气",
        owner_id=ids["ent_b"],
        position="delivery_worker",
        phone="13900002222",
        team_id=team_b.id,
    )
    ids.update(person_a=person_a.id, person_b=person_b.id)
    cert_a = make(
        workforce.certificates,
        session,
        person_id=person_a.id,
        kind="gas_safety",
        number="AQ-2023-001",
        issued_on="2023-01-10",
        expires_on="2026-01-09",
    )
    cert_b = make(
        workforce.certificates,
        session,
        person_id=person_b.id,
        kind="hazmat_driver",
        number="WH-2022-007",
        issued_on="2022-05-01",
        expires_on="2028-04-30",
    )
    ids.update(cert_a=cert_a.id, cert_b=cert_b.id)
    veh_a = make(
        workforce.vehicles,
        session,
        plate="鲁P12345",
        kind="rescue",
        owner_id=ids["ent_a"],
        team_id=team_a.id,
    )
    veh_b = make(
        workforce.vehicles,
        session,
        plate="鲁PA8888",
        kind="lpg_delivery",
        owner_id=ids["ent_b"],
        team_id=team_b.id,
        licence_no="鲁交运管聊字001",
        licence_expiry="2027-06-30",
    )
    ids.update(veh_a=veh_a.id, veh_b=veh_b.id)
