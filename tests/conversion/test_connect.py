"""At connection the household's LPG record is closed through the customer service; while the
household still holds cylinders the connection is refused naming them, until the LPG supplier
collects them with its ordinary collect scan."""

from __future__ import annotations

from datetime import UTC, date, datetime

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gaswarden.domains.audit.models import AuditEntry
from gaswarden.domains.customer.models import Customer
from gaswarden.domains.cylinder.enums import CylinderStatus
from gaswarden.domains.cylinder.models import Cylinder
from gaswarden.standards.cylinders import service_life_end
from tests.conversion.helpers import apply, make_table, step, walk_to
from tests.customer.helpers import register
from tests.factories import World
from tests.test_web_pages import sign_in


def held_cylinder(session: Session, world: World, tag: str, customer_id: int) -> None:
    """A cylinder delivered to the customer earlier (set up as its last scan left it)."""
    made = date(2023, 3, 1)
    session.add(
        Cylinder(
            tag_code=tag,
            stamp_serial=f"ST-{tag}",
            made_on=made,
            capacity_kg=15,
            tare_kg=16.0,
            design_life_years=8,
            life_ends_on=service_life_end(made),
            next_inspection_on=date(2027, 3, 1),
            status=CylinderStatus.WITH_USER,
            owner_id=world.ids["ent_b"],
            customer_id=customer_id,
            holds_gas=True,
            last_event_at=datetime(2026, 1, 5, 9, 0, tzinfo=UTC),
        )
    )
    session.flush()


def test_connection_closes_the_lpg_record(
    client: TestClient, world: World, session: Session
) -> None:
    make_table(client, world)
    customer = register(client, world, code="CU-CONV-1")
    app = apply(client, world, applicant_id_number=customer_id_number(session, customer["id"]))
    assert app["customer_id"] == customer["id"]
    walk_to(client, world, app["id"], "constructing")
    r = step(client, world, app["id"], "connect")
    assert r.status_code == 200, r.text
    assert [e["kind"] for e in r.json()["timeline"]][-2:] == ["connected", "lpg_closed"]
    assert r.json()["timeline"][-1]["data"] == {"customer": "CU-CONV-1"}
    got = client.get(f"/api/v1/customers/{customer['id']}", headers=world.headers("ent_b_admin"))
    assert got.json()["active"] is False
    entry = session.scalars(
        select(AuditEntry).where(
            AuditEntry.entity_type == "customer",
            AuditEntry.entity_id == customer["id"],
            AuditEntry.action == "close",
        )
    ).one()
    assert entry.actor_name == "ent_a_staff"
    assert entry.changes == {"active": [True, False]}
    assert entry.owner_id == world.ids["ent_b"]  # in the customer's place: B's audit log


def customer_id_number(session: Session, customer_id: int) -> str:
    number = session.get_one(Customer, customer_id).id_number
    assert number is not None
    return number


def test_cylinders_still_held_refuse_the_connection_until_collected(
    client: TestClient, world: World, session: Session
) -> None:
    make_table(client, world)
    customer = register(client, world, code="CU-CONV-2")
    held_cylinder(session, world, "LPG-CV-0002", customer["id"])
    held_cylinder(session, world, "LPG-CV-0001", customer["id"])
    app = apply(client, world, applicant_id_number=customer_id_number(session, customer["id"]))
    walk_to(client, world, app["id"], "constructing")
    r = step(client, world, app["id"], "connect")
    assert r.status_code == 409
    problem = r.json()
    assert "LPG-CV-0001, LPG-CV-0002" in problem["detail"]
    assert problem["errors"][0]["codes"] == ["LPG-CV-0001", "LPG-CV-0002"]
    assert (
        client.get(f"/api/v1/conversions/{app['id']}", headers=world.headers("ent_a_staff")).json()[
            "status"
        ]
        == "constructing"
    )
    # the application's page names them too
    token = sign_in(client, "ent_a_staff")
    page = client.get(f"/conversions/{app['id']}").text
    assert 'data-held="2"' in page and "LPG-CV-0001, LPG-CV-0002" in page
    r = client.post(f"/conversions/{app['id']}/connect", data={"csrf_token": token})
    assert r.status_code == 409 and "LPG-CV-0001" in r.text
    # the LPG supplier's delivery worker collects both empties (collect scans)
    scans = [
        {
            "key": f"collect-{tag}",
            "kind": "collect",
            "tag_code": tag,
            "occurred_at": "2026-11-20T02:00:00+00:00",
            "customer_code": "CU-CONV-2",
            "worker_id": world.ids["person_b"],
            "vehicle_plate": "鲁PA8888",
        }
        for tag in ("LPG-CV-0001", "LPG-CV-0002")
    ]
    r = client.post("/api/v1/cylinder-events", json=scans, headers=world.headers("worker_b"))
    assert r.status_code == 200, r.text
    assert all(x["status_after"] == "empty_returned" for x in r.json()["results"])
    r = step(client, world, app["id"], "connect")
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "connected"
    session.expire_all()
    assert session.get_one(Customer, customer["id"]).active is False


def test_a_household_without_an_lpg_record_connects(client: TestClient, world: World) -> None:
    make_table(client, world)
    app = apply(client, world)
    assert app["customer_id"] is None
    walk_to(client, world, app["id"], "constructing")
    r = step(client, world, app["id"], "connect")
    assert r.status_code == 200
    assert [e["kind"] for e in r.json()["timeline"]][-1] == "connected"
