"""Inspection tasks: generated on schedule, idempotent, overdue flagged and counted, scoped per
role, cancelled by the regulator."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from gaswarden.core.auth import SYSTEM
from gaswarden.core.errors import Conflict, Forbidden, Invalid, NotFound
from gaswarden.core.pagination import PageParams
from gaswarden.domains.audit.models import AuditEntry
from gaswarden.domains.inspection import plans, tasks
from gaswarden.domains.inspection.enums import TaskStatus
from gaswarden.domains.inspection.models import InspectionPlan, InspectionTask
from gaswarden.domains.site.enums import SiteStatus
from gaswarden.domains.site.models import Site, SiteAssignment
from gaswarden.domains.site.service import service as sites
from gaswarden.standards.hazards import Frequency
from tests.factories import World
from tests.inspection.support_checklists import builtin_template_id, who


def make_plan(session: Session, world: World, template: str = "GW-ENT", **extra: Any) -> Any:
    data = {
        "name": f"计划 {template}",
        "kind": "third_party",
        "template_id": builtin_template_id(session, template),
        "frequency": "monthly",
        "starts_on": "2024-02-15",
        "assignee_org_id": world.ids["agency"],
        **extra,
    }
    return plans.create(session=session, principal=who(session, world, "reg_admin"), data=data)


def plan_tasks(session: Session, plan_id: int) -> list[InspectionTask]:
    stmt = (
        select(InspectionTask)
        .where(InspectionTask.plan_id == plan_id)
        .order_by(InspectionTask.site_id, InspectionTask.period_start)
    )
    return list(session.scalars(stmt))


STATIONS = ("gate", "filling", "supply")  # the world's stations; the regulator box is not one


@pytest.fixture(autouse=True)
def engaged(session: Session, world: World) -> None:
    """The agency is engaged for every station here (the world engages it for the gate only):
    an agency's plan covers the sites it is engaged for."""
    for key in ("filling", "supply"):
        session.add(SiteAssignment(agency_id=world.ids["agency"], site_id=world.ids[key]))
    session.flush()


def test_an_agency_plan_covers_only_the_sites_it_is_engaged_for(
    session: Session, world: World
) -> None:
    session.execute(
        delete(SiteAssignment).where(
            SiteAssignment.agency_id == world.ids["agency"],
            SiteAssignment.site_id == world.ids["supply"],
        )
    )
    plan = make_plan(session, world, starts_on="2024-05-01")
    tasks.generate(session, date(2024, 5, 15))
    assert {t.site_id for t in plan_tasks(session, plan.id)} == {
        world.ids["gate"],
        world.ids["filling"],
    }
    # The regulator's own plan of the same sites has no such limit.
    spot = make_plan(
        session, world, kind="spot_check", assignee_org_id=world.ids["reg"], starts_on="2024-05-01"
    )
    tasks.generate(session, date(2024, 5, 15))
    assert {t.site_id for t in plan_tasks(session, spot.id)} == {world.ids[s] for s in STATIONS}


def test_monthly_plan_started_three_months_ago_makes_four_tasks_per_site(
    session: Session, world: World
) -> None:
    plan = make_plan(session, world)
    result = tasks.generate(session, date(2024, 5, 15))
    assert result.by_plan[plan.id] == 4 * len(STATIONS)
    made = plan_tasks(session, plan.id)
    assert {t.site_id for t in made} == {world.ids[s] for s in STATIONS}
    gate = [t for t in made if t.site_id == world.ids["gate"]]
    assert [(t.period_start, t.due_on) for t in gate] == [
        (date(2024, 2, 15), date(2024, 3, 14)),
        (date(2024, 3, 15), date(2024, 4, 14)),
        (date(2024, 4, 15), date(2024, 5, 14)),
        (date(2024, 5, 15), date(2024, 6, 14)),
    ]
    first = gate[0]
    assert first.status is TaskStatus.PENDING and first.kind.value == "third_party"
    assert first.owner_id == world.ids["ent_a"] and first.area_id == world.ids["g11"]
    assert first.assignee_org_id == world.ids["agency"] and first.template_id == plan.template_id
    assert plan.generated_until == date(2024, 5, 15)

    # Running again adds nothing, the same day or later in the same period.
    assert tasks.generate(session, date(2024, 5, 15)).by_plan.get(plan.id) is None
    assert tasks.generate(session, date(2024, 6, 14)).by_plan.get(plan.id) is None
    assert len(plan_tasks(session, plan.id)) == 12
    # The next period starts: one more per site.
    assert tasks.generate(session, date(2024, 6, 15)).by_plan[plan.id] == 3
    entries = session.scalars(
        select(AuditEntry).where(
            AuditEntry.entity_type == "inspection_plan",
            AuditEntry.entity_id == plan.id,
            AuditEntry.action == "generate_tasks",
        )
    ).all()
    assert [e.changes["tasks"][1] for e in entries] == [12, 3]


def test_periods_weekly_quarterly_month_ends_and_the_plan_end() -> None:
    def starts(plan: InspectionPlan, today: date) -> list[tuple[date, date]]:
        return [(p.start, p.end) for p in tasks.periods(plan, today)]

    plan = InspectionPlan(starts_on=date(2024, 1, 31), frequency=Frequency.MONTHLY)
    assert starts(plan, date(2024, 4, 30)) == [
        (date(2024, 1, 31), date(2024, 2, 28)),
        (date(2024, 2, 29), date(2024, 3, 30)),
        (date(2024, 3, 31), date(2024, 4, 29)),
        (date(2024, 4, 30), date(2024, 5, 30)),
    ]
    weekly = InspectionPlan(starts_on=date(2024, 3, 4), frequency=Frequency.WEEKLY)
    assert [s for s, _ in starts(weekly, date(2024, 3, 25))] == [
        date(2024, 3, 4),
        date(2024, 3, 11),
        date(2024, 3, 18),
        date(2024, 3, 25),
    ]
    assert starts(weekly, date(2024, 3, 3)) == []
    quarterly = InspectionPlan(
        starts_on=date(2024, 1, 1), frequency=Frequency.QUARTERLY, ends_on=date(2024, 8, 31)
    )
    assert starts(quarterly, date(2025, 1, 1)) == [
        (date(2024, 1, 1), date(2024, 3, 31)),
        (date(2024, 4, 1), date(2024, 6, 30)),
        (date(2024, 7, 1), date(2024, 8, 31)),
    ]
    assert tasks.Period(date(2024, 1, 1), date(2024, 3, 31)).due(10) == date(2024, 1, 11)


def test_which_sites_a_plan_covers(session: Session, world: World) -> None:
    today = date(2024, 3, 20)
    session.get(Site, world.ids["filling"]).status = SiteStatus.CLOSED  # type: ignore[union-attr]
    session.flush()
    everywhere = make_plan(session, world, starts_on="2024-03-01")
    in_t1 = make_plan(session, world, starts_on="2024-03-01", area_id=world.ids["t1"])
    of_b = make_plan(session, world, starts_on="2024-03-01", owner_id=world.ids["ent_b"])
    boxes = make_plan(
        session, world, "GW-REG", kind="spot_check", assignee_org_id=None, starts_on="2024-03-01"
    )
    weekly = make_plan(
        session,
        world,
        "GW-GATE",
        frequency="weekly",
        starts_on="2024-03-04",
        due_days=3,
    )
    tasks.generate(session, today)

    def sites_of(plan: Any) -> set[int]:
        return {t.site_id for t in plan_tasks(session, plan.id)}

    ids = world.ids
    assert sites_of(everywhere) == {ids["gate"], ids["supply"]}, "the closed site is skipped"
    assert sites_of(in_t1) == {ids["gate"], ids["supply"]}
    assert sites_of(of_b) == {ids["supply"]}
    assert sites_of(boxes) == {ids["box"]}
    weekly_tasks = plan_tasks(session, weekly.id)
    assert [(t.period_start.day, t.due_on.day) for t in weekly_tasks] == [
        (4, 7),
        (11, 14),
        (18, 21),
    ]

    # A site opened later joins from the current period on (no back-filling).
    new = sites.create(
        session=session,
        principal=SYSTEM,
        data={
            "code": "S-A-GATE2",
            "name": "东昌二号门站",
            "kind": "gate_station",
            "owner_id": ids["ent_a"],
            "lon": 115.91,
            "lat": 36.41,
        },
    )
    session.add(SiteAssignment(agency_id=ids["agency"], site_id=new.id))  # the agency takes it on
    session.flush()
    tasks.generate(session, today)
    new_tasks = [t for t in plan_tasks(session, weekly.id) if t.site_id == new.id]
    assert [t.period_start for t in new_tasks] == [date(2024, 3, 18)]
    # Inactive plans and plans not started yet make nothing.
    plans.update(session=session, principal=SYSTEM, id=weekly.id, data={"active": False})
    later = make_plan(session, world, starts_on="2024-04-01")
    result = tasks.generate(session, date(2024, 3, 31))
    assert weekly.id not in result.by_plan and later.id not in result.by_plan
    assert plan_tasks(session, later.id) == []


def test_overdue_flag_and_counts(session: Session, world: World) -> None:
    plan = make_plan(session, world)
    today = date(2024, 5, 15)
    tasks.generate(session, today)
    reg = who(session, world, "reg_staff")
    listing = tasks.get_all(
        session=session,
        principal=reg,
        params=PageParams(size=100),
        filters={"plan_id": [plan.id], "overdue": True},
        today=today,
    )
    assert listing.page.total == listing.overdue == 3 * len(STATIONS)
    assert all(t.overdue(today) for t in listing.page.items)
    assert {t.due_on for t in listing.page.items} == {
        date(2024, 3, 14),
        date(2024, 4, 14),
        date(2024, 5, 14),
    }
    # Done and cancelled tasks are no longer overdue.
    gate = [t for t in plan_tasks(session, plan.id) if t.site_id == world.ids["gate"]]
    tasks.mark_done(session=session, task=gate[0], at=datetime(2024, 3, 20, 2, 0, tzinfo=UTC))
    assert gate[0].late is True and gate[0].status is TaskStatus.DONE
    tasks.cancel(session=session, principal=reg, id=gate[1].id, reason="门站停气检修")
    counts = tasks.counts(
        session=session, principal=reg, filters={"plan_id": [plan.id]}, today=today
    )
    assert counts == {
        "pending": 12 - 2,
        "done": 1,
        "cancelled": 1,
        "total": 12,
        "overdue": 3 * len(STATIONS) - 2,
    }
    not_overdue = tasks.get_all(
        session=session,
        principal=reg,
        params=PageParams(size=100),
        filters={"plan_id": [plan.id], "overdue": False},
        today=today,
    )
    assert not_overdue.page.total == 12 - (3 * len(STATIONS) - 2) and not_overdue.overdue == 0
    due_in_may = tasks.get_all(
        session=session,
        principal=reg,
        params=PageParams(size=100),
        filters={"plan_id": [plan.id], "due_from": date(2024, 5, 1), "due_to": date(2024, 5, 31)},
        today=today,
    )
    assert {t.due_on for t in due_in_may.page.items} == {date(2024, 5, 14)}
    assert due_in_may.overdue == len(STATIONS)


def test_tasks_are_scoped_per_role(session: Session, world: World) -> None:
    today = date(2024, 3, 20)
    assigned = make_plan(session, world, starts_on="2024-03-01")  # gate, filling, supply
    spot_gate = make_plan(
        session, world, "GW-GATE", kind="spot_check", assignee_org_id=None, starts_on="2024-03-01"
    )
    spot_box = make_plan(
        session, world, "GW-REG", kind="spot_check", assignee_org_id=None, starts_on="2024-03-01"
    )
    tasks.generate(session, today)
    by_plan_site = {
        (t.plan_id, t.site_id): t.id
        for p in (assigned, spot_gate, spot_box)
        for t in plan_tasks(session, p.id)
    }
    ids = world.ids

    def seen(username: str) -> set[tuple[int | None, int]]:
        page = tasks.get_all(
            session=session,
            principal=who(session, world, username),
            params=PageParams(size=500),
            filters={"plan_id": [assigned.id, spot_gate.id, spot_box.id]},
            today=today,
        ).page
        return {(t.plan_id, t.site_id) for t in page.items}

    a, g, b = assigned.id, spot_gate.id, spot_box.id
    assert seen("reg_admin") == set(by_plan_site)
    assert seen("grid_sup") == {(a, ids["gate"]), (a, ids["supply"]), (g, ids["gate"])}
    assert seen("ent_a_staff") == {(a, ids["gate"]), (g, ids["gate"]), (b, ids["box"])}
    assert seen("ent_b_admin") == {(a, ids["filling"]), (a, ids["supply"])}
    # The agency: tasks assigned to it, and tasks at the site assigned to it (the gate).
    assert seen("inspector") == {
        (a, ids["gate"]),
        (a, ids["filling"]),
        (a, ids["supply"]),
        (g, ids["gate"]),
    }
    with pytest.raises(NotFound):
        tasks.get(
            session=session,
            principal=who(session, world, "inspector"),
            id=by_plan_site[(b, ids["box"])],
        )
    with pytest.raises(NotFound):
        tasks.get(
            session=session,
            principal=who(session, world, "ent_b_admin"),
            id=by_plan_site[(g, ids["gate"])],
        )


def test_only_the_regulator_cancels_with_a_reason(session: Session, world: World) -> None:
    plan = make_plan(session, world, starts_on="2024-03-01")
    tasks.generate(session, date(2024, 3, 2))
    task = plan_tasks(session, plan.id)[0]
    for username in ("ent_a_admin", "inspector", "grid_sup"):
        with pytest.raises(Forbidden):
            tasks.cancel(
                session=session, principal=who(session, world, username), id=task.id, reason="x"
            )
    reg = who(session, world, "reg_staff")
    with pytest.raises(Invalid):
        tasks.cancel(session=session, principal=reg, id=task.id, reason="  ")
    tasks.cancel(session=session, principal=reg, id=task.id, reason="场站已停业")
    assert task.status is TaskStatus.CANCELLED
    with pytest.raises(Conflict):
        tasks.cancel(session=session, principal=reg, id=task.id, reason="again")
    entry = session.scalars(
        select(AuditEntry).where(
            AuditEntry.entity_type == "inspection_task", AuditEntry.entity_id == task.id
        )
    ).one()
    assert entry.action == "cancel" and entry.reason == "场站已停业"
    assert entry.changes == {"status": ["pending", "cancelled"]}
    assert entry.owner_id == task.owner_id and entry.area_id == task.area_id
    # A cancelled task is not made again.
    tasks.generate(session, date(2024, 3, 2))
    assert plan_tasks(session, plan.id)[0].status is TaskStatus.CANCELLED


def test_tasks_through_the_api(client: TestClient, session: Session, world: World) -> None:
    today = tasks.local_today("Asia/Shanghai")
    plan = make_plan(session, world, starts_on=tasks.add_months(today, -2).isoformat())
    tasks.generate(session, today)
    session.commit()
    reg = world.headers("reg_staff")
    r = client.get(f"/api/v1/inspection-tasks?plan_id={plan.id}&size=100", headers=reg)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["total"] == 3 * len(STATIONS) and body["overdue"] == 2 * len(STATIONS)
    assert sum(t["overdue"] for t in body["items"]) == 2 * len(STATIONS)
    assert {t["site_code"] for t in body["items"]} == {"S-A-GATE", "S-B-FILL", "S-B-SUP"}
    r = client.get(f"/api/v1/inspection-tasks?plan_id={plan.id}&overdue=true", headers=reg)
    assert r.json()["total"] == 2 * len(STATIONS)
    r = client.get(f"/api/v1/inspection-tasks/counts?plan_id={plan.id}", headers=reg)
    assert r.status_code == 200
    assert r.json()["pending"] == 3 * len(STATIONS) and r.json()["overdue"] == 2 * len(STATIONS)

    ent_b = world.headers("ent_b_admin")
    r = client.get(f"/api/v1/inspection-tasks?plan_id={plan.id}&overdue=true", headers=ent_b)
    assert r.json()["total"] == 4 and r.json()["overdue"] == 4
    gate_task = next(t for t in body["items"] if t["site_code"] == "S-A-GATE")
    assert (
        client.get(f"/api/v1/inspection-tasks/{gate_task['id']}", headers=ent_b).status_code == 404
    )

    url = f"/api/v1/inspection-tasks/{gate_task['id']}/cancel"
    assert client.post(url, json={"reason": ""}, headers=reg).status_code == 422
    assert (
        client.post(url, json={"reason": "x"}, headers=world.headers("ent_a_admin")).status_code
        == 403
    )
    r = client.post(url, json={"reason": "重复任务"}, headers=reg)
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    assert r.json()["overdue"] is False
    assert client.post(url, json={"reason": "again"}, headers=reg).status_code == 409
    r = client.get("/api/v1/inspection-tasks?sort=nonsense", headers=reg)
    assert r.status_code == 422
