"""A small, known history for the statistics, score and report tests (month 2026-10).

Hazards are made through the hazard service at chosen `now`s (04:00 UTC = 12:00 in Shanghai,
so the local day is the UTC day); inspection tasks, inspections and enterprise systems are
ORM rows. The figures the tests expect are worked out in the comments.

Sites: gate (ent_a, grid g11), box (ent_a, g12), supply (ent_b, g11), filling (ent_b, g21).

| hazard | site    | grade   | source | found | deadline | what happens                     |
| H0     | gate    | general | insp.  | 09-05 | 09-12    | closed 09-08; item GATE-01        |
| H6     | filling | general | insp.  | 09-20 | 09-27    | open (overdue at 10-31)           |
| H7     | box     | general | insp.  | 09-25 | 10-02    | closed 10-02                      |
| H1     | gate    | general | insp.  | 10-03 | 10-10    | closed 10-06, on time, 3 days     |
| H2     | supply  | general | insp.  | 10-10 | 10-17    | sent 10-20, closed 10-21 late, 11 d |
| H3     | filling | major   | insp.  | 10-12 | 11-11    | plan, rectifying (open)           |
| H4     | box     | general | self   | 10-15 | 10-22    | assigned (open, overdue)          |
| H5     | gate    | general | insp.  | 10-20 | 10-27    | recurs H0; closed 10-25 on time 5 d |
| H8     | gate    | general | insp.  | 10-28 | 11-04    | closed 11-02 (after the month)    |
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from gaswarden.domains.hazard import service
from gaswarden.domains.hazard.enums import HazardSource, SystemKind, SystemStatus
from gaswarden.domains.hazard.models import EnterpriseSystem, Hazard
from gaswarden.domains.inspection.enums import ChecklistTarget, InspectionKind, TaskStatus
from gaswarden.domains.inspection.models import (
    ChecklistTemplate,
    ChecklistVersion,
    Inspection,
    InspectionTask,
)
from gaswarden.domains.site.models import Site
from gaswarden.standards.hazards import HazardGrade
from tests.factories import World
from tests.hazard.helpers import who

MONTH = "2026-10"
NOW = datetime(2026, 11, 15, 4, tzinfo=UTC)  # when the tests "run": after the month


def at(month: int, day: int) -> datetime:
    return datetime(2026, month, day, 4, tzinfo=UTC)


@dataclass
class History:
    hazards: dict[str, Hazard] = field(default_factory=dict)
    tasks: dict[str, InspectionTask] = field(default_factory=dict)


def _hazard(
    session: Session,
    world: World,
    reporter: str,
    site: str,
    found: datetime,
    *,
    grade: HazardGrade = HazardGrade.GENERAL,
    category: str = "安全管理",
    item_code: str | None = None,
) -> Hazard:
    return service.report(
        session=session,
        principal=who(session, world, reporter),
        source=HazardSource.INSPECTION,
        grade=grade,
        category=category,
        title=f"{category}隐患",
        site_id=world.ids[site],
        item_code=item_code,
        found_at=found,
        now=found,
        assign=True,
    )


def _close(
    session: Session,
    world: World,
    h: Hazard,
    ent: str,
    verifier: str,
    submitted: datetime,
    verified: datetime,
) -> None:
    p = who(session, world, ent)
    service.start(session=session, principal=p, id=h.id, now=submitted)
    service.submit(session=session, principal=p, id=h.id, description="已整改", now=submitted)
    service.verify(session=session, principal=who(session, world, verifier), id=h.id, now=verified)


def build(session: Session, world: World) -> History:
    hist = History()
    hz = hist.hazards
    hz["H0"] = _hazard(session, world, "inspector", "gate", at(9, 5), item_code="GATE-01")
    _close(session, world, hz["H0"], "ent_a_staff", "inspector", at(9, 7), at(9, 8))
    hz["H6"] = _hazard(session, world, "reg_staff", "filling", at(9, 20), category="储罐")
    hz["H7"] = _hazard(session, world, "reg_staff", "box", at(9, 25), category="管道")
    _close(session, world, hz["H7"], "ent_a_staff", "reg_staff", at(10, 1), at(10, 2))
    hz["H1"] = _hazard(session, world, "inspector", "gate", at(10, 3))
    _close(session, world, hz["H1"], "ent_a_staff", "inspector", at(10, 5), at(10, 6))
    hz["H2"] = _hazard(session, world, "reg_staff", "supply", at(10, 10), category="消防设施")
    _close(session, world, hz["H2"], "ent_b_admin", "reg_staff", at(10, 20), at(10, 21))
    hz["H3"] = _hazard(
        session, world, "reg_staff", "filling", at(10, 12), grade=HazardGrade.MAJOR, category="储罐"
    )
    ent_b = who(session, world, "ent_b_admin")
    service.submit_plan(
        session=session,
        principal=ent_b,
        id=hz["H3"].id,
        measures="更换储罐安全阀",
        responsible_person="李明",
        deadline=date(2026, 11, 11),
        interim_measures="专人值守",
        now=at(10, 13),
    )
    service.start(session=session, principal=ent_b, id=hz["H3"].id, now=at(10, 14))
    hz["H4"] = _hazard(session, world, "ent_a_staff", "box", at(10, 15), category="管道")
    hz["H5"] = _hazard(session, world, "inspector", "gate", at(10, 20), item_code="GATE-01")
    _close(session, world, hz["H5"], "ent_a_staff", "inspector", at(10, 24), at(10, 25))
    hz["H8"] = _hazard(session, world, "inspector", "gate", at(10, 28))
    _close(session, world, hz["H8"], "ent_a_staff", "inspector", at(11, 1), at(11, 2))

    _inspections(session, world, hist)
    session.add_all(
        [
            EnterpriseSystem(
                org_id=world.ids["ent_a"],
                kind=SystemKind.EMERGENCY_PLAN,
                status=SystemStatus.IMPROVED,
                improved_on=date(2026, 10, 18),
            ),
            EnterpriseSystem(
                org_id=world.ids["ent_b"],
                kind=SystemKind.RISK_CONTROL,
                status=SystemStatus.IMPROVED,
                improved_on=date(2026, 9, 1),
            ),
            EnterpriseSystem(
                org_id=world.ids["ent_b"],
                kind=SystemKind.HAZARD_INVESTIGATION,
                status=SystemStatus.MISSING,
            ),
        ]
    )
    session.flush()
    return hist


def _inspections(session: Session, world: World, hist: History) -> None:
    """Tasks due in October: T1 done on time, T2 done late, T3 overdue, T4 due on the last
    day (not overdue), T5 cancelled; T6 due in September."""
    template = ChecklistTemplate(
        code="T-STATS", name="统计测试检查表", target=ChecklistTarget.GATE_STATION
    )
    session.add(template)
    session.flush()
    version = ChecklistVersion(template_id=template.id, number=1)
    session.add(version)
    session.flush()

    def task(
        key: str,
        site: str,
        kind: InspectionKind,
        due: date,
        status: TaskStatus = TaskStatus.PENDING,
        done_at: datetime | None = None,
        late: bool = False,
    ) -> None:
        s = session.get(Site, world.ids[site])
        assert s is not None
        t = InspectionTask(
            site_id=s.id,
            template_id=template.id,
            kind=kind,
            period_start=due.replace(day=1),
            due_on=due,
            status=status,
            owner_id=s.owner_id,
            area_id=s.area_id,
            done_at=done_at,
            late=late,
        )
        session.add(t)
        hist.tasks[key] = t

    third, done = InspectionKind.THIRD_PARTY, TaskStatus.DONE
    task("T1", "gate", third, date(2026, 10, 15), done, at(10, 12))
    task("T2", "supply", InspectionKind.SPOT_CHECK, date(2026, 10, 20), done, at(10, 25), True)
    task("T3", "filling", third, date(2026, 10, 25))
    task("T4", "box", InspectionKind.SELF, date(2026, 10, 31))
    task("T5", "gate", third, date(2026, 10, 31), TaskStatus.CANCELLED)
    task("T6", "gate", third, date(2026, 9, 30), done, at(9, 29))

    for n, (site, kind, when) in enumerate(
        (("gate", third, at(10, 3)), ("box", InspectionKind.SELF, at(10, 15)))
    ):
        s = session.get(Site, world.ids[site])
        assert s is not None
        session.add(
            Inspection(
                client_id=f"stats-{n}",
                site_id=s.id,
                site_kind=s.kind,
                kind=kind,
                version_id=version.id,
                inspector_name="tester",
                owner_id=s.owner_id,
                area_id=s.area_id,
                inspected_at=when,
                submitted_at=when,
                n_pass=3,
                n_fail=1,
            )
        )
    session.flush()
