"""The demo's emergency response: plans (the district's and each enterprise's, with versions,
some reviews overdue), the rescue teams' skills, bases and duty, equipment and material
reserves (their `sets` add up to each team's equipment sets: 225 in all, the article's
figure), emergency contacts, an invented road network linking the towns, and a year of
drills (about 20 a year: the article counts 60+ since 2022) and of incidents with their
response times.

The district, its towns and its roads are invented (see sim/geography.py): the road network
is a plausible lattice of county roads with a river in the east crossed by three bridges,
not a survey of any real place."""

from __future__ import annotations

from contextlib import suppress
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from gaswarden.core.auth import SYSTEM, Principal
from gaswarden.core.errors import Conflict
from gaswarden.core.localtime import LOCAL_ZONE
from gaswarden.domains.account import service as accounts
from gaswarden.domains.account.models import User
from gaswarden.domains.emergency import (
    contacts,
    drills,
    incidents,
    plans,
    ranking,
    reserves,
    response,
    roads,
    teams,
)
from gaswarden.domains.emergency.enums import (
    DrillKind,
    DrillRating,
    IncidentGrade,
    IncidentSource,
    PlanLevel,
)
from gaswarden.domains.emergency.models import EmergencyPlan
from gaswarden.domains.emergency.schemas import (
    DrillActionCreate,
    DrillCreate,
    DrillHeld,
    IncidentOpen,
    PlanApprove,
    PlanCreate,
    PlanVersionCreate,
)
from gaswarden.domains.workforce.enums import DutyStatus, TeamKind
from gaswarden.domains.workforce.models import Team
from gaswarden.sim import names
from gaswarden.sim.context import Demo
from gaswarden.sim.demo_history import history_start
from gaswarden.sim.demo_sites import GAS2_TOWNS
from gaswarden.sim.demo_workforce import RESCUE_TEAMS
from gaswarden.sim.geography import EAST, NORTH, SOUTH, WEST
from gaswarden.standards.emergency import PLAN_REVIEW_YEARS

TZ = LOCAL_ZONE

# ---- teams: where they wait, what they can do, whether they can be sent ----------------------
# The town each rescue team is based in (RESCUE_TEAMS order), so that they cover the district.
TEAM_TOWNS = (
    "古楼街道",
    "新区街道",
    "柳园街道",
    "堂邑镇",
    "道口铺街道",
    "湖西街道",
    "凤凰街道",
    "阎寺街道",
)
SKILLS = {
    "gas1": ["管道抢修", "带压堵漏", "不停输封堵", "燃气检测"],
    "gas2": ["管道抢修", "带压堵漏", "燃气检测"],
    "lpg": ["液化气泄漏处置", "倒罐", "钢瓶堵漏", "消防灭火"],
    "lng": ["LNG泄漏处置", "低温防护", "消防灭火"],
    "cng": ["CNG泄漏处置", "高压设备处置", "消防灭火"],
}
# Duty on the demo's day: one team in stand-by, one resting after a night call-out.
DUTY = {5: DutyStatus.STANDBY, 7: DutyStatus.OFF_DUTY}

# ---- reserves: how a team's equipment sets are held, by kind (shares of its sets) -------------
EQUIPMENT: tuple[tuple[str, str, str, float], ...] = (
    ("gas_detector", "便携式可燃气体检测仪", "台", 0.22),
    ("breathing_apparatus", "正压式空气呼吸器", "套", 0.16),
    ("explosion_proof_tools", "防爆工具组", "套", 0.12),
    ("leak_sealing", "带压堵漏器材", "套", 0.12),
    ("pipe_repair", "管道抢修器材", "套", 0.10),
    ("communication", "防爆对讲机", "台", 0.10),
    ("lighting_power", "防爆照明及发电机", "台", 0.08),
    ("ventilation", "防爆排风机", "台", 0.05),
    ("fire_extinguisher", "灭火器材", "套", 0.05),
)  # the shares add up to 1; the last kind takes what rounding leaves
MATERIALS: tuple[tuple[str, str, str, int], ...] = (
    ("leak_sealing", "堵漏胶棒及密封剂", "箱", 6),
    ("protective_clothing", "防静电防护服", "套", 20),
    ("cordon", "警戒带及锥桶", "套", 10),
    ("spare_pipe", "PE管材及管件", "米", 120),
)
DISTRICT_STORE = (
    ("spare_pipe", "区级储备PE管材(DN110)", "米", 600),
    ("protective_clothing", "区级储备防化服", "套", 60),
    ("fire_extinguisher", "区级储备干粉灭火器", "具", 200),
    ("cordon", "区级储备警戒器材", "套", 40),
    ("lighting_power", "区级储备移动照明灯塔", "台", 0),
)

# ---- plans -----------------------------------------------------------------------------------
# (owner, code, title, level, first effective, revision effective or None, review overdue)
PLANS: tuple[tuple[str | None, str, str, PlanLevel, int, int | None, bool], ...] = (
    (None, "DCF-RQ-ZT", "东昌府区燃气事故应急预案", PlanLevel.DISTRICT, 2020, 2023, False),
    (None, "DCF-RQ-YQ", "东昌府区液化石油气事故专项应急预案", PlanLevel.SPECIAL, 2021, None, False),
    ("gas1", "RC-ZH", "润昌燃气生产安全事故综合应急预案", PlanLevel.ENTERPRISE, 2019, 2023, False),
    ("gas1", "RC-GW", "润昌燃气管网泄漏专项应急预案", PlanLevel.SPECIAL, 2020, 2024, False),
    ("gas1", "RC-MZ", "润昌燃气门站现场处置方案", PlanLevel.ON_SITE, 2021, None, False),
    ("gas2", "SC-ZH", "水城燃气综合应急预案", PlanLevel.ENTERPRISE, 2020, None, True),
    ("lpg", "CJ-ZH", "财金液化气综合应急预案", PlanLevel.ENTERPRISE, 2019, 2022, False),
    ("lpg", "CJ-CP", "财金液化气储配站泄漏着火现场处置方案", PlanLevel.ON_SITE, 2021, 2024, False),
    ("lng", "FH-ZH", "凤凰能源LNG站综合应急预案", PlanLevel.ENTERPRISE, 2021, None, True),
    ("cng", "YT-ZH", "运通天然气CNG站综合应急预案", PlanLevel.ENTERPRISE, 2020, 2023, False),
)  # fmt: skip
SCENARIOS = {
    PlanLevel.DISTRICT: ["管道燃气泄漏", "燃气爆炸", "大面积停气", "液化气钢瓶泄漏"],
    PlanLevel.ENTERPRISE: ["管道泄漏", "场站火灾", "停气事故", "第三方破坏"],
    PlanLevel.SPECIAL: ["管道泄漏", "燃气爆炸"],
    PlanLevel.ON_SITE: ["法兰泄漏", "储罐泄漏着火"],
}

# ---- contacts: (name role, unit, min grade) ----------------------------------------------------
DISTRICT_CONTACTS: tuple[tuple[str, str, IncidentGrade], ...] = (
    ("区长", "东昌府区人民政府", IncidentGrade.II),
    ("分管副区长", "东昌府区人民政府", IncidentGrade.III),
    ("局长", "东昌府区住房和城乡建设局", IncidentGrade.III),
    ("值班室", "东昌府区应急管理局", IncidentGrade.III),
    ("分管副局长", "东昌府区住房和城乡建设局", IncidentGrade.IV),
    ("主任", "东昌府区燃气安全监管中心", IncidentGrade.IV),
    ("值班室", "东昌府区消防救援大队", IncidentGrade.IV),
    ("市级值班室", "聊城市住房和城乡建设局", IncidentGrade.I),
)


# ---- the road network --------------------------------------------------------------------------
# County roads on a lattice (an invented network): east-west roads at these latitudes,
# north-south roads at these longitudes, and a river between 116.05 and 116.06 that only the
# bridged east-west roads cross.
EW_LATS = (36.37, 36.405, 36.43, 36.46, 36.49, 36.52, 36.54)
NS_LONS = (115.86, 115.89, 115.92, 115.95, 115.98, 116.01, 116.04, 116.07, 116.10, 116.13)
RIVER_WEST, RIVER_EAST = 116.04, 116.07  # the last roads on either bank
BRIDGED = (36.405, 36.46, 36.52)


def road_network() -> dict[str, Any]:
    """GeoJSON of the invented roads: every crossing is a shared vertex."""
    features: list[dict[str, Any]] = []

    def line(name: str, coords: list[tuple[float, float]]) -> None:
        features.append(
            {
                "type": "Feature",
                "properties": {"name": name},
                "geometry": {"type": "LineString", "coordinates": [list(c) for c in coords]},
            }
        )

    road_names = iter(names.ROADS * 2)
    for lat in EW_LATS:
        name = next(road_names)
        if lat in BRIDGED:
            line(name, [(lon, lat) for lon in NS_LONS])
        else:  # stops at the river on both banks
            line(name + "(西段)", [(lon, lat) for lon in NS_LONS if lon <= RIVER_WEST])
            line(name + "(东段)", [(lon, lat) for lon in NS_LONS if lon >= RIVER_EAST])
    for lon in NS_LONS:
        line(next(road_names), [(lon, lat) for lat in EW_LATS])
    assert NS_LONS[0] > WEST and NS_LONS[-1] < EAST and SOUTH < EW_LATS[0] < EW_LATS[-1] < NORTH
    return {"type": "FeatureCollection", "features": features}


# ---- load --------------------------------------------------------------------------------------
def _local(day: date, hour: int = 9, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), TZ).astimezone(UTC)


def _rescue_teams(demo: Demo) -> list[Team]:
    by_name = {
        t.name: t for t in demo.session.scalars(select(Team).where(Team.kind == TeamKind.RESCUE))
    }
    return [by_name[name] for _, name, _, _ in RESCUE_TEAMS if name in by_name]


def _teams(demo: Demo) -> list[Team]:
    rng = demo.rng
    found = _rescue_teams(demo)
    for i, team in enumerate(found):
        owner = RESCUE_TEAMS[i][0]
        box = demo.town(TEAM_TOWNS[i % len(TEAM_TOWNS)]).box
        lon = (box.west + box.east) / 2 + rng.uniform(-0.008, 0.008)
        lat = (box.south + box.north) / 2 + rng.uniform(-0.008, 0.008)
        teams.update_base(
            session=demo.session,
            principal=SYSTEM,
            id=team.id,
            skills=SKILLS[owner],
            base_lon=round(lon, 6),
            base_lat=round(lat, 6),
        )
        status = DUTY.get(i, DutyStatus.ON_DUTY)
        teams.set_duty(session=demo.session, principal=SYSTEM, id=team.id, duty_status=status)
    return found


def equipment_lines(total: int) -> list[tuple[str, str, str, int]]:
    """A team's equipment sets split into reserve lines by kind; they add up to `total`."""
    out: list[tuple[str, str, str, int]] = []
    left = total
    for k, (kind, name, unit, share) in enumerate(EQUIPMENT):
        sets = left if k == len(EQUIPMENT) - 1 else min(left, round(total * share))
        left -= sets
        if sets > 0:
            out.append((kind, name, unit, sets))
    return out


def _reserves(demo: Demo, found: list[Team]) -> None:
    rng = demo.rng
    for i, team in enumerate(found):
        # Held at the team's base: the place given, so that nothing is looked up per line.
        assert team.base_lon is not None and team.base_lat is not None
        place = {
            "lon": team.base_lon,
            "lat": team.base_lat,
            "area_id": demo.grid_id(demo.grid_at(team.base_lon, team.base_lat)),
        }
        for kind, name, unit, sets in equipment_lines(team.equipment_sets):
            maintained = demo.days(-170, -5)
            demo.make(
                reserves.service,
                name=name,
                category="equipment",
                kind=kind,
                quantity=sets,
                unit=unit,
                sets=sets,
                owner_id=team.owner_id,
                team_id=team.id,
                **place,
                last_maintained_on=maintained,
                # mostly half-yearly upkeep; a few fall due within the month or are overdue
                next_maintenance_on=maintained + timedelta(days=180),
            )
        for kind, name, unit, quantity in MATERIALS:
            demo.make(
                reserves.service,
                name=name,
                category="material",
                kind=kind,
                quantity=quantity,
                unit=unit,
                sets=0,
                owner_id=team.owner_id,
                team_id=team.id,
                **place,
                # sealant keeps two years; two teams' stock has run out and awaits renewal
                expires_on=(demo.days(-40, -5) if i in (2, 6) else demo.days(60, 700))
                if kind == "leak_sealing"
                else None,
            )
    box = demo.town("柳园街道").box
    lon, lat = box.point(rng)
    for kind, name, unit, quantity in DISTRICT_STORE:
        demo.make(
            reserves.service,
            name=name,
            category="material",
            kind=kind,
            quantity=quantity or 4,
            unit=unit,
            sets=0,
            lon=lon,
            lat=lat,
            area_id=demo.grid_id(demo.grid_at(lon, lat)),
            address="东昌府区应急物资储备库",
            next_maintenance_on=demo.days(-10, 200),
        )


def _plans(demo: Demo) -> None:
    s = demo.session
    for owner, code, title, level, first, revised, overdue in PLANS:
        owner_id = demo.orgs[owner].id if owner else None
        plan = plans.create(
            session=s,
            principal=SYSTEM,
            data=PlanCreate(
                code=code,
                title=title,
                level=level,
                owner_id=owner_id,
                scenarios=SCENARIOS[level],
                summary=f"{title}（{first}年版）",
                filed_with="东昌府区住房和城乡建设局",
            ),
        )
        versions = [(plan, first)]
        _approve(demo, plan, date(first, 3, 1), overdue, in_force=revised is None)
        if revised is not None:
            plan = plans.new_version(
                session=s,
                principal=SYSTEM,
                id=plan.id,
                data=PlanVersionCreate(summary=f"{title}（{revised}年修订）"),
            )
            versions.append((plan, revised))
            _approve(demo, plan, date(revised, 4, 1), overdue, in_force=True)
        demo.counts["emergency_plan"] += len(versions)
    # A revision awaiting the regulator's approval.
    current = s.scalars(
        select(EmergencyPlan).where(EmergencyPlan.code == "RC-MZ").order_by(EmergencyPlan.id)
    ).first()
    if current is not None:
        draft = plans.new_version(
            session=s,
            principal=SYSTEM,
            id=current.id,
            data=PlanVersionCreate(summary="增补门站雷击着火处置"),
        )
        plans.submit(session=s, principal=SYSTEM, id=draft.id)


def _approve(
    demo: Demo, plan: EmergencyPlan, effective: date, overdue: bool, *, in_force: bool
) -> None:
    """Submit and approve with the dates of the time. The version left in force has its
    review ahead, or (an overdue plan) passed a few weeks to months ago; an older version
    had the standard interval."""
    s = demo.session
    plans.submit(session=s, principal=SYSTEM, id=plan.id)
    review = plans.add_years(effective, PLAN_REVIEW_YEARS)
    if in_force and overdue:
        review = demo.today - timedelta(days=demo.rng.randint(20, 120))
    elif in_force and review <= demo.today:  # reviewed since and found still fit
        review = demo.today + timedelta(days=demo.rng.randint(60, 700))
    plans.approve(
        session=s,
        principal=SYSTEM,
        id=plan.id,
        data=PlanApprove(effective_on=effective, review_due_on=review),
    )
    plan.submitted_at = _local(effective - timedelta(days=20))
    plan.approved_at = _local(effective - timedelta(days=3), 15)
    plan.approved_by_name = "区住建局"


def _contacts(demo: Demo) -> None:
    rng = demo.rng
    for i, (title, unit, grade) in enumerate(DISTRICT_CONTACTS):
        demo.make(
            contacts.service,
            name=names.person_name(rng),
            title=title,
            unit=unit,
            phone=names.mobile(rng),
            min_grade=grade.value,
            sort=i,
        )
    for key in ("gas1", "gas2", "lpg", "lng", "cng"):
        org = demo.orgs[key]
        for i, (title, grade) in enumerate(
            (
                ("调度值班", IncidentGrade.IV),
                ("安全总监", IncidentGrade.III),
                ("总经理", IncidentGrade.II),
            )
        ):
            demo.make(
                contacts.service,
                owner_id=org.id,
                name=names.person_name(rng),
                title=title,
                unit=org.name,
                phone=names.mobile(rng),
                min_grade=grade.value,
                sort=i,
            )


def load_emergency(demo: Demo) -> None:
    """Plans, the teams' skills, bases and duty, reserves, contacts, the road network."""
    found = _teams(demo)
    _reserves(demo, found)
    _plans(demo)
    _contacts(demo)
    roads.import_geojson(session=demo.session, principal=SYSTEM, collection=road_network())


# ---- history -----------------------------------------------------------------------------------
DRILLS_PER_YEAR = {"gas1": 6, "gas2": 3, "lpg": 4, "lng": 2, "cng": 2, None: 3}
DRILL_SCENARIOS = (
    ("中压管道第三方施工挖断泄漏", DrillKind.FULL_SCALE),
    ("调压箱泄漏处置", DrillKind.FUNCTIONAL),
    ("居民户内燃气泄漏入户处置", DrillKind.FUNCTIONAL),
    ("储罐区法兰泄漏着火", DrillKind.FULL_SCALE),
    ("大面积停气应急供气", DrillKind.TABLETOP),
    ("餐饮场所液化气钢瓶泄漏", DrillKind.FUNCTIONAL),
    ("门站超压放散", DrillKind.TABLETOP),
)
FOLLOW_UPS = (
    "补充配备防爆对讲机",
    "修订现场处置方案的疏散半径",
    "加强与消防救援队伍的联动通讯",
    "增加夜间集结演练",
    "更换老化的空气呼吸器气瓶",
    "完善抢修物资台账",
)
INCIDENTS = (
    ("居民楼道燃气泄漏", IncidentSource.CALL, "阀门松动漏气", IncidentGrade.IV),
    ("施工挖断中压燃气管道", IncidentSource.CALL, "第三方施工破坏", IncidentGrade.III),
    ("餐馆液化气钢瓶角阀漏气", IncidentSource.SERVICE_REQUEST, "角阀密封失效", IncidentGrade.IV),
    ("调压箱异味报警", IncidentSource.ALARM, "调压器皮膜老化", IncidentGrade.IV),
    ("巡线发现埋地管道泄漏", IncidentSource.PATROL, "管道腐蚀穿孔", IncidentGrade.IV),
    ("商户燃气爆燃", IncidentSource.CALL, "违规使用燃气具", IncidentGrade.III),
    ("隐患整改中发现漏点", IncidentSource.HAZARD, "接口老化", IncidentGrade.IV),
)


def _principal(demo: Demo, username: str) -> Principal:
    user = demo.session.scalars(select(User).where(User.username == username)).first()
    return accounts.principal_for(session=demo.session, user=user) if user else SYSTEM


def _drills(demo: Demo, start: date) -> None:
    rng, s = demo.rng, demo.session
    days = (demo.today - start).days
    for key, per_year in DRILLS_PER_YEAR.items():
        owner_id = demo.orgs[key].id if key else None
        for n in range(per_year):
            planned = start + timedelta(days=int(days * (n + rng.random()) / per_year))
            scenario, kind = rng.choice(DRILL_SCENARIOS)
            drill = drills.plan_drill(
                session=s,
                principal=SYSTEM,
                data=DrillCreate(
                    title=f"{scenario}应急演练",
                    kind=kind,
                    scenario=scenario,
                    planned_on=planned,
                    owner_id=owner_id,
                    participant_units="区燃气监管中心、区消防救援大队" if key is None else None,
                ),
            )
            demo.counts["drill"] += 1
            if planned >= demo.today:
                continue
            if rng.random() < 0.05:
                drills.cancel(session=s, principal=SYSTEM, id=drill.id, note="天气原因取消")
                continue
            held = min(planned + timedelta(days=rng.randint(0, 3)), demo.today - timedelta(days=1))
            rating = rng.choices(list(DrillRating), weights=(3, 5, 2, 0.4))[0]
            drills.hold(
                session=s,
                principal=SYSTEM,
                id=drill.id,
                data=DrillHeld(
                    held_on=held,
                    participants=rng.randint(12, 80),
                    rating=rating,
                    evaluation=f"演练{rating.zh}：响应及时，处置流程基本顺畅；通讯联络与疏散警戒需加强。",
                ),
            )
            for text in rng.sample(FOLLOW_UPS, rng.randint(1, 2)):
                due = held + timedelta(days=rng.randint(15, 60))
                action = drills.add_action(
                    session=s,
                    principal=SYSTEM,
                    id=drill.id,
                    data=DrillActionCreate(
                        text=text, responsible=names.person_name(rng), due_on=due
                    ),
                )
                if due < demo.today and rng.random() < 0.85:
                    action.done_on = due - timedelta(days=rng.randint(0, 10))
    s.flush()


def _owner_for(demo: Demo, town_name: str) -> int | None:
    rng = demo.rng
    roll = rng.random()
    if roll < 0.25:
        return demo.orgs["lpg"].id
    if roll < 0.3:
        return None
    return demo.orgs["gas2" if town_name in GAS2_TOWNS else "gas1"].id


def _incidents(demo: Demo, start: date) -> None:
    rng, s = demo.rng, demo.session
    reg = _principal(demo, "reg_staff")
    days = (demo.today - start).days
    count = 30
    for n in range(count):
        last = n == count - 1
        day = (
            demo.today - timedelta(days=1)
            if last
            else start + timedelta(days=int(days * (n + rng.random()) / count))
        )
        reported = _local(day, rng.randint(7, 21), rng.randint(0, 59))
        town = rng.choice(demo.towns)
        grid = rng.choice(town.grids)
        lon, lat = grid.box.point(rng)
        title, source, cause, grade = rng.choice(INCIDENTS)
        if rng.random() < 0.04:
            grade = IncidentGrade.II
        incident = incidents.open_incident(
            session=s,
            principal=reg,
            data=IncidentOpen(
                title=title,
                grade=grade,
                source=source,
                lon=lon,
                lat=lat,
                address=f"{town.name}{rng.choice(names.ROADS)}{rng.randint(1, 300)}号",
                owner_id=_owner_for(demo, town.name),
                caller_name=names.person_name(rng) if source is IncidentSource.CALL else None,
                caller_phone=names.mobile(rng) if source is IncidentSource.CALL else None,
                source_ref=f"FW-{day.year}-{n + 1:06d}"
                if source is IncidentSource.SERVICE_REQUEST
                else None,
                reported_at=reported,
            ),
        )
        demo.counts["incident"] += 1
        respond(demo, incident.id, cause=None if last else cause, principal=reg)


def respond(
    demo: Demo, incident_id: int, *, cause: str | None, principal: Principal | None = None
) -> None:
    """Play the response to an incident already reported, for the demo: the nearest
    available teams (two for grade III and worse) sent a few minutes after the report with a
    vehicle, the contacts told, arrival after the road distance at a town speed, the first
    measures, then (with a `cause`) control and closing. Steps that would fall after now are
    left undone, so a recent incident stays open. Other demo steps (the service channels'
    leak reports) call this for the incidents they open."""
    rng, s = demo.rng, demo.session
    reg = principal or _principal(demo, "reg_staff")
    incident = incidents.get(session=s, principal=SYSTEM, id=incident_id)
    if incident.lon is None or incident.lat is None or not incident.status.is_open:
        return
    now = datetime.now(UTC)
    _, ranked = ranking.rank_teams(session=s, principal=reg, incident=incident, limit=2)
    if not ranked:
        return
    sent = ranked[: 2 if incident.grade.rank <= 3 else 1]
    t = incident.reported_at + timedelta(minutes=rng.uniform(2, 8))
    speed_m_per_min = rng.uniform(400, 650)  # 24-39 km/h through town
    arrive = t + timedelta(minutes=sent[0].distance_m / speed_m_per_min + rng.uniform(2, 6))
    if arrive + timedelta(minutes=3) >= now:
        return
    for row in sent:
        vehicles = row.view.vehicles
        response.dispatch(
            session=s,
            principal=reg,
            id=incident.id,
            team_id=row.view.team.id,
            vehicle_id=vehicles[0].id if vehicles else None,
            at=t,
        )
    with suppress(Conflict):  # no contact listed for the grade (a district without its list)
        response.notify(
            session=s, principal=reg, id=incident.id, at=t + timedelta(minutes=1), send=False
        )
    response.arrive(session=s, principal=reg, id=incident.id, at=arrive)
    response.add_action(
        session=s,
        principal=reg,
        id=incident.id,
        note="关闭上游阀门，设置警戒区，疏散群众，检测浓度",
        at=arrive + timedelta(minutes=3),
    )
    controlled = arrive + timedelta(minutes=rng.uniform(15, 90))
    closed = controlled + timedelta(minutes=rng.uniform(30, 240))
    if cause is None or closed >= now:
        return  # still on scene
    response.control(session=s, principal=reg, id=incident.id, at=controlled)
    response.close(
        session=s,
        principal=reg,
        id=incident.id,
        cause=cause,
        summary="险情排除，恢复供气，现场清理完毕。",
        at=closed,
    )


def load_emergency_history(demo: Demo) -> None:
    """A year of drills with evaluations and follow-ups, and of incidents with their
    dispatches, arrivals and closing."""
    start = history_start(demo.today)
    _drills(demo, start)
    _incidents(demo, start)
    # Teams back from call-outs are on duty; the demo's day has one in stand-by, one resting.
    for i, team in enumerate(_rescue_teams(demo)):
        status = DUTY.get(i)
        if status is not None and team.duty_status is not DutyStatus.DEPLOYED:
            teams.set_duty(session=demo.session, principal=SYSTEM, id=team.id, duty_status=status)
