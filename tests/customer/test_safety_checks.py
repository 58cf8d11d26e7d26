"""/api/v1/customer-safety-checks: the verdict is computed (each failing item, LPG below
ground, a business without a working alarm), the newest check sets the customer's status,
checks are records (no change, no delete), scoped through the customer, audited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gaswarden.domains.audit.models import AuditEntry
from tests.customer.helpers import API, CHECKS, register
from tests.cylinder.lpg import build_lpg
from tests.factories import World

ALL_OK: dict[str, Any] = {
    "checker_name": "王安检",
    "hose_ok": True,
    "valve_ok": True,
    "ventilation_ok": True,
}


def check(client: TestClient, world: World, customer_id: int, who: str = "ent_b_admin",
          **items: Any) -> Any:  # fmt: skip
    return client.post(
        CHECKS, json={"customer_id": customer_id, **ALL_OK, **items}, headers=world.headers(who)
    )


def customer(client: TestClient, world: World, customer_id: int) -> dict[str, Any]:
    r = client.get(f"{API}/{customer_id}", headers=world.headers("reg_admin"))
    assert r.status_code == 200, r.text
    return r.json()


@pytest.mark.parametrize(
    "items",
    [
        {"hose_ok": False},
        {"valve_ok": False},
        {"ventilation_ok": False},
        {"basement": True},
        {"alarm_ok": False},  # a household's alarm, when it has one, must work
    ],
    ids=["hose", "valve", "ventilation", "basement", "household-alarm-broken"],
)
def test_each_failing_item_fails_the_check(
    client: TestClient, world: World, items: dict[str, Any]
) -> None:
    home = register(client, world)
    r = check(client, world, home["id"], **items)
    assert r.status_code == 201, r.text
    assert r.json()["passed"] is False
    assert customer(client, world, home["id"])["safety_status"] == "failed"


def test_household_passes_and_business_needs_its_alarm(
    client: TestClient, world: World, session: Session
) -> None:
    lpg = build_lpg(session, world)
    session.commit()
    home = register(client, world)
    r = check(client, world, home["id"])  # no alarm needed for a household
    assert r.status_code == 201 and r.json()["passed"] is True, r.text
    after = customer(client, world, home["id"])
    assert after["safety_status"] == "passed" and after["last_checked_on"]

    diner = lpg.ids["cust_diner_ok"]
    assert check(client, world, diner).json()["passed"] is False  # alarm not checked: fails
    assert customer(client, world, diner)["safety_status"] == "failed"
    assert check(client, world, diner, alarm_ok=False).json()["passed"] is False
    assert check(client, world, diner, alarm_ok=True).json()["passed"] is True
    assert customer(client, world, diner)["safety_status"] == "passed"
    # the verdict is never sent
    r = check(client, world, diner, passed=True, hose_ok=False)
    assert r.status_code == 422


def test_only_the_newest_check_sets_the_status(client: TestClient, world: World) -> None:
    home = register(client, world)
    now = datetime.now(UTC)
    r = check(client, world, home["id"], checked_at=(now - timedelta(days=2)).isoformat())
    assert r.json()["passed"] is True
    # an older failed check, entered late, joins the history only
    r = check(
        client, world, home["id"], hose_ok=False, checked_at=(now - timedelta(days=30)).isoformat()
    )
    assert r.status_code == 201 and r.json()["passed"] is False
    after = customer(client, world, home["id"])
    assert after["safety_status"] == "passed"
    assert (
        after["last_checked_on"]
        == (now - timedelta(days=2))
        .astimezone(__import__("zoneinfo").ZoneInfo("Asia/Shanghai"))
        .date()
        .isoformat()
    )
    listed = client.get(
        CHECKS, params={"customer_id": home["id"]}, headers=world.headers("ent_b_admin")
    )
    assert [c["passed"] for c in listed.json()["items"]] == [True, False]  # newest first
    assert listed.json()["total"] == 2
    # not in the future
    r = check(client, world, home["id"], checked_at=(now + timedelta(days=1)).isoformat())
    assert r.status_code == 422


def test_checks_are_records_and_scoped(client: TestClient, world: World, session: Session) -> None:
    lpg = build_lpg(session, world)
    session.commit()
    home = register(client, world)
    r = check(client, world, home["id"])
    assert r.status_code == 201
    check_id = r.json()["id"]
    ent = world.headers("ent_b_admin")
    assert (
        client.patch(f"{CHECKS}/{check_id}", json={"hose_ok": False}, headers=ent).status_code
        == 405
    )
    assert client.delete(f"{CHECKS}/{check_id}", headers=ent).status_code == 405

    # regulators check too; the grid supervisor reads, in its grid only; another enterprise
    # sees nothing and cannot name the customer
    assert check(client, world, home["id"], who="reg_staff").status_code == 201
    assert check(client, world, home["id"], who="grid_sup").status_code == 403
    r = check(client, world, home["id"], who="ent_a_admin")
    assert r.status_code == 422 and r.json()["errors"][0]["loc"][-1] == "customer_id"
    ent_a = world.headers("ent_a_admin")
    assert client.get(f"{CHECKS}/{check_id}", headers=ent_a).status_code == 404
    assert client.get(CHECKS, headers=ent_a).json()["total"] == 0
    assert client.get(f"{CHECKS}/{check_id}", headers=world.headers("grid_sup")).status_code == 200
    failed_g12 = check(client, world, lpg.ids["cust_failed"]).json()["id"]
    r = client.get(f"{CHECKS}/{failed_g12}", headers=world.headers("grid_sup"))
    assert r.status_code == 404
    # the checker is the supplier's staff member
    r = check(client, world, home["id"], checker_id=world.ids["person_a"])
    assert r.status_code == 422


def test_checks_are_audited(client: TestClient, world: World, session: Session) -> None:
    home = register(client, world)
    r = check(client, world, home["id"], basement=True)
    check_id = r.json()["id"]
    created = session.scalars(
        select(AuditEntry).where(
            AuditEntry.entity_type == "customer_safety_check", AuditEntry.entity_id == check_id
        )
    ).all()
    assert [a.action for a in created] == ["create"]
    assert created[0].changes["passed"] == [None, False]
    assert created[0].owner_id == world.ids["ent_b"]
    status_change = session.scalars(
        select(AuditEntry).where(
            AuditEntry.entity_type == "customer",
            AuditEntry.entity_id == home["id"],
            AuditEntry.action == "update",
        )
    ).one()
    assert status_change.changes["safety_status"] == ["unchecked", "failed"]
    assert f"#{check_id}" in (status_change.reason or "")
