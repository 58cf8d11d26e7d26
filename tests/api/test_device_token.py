"""A device's token through the API: revealing and rotating are POSTs (each audited, never
cached); a GET changes nothing and writes no audit row; scope and rights apply."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.mixins import API, assert_problem
from tests.factories import World


def audit_actions(client: TestClient, world: World, device_id: int) -> list[str]:
    r = client.get(
        f"{API}/audit-log",
        params={"entity_type": "device", "entity_id": device_id, "size": 100},
        headers=world.headers("reg_admin"),
    )
    assert r.status_code == 200, r.text
    return [e["action"] for e in r.json()["items"]]


def test_reveal_is_a_post_and_is_audited(client: TestClient, world: World) -> None:
    device = world.ids["dev_gate"]
    h = world.headers("ent_a_admin")
    before = audit_actions(client, world, device)

    # a GET (a prefetch, a crawler) is refused and leaves no trace
    r = client.get(f"{API}/devices/{device}/token", headers=h)
    assert r.status_code == 405, r.text
    r = client.get(f"{API}/devices/{device}/token/reveal", headers=h)
    assert r.status_code == 405, r.text
    assert audit_actions(client, world, device) == before

    r = client.post(f"{API}/devices/{device}/token/reveal", headers=h)
    assert r.status_code == 200, r.text
    assert r.headers["cache-control"] == "no-store"
    body = r.json()
    assert body["serial"] == "SN-S-A-GATE" and len(body["token"]) >= 24
    after = audit_actions(client, world, device)
    assert after.count("reveal_token") == before.count("reveal_token") + 1

    # the same token again: revealing does not change it
    again = client.post(f"{API}/devices/{device}/token/reveal", headers=h).json()
    assert again["token"] == body["token"]


def test_rotate_issues_a_new_token(client: TestClient, world: World) -> None:
    device = world.ids["dev_gate"]
    h = world.headers("ent_a_admin")
    old = client.post(f"{API}/devices/{device}/token/reveal", headers=h).json()["token"]
    r = client.post(f"{API}/devices/{device}/token", headers=h)
    assert r.status_code == 200, r.text
    assert r.headers["cache-control"] == "no-store"
    new = r.json()["token"]
    assert new != old
    assert client.post(f"{API}/devices/{device}/token/reveal", headers=h).json()["token"] == new
    assert "rotate_token" in audit_actions(client, world, device)


def test_token_routes_respect_rights_and_scope(client: TestClient, world: World) -> None:
    device = world.ids["dev_gate"]  # enterprise A's
    for path in ("token", "token/reveal"):
        url = f"{API}/devices/{device}/{path}"
        assert_problem(client.post(url, headers=world.headers("viewer")), 403)
        assert_problem(client.post(url, headers=world.headers("ent_b_admin")), 404)
        assert_problem(client.post(url), 401)
