"""Inspection plans: who plans what, scope per role, validation, audit."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gaswarden.core.errors import Conflict, Forbidden, Invalid, NotFound
from gaswarden.core.pagination import PageParams
from gaswarden.domains.audit.models import AuditEntry
from gaswarden.domains.inspection import plans, tasks
from gaswarden.domains.inspection.enums import InspectionKind
from gaswarden.domains.inspection.models import InspectionPlan
from tests.factories import World
from tests.inspection.support_checklists import builtin_template_id, who


def third_party(session: Session, world: World, **extra: Any) -> dict[str, Any]:
    return {
        "name": "门站第三方专项巡检",
        "kind": "third_party",
        "template_id": builtin_template_id(session, "GW-GATE"),
        "frequency": "monthly",
        "starts_on": "2024-01-01",
        "assignee_org_id": world.ids["agency"],
        **extra,
    }


def visible(session: Session, world: World, username: str) -> set[int]:
    page = plans.get_all(
        session=session, principal=who(session, world, username), params=PageParams(size=500)
    )
    return {p.id for p in page.items}


def audit_actions(session: Session, plan_id: int) -> list[str]:
    stmt = (
        select(AuditEntry.action)
        .where(AuditEntry.entity_type == "inspection_plan", AuditEntry.entity_id == plan_id)
        .order_by(AuditEntry.id)
    )
    return list(session.scalars(stmt))


def test_regulator_plans_and_scope_per_role(session: Session, world: World) -> None:
    reg = who(session, world, "reg_staff")
    plan = plans.create(session=session, principal=reg, data=third_party(session, world))
    assert plan.area_id == world.ids["district"], "defaults to the regulator's area"
    assert plan.created_by_org_id == world.ids["reg"]
    self_plan = plans.create(
        session=session,
        principal=who(session, world, "ent_a_admin"),
        data={
            "name": "东昌燃气月度自查",
            "kind": "third_party",  # ignored? no: an enterprise may only plan self-inspections
            "template_id": builtin_template_id(session, "GW-ENT"),
            "frequency": "monthly",
            "starts_on": "2024-01-01",
        }
        | {"kind": "self"},
    )
    assert self_plan.kind is InspectionKind.SELF
    assert self_plan.owner_id == self_plan.assignee_org_id == world.ids["ent_a"]
    assert self_plan.area_id is None

    assert {plan.id, self_plan.id} <= visible(session, world, "reg_admin")
    assert {plan.id, self_plan.id} <= visible(session, world, "grid_sup")  # district covers g11
    assert {plan.id, self_plan.id} & visible(session, world, "inspector") == {plan.id}
    assert {plan.id, self_plan.id} & visible(session, world, "ent_a_staff") == {self_plan.id}
    assert {plan.id, self_plan.id} & visible(session, world, "ent_b_admin") == set()
    with pytest.raises(NotFound):
        plans.get(session=session, principal=who(session, world, "ent_b_admin"), id=self_plan.id)
    assert audit_actions(session, plan.id) == ["create"]
    assert audit_actions(session, self_plan.id) == ["create"]


def test_what_an_enterprise_may_plan(session: Session, world: World) -> None:
    ent = who(session, world, "ent_a_admin")
    body = {
        "name": "自查",
        "kind": "self",
        "template_id": builtin_template_id(session, "GW-GATE"),
        "frequency": "weekly",
        "starts_on": "2024-01-01",
    }
    with pytest.raises(Forbidden):
        plans.create(session=session, principal=ent, data={**body, "kind": "spot_check"})
    with pytest.raises(Forbidden):
        plans.create(session=session, principal=ent, data={**body, "owner_id": world.ids["ent_b"]})
    for username in ("ent_a_staff", "inspector", "grid_sup", "viewer", "worker_b"):
        with pytest.raises(Forbidden):
            plans.create(session=session, principal=who(session, world, username), data=body)
    own = plans.create(session=session, principal=ent, data=body)
    plans.update(session=session, principal=ent, id=own.id, data={"frequency": "monthly"})
    reg_plan = plans.create(
        session=session,
        principal=who(session, world, "reg_staff"),
        data=third_party(session, world, owner_id=world.ids["ent_a"]),
    )
    assert reg_plan.id in visible(session, world, "ent_a_admin"), "its sites are inspected"
    with pytest.raises(Forbidden):
        plans.update(session=session, principal=ent, id=reg_plan.id, data={"name": "改"})
    with pytest.raises(Forbidden):
        plans.delete(session=session, principal=ent, id=reg_plan.id)


def test_plans_are_validated(session: Session, world: World) -> None:
    reg = who(session, world, "reg_admin")
    cases: list[tuple[dict[str, Any], str]] = [
        ({"assignee_org_id": world.ids["ent_a"]}, "agency"),
        ({"site_kinds": ["lpg_filling"]}, "site_kinds"),
        ({"ends_on": "2023-12-01"}, "ends_on"),
        ({"kind": "self", "assignee_org_id": None}, "owner_id"),
        ({"owner_id": world.ids["agency"]}, "gas enterprise"),
        ({"template_id": 999999}, "template_id"),
        ({"frequency": "hourly"}, "frequency"),
    ]
    for extra, message in cases:
        with pytest.raises(Invalid, match=message):
            plans.create(session=session, principal=reg, data=third_party(session, world, **extra))
    # a gate-station plan may name the gate-station kind explicitly
    ok = plans.create(
        session=session,
        principal=reg,
        data=third_party(session, world, site_kinds=["gate_station"], area_id=world.ids["t1"]),
    )
    assert ok.site_kinds == ["gate_station"]


def test_update_and_delete_are_audited(session: Session, world: World) -> None:
    reg = who(session, world, "reg_staff")
    plan = plans.create(session=session, principal=reg, data=third_party(session, world))
    plans.update(
        session=session,
        principal=reg,
        id=plan.id,
        data={"frequency": "quarterly", "due_days": 20},
        reason="改为季度",
    )
    entry = session.scalars(
        select(AuditEntry).where(
            AuditEntry.entity_id == plan.id,
            AuditEntry.entity_type == "inspection_plan",
            AuditEntry.action == "update",
        )
    ).one()
    assert entry.changes["frequency"] == ["monthly", "quarterly"]
    assert entry.changes["due_days"] == [None, 20] and entry.reason == "改为季度"

    tasks.generate(session, date(2024, 2, 10))
    with pytest.raises(Conflict, match="deactivate"):
        plans.delete(session=session, principal=reg, id=plan.id)
    plans.update(session=session, principal=reg, id=plan.id, data={"active": False})

    empty = plans.create(
        session=session, principal=reg, data=third_party(session, world, starts_on="2099-01-01")
    )
    plans.delete(session=session, principal=reg, id=empty.id, reason="重复")
    assert session.get(InspectionPlan, empty.id) is None
    assert audit_actions(session, empty.id) == ["create", "delete"]


def test_plans_through_the_api(client: TestClient, session: Session, world: World) -> None:
    template_id = builtin_template_id(session, "GW-ENT")
    session.commit()  # the seeded templates, for the requests' own sessions
    ent = world.headers("ent_a_admin")
    body = {
        "name": "企业安全管理季度自查",
        "kind": "self",
        "template_id": template_id,
        "frequency": "quarterly",
        "starts_on": "2024-01-01",
    }
    r = client.post("/api/v1/inspection-plans", json=body, headers=ent)
    assert r.status_code == 201, r.text
    plan_id = r.json()["id"]
    assert r.json()["owner_id"] == world.ids["ent_a"]
    r = client.post("/api/v1/inspection-plans", json={**body, "kind": "spot_check"}, headers=ent)
    assert r.status_code == 403
    r = client.post("/api/v1/inspection-plans", json={**body, "starts_on": "soon"}, headers=ent)
    assert r.status_code == 422
    other = world.headers("ent_b_admin")
    assert client.get(f"/api/v1/inspection-plans/{plan_id}", headers=other).status_code == 404
    listed = client.get("/api/v1/inspection-plans?kind=self", headers=other).json()
    assert plan_id not in [p["id"] for p in listed["items"]]
    reg = world.headers("reg_staff")
    listed = client.get("/api/v1/inspection-plans?kind=self", headers=reg).json()
    assert plan_id in [p["id"] for p in listed["items"]]
    r = client.patch(f"/api/v1/inspection-plans/{plan_id}", json={"due_days": 15}, headers=ent)
    assert r.status_code == 200 and r.json()["due_days"] == 15
    r = client.post(f"/api/v1/inspection-plans/{plan_id}/generate", headers=ent)
    assert r.status_code == 200 and r.json()["tasks"] > 0
    r = client.delete(f"/api/v1/inspection-plans/{plan_id}", headers=ent)
    assert r.status_code == 409
