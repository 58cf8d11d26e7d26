"""Quota tables and packages: the regulator's to set (others read), one table active at a
time, items checked, every write audited."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gaswarden.domains.audit.models import AuditEntry
from tests.conversion.helpers import ITEMS, PACKAGES, QUOTA, make_package, make_table
from tests.factories import World


def test_one_table_is_active(client: TestClient, world: World, session: Session) -> None:
    first = make_table(client, world)
    assert first["active"] is True
    assert [i["code"] for i in first["items"]] == sorted(i["code"] for i in ITEMS)
    second = make_table(client, world, version="2024-T", active=False)
    headers = world.headers("reg_admin")
    r = client.post(f"{QUOTA}/{second['id']}/activate", headers=headers)
    assert r.status_code == 200 and r.json()["active"] is True
    tables = {t["id"]: t["active"] for t in client.get(QUOTA, headers=headers).json()}
    assert tables == {first["id"]: False, second["id"]: True}
    assert client.delete(f"{QUOTA}/{second['id']}", headers=headers).status_code == 409
    assert client.delete(f"{QUOTA}/{first['id']}", headers=headers).status_code == 204
    actions = session.scalars(
        select(AuditEntry.action).where(AuditEntry.entity_type == "quota_table")
    ).all()
    assert {"create", "activate", "delete"} <= set(actions)


def test_items_and_table_edits(client: TestClient, world: World) -> None:
    table = make_table(client, world, active=False)
    headers = world.headers("reg_admin")
    item = {"code": "10-9-002", "name": "开孔", "unit": "个", "unit_price_yuan": "12.345"}
    r = client.post(f"{QUOTA}/{table['id']}/items", json=item, headers=headers)
    assert r.status_code == 422  # prices in fen
    item["unit_price_yuan"] = "12.30"
    r = client.post(f"{QUOTA}/{table['id']}/items", json=item, headers=headers)
    assert r.status_code == 201 and r.json()["unit_price_yuan"] == "12.30"
    assert (
        client.post(f"{QUOTA}/{table['id']}/items", json=item, headers=headers).status_code == 409
    )
    r = client.patch(f"{QUOTA}/{table['id']}", json={"discount_rate": 1.2}, headers=headers)
    assert r.status_code == 422
    r = client.patch(f"{QUOTA}/{table['id']}", json={"discount_rate": 0.3}, headers=headers)
    assert r.json()["discount_rate"] == 0.3
    r = client.delete(f"{QUOTA}/{table['id']}/items/{r.json()['items'][0]['id']}", headers=headers)
    assert r.status_code == 204
    empty = client.post(
        QUOTA,
        json={"name": "空表", "version": "0", "discount_rate": 0, "effective_on": "2024-01-01"},
        headers=headers,
    ).json()
    assert client.post(f"{QUOTA}/{empty['id']}/activate", headers=headers).status_code == 409


def test_only_the_regulator_sets_prices(client: TestClient, world: World) -> None:
    table = make_table(client, world)
    for who in ("ent_a_admin", "ent_a_staff", "grid_sup", "viewer"):
        headers = world.headers(who)
        assert client.get(QUOTA, headers=headers).status_code == 200  # a public price list
        r = client.post(f"{QUOTA}/{table['id']}/activate", headers=headers)
        assert r.status_code == 403, who
        r = client.post(PACKAGES, json={"name": "x", "price_yuan": "1"}, headers=headers)
        assert r.status_code == 403, who
    assert make_table(client, world, version="reg-staff")["active"] is True


def test_packages(client: TestClient, world: World) -> None:
    basic = make_package(client, world)
    assert basic["price_yuan"] == "980.00" and basic["includes"] == ["燃气表", "报警器"]
    headers = world.headers("reg_admin")
    r = client.post(PACKAGES, json={"name": "居民基础套餐", "price_yuan": "1"}, headers=headers)
    assert r.status_code == 409
    r = client.patch(f"{PACKAGES}/{basic['id']}", json={"active": False}, headers=headers)
    assert r.json()["active"] is False
    listed = client.get(PACKAGES, params={"active": True}, headers=headers).json()
    assert basic["id"] not in {p["id"] for p in listed}
    assert client.delete(f"{PACKAGES}/{basic['id']}", headers=headers).status_code == 204
