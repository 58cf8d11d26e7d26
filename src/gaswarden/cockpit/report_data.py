"""The figures of the weekly and monthly district report (区燃气安全周报/月报), gathered from
every module for a period in the caller's scope; report_xlsx and report_pdf lay them out.

A week is seven local days from `start`; a month is the calendar month holding `start`.
Counts are of records whose event falls in the period (raised, found, opened, scanned,
detected, reported, held, applied, connected, received), except the few marked "now" or
"at the end" (devices online, conversions in progress, village coverage, hazards still open).
Response times are means in minutes: alarms from their measured `ack_s` / `on_site_s`,
incidents from report to first dispatch and to first arrival.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session

from gaswarden.cockpit import score as cockpit_score
from gaswarden.cockpit.figures import DEFAULT_TZ, IN_PROGRESS, TAKEN, device_counts
from gaswarden.cockpit.scope import (
    conversion_scope,
    drill_scope,
    incident_scope,
    request_scope,
    village_scope,
)
from gaswarden.core.auth import Principal, ScopeKind
from gaswarden.core.errors import Invalid
from gaswarden.db.base import utcnow
from gaswarden.domains.alarm.enums import AlarmCause
from gaswarden.domains.alarm.models import Alarm
from gaswarden.domains.alarm.scope import alarm_scope
from gaswarden.domains.area.enums import AreaLevel
from gaswarden.domains.area.models import Area
from gaswarden.domains.conversion.enums import ConversionStatus
from gaswarden.domains.conversion.models import ConversionApplication
from gaswarden.domains.cylinder.enums import EventKind, EventResult
from gaswarden.domains.cylinder.models import CylinderAnomaly, CylinderEvent
from gaswarden.domains.cylinder.scope import anomaly_scope, event_scope
from gaswarden.domains.emergency.enums import DrillStatus, IncidentGrade, IncidentStatus
from gaswarden.domains.emergency.models import Drill, Incident
from gaswarden.domains.enforcement.enums import CaseStatus
from gaswarden.domains.enforcement.models import EnforcementCase
from gaswarden.domains.enforcement.scope import case_scope
from gaswarden.domains.hazard import stats as hazard_stats
from gaswarden.domains.hazard.models import Hazard
from gaswarden.domains.hazard.scope import hazard_scope
from gaswarden.domains.inspection.models import Inspection
from gaswarden.domains.network.enums import LeakStatus
from gaswarden.domains.network.models import NetworkLeak, PipeNetwork
from gaswarden.domains.network.scope import network_scope
from gaswarden.domains.organization.models import Organization
from gaswarden.domains.service.enums import RequestKind
from gaswarden.domains.service.models import ServiceRequest, Village
from gaswarden.rules.grades import Grade

PERIODS = ("week", "month")
MEDIA_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
INCIDENT_ROWS = 200  # incidents listed (the counts above stay exact)


@dataclass(frozen=True)
class Figure:
    key: str
    label: str  # 中文 English
    value: int | float | None
    kind: str = "n"  # n (a count), rate (a share 0..1), min (minutes), yuan, score


@dataclass
class Section:
    key: str
    title: str
    figures: list[Figure] = field(default_factory=list)

    def add(self, key: str, label: str, value: Any, kind: str = "n") -> None:
        self.figures.append(Figure(key, label, value, kind))


@dataclass
class GradeRow:
    grade: str
    label: str
    raised: int
    acked: int
    avg_ack_min: float | None
    avg_on_site_min: float | None
    ack_overdue: int


@dataclass
class TownRow:
    id: int
    name: str
    alarms: int
    hazards_found: int
    hazards_open: int
    incidents: int
    requests: int
    score: float | None


@dataclass
class IncidentRow:
    code: str
    title: str
    grade: str
    status: str
    reported: datetime
    dispatch_min: float | None
    arrival_min: float | None
    closed: datetime | None


@dataclass
class DistrictReport:
    period: str  # week | month
    since: date
    until: date
    tz: str
    title: str
    scope_name: str
    generated_at: datetime
    sections: list[Section] = field(default_factory=list)
    grades: list[GradeRow] = field(default_factory=list)
    towns: list[TownRow] = field(default_factory=list)
    incidents: list[IncidentRow] = field(default_factory=list)
    score_day: date | None = None

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)

    def value(self, section: str, key: str) -> int | float | None:
        return next(f.value for f in self.section(section).figures if f.key == key)

    def filename(self, fmt: str) -> str:
        """An ASCII file name: district-report-month-2026-10-01.xlsx."""
        return f"district-report-{self.period}-{self.since.isoformat()}.{fmt}"

    def filename_zh(self, fmt: str) -> str:
        kind = "周报" if self.period == "week" else "月报"
        return f"{self.scope_name}燃气安全{kind}-{self.since.isoformat()}.{fmt}"


def fmt_value(value: int | float | None, kind: str) -> str:
    if value is None:
        return "—"
    if kind == "rate":
        return f"{value * 100:.1f}%"
    if kind in ("min", "score"):
        return f"{value:.1f}"
    if kind == "yuan":
        return f"{value:,.2f}"
    return str(value)


# ---- the period ---------------------------------------------------------------------------------
def period_bounds(period: str, start: date) -> tuple[date, date]:
    """[since, until] local dates, both included."""
    if period == "week":
        return start, start + timedelta(days=6)
    if period == "month":
        first = start.replace(day=1)
        nxt = date(first.year + first.month // 12, first.month % 12 + 1, 1)
        return first, nxt - timedelta(days=1)
    raise Invalid(
        f"period: {period!r} is not week or month",
        errors=[{"loc": ["query", "period"], "msg": "week or month"}],
    )


def parse_start(text: str) -> date:
    """YYYY-MM-DD, or YYYY-MM (the first of the month)."""
    try:
        if len(text) == 7:
            return date.fromisoformat(text + "-01")
        return date.fromisoformat(text)
    except ValueError as exc:
        raise Invalid(
            f"start: {text!r} is not YYYY-MM-DD",
            errors=[{"loc": ["query", "start"], "msg": "YYYY-MM-DD"}],
        ) from exc


# ---- helpers ------------------------------------------------------------------------------------
def _n(cond: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((cond, 1), else_=0)), 0)


def _row(session: Session, stmt: Any) -> list[Any]:
    return list(session.execute(stmt).one())


def _minutes(pairs: Iterable[tuple[datetime | None, datetime | None]]) -> float | None:
    spans = [(b - a).total_seconds() / 60 for a, b in pairs if a is not None and b is not None]
    return round(sum(spans) / len(spans), 1) if spans else None


def _mean_min(total_s: Any, n: int) -> float | None:
    return round(float(total_s or 0) / n / 60, 1) if n else None


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _in(col: Any, start: datetime, end: datetime) -> ColumnElement[bool]:
    return (col >= start) & (col < end)


def _per_town(
    session: Session, model: Any, scope: ColumnElement[bool], *where: ColumnElement[bool]
) -> dict[int, int]:
    """Records per area, rolled up the tree (so a town holds its grids' counts)."""
    stmt = (
        select(Area.path, func.count())
        .select_from(model)
        .join(Area, Area.id == model.area_id)
        .where(scope, *where)
        .group_by(Area.path)
    )
    out: dict[int, int] = {}
    for path, n in session.execute(stmt):
        for area_id in hazard_stats.path_ids(path):
            out[area_id] = out.get(area_id, 0) + int(n)
    return out


# ---- the sections -------------------------------------------------------------------------------
def _devices_and_alarms(
    session: Session,
    principal: Principal,
    start: datetime,
    end: datetime,
    now: datetime,
    report: DistrictReport,
) -> None:
    total, online = device_counts(session, principal, now)
    dev = Section("devices", "一、设备在线 Devices")
    dev.add("devices", "在用设备(当前) Devices in use (now)", total)
    dev.add("online", "在线设备(当前) Online (now)", online)
    dev.add("online_rate", "在线率(当前) Online rate (now)", _ratio(online, total), "rate")
    report.sections.append(dev)

    a = Alarm
    stmt = (
        select(
            a.grade,
            func.count(),
            func.count(a.ack_s),
            func.sum(a.ack_s),
            func.count(a.on_site_s),
            func.sum(a.on_site_s),
            _n(a.ack_overdue.is_(True)),
            _n(a.resolved_at.is_not(None)),
            _n(a.cause == AlarmCause.REAL_LEAK),
            _n(a.cause == AlarmCause.FALSE_ALARM),
        )
        .where(alarm_scope(principal), _in(a.raised_at, start, end))
        .group_by(a.grade)
    )
    by_grade = {r[0]: r for r in session.execute(stmt)}
    totals = [0] * 9
    for g in Grade:
        r = by_grade.get(g)
        vals = [int(v or 0) for v in r[1:]] if r is not None else [0] * 9
        totals = [x + y for x, y in zip(totals, vals, strict=True)]
        report.grades.append(
            GradeRow(
                grade=g.value,
                label=f"{g.zh} {g.en}",
                raised=vals[0],
                acked=vals[1],
                avg_ack_min=_mean_min(vals[2], vals[1]),
                avg_on_site_min=_mean_min(vals[4], vals[3]),
                ack_overdue=vals[5],
            )
        )
    raised, acked, ack_s, on_site, on_site_s, overdue, resolved, real, false = totals
    sec = Section("alarms", "二、监测报警 Alarms")
    sec.add("raised", "报警总数 Alarms raised", raised)
    for row in report.grades:
        sec.add(row.grade, f"其中{row.label}", row.raised)
    sec.add("acked", "已确认 Acknowledged", acked)
    sec.add(
        "avg_ack_min",
        "平均确认时间(分钟) Mean time to acknowledge (min)",
        _mean_min(ack_s, acked),
        "min",
    )
    sec.add(
        "avg_on_site_min",
        "平均到场时间(分钟) Mean time on site (min)",
        _mean_min(on_site_s, on_site),
        "min",
    )
    sec.add("ack_overdue", "超时未确认 Acknowledged late", overdue)
    sec.add("resolved", "已处置 Resolved", resolved)
    sec.add("real_leaks", "确认真实泄漏 Real leaks", real)
    sec.add("false_alarms", "误报 False alarms", false)
    report.sections.append(sec)


def _hazards_and_inspections(
    session: Session, principal: Principal, period: hazard_stats.Period, report: DistrictReport
) -> None:
    where = hazard_stats.Where(principal=principal)
    c = hazard_stats.totals(session, period, where)
    hz = Section("hazards", "三、隐患排查治理 Hazards")
    hz.add("found", "发现隐患 Hazards found", c.found)
    hz.add("major", "其中重大隐患 Major", c.major)
    hz.add("closed", "已整改销号 Rectified", c.closed)
    hz.add("rectification_rate", "整改率 Rectification rate", c.rectification_rate, "rate")
    hz.add("closed_in_period", "本期销号(含往期) Closed in the period", c.closed_in_period)
    hz.add("open_total", "期末未销号 Open at the end", c.open_total)
    hz.add("overdue", "期末逾期 Overdue at the end", c.overdue)
    report.sections.append(hz)

    i = Inspection
    carried = session.scalar(
        select(func.count(i.id)).where(
            where.inspections(), _in(i.inspected_at, period.start, period.end)
        )
    )
    ins = Section("inspections", "四、安全检查 Inspections")
    ins.add("planned", "计划检查任务 Tasks due", c.planned)
    ins.add("done", "已完成 Done", c.done)
    ins.add("completion_rate", "完成率 Completion rate", c.completion_rate, "rate")
    ins.add("carried_out", "实施检查 Inspections carried out", int(carried or 0))
    report.sections.append(ins)


def _enforcement(
    session: Session, principal: Principal, start: datetime, end: datetime, report: DistrictReport
) -> None:
    e = EnforcementCase
    decided = _in(e.decided_at, start, end)
    opened, closed, decisions, fines = _row(
        session,
        select(
            _n(_in(e.opened_at, start, end)),
            _n(_in(e.closed_at, start, end) & (e.status == CaseStatus.CLOSED)),
            _n(decided),
            func.coalesce(func.sum(case((decided, e.fine_yuan), else_=0)), 0),
        ).where(case_scope(principal)),
    )
    sec = Section("enforcement", "五、执法 Enforcement")
    sec.add("opened", "立案 Cases opened", int(opened))
    sec.add("closed", "结案 Cases closed", int(closed))
    sec.add("decisions", "作出处理决定 Decisions", int(decisions))
    sec.add("fines_yuan", "罚款(元) Fines (yuan)", round(float(fines or 0), 2), "yuan")
    report.sections.append(sec)


def _cylinders(
    session: Session, principal: Principal, start: datetime, end: datetime, report: DistrictReport
) -> None:
    ev = CylinderEvent
    taken = ev.result.in_(TAKEN)
    filled, delivered, refused, flagged = _row(
        session,
        select(
            _n(taken & (ev.kind == EventKind.FILL)),
            _n(taken & (ev.kind == EventKind.DELIVER)),
            _n(ev.result == EventResult.REFUSED),
            _n(ev.result == EventResult.ANOMALY),
        ).where(event_scope(principal), _in(ev.occurred_at, start, end)),
    )
    an = CylinderAnomaly
    anomalies = session.scalar(
        select(func.count(an.id)).where(anomaly_scope(principal), _in(an.found_at, start, end))
    )
    sec = Section("cylinders", "六、液化气钢瓶 Cylinders")
    sec.add("filled", "充装 Filled", int(filled))
    sec.add("delivered", "配送入户 Delivered", int(delivered))
    sec.add("refused_scans", "拒绝的扫码 Refused scans", int(refused))
    sec.add("anomaly_scans", "异常扫码 Scans with anomalies", int(flagged))
    sec.add("anomalies", "链条异常 Chain anomalies", int(anomalies or 0))
    report.sections.append(sec)


def _network(
    session: Session, principal: Principal, start: datetime, end: datetime, report: DistrictReport
) -> None:
    lk = NetworkLeak
    detected, confirmed, repaired, false = _row(
        session,
        select(
            func.count(lk.id),
            _n(lk.status == LeakStatus.CONFIRMED),
            _n(lk.status == LeakStatus.REPAIRED),
            _n(lk.status == LeakStatus.FALSE_ALARM),
        )
        .join(PipeNetwork, PipeNetwork.id == lk.network_id)
        .where(network_scope(principal), _in(lk.detected_at, start, end)),
    )
    sec = Section("network", "七、管网泄漏 Pipe network leaks")
    sec.add("detected", "监测发现泄漏 Leaks detected", int(detected))
    sec.add("confirmed", "确认待修 Confirmed, not yet repaired", int(confirmed))
    sec.add("repaired", "已修复 Repaired", int(repaired))
    sec.add("false_alarm", "误报 False alarms", int(false))
    report.sections.append(sec)


def _emergency(
    session: Session, principal: Principal, start: datetime, end: datetime, report: DistrictReport
) -> None:
    i = Incident
    stmt = (
        select(i)
        .where(incident_scope(principal), i.drill.is_(False), _in(i.reported_at, start, end))
        .order_by(i.reported_at, i.id)
    )
    incidents = list(session.scalars(stmt))
    serious = {IncidentGrade.I, IncidentGrade.II, IncidentGrade.III}
    sec = Section("emergency", "八、应急处置 Emergency")
    sec.add("incidents", "突发事件 Incidents", len(incidents))
    sec.add(
        "serious",
        "其中较大及以上(III级以上) Grade III or worse",
        sum(x.grade in serious for x in incidents),
    )
    sec.add(
        "avg_dispatch_min",
        "平均派遣时间(分钟) Mean time to dispatch (min)",
        _minutes((x.reported_at, x.dispatched_at) for x in incidents),
        "min",
    )
    sec.add(
        "avg_arrival_min",
        "平均到场时间(分钟) Mean time to arrive (min)",
        _minutes((x.reported_at, x.arrived_at) for x in incidents),
        "min",
    )
    sec.add("closed", "已结案 Closed", sum(x.status is IncidentStatus.CLOSED for x in incidents))
    sec.add("injured", "受伤 Injured", sum(x.injured for x in incidents))
    sec.add("deaths", "死亡 Deaths", sum(x.deaths for x in incidents))
    d = Drill
    since, until = report.since, report.until
    held, participants = _row(
        session,
        select(func.count(d.id), func.coalesce(func.sum(d.participants), 0)).where(
            drill_scope(principal),
            d.status == DrillStatus.HELD,
            d.held_on >= since,
            d.held_on <= until,
        ),
    )
    sec.add("drills", "开展演练 Drills held", int(held))
    sec.add("drill_participants", "演练参与人次 Drill participants", int(participants))
    report.sections.append(sec)
    for x in incidents[:INCIDENT_ROWS]:
        report.incidents.append(
            IncidentRow(
                code=x.code,
                title=x.title,
                grade=x.grade.zh,
                status=x.status.zh,
                reported=x.reported_at,
                dispatch_min=_minutes([(x.reported_at, x.dispatched_at)]),
                arrival_min=_minutes([(x.reported_at, x.arrived_at)]),
                closed=x.closed_at,
            )
        )


def _conversions(
    session: Session,
    principal: Principal,
    start: datetime,
    end: datetime,
    year_start: datetime,
    report: DistrictReport,
) -> None:
    c = ConversionApplication
    applied, connected, year, in_progress, refused = _row(
        session,
        select(
            _n(_in(c.applied_at, start, end)),
            _n(_in(c.connected_at, start, end)),
            _n(_in(c.connected_at, year_start, end)),
            _n(c.status.in_(IN_PROGRESS)),
            _n(_in(c.closed_at, start, end) & (c.status == ConversionStatus.REFUSED)),
        ).where(conversion_scope(principal)),
    )
    sec = Section("conversions", "九、瓶改管 Bottle-to-pipe conversion")
    sec.add("applied", "新增申请 Applications", int(applied))
    sec.add("connected", "本期通气 Connected in the period", int(connected))
    sec.add("connected_year", "本年累计通气 Connected this year", int(year))
    sec.add("in_progress", "办理中(当前) In progress (now)", int(in_progress))
    sec.add("refused", "不符合条件 Refused", int(refused))
    report.sections.append(sec)


def _service(
    session: Session, principal: Principal, start: datetime, end: datetime, report: DistrictReport
) -> None:
    r = ServiceRequest
    resolved_in = _in(r.resolved_at, start, end)
    received, leaks, urgent_incidents, resolved, on_time, open_end, sat_n, sat_sum = _row(
        session,
        select(
            _n(_in(r.received_at, start, end)),
            _n(_in(r.received_at, start, end) & (r.kind == RequestKind.LEAK_REPORT)),
            _n(_in(r.received_at, start, end) & r.incident_id.is_not(None)),
            _n(resolved_in),
            _n(resolved_in & (r.resolved_at <= r.resolve_due_at)),
            _n((r.received_at < end) & (r.resolved_at.is_(None) | (r.resolved_at >= end))),
            func.count(case((resolved_in, r.satisfaction))),
            func.coalesce(func.sum(case((resolved_in, r.satisfaction))), 0),
        ).where(request_scope(principal)),
    )
    sec = Section("service", "十、服务工单 Service requests")
    sec.add("received", "受理 Received", int(received))
    sec.add("leak_reports", "其中漏气报告 Leak reports", int(leaks))
    sec.add("to_incidents", "转应急事件 Escalated to incidents", int(urgent_incidents))
    sec.add("resolved", "办结 Resolved", int(resolved))
    sec.add(
        "on_time_rate", "按时办结率 Resolved on time", _ratio(int(on_time), int(resolved)), "rate"
    )
    sec.add("open_at_end", "期末未办结 Open at the end", int(open_end))
    sat = round(float(sat_sum) / int(sat_n), 2) if int(sat_n) else None
    sec.add("satisfaction", "回访满意度(1-5) Satisfaction (1-5)", sat, "score")
    report.sections.append(sec)


def _coverage(session: Session, principal: Principal, report: DistrictReport) -> None:
    v = Village
    villages, piped, households, hh_piped, heating, hh_heating = _row(
        session,
        select(
            func.count(v.id),
            _n(v.pipe_gas_since.is_not(None)),
            func.coalesce(func.sum(v.households), 0),
            func.coalesce(func.sum(v.households_piped), 0),
            _n(v.clean_heating_since.is_not(None)),
            func.coalesce(func.sum(v.households_clean_heating), 0),
        ).where(village_scope(principal)),
    )
    sec = Section("coverage", "十一、村村通·户户通·清洁取暖 Coverage (now)")
    sec.add("villages", "村(社区) Villages", int(villages))
    sec.add("villages_piped", "通管道气的村 Villages with pipe gas", int(piped))
    sec.add("households", "户数 Households", int(households))
    sec.add("households_piped", "通管道气户数 Households with pipe gas", int(hh_piped))
    sec.add(
        "piped_share",
        "户户通比例 Share of households piped",
        _ratio(int(hh_piped), int(households)),
        "rate",
    )
    sec.add("villages_heating", "清洁取暖村 Villages with clean heating", int(heating))
    sec.add("households_heating", "清洁取暖户数 Households with clean heating", int(hh_heating))
    report.sections.append(sec)


def _towns(
    session: Session,
    principal: Principal,
    start: datetime,
    end: datetime,
    report: DistrictReport,
    tz: str,
    ref_day: date,
) -> None:
    alarms = _per_town(session, Alarm, alarm_scope(principal), _in(Alarm.raised_at, start, end))
    found = _per_town(session, Hazard, hazard_scope(principal), _in(Hazard.found_at, start, end))
    still_open = _per_town(
        session,
        Hazard,
        hazard_scope(principal),
        Hazard.found_at < end,
        Hazard.closed_at.is_(None) | (Hazard.closed_at >= end),
    )
    incidents = _per_town(
        session,
        Incident,
        incident_scope(principal),
        Incident.drill.is_(False),
        _in(Incident.reported_at, start, end),
    )
    requests = _per_town(
        session,
        ServiceRequest,
        request_scope(principal),
        _in(ServiceRequest.received_at, start, end),
    )
    scores: dict[int, float] = {}
    if ref_day >= report.since:
        trend = cockpit_score.trend(
            session=session, principal=principal, today=ref_day, days=1, tz=tz
        )
        scores = {u.id: u.score for u in trend.towns}
        report.score_day = ref_day
    figures = {*alarms, *found, *still_open, *incidents, *requests, *scores}
    stmt = select(Area).where(Area.level == AreaLevel.TOWN).order_by(Area.code)
    for town in session.scalars(stmt):
        if principal.scope_kind not in (ScopeKind.ALL, ScopeKind.AREA) and town.id not in figures:
            continue
        if principal.scope_kind is ScopeKind.AREA and not any(
            town.path.startswith(p) or p.startswith(town.path) for p in principal.area_paths
        ):
            continue
        report.towns.append(
            TownRow(
                id=town.id,
                name=town.name,
                alarms=alarms.get(town.id, 0),
                hazards_found=found.get(town.id, 0),
                hazards_open=still_open.get(town.id, 0),
                incidents=incidents.get(town.id, 0),
                requests=requests.get(town.id, 0),
                score=scores.get(town.id),
            )
        )


def _scope_name(session: Session, principal: Principal) -> str:
    """全区 for regulators; else the caller's organisation (an enterprise's own report)."""
    if principal.scope_kind in (ScopeKind.ALL, ScopeKind.AREA) and principal.is_regulator:
        return "全区"
    if principal.org_id is not None:
        name = session.scalar(select(Organization.name).where(Organization.id == principal.org_id))
        if name:
            return str(name)
    return principal.display_name


def gather(
    *,
    session: Session,
    principal: Principal,
    period: str,
    start: date,
    tz: str = DEFAULT_TZ,
    now: datetime | None = None,
) -> DistrictReport:
    """Everything the district report shows for the week or month at `start`."""
    now = now or utcnow()
    since, until = period_bounds(period, start)
    hp = hazard_stats.Period.of(since, until, tz=tz, now=now)
    scope_name = _scope_name(session, principal)
    kind = "周报" if period == "week" else "月报"
    span = (
        f"{since.year}年{since.month}月"
        if period == "month"
        else f"{since.isoformat()}至{until.isoformat()}"
    )
    report = DistrictReport(
        period=period,
        since=since,
        until=until,
        tz=tz,
        title=f"{scope_name}燃气安全{kind}（{span}）",
        scope_name=scope_name,
        generated_at=now,
    )
    start_at, end_at = hp.start, hp.end
    year_start = hazard_stats.Period(since=since.replace(month=1, day=1), until=until, tz=tz).start
    _devices_and_alarms(session, principal, start_at, end_at, now, report)
    _hazards_and_inspections(session, principal, hp, report)
    _enforcement(session, principal, start_at, end_at, report)
    _cylinders(session, principal, start_at, end_at, report)
    _network(session, principal, start_at, end_at, report)
    _emergency(session, principal, start_at, end_at, report)
    _conversions(session, principal, start_at, end_at, year_start, report)
    _service(session, principal, start_at, end_at, report)
    _coverage(session, principal, report)
    _towns(session, principal, start_at, end_at, report, tz, hp.ref_day)
    return report


def render(report: DistrictReport, fmt: str) -> bytes:
    """The report as `fmt` ("xlsx" or "pdf")."""
    from gaswarden.cockpit.report_pdf import render as pdf
    from gaswarden.cockpit.report_xlsx import render as xlsx

    if fmt == "xlsx":
        return xlsx(report)
    if fmt == "pdf":
        return pdf(report)
    raise Invalid(
        f"format: {fmt!r} is not xlsx or pdf",
        errors=[{"loc": ["query", "format"], "msg": "xlsx or pdf"}],
    )
