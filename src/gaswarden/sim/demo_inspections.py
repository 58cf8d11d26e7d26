"""The demo history's inspections: built-in checklists, the plans (third-party quarterly,
self-inspections monthly), their tasks generated at each month's start and carried out by
the agencies' inspectors and the enterprises, regulators' spot checks, and one joint
inspection of the enterprises' safety management that finds the missing systems (规章制度)
they then put right. Each submission goes through `inspection.submission.submit` with its
simulated `now`, so that its failed items open hazards as in real use."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select

from gaswarden.domains.hazard import systems
from gaswarden.domains.hazard.enums import SystemKind, SystemStatus
from gaswarden.domains.hazard.models import Hazard
from gaswarden.domains.inspection import checklists, plans, submission, tasks
from gaswarden.domains.inspection.enums import (
    SITE_TARGET,
    ChecklistTarget,
    InspectionKind,
    Outcome,
)
from gaswarden.domains.inspection.models import (
    ChecklistItem,
    ChecklistTemplate,
    ChecklistVersion,
    InspectionTask,
)
from gaswarden.domains.site.enums import SiteKind
from gaswarden.domains.site.models import Site
from gaswarden.sim.demo_history import (
    AGENCY_USER,
    HISTORY_MONTHS,
    TZ,
    Fate,
    History,
    follow,
    local_day,
    local_midnight,
)
from gaswarden.standards.hazards import FREQUENCY_MONTHS, Frequency, HazardGrade

# Failures per inspection: weights for 0, 1, 2, 3 failed items (tuned so that the year finds
# ~290 hazards by agencies and regulators and ~250 by the enterprises, as in the article).
FAILURES: dict[InspectionKind, tuple[float, ...]] = {
    InspectionKind.THIRD_PARTY: (0.34, 0.38, 0.2, 0.08),
    InspectionKind.SELF: (0.5, 0.33, 0.13, 0.04),
    InspectionKind.SPOT_CHECK: (0.35, 0.4, 0.2, 0.05),
}
# One enterprise's self-inspections find far fewer hazards than the agencies find at its
# stations: the comparison of self-inspection with the inspectors' findings flags it.
UNDER_REPORTING = "cng"
UNDER_REPORTING_SELF = (0.86, 0.12, 0.02, 0.0)
P_MAJOR = 0.012  # a failed item is one of the major-hazard criteria
P_REPEAT = 0.05  # a failed item is one the site failed before (a recurring hazard)
P_NA = 0.03  # an item does not apply this time
P_LATE_TASK = 0.05  # a task done after its due day
P_SKIPPED = 0.05  # of tasks of the last SKIP_WINDOW: never done (overdue)
SKIP_WINDOW = timedelta(days=70)
P_NOT_YET = 0.3  # of the current period's tasks: not done yet
SELF_DUE_DAYS = 14  # self-inspections are due by the 15th (a plan's choice)
SPOT_CHECKS = 26  # the regulator's spot checks over the year
GRID_SPOT_CHECKS = 6  # the 古楼 grid supervisor's checks of restaurants and shops
JOINT_MONTHS_AGO = 7

# The enterprises' systems missing when the year began and improved after the joint
# inspection: 11 in all (the article), 4 of them major-hazard criteria.
MISSING_SYSTEMS: dict[str, tuple[SystemKind, ...]] = {
    "gas1": (SystemKind.SAFETY_TRAINING,),
    "gas2": (SystemKind.RISK_CONTROL, SystemKind.SAFETY_TRAINING, SystemKind.OPERATING_PROCEDURES),
    "lpg": (SystemKind.USER_SAFETY_CHECKS, SystemKind.SAFETY_RESPONSIBILITY),
    "lng": (
        SystemKind.EMERGENCY_PLAN,
        SystemKind.OPERATING_PROCEDURES,
        SystemKind.SAFETY_TRAINING,
    ),
    "cng": (SystemKind.HAZARD_INVESTIGATION, SystemKind.SAFETY_RESPONSIBILITY),
}
# Where each enterprise's safety management is inspected (its main station).
HEAD_SITE_KIND = {
    "gas1": SiteKind.GATE_STATION,
    "gas2": SiteKind.GATE_STATION,
    "lpg": SiteKind.LPG_FILLING,
    "lng": SiteKind.LNG_STATION,
    "cng": SiteKind.CNG_STATION,
}
FAIL_NOTES = (
    "现场检查发现不符合要求,已拍照留存",
    "检查发现问题,已当场告知站长并要求限期整改",
    "该项不符合检查标准,详见现场照片",
)

# Third-party plans (one per checklist, carried out by each site's agency): the licensed
# stations quarterly, regulator stations and boxes half-yearly (fewer inspections keep the
# demo load fast; see the module's docstring in demo_history).
THIRD_PARTY_PLANS: tuple[tuple[ChecklistTarget, Frequency], ...] = (
    (ChecklistTarget.GATE_STATION, Frequency.QUARTERLY),
    (ChecklistTarget.LPG_FILLING, Frequency.QUARTERLY),
    (ChecklistTarget.LPG_SUPPLY, Frequency.QUARTERLY),
    (ChecklistTarget.LNG_CNG, Frequency.QUARTERLY),
    (ChecklistTarget.REGULATOR, Frequency.HALF_YEARLY),
)
# Self-inspection plans: (enterprise, checklist target, frequency).
SELF_PLANS: tuple[tuple[str, ChecklistTarget, Frequency], ...] = (
    ("gas1", ChecklistTarget.GATE_STATION, Frequency.MONTHLY),
    ("gas2", ChecklistTarget.GATE_STATION, Frequency.MONTHLY),
    ("lpg", ChecklistTarget.LPG_FILLING, Frequency.MONTHLY),
    ("lpg", ChecklistTarget.LPG_SUPPLY, Frequency.MONTHLY),
    ("lng", ChecklistTarget.LNG_CNG, Frequency.MONTHLY),
    ("cng", ChecklistTarget.LNG_CNG, Frequency.MONTHLY),
)
PLAN_ADMIN = {"gas1": "ent_admin", "lpg": "lpg_admin"}  # else the regulator sets the plan


@dataclass
class Checklist:
    version_id: int
    items: list[ChecklistItem]

    @property
    def general(self) -> list[ChecklistItem]:
        return [i for i in self.items if i.hazard_grade is HazardGrade.GENERAL]

    @property
    def major(self) -> list[ChecklistItem]:
        return [i for i in self.items if i.hazard_grade is HazardGrade.MAJOR]


class Inspections:
    """The checklists in use, what each site has failed so far, and the submission of one
    inspection."""

    def __init__(self, h: History) -> None:
        self.h = h
        session = h.demo.session
        checklists.seed_builtin(session)
        self.templates: dict[ChecklistTarget, ChecklistTemplate] = {
            t.target: t
            for t in session.scalars(
                select(ChecklistTemplate).where(ChecklistTemplate.builtin.is_(True))
            )
        }
        self.lists: dict[int, Checklist] = {}  # template id -> current version and items
        for template in self.templates.values():
            assert template.current_version_id is not None
            version = session.get(ChecklistVersion, template.current_version_id)
            assert version is not None
            self.lists[template.id] = Checklist(version.id, list(version.items))
        # (site, version) -> items failed there so far
        self.failed: dict[tuple[int, int], set[int]] = {}
        self.seen_tasks = 0

    def checklist(self, target: ChecklistTarget) -> Checklist:
        return self.lists[self.templates[target].id]

    def failures(self, site: Site, checklist: Checklist, kind: InspectionKind) -> set[int]:
        """The items that fail this time: mostly general ones the site has not failed before
        this year; now and then one it has (a recurring hazard), rarely a major one."""
        rng = self.h.demo.rng
        weights = FAILURES.get(kind, FAILURES[InspectionKind.SPOT_CHECK])
        if (
            kind is InspectionKind.SELF
            and self.h.org_key.get(site.owner_id or 0) == UNDER_REPORTING
        ):
            weights = UNDER_REPORTING_SELF
        n = rng.choices(range(len(weights)), weights)[0]
        before = self.failed.setdefault((site.id, checklist.version_id), set())
        failed: set[int] = set()
        while len(failed) < n:
            roll = rng.random()
            fresh = [i for i in checklist.general if i.id not in before]
            if roll < P_MAJOR and checklist.major:
                item = rng.choice(checklist.major)
            elif roll < P_MAJOR + P_REPEAT or not fresh:
                item = rng.choice(checklist.general)
            else:
                item = rng.choice(fresh)
            failed.add(item.id)
        before |= failed
        return failed

    def answers(self, checklist: Checklist, failed: set[int]) -> list[submission.Answer]:
        rng = self.h.demo.rng
        out = []
        for item in checklist.items:
            if item.id in failed:
                out.append(submission.Answer(item.id, Outcome.FAIL, rng.choice(FAIL_NOTES)))
            elif rng.random() < P_NA:
                out.append(submission.Answer(item.id, Outcome.NOT_APPLICABLE))
            else:
                out.append(submission.Answer(item.id, Outcome.PASS))
        return out

    def submit(
        self,
        *,
        username: str,
        site: Site,
        checklist: Checklist,
        inspected_at: datetime,
        failed: set[int],
        task_id: int | None = None,
        kind: InspectionKind | None = None,
        note: str | None = None,
    ) -> list[Hazard]:
        """Submit the inspection (within hours of its time, as a phone would) and return the
        hazards it opened."""
        h, rng = self.h, self.h.demo.rng
        session = h.demo.session
        sent = inspected_at + timedelta(minutes=rng.randint(5, 150))
        result = submission.submit(
            session=session,
            principal=h.who[username],
            client_id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            site_id=site.id,
            inspected_at=inspected_at,
            results=self.answers(checklist, failed),
            task_id=task_id,
            kind=kind,
            version_id=checklist.version_id,
            lon=round(site.lon + rng.uniform(-2e-4, 2e-4), 6) if site.lon is not None else None,
            lat=round(site.lat + rng.uniform(-2e-4, 2e-4), 6) if site.lat is not None else None,
            note=note,
            tz=TZ,
            now=min(sent, h.end - timedelta(minutes=1)),
        )
        inspection = result.inspection
        h.demo.counts["inspection"] += 1
        h.demo.counts["history:inspection:" + inspection.kind.value] += 1
        ids = [r.hazard_id for r in inspection.results if r.hazard_id is not None]
        opened = (
            list(session.scalars(select(Hazard).where(Hazard.id.in_(ids)).order_by(Hazard.id)))
            if ids
            else []
        )
        h.demo.counts["hazard"] += len(opened)
        return opened

    def verifier_for(self, site: Site, kind: InspectionKind, username: str) -> str:
        """Who verifies general hazards: the agency that inspects the site, else a regulator."""
        if kind is InspectionKind.THIRD_PARTY:
            return username
        return self.h.site_agency.get(site.id) or self.h.regulator()


# ---- plans and their tasks --------------------------------------------------------------------
def _plans(h: History, ins: Inspections) -> None:
    session = h.demo.session
    orgs = h.demo.orgs
    agencies = [orgs[key] for key in sorted(AGENCY_USER)]
    for agency in agencies:  # each agency's plan covers the sites it is engaged for
        for target, frequency in THIRD_PARTY_PLANS:
            plans.create(
                session=session,
                principal=h.who["reg_admin"],
                data={
                    "name": f"{agency.short_name or agency.name}专项巡检:{target.zh}"
                    f"({frequency.zh}) Third-party: {target.en}, {frequency.en.lower()}",
                    "kind": InspectionKind.THIRD_PARTY,
                    "template_id": ins.templates[target].id,
                    "frequency": frequency,
                    "starts_on": h.start,
                    "assignee_org_id": agency.id,
                },
            )
    for key, target, frequency in SELF_PLANS:
        org = orgs[key]
        by = PLAN_ADMIN.get(key, "reg_admin")
        plans.create(
            session=session,
            principal=h.who[by],
            data={
                "name": f"{org.short_name or org.name}企业自查:{target.zh}({frequency.zh})",
                "kind": InspectionKind.SELF,
                "template_id": ins.templates[target].id,
                "owner_id": org.id,
                "assignee_org_id": org.id,
                "frequency": frequency,
                "starts_on": h.start,
                "due_days": SELF_DUE_DAYS if frequency is Frequency.MONTHLY else None,
            },
        )
        h.demo.counts["inspection_plan"] += 1
    h.demo.counts["inspection_plan"] += len(THIRD_PARTY_PLANS) * len(agencies)


def _monthly_generation(h: History, ins: Inspections) -> None:
    day = h.start
    while day <= h.today:
        h.at(local_midnight(day) + timedelta(minutes=10), lambda t: _generate(h, ins, t))
        day = tasks.add_months(day, 1)


def _generate(h: History, ins: Inspections, t: datetime) -> None:
    session = h.demo.session
    tasks.generate(session, local_day(t))
    new = list(
        session.scalars(
            select(InspectionTask)
            .where(InspectionTask.id > ins.seen_tasks)
            .order_by(InspectionTask.id)
        )
    )
    for task in new:
        ins.seen_tasks = max(ins.seen_tasks, task.id)
        h.demo.counts["inspection_task"] += 1
        _schedule_task(h, ins, task)


def _schedule_task(h: History, ins: Inspections, task: InspectionTask) -> None:
    rng = h.demo.rng
    if task.kind is InspectionKind.SELF:
        username = h.enterprise_user(task.owner_id)
    else:
        username = h.site_agency.get(task.site_id)
    if username is None:
        return
    start = local_midnight(task.period_start)
    current = task.period_start <= h.today <= _period_end(task)
    if current and rng.random() < P_NOT_YET:
        return  # still to do (overdue if its due day has passed)
    if h.end - start < SKIP_WINDOW and rng.random() < P_SKIPPED:
        return  # never done: overdue
    span = max((task.due_on - task.period_start).days - 1, 0)
    if rng.random() < P_LATE_TASK:
        day = task.due_on + timedelta(days=rng.randint(1, 8))
    else:
        day = task.period_start + timedelta(days=rng.randint(0, span))
    task_id, site_id, kind = task.id, task.site_id, task.kind
    template_id = task.template_id

    def carry_out(t: datetime) -> None:
        site = h.demo.session.get(Site, site_id)
        assert site is not None
        checklist = ins.lists[template_id]
        failed = ins.failures(site, checklist, kind)
        opened = ins.submit(
            username=username,
            site=site,
            checklist=checklist,
            inspected_at=t,
            failed=failed,
            task_id=task_id,
        )
        verifier = ins.verifier_for(site, kind, username)
        for hazard in opened:
            follow(h, hazard, verifier=verifier)

    h.at(h.working(day), carry_out)


def _period_end(task: InspectionTask) -> date:
    if task.plan is None:
        return task.due_on
    months = FREQUENCY_MONTHS.get(task.plan.frequency, 1)
    return tasks.add_months(task.period_start, months) - timedelta(days=1)


# ---- spot checks and the joint inspection ----------------------------------------------------
def _spot_checks(h: History, ins: Inspections) -> None:
    rng = h.demo.rng
    session = h.demo.session
    all_sites = list(session.scalars(select(Site).order_by(Site.id)))
    targets = [
        s
        for s in all_sites
        if SITE_TARGET.get(s.kind)
        in (
            ChecklistTarget.LPG_SUPPLY,
            ChecklistTarget.LPG_FILLING,
            ChecklistTarget.LNG_CNG,
            ChecklistTarget.GATE_STATION,
            ChecklistTarget.COMMERCIAL,
        )
    ]
    grid_user = h.who.get("grid_gulou")
    gulou = [
        s
        for s in all_sites
        if grid_user is not None
        and SITE_TARGET.get(s.kind) is ChecklistTarget.COMMERCIAL
        and s.area_id in _area_ids(h, grid_user.area_paths)
    ]
    days = (h.end - local_midnight(h.start)).days
    plan = [(h.regulator(), rng.choice(targets)) for _ in range(SPOT_CHECKS)]
    if gulou:
        plan += [("grid_gulou", rng.choice(gulou)) for _ in range(GRID_SPOT_CHECKS)]
    for username, site in plan:
        day = h.start + timedelta(days=rng.randint(0, days - 2))
        _spot(h, ins, username, site.id, day)


def _area_ids(h: History, paths: tuple[str, ...]) -> set[int]:
    from gaswarden.domains.area.models import Area

    out: set[int] = set()
    for area in h.demo.session.scalars(select(Area)):
        if any(area.path.startswith(p) for p in paths):
            out.add(area.id)
    return out


def _spot(h: History, ins: Inspections, username: str, site_id: int, day: date) -> None:
    def carry_out(t: datetime) -> None:
        site = h.demo.session.get(Site, site_id)
        assert site is not None
        checklist = ins.checklist(SITE_TARGET[site.kind])
        failed = ins.failures(site, checklist, InspectionKind.SPOT_CHECK)
        opened = ins.submit(
            username=username,
            site=site,
            checklist=checklist,
            inspected_at=t,
            failed=failed,
            kind=InspectionKind.SPOT_CHECK,
            note="监管部门随机抽查 Regulator's random spot check",
        )
        for hazard in opened:
            follow(h, hazard, verifier=h.regulator())

    h.at(h.working(day), carry_out)


def _systems(h: History) -> None:
    """Every enterprise's required systems as the year began: present, 11 missing."""
    session = h.demo.session
    reg = h.who["reg_admin"]
    rng = h.demo.rng
    for key in MISSING_SYSTEMS:
        org = h.demo.orgs[key]
        for kind in SystemKind:
            missing = kind in MISSING_SYSTEMS[key]
            systems.put(
                session=session,
                principal=reg,
                org_id=org.id,
                kind=kind,
                status=SystemStatus.MISSING if missing else SystemStatus.PRESENT,
                document=None if missing else f"{org.short_name}{kind.zh}",
                adopted_on=None
                if missing
                else date(2018 + rng.randrange(5), rng.randint(1, 12), 1),
                note="年初核查未建立 Not in place at the year's review" if missing else None,
                tz=TZ,
            )


def _joint(h: History, ins: Inspections) -> None:
    """The joint inspection (联合检查) of the enterprises' safety management, led by the
    regulator with the agencies: each missing system fails its checklist item; the hazards it
    opens close when the enterprise has put the system right."""
    session = h.demo.session
    rng = h.demo.rng
    checklist = ins.checklist(ChecklistTarget.ENTERPRISE)
    month = tasks.add_months(h.start, HISTORY_MONTHS - 1 - JOINT_MONTHS_AGO)
    day = month + timedelta(days=rng.randint(8, 15))
    for n, (key, kinds) in enumerate(MISSING_SYSTEMS.items()):
        org = h.demo.orgs[key]
        site = session.scalars(
            select(Site)
            .where(Site.owner_id == org.id, Site.kind == HEAD_SITE_KIND[key])
            .order_by(Site.id)
            .limit(1)
        ).first()
        if site is None:
            continue
        failed = {i.id for i in checklist.items if i.system_kind in kinds}
        _joint_one(h, ins, site.id, checklist, failed, day + timedelta(days=n // 2))


def _joint_one(
    h: History,
    ins: Inspections,
    site_id: int,
    checklist: Checklist,
    failed: set[int],
    day: date,
) -> None:
    session = h.demo.session

    def carry_out(t: datetime) -> None:
        site = session.get(Site, site_id)
        assert site is not None
        opened = ins.submit(
            username="reg_admin",
            site=site,
            checklist=checklist,
            inspected_at=t,
            failed=failed,
            kind=InspectionKind.JOINT,
            note="区燃气监管中心会同第三方机构联合检查企业安全管理 Joint inspection",
        )
        # verifying each hazard records its system improved (hazard.systems.improved_by)
        for hazard in opened:
            follow(h, hazard, verifier=h.regulator(), fate=_system_fate(h))

    h.at(h.working(day), carry_out)


def _system_fate(h: History) -> Fate:
    return Fate(returned=h.demo.rng.random() < 0.3)


def prepare(h: History) -> None:
    """Checklists, systems and plans now; tasks, inspections and spot checks on the clock."""
    ins = Inspections(h)
    _systems(h)
    _plans(h, ins)
    _monthly_generation(h, ins)
    _spot_checks(h, ins)
    _joint(h, ins)
