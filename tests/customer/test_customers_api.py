"""/api/v1/customers: real-name registration (the GB 11643 check digit), the ID number found by
its keyed digest, masking for every reader, scope (enterprise, regulator, grid supervisor),
the owner and grid rules, filters, and the audit rows."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from gaswarden.domains.audit.models import AuditEntry
from tests.customer.helpers import (
    API,
    ID_A,
    ID_B,
    PHONE,
    household,
    masked_id,
    masked_phone,
    register,
    wrong_check,
)
from tests.cylinder.lpg import build_lpg
from tests.factories import World


def ids(response: Any) -> set[int]:
    assert response.status_code == 200, response.text
    return {c["id"] for c in response.json()["items"]}


def field_errors(response: Any) -> set[str]:
    return {str(e["loc"][-1]) for e in response.json().get("errors", [])}


def test_the_id_check_digit_is_checked(client: TestClient, world: World) -> None:
    ent = world.headers("ent_b_admin")
    r = client.post(API, json=household(world, id_number=wrong_check(ID_A)), headers=ent)
    assert r.status_code == 422 and "id_number" in field_errors(r), r.text
    assert "check digit" in r.text
    r = client.post(API, json=household(world, id_number="37150219850612"), headers=ent)
    assert r.status_code == 422
    r = client.post(API, json=household(world, phone="12345678901"), headers=ent)
    assert r.status_code == 422 and "phone" in field_errors(r)
    # a household registers under a real name: no ID number, no registration
    data = household(world)
    del data["id_number"]
    r = client.post(API, json=data, headers=ent)
    assert r.status_code == 422 and "id_number" in field_errors(r)

    body = register(client, world)
    assert body["id_number"] == masked_id(ID_A) and body["phone"] == masked_phone(PHONE)
    assert body["owner_id"] == world.ids["ent_b"]  # the caller's enterprise
    assert body["safety_status"] == "unchecked" and body["registered_on"]
    # a lowercase x check character is the same number
    x17 = "11010519491231002"
    from gaswarden.core.schemas import id_number_check_char

    assert id_number_check_char(x17) == "X"
    r = client.post(
        API,
        json=household(world, code="CU-T-X", id_number=(x17 + "x")),
        headers=ent,
    )
    assert r.status_code == 201, r.text


def test_stored_encrypted_and_found_by_digest(
    client: TestClient, world: World, session: Session
) -> None:
    body = register(client, world)
    register(client, world, code="CU-T-002", id_number=ID_B, name="钱另一")
    raw = session.execute(
        text("SELECT id_number, phone, id_number_digest FROM customer WHERE id = :id"),
        {"id": body["id"]},
    ).one()
    assert raw[2] and len(raw[2]) == 64
    # the column holds ciphertext, not the number
    assert ID_A not in str(raw) and PHONE not in str(raw)

    for who in ("ent_b_admin", "reg_admin", "grid_sup"):
        found = client.get(API, params={"q": ID_A}, headers=world.headers(who))
        assert ids(found) == {body["id"]}, who
        assert ID_A not in found.text and masked_id(ID_A) in found.text
    # a part of the number finds nothing (no plain-text search of personal data)
    assert (
        ids(client.get(API, params={"q": ID_A[:10]}, headers=world.headers("reg_admin"))) == set()
    )
    # name and code search still work
    assert body["id"] in ids(
        client.get(API, params={"q": "赵实名"}, headers=world.headers("reg_admin"))
    )
    # another enterprise finds nothing by the number
    assert ids(client.get(API, params={"q": ID_A}, headers=world.headers("ent_a_admin"))) == set()

    # a corrected number: the digest follows it
    r = client.patch(
        f"{API}/{body['id']}",
        json={"id_number": id_number_b2()},
        headers=world.headers("ent_b_admin"),
    )
    assert r.status_code == 200, r.text
    reg = world.headers("reg_admin")
    assert ids(client.get(API, params={"q": ID_A}, headers=reg)) == set()
    assert ids(client.get(API, params={"q": id_number_b2()}, headers=reg)) == {body["id"]}


def id_number_b2() -> str:
    from tests.customer.helpers import id_number

    return id_number("37150220000229005")


def test_masked_for_every_reader(client: TestClient, world: World) -> None:
    body = register(client, world)
    for who in ("ent_b_admin", "reg_admin", "reg_staff", "grid_sup"):
        one = client.get(f"{API}/{body['id']}", headers=world.headers(who))
        assert one.status_code == 200, (who, one.text)
        listed = client.get(API, headers=world.headers(who))
        for html in (one.text, listed.text):
            assert ID_A not in html and PHONE not in html, who
        assert one.json()["id_number"] == masked_id(ID_A)
        assert one.json()["phone"] == masked_phone(PHONE)


def test_scope_enterprise_regulator_grid(
    client: TestClient, world: World, session: Session
) -> None:
    lpg = build_lpg(session, world)
    session.commit()
    mine = register(client, world)  # g11
    in_g12 = register(client, world, code="CU-T-G12", id_number=ID_B, area_id=world.ids["g12"])
    every = {
        mine["id"],
        in_g12["id"],
        *(lpg.ids[f"cust_{k}"] for k in ("home", "failed", "diner", "diner_ok")),
    }
    assert ids(client.get(API, params={"size": 100}, headers=world.headers("reg_admin"))) >= every
    assert ids(client.get(API, params={"size": 100}, headers=world.headers("ent_b_admin"))) == every
    # the grid supervisor of g11: only the customers living in g11
    in_g11 = {mine["id"], lpg.ids["cust_home"], lpg.ids["cust_diner"]}
    assert ids(client.get(API, params={"size": 100}, headers=world.headers("grid_sup"))) == in_g11
    r = client.get(f"{API}/{in_g12['id']}", headers=world.headers("grid_sup"))
    assert r.status_code == 404
    # another enterprise sees none of them, not even by id
    ent_a = world.headers("ent_a_admin")
    assert ids(client.get(API, headers=ent_a)) == set()
    assert client.get(f"{API}/{mine['id']}", headers=ent_a).status_code == 404
    r = client.patch(f"{API}/{mine['id']}", json={"name": "x"}, headers=ent_a)
    assert r.status_code == 404
    # the grid supervisor reads only
    r = client.post(API, json=household(world, code="CU-T-GS"), headers=world.headers("grid_sup"))
    assert r.status_code == 403


def test_owner_and_grid_rules(client: TestClient, world: World, session: Session) -> None:
    lpg = build_lpg(session, world)
    session.commit()
    ent = world.headers("ent_b_admin")
    # an enterprise registers under itself only
    r = client.post(API, json=household(world, owner_id=lpg.ids["other"]), headers=ent)
    assert r.status_code == 422 and "owner_id" in field_errors(r), r.text
    # a pipeline company has no LPG customers
    r = client.post(API, json=household(world), headers=world.headers("ent_a_admin"))
    assert r.status_code == 422 and "owner_id" in field_errors(r)
    # a regulator names the enterprise
    reg = world.headers("reg_staff")
    r = client.post(API, json=household(world), headers=reg)
    assert r.status_code == 422 and "owner_id" in field_errors(r)
    r = client.post(API, json=household(world, owner_id=lpg.ids["other"]), headers=reg)
    assert r.status_code == 201 and r.json()["owner_id"] == lpg.ids["other"], r.text
    # the area is a grid, not a town
    r = client.post(
        API, json=household(world, code="CU-T-T1", area_id=world.ids["t1"]), headers=ent
    )
    assert r.status_code == 422 and "area_id" in field_errors(r)
    r = client.post(API, json=household(world, code="CU-T-NA", area_id=None), headers=ent)
    assert r.status_code == 422 and "area_id" in field_errors(r)
    # ... or found from the coordinates
    body = register(
        client, world, code="CU-T-LL", area_id=None, lon=116.001, lat=36.401, id_number=ID_B
    )
    assert body["area_id"] == world.ids["g21"]
    # the code is unique
    r = client.post(API, json=household(world, code="CU-T-LL"), headers=ent)
    assert r.status_code == 409
    # a business registers under its credit code; its alarm and valve are recorded
    r = client.post(
        API,
        json={
            "code": "CU-T-REST",
            "kind": "catering",
            "name": "测试饭店",
            "contact_name": "吴老板",
            "credit_code": "92371502MA3C00012X",
            "phone": "0635-8881234",
            "area_id": world.ids["g11"],
            "has_gas_alarm": True,
            "has_shutoff_valve": True,
        },
        headers=ent,
    )
    assert r.status_code == 201, r.text
    assert r.json()["has_gas_alarm"] and r.json()["has_shutoff_valve"]
    assert r.json()["phone"] == masked_phone("0635-8881234")
    r = client.post(
        API,
        json={"code": "CU-T-REST2", "kind": "commercial", "name": "无证商户",
              "area_id": world.ids["g11"]},
        headers=ent,
    )  # fmt: skip
    assert r.status_code == 422 and "credit_code" in field_errors(r)


def test_filters(client: TestClient, world: World, session: Session) -> None:
    lpg = build_lpg(session, world)
    session.commit()
    reg = world.headers("reg_admin")
    mine = register(client, world)

    def listed(**params: Any) -> set[int]:
        return ids(client.get(API, params={"size": 100, **params}, headers=reg))

    assert listed(kind="catering") == {lpg.ids["cust_diner"], lpg.ids["cust_diner_ok"]}
    assert listed(safety_status="failed") == {lpg.ids["cust_failed"]}
    assert listed(safety_status="unchecked") == {mine["id"]}
    assert listed(area_id=world.ids["g21"]) == {lpg.ids["cust_diner_ok"]}
    assert listed(owner_id=lpg.ids["other"]) == set()
    assert mine["id"] in listed(owner_id=world.ids["ent_b"])
    r = client.patch(f"{API}/{mine['id']}", json={"active": False}, headers=reg)
    assert r.status_code == 200, r.text
    assert listed(active="false") == {mine["id"]}
    assert mine["id"] not in listed(active="true")
    assert listed(sort="-code")  # sortable


def test_writes_are_audited(client: TestClient, world: World, session: Session) -> None:
    body = register(client, world)
    r = client.patch(
        f"{API}/{body['id']}",
        params={"reason": "更换手机号"},
        json={"phone": "13700001111"},
        headers=world.headers("ent_b_admin"),
    )
    assert r.status_code == 200 and r.json()["phone"] == "137****1111", r.text
    rows = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.entity_type == "customer", AuditEntry.entity_id == body["id"])
        .order_by(AuditEntry.id)
    ).all()
    assert [a.action for a in rows] == ["create", "update"]
    assert rows[0].actor_name == "ent_b_admin" and rows[0].owner_id == world.ids["ent_b"]
    assert rows[1].reason == "更换手机号"
    # the audit log keeps masked values only
    assert rows[1].changes["phone"] == ["139****6666", "137****1111"]
    assert ID_A not in str(rows[0].changes) and masked_id(ID_A) in str(rows[0].changes)


def test_delete_only_without_history(client: TestClient, world: World) -> None:
    ent = world.headers("ent_b_admin")
    body = register(client, world)
    other = register(client, world, code="CU-T-DEL", id_number=ID_B)
    r = client.post(
        "/api/v1/customer-safety-checks",
        json={"customer_id": body["id"], "checker_name": "王安检", "hose_ok": True,
              "valve_ok": True, "ventilation_ok": True},
        headers=ent,
    )  # fmt: skip
    assert r.status_code == 201, r.text
    assert client.delete(f"{API}/{body['id']}", headers=ent).status_code == 409
    assert client.delete(f"{API}/{other['id']}", headers=ent).status_code == 204
    assert client.get(f"{API}/{other['id']}", headers=ent).status_code == 404
