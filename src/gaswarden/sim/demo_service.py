"""The demo's coverage of pipe gas and clean heating, and a year of service requests.

`load_coverage(demo)`: the source article's 709 villages on clean heating (清洁取暖), 160,200
households converted since 2017. The villages lie in the five rural towns and streets and, a
few each, at the edges of the five city streets (城郊村); the city streets' residential
communities have been on the city's pipe network for decades and are counted as gas
customers, not here. Clean heating reached the villages year by year from 2017 to 2022, each
village about two thirds converted in its first year and complete the next; pipe gas (村村通)
reached most villages from 2015 on, ahead of or with clean heating (气代煤), and some
villages heat with electricity (电代煤) and have no main yet. CoverageYear rows run from 2017
to this year; the households on clean heating sum to exactly 160,200 in 709 villages.

`load_service_history(demo)`: a year of requests over the channels (hotline about half, the
web form and the app the rest, a few at the counter), mostly repairs and enquiries, with
new connections, complaints and a few leak reports. The leak reports go through the service
(`requests.receive`), so each opens its emergency incident through `open_incident`; the rest
are written in bulk with their timelines and audit rows, times drawn around the targets (some
late, some still open and overdue), satisfaction at the return visit. Both run in well under
a second on SQLite.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table, bindparam, insert, select, update

from gaswarden.core.auth import SYSTEM
from gaswarden.core.localtime import DEFAULT_TZ
from gaswarden.domains.audit import service as audit
from gaswarden.domains.audit.models import AuditEntry
from gaswarden.domains.organization.enums import OrgKind
from gaswarden.domains.organization.models import Organization
from gaswarden.domains.service import requests
from gaswarden.domains.service.enums import (
    RequestChannel,
    RequestEventKind,
    RequestKind,
    RequestStatus,
)
from gaswarden.domains.service.models import CoverageYear, RequestEvent, ServiceRequest, Village
from gaswarden.domains.workforce.models import Team
from gaswarden.sim import names
from gaswarden.sim.context import Demo
from gaswarden.sim.demo_emergency import respond
from gaswarden.sim.geography import Town
from gaswarden.standards.service import target_for

TZ = DEFAULT_TZ
VILLAGES = 709  # the article: 709 villages on clean heating
CLEAN_HEATING_HOUSEHOLDS = 160_200  # the article: 160,200 households since 2017
FIRST_YEAR = 2017
# Villages reaching clean heating per year (sums to 709).
HEATING_PLAN = {2017: 118, 2018: 164, 2019: 151, 2020: 122, 2021: 88, 2022: 66}
URBAN_FRINGE = 14  # villages at the edge of each city street; the rest in the rural towns
ELECTRIC_SHARE = 0.12  # villages heating with electricity and no main yet (电代煤)

VILLAGE_HEADS = names.SURNAMES
VILLAGE_TAILS = ("庄", "家村", "屯", "集", "楼", "营", "店", "寨", "园", "堤口", "洼", "官庄")

# A year of requests: how many, and the mixes (local practice, not from the article).
REQUESTS_PER_YEAR = 1460
LEAK_REPORTS = 12  # "a few", through the service (each opens an incident)
LEAK_CAUSES = (
    "户内胶管老化开裂漏气 Indoor hose cracked with age",
    "表前阀密封不严 Meter valve seal worn",
    "第三方施工挖断入户管 Service pipe cut by third-party works",
    "灶具熄火保护失效 Cooker flame-failure device broken",
)
KIND_MIX = (
    (RequestKind.REPAIR, 0.44),
    (RequestKind.ENQUIRY, 0.30),
    (RequestKind.NEW_CONNECTION, 0.15),
    (RequestKind.COMPLAINT, 0.11),
)
CHANNEL_MIX = (
    (RequestChannel.HOTLINE, 0.50),
    (RequestChannel.WEB, 0.24),
    (RequestChannel.API, 0.21),
    (RequestChannel.COUNTER, 0.05),
)
LATE_SHARE = 0.07  # responses (and separately resolutions) after the target
# Of the last two days' requests, one in four not yet dispatched, one in four not yet answered.
RECENT_DAYS, RECENT_WAITING = 2, 0.25
SATISFACTION = ((5, 0.58), (4, 0.27), (3, 0.09), (2, 0.04), (1, 0.02))
DESCRIPTIONS: dict[RequestKind, tuple[str, ...]] = {
    RequestKind.REPAIR: (
        "燃气灶打不着火",
        "壁挂炉点火后熄火",
        "燃气表不走字",
        "表前阀关不严",
        "热水器燃气压力不足",
        "户内软管老化需更换",
        "IC卡表充值后不通气",
    ),
    RequestKind.ENQUIRY: (
        "咨询燃气费阶梯价格",
        "咨询入户安检时间",
        "咨询过户手续",
        "咨询清洁取暖补贴政策",
        "咨询报警器安装",
        "咨询停气通知",
    ),
    RequestKind.NEW_CONNECTION: (
        "新房申请开通天然气",
        "商铺申请用气报装",
        "农村自建房申请通气",
        "申请增设壁挂炉用气",
    ),
    RequestKind.COMPLAINT: (
        "维修人员未按约定时间上门",
        "对燃气费账单有异议",
        "施工后路面未恢复",
        "安检人员服务态度差",
        "停气未提前通知",
    ),
    RequestKind.LEAK_REPORT: (
        "厨房有燃气味",
        "楼道闻到燃气味",
        "路边阀井附近有气味",
        "表后接口处有嘶嘶声",
    ),
}
RESOLUTIONS: dict[RequestKind, str] = {
    RequestKind.REPAIR: "已上门检修，故障排除，恢复正常用气",
    RequestKind.ENQUIRY: "已电话答复用户",
    RequestKind.NEW_CONNECTION: "已完成勘察、安装并置换通气",
    RequestKind.COMPLAINT: "已核实情况，向用户说明并整改",
    RequestKind.LEAK_REPORT: "已到场关阀、查漏、紧固接口，检测无泄漏后恢复供气",
}


# ---- coverage -----------------------------------------------------------------------------------
def _village_name(rng: Any, used: set[str]) -> str:
    while True:
        name = rng.choice(VILLAGE_HEADS) + rng.choice(VILLAGE_TAILS)
        if name not in used:
            used.add(name)
            return name
        name = rng.choice(("东", "西", "南", "北", "前", "后", "大", "小")) + name
        if name not in used:
            used.add(name)
            return name


def _spread(total: int, weights: list[float]) -> list[int]:
    """`total` split in proportion to `weights`, in whole numbers summing to `total`."""
    raw = [total * w / sum(weights) for w in weights]
    out = [int(x) for x in raw]
    order = sorted(range(len(raw)), key=lambda i: raw[i] - out[i], reverse=True)
    for i in order[: total - sum(out)]:
        out[i] += 1
    return out


def _towns_for_villages(demo: Demo) -> list[Town]:
    """Each of the 709 villages' town: URBAN_FRINGE per city street, the rest rural."""
    rng = demo.rng
    urban = [t for t in demo.towns if t.urban]
    rural = [t for t in demo.towns if not t.urban] or demo.towns
    counts = {t.code: URBAN_FRINGE for t in urban}
    rest = VILLAGES - sum(counts.values())
    for town, n in zip(
        rural, _spread(rest, [0.8 + 0.4 * rng.random() for _ in rural]), strict=True
    ):
        counts[town.code] = counts.get(town.code, 0) + n
    return [t for t in demo.towns for _ in range(counts.get(t.code, 0))]


def load_coverage(demo: Demo) -> None:
    """709 villages with households, pipe gas and clean heating, and their CoverageYear rows
    from 2017 to this year (in bulk; one audit row records the load)."""
    rng, session = demo.rng, demo.session
    this_year = demo.today.year
    towns = _towns_for_villages(demo)
    rng.shuffle(towns)
    heating_years = [y for y, n in HEATING_PLAN.items() for _ in range(n)]
    households = [rng.randint(120, 420) for _ in range(VILLAGES)]
    # Clean heating reaches 80-98 % of a village's households, scaled to exactly 160,200.
    shares = [h * (0.80 + 0.18 * rng.random()) for h in households]
    heated = _spread(CLEAN_HEATING_HOUSEHOLDS, shares)
    heated = [min(h, hh) for h, hh in zip(heated, households, strict=True)]
    short = CLEAN_HEATING_HOUSEHOLDS - sum(heated)
    i = 0
    while short > 0:  # put what the cap took back where there is room
        if heated[i % VILLAGES] < households[i % VILLAGES]:
            heated[i % VILLAGES] += 1
            short -= 1
        i += 1
    used: set[str] = set()
    rows: list[dict[str, Any]] = []
    for n in range(VILLAGES):
        town = towns[n]
        heat_year = heating_years[n]
        electric = rng.random() < ELECTRIC_SHARE
        piped_year = None if electric else heat_year - rng.choice((0, 0, 0, 1, 2))
        lon, lat = town.box.point(rng)
        piped = 0 if piped_year is None else int(households[n] * (0.85 + 0.13 * rng.random()))
        rows.append(
            {
                "area_id": demo.area_ids[town.code],
                "name": _village_name(rng, used),
                "households": households[n],
                "pipe_gas_since": piped_year,
                "households_piped": max(piped, 0),
                "clean_heating_since": heat_year,
                "households_clean_heating": heated[n],
                "lon": lon,
                "lat": lat,
            }
        )
    villages = cast(Table, Village.__table__)
    ids = session.scalars(
        insert(villages).returning(villages.c.id, sort_by_parameter_order=True), rows
    ).all()
    years: list[dict[str, Any]] = []
    for vid, row in zip(ids, rows, strict=True):
        for year in range(FIRST_YEAR, this_year + 1):
            years.append({"village_id": vid, "year": year, **_at_year(row, year)})
    session.execute(insert(cast(Table, CoverageYear.__table__)), years)
    audit.record(
        session=session,
        principal=SYSTEM,
        action="import",
        entity_type="village",
        entity_id=None,
        entity_label=f"{VILLAGES} villages, {len(years)} coverage years (demo)",
        reason="演示数据 demo data",
    )
    demo.counts["village"] += VILLAGES
    demo.counts["coverage_year"] += len(years)


def _grown(final: int, since: int | None, year: int) -> int:
    """About two thirds in the first year, all from the next."""
    if since is None or year < since:
        return 0
    return final if year > since else round(final * 2 / 3)


def _at_year(row: dict[str, Any], year: int) -> dict[str, Any]:
    piped = _grown(row["households_piped"], row["pipe_gas_since"], year)
    heated = _grown(row["households_clean_heating"], row["clean_heating_since"], year)
    return {
        "piped": row["pipe_gas_since"] is not None and row["pipe_gas_since"] <= year,
        "households_piped": piped,
        "clean_heating": year >= row["clean_heating_since"],
        "households_clean_heating": heated,
    }


# ---- a year of requests -------------------------------------------------------------------------
def _pick(rng: Any, mix: tuple[tuple[Any, float], ...]) -> Any:
    return rng.choices([m for m, _ in mix], weights=[w for _, w in mix])[0]


def _org_ids(demo: Demo) -> dict[str, list[int]]:
    rows = demo.session.execute(
        select(Organization.id, Organization.kind).order_by(Organization.id)
    ).all()
    out: dict[str, list[int]] = {"pipeline": [], "lpg": []}
    for oid, kind in rows:
        if kind is OrgKind.PIPELINE:
            out["pipeline"].append(oid)
        elif kind is OrgKind.LPG:
            out["lpg"].append(oid)
    return out


def _owner_for(demo: Demo, town: Town, kind: RequestKind, orgs: dict[str, list[int]]) -> int:
    from gaswarden.sim.demo_sites import GAS2_TOWNS

    if (
        kind in (RequestKind.COMPLAINT, RequestKind.ENQUIRY)
        and orgs["lpg"]
        and (demo.rng.random() < 0.12)
    ):
        return int(demo.orgs["lpg"].id) if "lpg" in demo.orgs else orgs["lpg"][0]
    if town.name in GAS2_TOWNS and "gas2" in demo.orgs:
        return int(demo.orgs["gas2"].id)
    if "gas1" in demo.orgs:
        return int(demo.orgs["gas1"].id)
    return orgs["pipeline"][0]


def _place(demo: Demo, town: Town) -> tuple[float, float, int]:
    lon, lat = town.box.point(demo.rng)
    grid = demo.grid_at(lon, lat)
    area = demo.area_ids.get(grid.code) or demo.area_ids[town.code]
    return lon, lat, area


def _minutes(rng: Any, target: int, late: bool) -> int:
    """A time against a target: mostly well within it, `late` ones past it."""
    if late:
        return int(target * (1.05 + rng.random() * 1.5))
    return max(3, int(target * rng.betavariate(2.0, 4.5)))


def load_service_history(demo: Demo) -> None:
    """A year of requests before `demo.today`: leak reports through the service (incidents
    opened), the rest in bulk with their timelines and audit rows."""
    rng, session = demo.rng, demo.session
    zone = ZoneInfo(TZ)
    end = datetime.combine(demo.today, time(0), zone).astimezone(UTC)  # nothing from today on
    start = end - timedelta(days=365)
    orgs = _org_ids(demo)
    if not orgs["pipeline"]:
        return
    teams: dict[int, list[tuple[int, str]]] = {}
    for tid, owner, name, leader in session.execute(
        select(Team.id, Team.owner_id, Team.name, Team.leader_name).order_by(Team.id)
    ):
        teams.setdefault(owner, []).append((tid, leader or name))
    towns = demo.towns
    weights = [3.0 if t.urban else 1.6 for t in towns]

    plans = []
    for _ in range(REQUESTS_PER_YEAR):
        at = start + timedelta(seconds=rng.randrange(int((end - start).total_seconds())))
        local_hour = at.astimezone(zone).hour
        if local_hour < 7 and rng.random() < 0.7:  # few calls at night
            at += timedelta(hours=8)
        plans.append((min(at, end - timedelta(minutes=5)), _pick(rng, KIND_MIX)))
    plans.sort(key=lambda p: p[0])
    request_rows: list[dict[str, Any]] = []
    timelines: list[list[dict[str, Any]]] = []
    for n, (at, kind) in enumerate(plans):
        town = rng.choices(towns, weights=weights)[0]
        row, events = _history_request(demo, at, kind, town, orgs, teams, end)
        row["code"] = f"tmp-history-{n}"  # FW-<yyyymmdd>-<id> once the ids are known
        request_rows.append(row)
        timelines.append(events)
    # Core statements: executemany, far faster than the ORM's bulk paths on PostgreSQL.
    table = cast(Table, ServiceRequest.__table__)
    ids = session.scalars(
        insert(table).returning(table.c.id, sort_by_parameter_order=True), request_rows
    ).all()
    codes = [
        {"b_id": rid, "b_code": f"FW-{row['received_at'].astimezone(zone):%Y%m%d}-{rid:06d}"}
        for rid, row in zip(ids, request_rows, strict=True)
    ]
    session.execute(
        update(table).where(table.c.id == bindparam("b_id")).values(code=bindparam("b_code")),
        codes,
    )
    event_rows: list[dict[str, Any]] = []
    audit_rows: list[dict[str, Any]] = []
    for rid, code, row, events in zip(
        ids, (c["b_code"] for c in codes), request_rows, timelines, strict=True
    ):
        label = f"{code} {row['kind'].zh}"
        for e in events:
            event_rows.append({"request_id": rid, **e})
            changes = (
                {"status": [e["from_status"].value, e["to_status"].value]}
                if (e["from_status"] is not None and e["from_status"] is not e["to_status"])
                else {}
            )
            audit_rows.append(
                {
                    "at": e["at"],
                    "actor_id": None,
                    "actor_name": e["actor_name"],
                    "action": f"request_{e['kind'].value}",
                    "entity_type": "service_request",
                    "entity_id": rid,
                    "entity_label": label,
                    "owner_id": row["owner_id"],
                    "area_id": row["area_id"],
                    "changes": changes,
                    "reason": None,
                    "ip": None,
                }
            )
    session.execute(insert(cast(Table, RequestEvent.__table__)), event_rows)
    session.execute(insert(cast(Table, AuditEntry.__table__)), audit_rows)
    demo.counts["service_request"] += len(ids)
    _leak_reports(demo, start, end, orgs, teams)


def _history_request(
    demo: Demo,
    at: datetime,
    kind: RequestKind,
    town: Town,
    orgs: dict[str, list[int]],
    teams: dict[int, list[tuple[int, str]]],
    end: datetime,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """One request's row and its events, played from `at` to at most `end`."""
    rng = demo.rng
    target = target_for(kind)
    channel = _pick(rng, CHANNEL_MIX)
    owner = _owner_for(demo, town, kind, orgs)
    lon, lat, area = _place(demo, town)
    receiver = (
        "网上服务 web form"
        if channel is RequestChannel.WEB
        else ("app" if channel is RequestChannel.API else f"坐席{rng.randint(1, 6):02d}")
    )
    row: dict[str, Any] = {
        "code": "",
        "kind": kind,
        "channel": channel,
        "priority": target.priority,
        "status": RequestStatus.OPEN,
        "contact_name": names.person_name(rng)[:1] + rng.choice(("先生", "女士")),
        "contact_phone": names.mobile(rng),
        "customer_id": None,
        "description": rng.choice(DESCRIPTIONS[kind]),
        "received_at": at,
        "received_by_name": receiver,
        "respond_due_at": at + target.respond,
        "resolve_due_at": at + target.resolve,
        "assigned_team_id": None,
        "assignee_name": None,
        "assigned_at": None,
        "responded_at": None,
        "resolved_at": None,
        "closed_at": None,
        "resolution": None,
        "satisfaction": None,
        "overdue": False,
        "incident_id": None,
        "owner_id": owner,
        "area_id": area,
        "address": names.address(rng, town.name),
        "lon": lon,
        "lat": lat,
    }
    handler = "客服中心" if kind is RequestKind.ENQUIRY else "调度员"
    events: list[dict[str, Any]] = []

    def event(
        kind_: RequestEventKind, when: datetime, before: RequestStatus | None, **kw: Any
    ) -> None:
        events.append(
            {
                "at": when,
                "kind": kind_,
                "actor_id": None,
                "actor_name": kw.pop("actor", handler),
                "from_status": before,
                "to_status": row["status"],
                "note": kw.pop("note", None),
                "data": kw,
            }
        )

    event(RequestEventKind.CREATED, at, None, actor=receiver, channel=channel.value)
    late_respond = rng.random() < LATE_SHARE
    late_resolve = late_respond or rng.random() < LATE_SHARE
    assigned = at + timedelta(minutes=rng.randint(2, max(3, target.respond_min // 6)))
    responded = at + timedelta(minutes=_minutes(rng, target.respond_min, late_respond))
    resolved = max(
        responded + timedelta(minutes=10),
        at + timedelta(minutes=_minutes(rng, target.resolve_min, late_resolve)),
    )
    overdue_at: datetime | None = None
    # The last two days' requests: a share still waiting to be dispatched or answered, each
    # still within its time target when the history ends (the live sweep marks the late).
    stall = rng.random() if end - at < timedelta(days=RECENT_DAYS) else 1.0
    if stall < RECENT_WAITING and at + target.respond > end:
        assigned = end  # not dispatched yet
    elif stall < 2 * RECENT_WAITING and at + target.resolve > end:
        responded = resolved = end  # dispatched, no one there yet
    if assigned < end:
        crew = teams.get(owner) or []
        team = rng.choice(crew) if crew and kind is not RequestKind.ENQUIRY else None
        row.update(
            status=RequestStatus.ASSIGNED,
            assigned_at=assigned,
            assigned_team_id=team[0] if team else None,
            assignee_name=team[1] if team else names.person_name(rng),
        )
        event(
            RequestEventKind.ASSIGNED, assigned, RequestStatus.OPEN, assignee=row["assignee_name"]
        )
    if row["status"] is RequestStatus.ASSIGNED and responded < end:
        row.update(status=RequestStatus.IN_PROGRESS, responded_at=responded)
        event(
            RequestEventKind.RESPONDED, responded, RequestStatus.ASSIGNED, on_time=not late_respond
        )
    if row["status"] is RequestStatus.IN_PROGRESS and resolved < end:
        row.update(
            status=RequestStatus.RESOLVED, resolved_at=resolved, resolution=RESOLUTIONS[kind]
        )
        event(
            RequestEventKind.RESOLVED, resolved, RequestStatus.IN_PROGRESS, note=RESOLUTIONS[kind]
        )
    # Missed targets: marked at the step, or by the nightly sweep while still open.
    if row["responded_at"] is None and row["respond_due_at"] < end:
        overdue_at = row["respond_due_at"] + timedelta(minutes=15)
    elif row["responded_at"] is not None and row["responded_at"] > row["respond_due_at"]:
        overdue_at = row["responded_at"]
    elif row["resolved_at"] is None and row["resolve_due_at"] < end:
        overdue_at = row["resolve_due_at"] + timedelta(minutes=15)
    elif row["resolved_at"] is not None and row["resolved_at"] > row["resolve_due_at"]:
        overdue_at = row["resolved_at"]
    if overdue_at is not None and overdue_at < end:  # the nightly sweep has seen it
        row["overdue"] = True
        event(
            RequestEventKind.OVERDUE, overdue_at, row["status"], actor="system", note="超过服务时限"
        )
    visit = resolved + timedelta(hours=rng.randint(4, 72))
    if row["status"] is RequestStatus.RESOLVED and visit < end and rng.random() < 0.9:
        score = _pick(rng, SATISFACTION)
        if late_resolve and score > 3 and rng.random() < 0.5:
            score -= 2  # late work scores lower
        row.update(satisfaction=score)
        event(
            RequestEventKind.VISITED,
            visit,
            RequestStatus.RESOLVED,
            actor="回访员",
            satisfaction=score,
        )
        row.update(status=RequestStatus.CLOSED, closed_at=visit)
        event(RequestEventKind.CLOSED, visit, RequestStatus.RESOLVED, actor="回访员")
    events.sort(key=lambda e: e["at"])
    return row, events


def _leak_reports(
    demo: Demo,
    start: datetime,
    end: datetime,
    orgs: dict[str, list[int]],
    teams: dict[int, list[tuple[int, str]]],
) -> None:
    """The year's few leak reports, through the service: each opens its incident at once."""
    rng, session = demo.rng, demo.session
    towns = demo.towns
    span = int((end - start).total_seconds())
    for _ in range(LEAK_REPORTS):
        at = start + timedelta(seconds=rng.randrange(span - 8 * 3600))
        town = rng.choice(towns)
        lon, lat, area = _place(demo, town)
        channel = rng.choice((RequestChannel.HOTLINE, RequestChannel.HOTLINE, RequestChannel.WEB))
        who = replace(
            SYSTEM, username="网上服务 web form" if channel is RequestChannel.WEB else "坐席01"
        )
        leak = requests.receive(
            session=session,
            principal=who,
            channel=channel,
            kind=RequestKind.LEAK_REPORT,
            contact_name=names.person_name(rng)[:1] + rng.choice(("先生", "女士")),
            contact_phone=names.mobile(rng),
            description=rng.choice(DESCRIPTIONS[RequestKind.LEAK_REPORT]),
            address=names.address(rng, town.name),
            lon=lon,
            lat=lat,
            area_id=area,
            owner_id=_owner_for(demo, town, RequestKind.LEAK_REPORT, orgs),
            received_at=at,
            tz=TZ,
            now=at,
        )
        crew = teams.get(leak.owner_id or 0) or []
        team_id = crew[0][0] if crew else None
        common: dict[str, Any] = {"session": session, "principal": who, "id": leak.id}
        requests.assign(
            **common,
            team_id=team_id,
            assignee_name=None if team_id else names.person_name(rng),
            now=at + timedelta(minutes=2),
        )
        late = rng.random() < 0.15
        responded = at + timedelta(minutes=rng.randint(34, 50) if late else rng.randint(9, 28))
        requests.respond(**common, at=responded, now=responded)
        resolved = responded + timedelta(minutes=rng.randint(40, 200))
        requests.resolve(
            **common, resolution=RESOLUTIONS[RequestKind.LEAK_REPORT], at=resolved, now=resolved
        )
        if leak.incident_id is not None:  # the duty room's side: dispatched, handled, closed
            respond(demo, leak.incident_id, cause=rng.choice(LEAK_CAUSES))
        visit = resolved + timedelta(hours=rng.randint(6, 48))
        if visit < end:
            requests.close(**common, satisfaction=_pick(rng, SATISFACTION[:3]), now=visit)
    demo.counts["service_request"] += LEAK_REPORTS
    session.flush()
