"""The demo history's law enforcement (执法): the article's closures of illegal sites — 9 LPG
filling stations, 5 supply stations and 1 private LNG facility, unlicensed operators at
invented addresses inside the district — one of which shows activity after the closure, and
a few cases against licensed enterprises taken up from their hazards (a fine, an order to
rectify, a warning, one still under investigation). Through the enforcement services as the
regulator's users, each step at its simulated time before `demo.today`."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from gaswarden.domains.enforcement import service as cases
from gaswarden.domains.enforcement import watch
from gaswarden.domains.enforcement.enums import (
    ActivitySource,
    CaseSource,
    ClosureKind,
    Decision,
    PartyKind,
)
from gaswarden.domains.enforcement.models import EnforcementCase
from gaswarden.domains.hazard.enums import HazardStatus
from gaswarden.domains.hazard.models import Hazard
from gaswarden.domains.site.enums import SiteKind
from gaswarden.domains.site.models import Site
from gaswarden.sim import names
from gaswarden.sim.demo_history import TZ, History, local_day, local_midnight
from gaswarden.standards.hazards import HazardGrade

# The rules cited (one place each).
UNLICENSED_RULE = "《城镇燃气管理条例》第十五条、第四十五条(未取得燃气经营许可证从事燃气经营活动)"
LNG_RULE = "《城镇燃气管理条例》第十五条、第四十五条;《特种设备安全法》(待核实 verify)"
HAZARD_RULE = "《城镇燃气管理条例》第十八条、第四十七条(未履行隐患排查治理义务)"
FILLING_RULE = "《城镇燃气管理条例》第四十七条;TSG 23-2021 气瓶安全技术规程(充装非自有气瓶)"

# (closure kind, how many, what the party is called, facts)
CLOSURES: tuple[tuple[ClosureKind, int, str, str], ...] = (
    (
        ClosureKind.FILLING_STATION,
        9,
        "无证液化气充装点",
        "接群众举报,该处私设储罐和充装设备,无证为液化石油气钢瓶充装,现场查获钢瓶{n}只",
    ),
    (
        ClosureKind.SUPPLY_STATION,
        5,
        "无证液化气供应点",
        "该处无燃气经营许可证销售瓶装液化石油气,钢瓶来源不明,现场存放钢瓶{n}只",
    ),
    (
        ClosureKind.LNG_FACILITY,
        1,
        "聊城顺达陶瓷有限公司自备LNG气化站",
        "该企业未经许可擅自建设LNG气化设施向本厂供气,储罐{n}立方米,未经检验",
    ),
)
CASE_DAYS = 45  # a closure case runs its course within this many days of opening


def _doc_no(h: History, at: datetime) -> str:
    h.demo.counts["history:decision_no"] += 1
    return f"东住建罚决字〔{local_day(at).year}〕第{h.demo.counts['history:decision_no']:03d}号"


def _close_illegal(h: History) -> list[EnforcementCase]:
    demo, rng = h.demo, h.demo.rng
    session = demo.session
    first = local_midnight(h.start) + timedelta(days=20)
    span = max((h.end - first).days - CASE_DAYS, 1)  # the year's clean-up campaign
    executed: list[EnforcementCase] = []
    for kind, count, what, facts in CLOSURES:
        for _ in range(count):
            reg = h.who[h.regulator()]
            town = rng.choice(demo.towns)
            grid = rng.choice(town.grids)
            lon, lat = grid.box.point(rng)
            person = names.person_name(rng)
            party = what if kind is ClosureKind.LNG_FACILITY else f"{person}{what}"
            opened = h.after(first, 0, span)
            case = cases.open_case(
                session=session,
                principal=reg,
                party_kind=PartyKind.UNLICENSED,
                source=CaseSource.REPORT if rng.random() < 0.7 else CaseSource.OTHER,
                party_name=party,
                party_contact=names.mobile(rng),
                party_id_number=None if kind is ClosureKind.LNG_FACILITY else names.id_number(rng),
                area_id=demo.grid_id(grid),
                address=names.address(rng, town.name),
                lon=lon,
                lat=lat,
                facts=facts.format(n=rng.randint(12, 80)),
                rule_violated=LNG_RULE if kind is ClosureKind.LNG_FACILITY else UNLICENSED_RULE,
                opened_at=opened,
                tz=TZ,
                now=opened,
            )
            demo.counts["enforcement_case"] += 1
            t = h.after(opened, 0.5, 2)
            cases.investigate(
                session=session, principal=reg, id=case.id, note="现场勘验,询问当事人", now=t
            )
            t = h.after(t, 1, 5)
            cases.add_evidence(
                session=session,
                principal=reg,
                id=case.id,
                note="调取现场照片、询问笔录及钢瓶登记信息 Photos, statements, cylinder records",
                now=t,
            )
            t = h.after(t, 3, 12)
            cases.decide(
                session=session,
                principal=reg,
                id=case.id,
                decision=Decision.CLOSURE,
                decision_no=_doc_no(h, t),
                closure_kind=kind,
                fine_yuan=float(rng.choice((50000, 80000, 100000))),
                decided_at=t,
                note="依法予以取缔,没收违法所得及充装设备",
                now=t,
            )
            t = h.after(t, 1, 5)
            cases.execute(
                session=session,
                principal=reg,
                id=case.id,
                execution_note="已拆除储罐及充装设备,查扣钢瓶,张贴取缔公告 Dismantled and sealed",
                executed_at=t,
                now=t,
            )
            executed.append(case)
            closed = h.after(t, 10, 40)
            if closed < h.end:
                cases.close(session=session, principal=reg, id=case.id, note="结案", now=closed)
    return executed


def _flag_one(h: History, executed: list[EnforcementCase]) -> None:
    """Cylinders delivered from one closed filling point: the closure is flagged."""
    candidates = [
        c
        for c in executed
        if c.closure_kind is ClosureKind.FILLING_STATION
        and c.executed_at is not None
        and h.end - c.executed_at > timedelta(days=30)
    ]
    if not candidates:
        return
    case = candidates[-1]
    assert case.executed_at is not None
    seen = h.after(case.executed_at, 15, 25)
    watch.flag_activity(
        session=h.demo.session,
        source=ActivitySource.CYLINDER,
        detail="钢瓶追溯记录显示关停后仍有钢瓶自该地点送出"
        f"(瓶号 LC{h.demo.rng.randrange(10**6):06d}) Cylinder delivered from the closed place",
        case_id=case.id,
        ref=f"demo-cylinder:{case.id}",
        seen_at=seen,
        now=seen + timedelta(minutes=5),
    )


def _pick(h: History, *where: object) -> Hazard | None:
    stmt = select(Hazard).where(*where).order_by(Hazard.found_at, Hazard.id)  # type: ignore[arg-type]
    found = list(h.demo.session.scalars(stmt))
    return found[len(found) // 2] if found else None


def _licensed(h: History) -> None:
    """Cases against licensed enterprises taken up from their hazards."""
    demo = h.demo
    session = demo.session
    lpg_supply = select(Site.id).where(Site.kind == SiteKind.LPG_SUPPLY)
    picks: list[tuple[Hazard | None, Decision | None, str]] = [
        (
            _pick(h, Hazard.recurring.is_(True), Hazard.site_id.in_(lpg_supply)),
            Decision.FINE,
            "隐患反复出现,未落实隐患排查治理 The hazard keeps coming back",
        ),
        (
            _pick(h, Hazard.overdue.is_(True), Hazard.status != HazardStatus.CLOSED),
            Decision.ORDER_RECTIFY,
            "隐患逾期未整改 The hazard is past its deadline",
        ),
        (
            _pick(h, Hazard.closed_on_time.is_(False)),
            Decision.WARNING,
            "隐患未按期整改完成 The hazard was put right late",
        ),
        (
            _pick(h, Hazard.grade == HazardGrade.MAJOR, Hazard.item_code.like("L%")),
            None,
            "重大隐患,立案调查 A major hazard: under investigation",
        ),
    ]
    used: set[int] = set()
    for hazard, decision, facts in picks:
        if hazard is None or hazard.id in used:
            continue
        used.add(hazard.id)
        reg = h.who[h.regulator()]
        opened = h.after(hazard.found_at, 8, 20)
        if opened >= h.end:
            opened = h.end - timedelta(hours=30)
        case = cases.open_case(
            session=session,
            principal=reg,
            party_kind=PartyKind.LICENSED,
            hazard_id=hazard.id,
            facts=f"{hazard.code} {hazard.title}:{facts}",
            rule_violated=FILLING_RULE if hazard.item_code == "LF-04" else HAZARD_RULE,
            opened_at=opened,
            tz=TZ,
            now=opened,
        )
        demo.counts["enforcement_case"] += 1
        t = min(h.after(opened, 0.2, 1), h.end - timedelta(hours=20))
        cases.investigate(session=session, principal=reg, id=case.id, note="调查取证", now=t)
        if decision is None:
            continue
        t = min(h.after(t, 1, 6), h.end - timedelta(hours=10))
        cases.decide(
            session=session,
            principal=reg,
            id=case.id,
            decision=decision,
            decision_no=_doc_no(h, t),
            fine_yuan=20000.0 if decision is Decision.FINE else None,
            rectify_by=local_day(t) + timedelta(days=15)
            if decision is Decision.ORDER_RECTIFY
            else None,
            decided_at=t,
            now=t,
        )
        if decision is Decision.ORDER_RECTIFY:
            continue  # the order runs: its deadline is still ahead
        t = h.after(t, 2, 10)
        if t >= h.end:
            continue
        cases.execute(
            session=session,
            principal=reg,
            id=case.id,
            execution_note="罚款已缴纳" if decision is Decision.FINE else "警告决定已送达",
            executed_at=t,
            now=t,
        )
        t = h.after(t, 3, 15)
        if t < h.end:
            cases.close(session=session, principal=reg, id=case.id, note="结案", now=t)


def load_cases(h: History) -> None:
    executed = _close_illegal(h)
    _flag_one(h, executed)
    _licensed(h)
