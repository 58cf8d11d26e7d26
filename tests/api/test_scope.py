"""Role scopes across resources: who sees which records, and who may write.

Out of scope reads as 404 (the record's existence is not confirmed), never 403.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.api.mixins import API, assert_problem, error_fields, list_ids
from tests.factories import World

SITES = {"gate", "box", "filling", "supply"}
DEVICES = {"dev_gate", "dev_box", "dev_fill", "dev_sup"}


def ids(w: World, *keys: str) -> set[int]:
    return {w.ids[k] for k in keys}


def visible(client: TestClient, w: World, who: str, path: str) -> set[int]:
    return set(list_ids(client, w, path, who))


@pytest.mark.parametrize(
    ("who", "sites", "devices", "assets"),
    [
        ("reg_admin", SITES, DEVICES, {"asset_reg", "asset_well"}),
        ("reg_staff", SITES, DEVICES, {"asset_reg", "asset_well"}),
        ("viewer", SITES, DEVICES, {"asset_reg", "asset_well"}),
        ("ent_a_admin", {"gate", "box"}, {"dev_gate", "dev_box"}, {"asset_reg"}),
        ("ent_a_staff", {"gate", "box"}, {"dev_gate", "dev_box"}, {"asset_reg"}),
        ("ent_b_admin", {"filling", "supply"}, {"dev_fill", "dev_sup"}, {"asset_well"}),
        ("worker_b", {"filling", "supply"}, {"dev_fill", "dev_sup"}, {"asset_well"}),
        ("grid_sup", {"gate", "supply"}, {"dev_gate", "dev_sup"}, set()),
        ("inspector", {"gate"}, {"dev_gate"}, set()),
    ],
)
def test_lists_hold_only_what_the_role_may_see(
    client: TestClient, world: World, who: str, sites: set[str], devices: set[str], assets: set[str]
) -> None:
    assert visible(client, world, who, "sites") == ids(world, *sites)
    assert visible(client, world, who, "devices") == ids(world, *devices)
    assert visible(client, world, who, "assets") == ids(world, *assets)


@pytest.mark.parametrize(
    ("who", "path", "key"),
    [
        ("ent_a_admin", "devices", "dev_fill"),
        ("ent_a_staff", "sites", "supply"),
        ("ent_a_admin", "assets", "asset_well"),
        ("ent_b_admin", "devices", "dev_gate"),
        ("worker_b", "sites", "gate"),
        ("grid_sup", "sites", "box"),
        ("grid_sup", "devices", "dev_fill"),
        ("inspector", "sites", "supply"),
        ("inspector", "devices", "dev_box"),
        ("ent_a_admin", "people", "person_b"),
        ("ent_a_admin", "vehicles", "veh_b"),
        ("ent_b_admin", "teams", "team_a"),
        ("ent_b_admin", "certificates", "cert_a"),
    ],
)
def test_out_of_scope_reads_as_not_found(
    client: TestClient, world: World, who: str, path: str, key: str
) -> None:
    url = f"{API}/{path}/{world.ids[key]}"
    assert_problem(client.get(url, headers=world.headers(who)), 404)
    # Writing to it is not found either (this role may write records of its own).
    if who in ("ent_a_admin", "ent_b_admin"):
        assert_problem(client.patch(url, json={}, headers=world.headers(who)), 404)
        assert_problem(client.delete(url, headers=world.headers(who)), 404)


def test_enterprise_reads_its_own(client: TestClient, world: World) -> None:
    headers = world.headers("ent_a_staff")
    for path, key in (("sites", "gate"), ("devices", "dev_box"), ("assets", "asset_reg")):
        assert client.get(f"{API}/{path}/{world.ids[key]}", headers=headers).status_code == 200
    assert visible(client, world, "ent_a_staff", "people") == ids(world, "person_a")
    assert visible(client, world, "ent_a_staff", "teams") == ids(world, "team_a")


def test_inspector_loses_sites_when_the_assignment_expires(
    client: TestClient, world: World
) -> None:
    url = f"{API}/sites/{world.ids['gate']}"
    assert client.get(url, headers=world.headers("inspector")).status_code == 200
    r = client.patch(
        f"{API}/site-assignments/{world.ids['assign_gate']}",
        json={"valid_until": "2020-01-31"},
        headers=world.headers("reg_admin"),
    )
    assert r.status_code == 200, r.text
    assert visible(client, world, "inspector", "sites") == set()
    assert visible(client, world, "inspector", "devices") == set()
    assert_problem(client.get(url, headers=world.headers("inspector")), 404)


def test_inspector_gains_a_newly_assigned_site(client: TestClient, world: World) -> None:
    r = client.post(
        f"{API}/site-assignments",
        json={"agency_id": world.ids["agency"], "site_id": world.ids["filling"]},
        headers=world.headers("reg_admin"),
    )
    assert r.status_code == 201, r.text
    assert visible(client, world, "inspector", "sites") == ids(world, "gate", "filling")
    assert visible(client, world, "inspector", "devices") == ids(world, "dev_gate", "dev_fill")


@pytest.mark.parametrize("who", ["worker_b", "viewer", "inspector", "grid_sup"])
@pytest.mark.parametrize(
    ("path", "key", "change"),
    [
        ("sites", "supply", {"name": "改名"}),
        ("devices", "dev_sup", {"status": "fault"}),
        ("assets", "asset_well", {"depth_m": 2.0}),
    ],
)
def test_read_only_roles_cannot_write(
    client: TestClient, world: World, who: str, path: str, key: str, change: dict[str, object]
) -> None:
    headers = world.headers(who)
    url = f"{API}/{path}/{world.ids[key]}"
    if client.get(url, headers=headers).status_code == 200:  # in scope: forbidden to write
        assert_problem(client.patch(url, json=change, headers=headers), 403)
        assert_problem(client.delete(url, headers=headers), 403)
    site = {"code": "S-X-1", "name": "新站", "kind": "lpg_supply", "lon": 116.02, "lat": 36.42}
    assert_problem(client.post(f"{API}/sites", json=site, headers=headers), 403)


def test_enterprise_creates_sites_only_for_itself(client: TestClient, world: World) -> None:
    headers = world.headers("ent_a_admin")
    site = {
        "code": "S-A-NEW",
        "name": "东昌新调压箱",
        "kind": "regulator_box",
        "lon": 115.93,
        "lat": 36.43,
    }
    r = client.post(f"{API}/sites", json={**site, "owner_id": world.ids["ent_b"]}, headers=headers)
    assert r.status_code in (403, 422), r.text
    body = assert_problem(r, r.status_code)
    assert "owner_id" in body["detail"]
    # Without an owner, the enterprise's own site.
    r = client.post(f"{API}/sites", json=site, headers=headers)
    assert r.status_code == 201, r.text
    assert r.json()["owner_id"] == world.ids["ent_a"]


@pytest.mark.parametrize("role", ["regulator_admin", "regulator_staff", "grid_supervisor"])
def test_enterprise_admin_cannot_grant_regulator_roles(
    client: TestClient, world: World, role: str
) -> None:
    user = {
        "username": "sneaky",
        "display_name": "越权",
        "password": "long-enough-pw",
        "role": role,
        "grid_ids": [world.ids["g11"]],
    }
    headers = world.headers("ent_a_admin")
    assert_problem(client.post(f"{API}/users", json=user, headers=headers), 403)
    own = {**user, "role": "enterprise_staff", "grid_ids": []}
    r = client.post(f"{API}/users", json=own, headers=headers)
    assert r.status_code == 201, r.text
    assert r.json()["org_id"] == world.ids["ent_a"]
    url = f"{API}/users/{r.json()['id']}"
    assert_problem(client.patch(url, json={"role": role}, headers=headers), 403)


def test_enterprise_admin_cannot_create_users_elsewhere(client: TestClient, world: World) -> None:
    user = {
        "username": "elsewhere",
        "display_name": "外单位",
        "password": "long-enough-pw",
        "role": "enterprise_staff",
        "org_id": world.ids["ent_b"],
    }
    r = client.post(f"{API}/users", json=user, headers=world.headers("ent_a_admin"))
    assert r.status_code in (403, 422), r.text
    assert visible(client, world, "ent_b_admin", "users") == ids(
        world, "user_ent_b_admin", "user_worker_b"
    )


@pytest.mark.parametrize(
    ("who", "users"),
    [
        ("ent_a_admin", {"user_ent_a_admin", "user_ent_a_staff"}),
        ("ent_b_admin", {"user_ent_b_admin", "user_worker_b"}),
        ("ent_a_staff", {"user_ent_a_staff"}),
        ("worker_b", {"user_worker_b"}),
        ("viewer", {"user_viewer"}),
        ("inspector", {"user_inspector"}),
        ("grid_sup", {"user_grid_sup"}),
    ],
)
def test_users_see_users_by_role(
    client: TestClient, world: World, who: str, users: set[str]
) -> None:
    assert visible(client, world, who, "users") == ids(world, *users)
    other = world.ids["user_reg_admin"]
    assert_problem(client.get(f"{API}/users/{other}", headers=world.headers(who)), 404)


def test_regulators_see_the_whole_district(client: TestClient, world: World) -> None:
    for who in ("reg_admin", "reg_staff"):
        assert len(visible(client, world, who, "users")) == 9
        assert visible(client, world, who, "organizations") == ids(
            world, "reg", "ent_a", "ent_b", "agency"
        )
        assert visible(client, world, who, "people") == ids(world, "person_a", "person_b")
        assert visible(client, world, who, "vehicles") == ids(world, "veh_a", "veh_b")


def test_grid_supervisor_sees_only_their_grid(client: TestClient, world: World) -> None:
    gate = world.ids["gate"]
    assert client.get(f"{API}/sites/{gate}", headers=world.headers("grid_sup")).status_code == 200
    # A site moved out of the grid leaves the supervisor's view.
    r = client.patch(
        f"{API}/sites/{gate}",
        json={"area_id": world.ids["g12"]},
        headers=world.headers("reg_admin"),
    )
    assert r.status_code == 200, r.text
    assert visible(client, world, "grid_sup", "sites") == ids(world, "supply")


def test_a_reference_must_name_a_record_the_caller_can_see(
    client: TestClient, world: World
) -> None:
    """A device placed at another enterprise's site, or at no site at all, is refused with the
    field named; at the enterprise's own site it is created."""
    headers = world.headers("ent_a_admin")
    device = {"serial": "SN-REF-1", "kind": "pressure_monitor"}
    for site_id in (world.ids["filling"], 987654321):  # enterprise B's; none
        r = client.post(f"{API}/devices", json={**device, "site_id": site_id}, headers=headers)
        body = assert_problem(r, 422)
        assert error_fields(body) == {"site_id"}, body
        assert f"no site {site_id} that you can see" in body["detail"]
    r = client.post(
        f"{API}/devices", json={**device, "site_id": world.ids["gate"]}, headers=headers
    )
    assert r.status_code == 201, r.text
    assert r.json()["site_id"] == world.ids["gate"]
