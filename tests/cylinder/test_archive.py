"""/api/v1/cylinders: registration computing service life (GB 5842, legacy cylinders too) and
the next inspection (GB/T 8334), the tag code never reused, no delete, the REGISTER event that
opens every timeline, corrections, bulk registration (all or nothing), filters, scope, audit."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gaswarden.domains.audit.models import AuditEntry
from gaswarden.domains.cylinder.enums import CylinderStatus, EventKind, EventResult
from gaswarden.domains.cylinder.models import Cylinder, CylinderEvent
from tests.cylinder.lpg import build_lpg
from tests.factories import World

API = "/api/v1/cylinders"


def new(world: World, **extra: Any) -> dict[str, Any]:
    return {
        "tag_code": "LPG-N-0001",
        "stamp_serial": "GB-15-220301-07",
        "maker": "山东华安气瓶有限公司",
        "made_on": "2022-03-01",
        "capacity_kg": 15,
        "tare_kg": 16.4,
        "site_id": world.ids["filling"],
        **extra,
    }


def post(client: TestClient, world: World, who: str = "ent_b_admin", **extra: Any) -> Any:
    return client.post(API, json=new(world, **extra), headers=world.headers(who))


def errors_of(r: Any) -> set[str]:
    return {str(e["loc"][-1]) for e in r.json().get("errors", [])}


def ids(r: Any) -> set[int]:
    assert r.status_code == 200, r.text
    return {c["id"] for c in r.json()["items"]}


def test_register_computes_life_and_inspection(
    client: TestClient, world: World, session: Session
) -> None:
    r = post(client, world)
    assert r.status_code == 201, r.text
    c = r.json()
    assert c["owner_id"] == world.ids["ent_b"]  # forced to the caller's enterprise
    assert c["status"] == "in_stock" and c["revoked"] is False and c["holds_gas"] is False
    assert c["design_life_years"] == 8 and c["life_ends_on"] == "2030-03-01"
    assert c["next_inspection_on"] == "2026-03-01"  # 4 years after manufacture
    assert c["site_id"] == world.ids["filling"]

    # inspected since: 4 years after the last inspection
    r = post(client, world, tag_code="LPG-N-0002", last_inspected_on="2025-05-10")
    assert r.json()["next_inspection_on"] == "2029-05-10", r.text
    # an earlier due date is allowed (stricter); a later one is not
    r = post(client, world, tag_code="LPG-N-0003", next_inspection_on="2025-12-31")
    assert r.status_code == 201 and r.json()["next_inspection_on"] == "2025-12-31"
    r = post(client, world, tag_code="LPG-N-0004", next_inspection_on="2026-03-02")
    assert r.status_code == 422 and "next_inspection_on" in errors_of(r)
    # made before GB 5842-2006: the legacy life
    r = post(client, world, tag_code="LPG-N-OLD", made_on="2005-06-01", capacity_kg=50)
    assert r.status_code == 201, r.text
    assert r.json()["design_life_years"] == 15 and r.json()["life_ends_on"] == "2020-06-01"
    # 29 February: the day before 1 March in a common year
    r = post(client, world, tag_code="LPG-N-LEAP", made_on="2024-02-29", capacity_kg=5)
    assert (
        r.json()["life_ends_on"] == "2032-02-29" and r.json()["next_inspection_on"] == "2028-02-29"
    )


def test_registration_rules(client: TestClient, world: World, session: Session) -> None:
    lpg = build_lpg(session, world)
    session.commit()
    r = post(client, world, capacity_kg=12)
    assert r.status_code == 422 and "capacity_kg" in errors_of(r)
    r = post(client, world, tare_kg=0)
    assert r.status_code == 422
    r = post(client, world, site_id=world.ids["supply"])  # a supply station, not the filling
    assert r.status_code == 422 and "site_id" in errors_of(r)
    r = post(client, world, site_id=world.ids["gate"])  # another enterprise's site
    assert r.status_code == 422 and "site_id" in errors_of(r)
    r = post(client, world, made_on="2099-01-01")
    assert r.status_code == 422 and "made_on" in errors_of(r)
    r = post(client, world, last_inspected_on="2020-01-01")  # before manufacture
    assert r.status_code == 422 and "last_inspected_on" in errors_of(r)
    r = post(client, world, owner_id=lpg.ids["other"])  # an enterprise registers its own
    assert r.status_code == 422 and "owner_id" in errors_of(r)
    r = post(client, world, who="ent_a_admin", site_id=None)  # a pipeline company
    assert r.status_code == 422 and "owner_id" in errors_of(r)
    r = post(client, world, status="filled")  # the scan chain owns the status
    assert r.status_code == 422
    # a regulator registers for a named LPG enterprise
    r = post(client, world, who="reg_staff", site_id=None)
    assert r.status_code == 422 and "owner_id" in errors_of(r)
    r = post(client, world, who="reg_staff", owner_id=lpg.ids["other"], site_id=None)
    assert r.status_code == 201 and r.json()["owner_id"] == lpg.ids["other"], r.text
    assert post(client, world, who="worker_b", tag_code="LPG-N-W").status_code == 403


def test_a_tag_code_is_never_reused(client: TestClient, world: World, session: Session) -> None:
    lpg = build_lpg(session, world)
    session.commit()
    r = post(client, world, tag_code=lpg.codes["scrapped"])
    assert r.status_code == 409 and "never reused" in r.json()["detail"], r.text
    assert "revoked" in r.json()["detail"]
    r = post(client, world, tag_code=lpg.codes["other"])  # another enterprise's cylinder
    assert r.status_code == 409 and "never reused" in r.json()["detail"]
    assert post(client, world).status_code == 201
    assert post(client, world).status_code == 409
    count = session.scalar(select(func.count()).where(Cylinder.tag_code == "LPG-N-0001"))
    assert count == 1


def test_registration_opens_the_timeline(
    client: TestClient, world: World, session: Session
) -> None:
    c = post(client, world).json()
    events = session.scalars(
        select(CylinderEvent).where(CylinderEvent.cylinder_id == c["id"])
    ).all()
    assert len(events) == 1
    e = events[0]
    assert e.kind is EventKind.REGISTER and e.result is EventResult.ACCEPTED
    assert e.key == "register:LPG-N-0001" and e.tag_code == "LPG-N-0001"
    assert e.org_id == world.ids["ent_b"] and e.site_id == world.ids["filling"]
    assert e.username == "ent_b_admin" and e.user_id == world.ids["user_ent_b_admin"]
    assert e.status_after is CylinderStatus.IN_STOCK
    assert e.occurred_at is not None and e.received_at is not None


def test_corrections_and_no_delete(client: TestClient, world: World, session: Session) -> None:
    lpg = build_lpg(session, world)
    session.commit()
    ent = world.headers("ent_b_admin")
    c = post(client, world).json()
    url = f"{API}/{c['id']}"
    for field, value in (
        ("tag_code", "LPG-N-9999"),
        ("owner_id", lpg.ids["other"]),
        ("status", "with_user"),
        ("site_id", world.ids["supply"]),
        ("design_life_years", 20),
    ):
        assert client.patch(url, json={field: value}, headers=ent).status_code == 422, field
    r = client.patch(
        url, json={"made_on": "2023-03-01"}, params={"reason": "钢印识别更正"}, headers=ent
    )
    assert r.status_code == 200, r.text
    assert (
        r.json()["life_ends_on"] == "2031-03-01" and r.json()["next_inspection_on"] == "2027-03-01"
    )
    r = client.patch(url, json={"last_inspected_on": "2026-06-01"}, headers=ent)
    assert r.json()["next_inspection_on"] == "2030-06-01"
    # a scrapped cylinder's archive is closed
    scrapped = f"{API}/{lpg.ids['cyl_scrapped']}"
    assert client.patch(scrapped, json={"maker": "x"}, headers=ent).status_code == 409

    # the archive is a record: never deleted, whoever asks
    r = client.delete(url, headers=ent)
    assert r.status_code == 409 and "never deleted" in r.json()["detail"]
    assert client.delete(url, headers=world.headers("reg_admin")).status_code == 409
    assert client.delete(url, headers=world.headers("ent_a_admin")).status_code == 404
    assert client.get(url, headers=ent).status_code == 200

    audit = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.entity_type == "cylinder", AuditEntry.entity_id == c["id"])
        .order_by(AuditEntry.id)
    ).all()
    assert [a.action for a in audit] == ["create", "update", "update"]
    assert audit[0].owner_id == world.ids["ent_b"] and audit[0].actor_name == "ent_b_admin"
    assert audit[1].reason == "钢印识别更正" and audit[1].changes["made_on"] == [
        "2022-03-01",
        "2023-03-01",
    ]


def test_bulk_registration_all_or_nothing(
    client: TestClient, world: World, session: Session
) -> None:
    build_lpg(session, world)
    session.commit()
    ent = world.headers("ent_b_admin")
    rows = [new(world, tag_code=f"LPG-B-{i:04d}") for i in range(3)]
    bad = [
        rows[0],
        {**rows[1], "capacity_kg": 7},
        {**rows[2], "tag_code": rows[0]["tag_code"]},  # the same code twice
        new(world, tag_code="LPG-T-SCRAP"),  # a revoked code
        rows[2],
    ]
    r = client.post(f"{API}/bulk", json=bad, headers=ent)
    assert r.status_code == 422, r.text
    errors = r.json()["errors"]
    assert [e["index"] for e in errors] == [1, 2, 3]
    assert errors[0]["status"] == 422 and "capacity" in errors[0]["msg"]
    assert errors[1]["status"] == 409 and errors[2]["tag_code"] == "LPG-T-SCRAP"
    assert "none was registered" in r.json()["detail"]
    gone = session.scalar(select(func.count()).where(Cylinder.tag_code.like("LPG-B-%")))
    assert gone == 0
    assert session.scalar(select(func.count()).where(CylinderEvent.tag_code.like("LPG-B-%"))) == 0

    r = client.post(f"{API}/bulk", json=rows, headers=ent)
    assert r.status_code == 201, r.text
    assert r.json()["created"] == 3
    assert {c["tag_code"] for c in r.json()["items"]} == {"LPG-B-0000", "LPG-B-0001", "LPG-B-0002"}
    assert session.scalar(select(func.count()).where(CylinderEvent.tag_code.like("LPG-B-%"))) == 3
    assert client.post(f"{API}/bulk", json=[], headers=ent).status_code == 422
    assert (
        client.post(f"{API}/bulk", json=rows, headers=world.headers("grid_sup")).status_code == 403
    )


def test_filters_and_scope(client: TestClient, world: World, session: Session) -> None:
    lpg = build_lpg(session, world)
    session.commit()
    ent = world.headers("ent_b_admin")

    def listed(who: dict[str, str] = ent, **params: Any) -> set[int]:
        return ids(client.get(API, params={"size": 100, **params}, headers=who))

    own = {lpg.ids[f"cyl_{k}"] for k in ("ok", "ok2", "overdue", "old", "scrapped", "lost")}
    assert listed() == own
    assert lpg.ids["cyl_overdue"] in listed(overdue="true")
    assert lpg.ids["cyl_ok"] not in listed(overdue="true")
    assert lpg.ids["cyl_ok"] in listed(overdue="false")
    assert listed(expired="true") == {lpg.ids["cyl_old"]}  # made 2017: life ended 2025
    assert listed(status="lost") == {lpg.ids["cyl_lost"]}
    assert listed(site_id=world.ids["filling"]) == {lpg.ids["cyl_ok"], lpg.ids["cyl_ok2"]}
    assert listed(capacity_kg=15) == own and listed(capacity_kg=5) == set()
    assert listed(q="ST-LPG-T-OK2") == {lpg.ids["cyl_ok2"]}
    assert listed(q="LPG-T-OVER") == {lpg.ids["cyl_overdue"]}
    assert listed(revoked="true") == {lpg.ids["cyl_scrapped"]}
    # another enterprise sees none; the regulator sees them all
    ent_a = world.headers("ent_a_admin")
    assert listed(ent_a) == set()
    assert client.get(f"{API}/{lpg.ids['cyl_ok']}", headers=ent_a).status_code == 404
    assert listed(world.headers("reg_admin")) >= own | {lpg.ids["cyl_other"]}
    assert lpg.ids["cyl_other"] not in listed()
