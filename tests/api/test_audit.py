"""GET /api/v1/audit-log: who may read it, its filters and order, and no personal data in clear."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from tests.api.mixins import API, assert_problem
from tests.factories import ID_NUMBER, World

LOG = f"{API}/audit-log"


def read_log(client: TestClient, w: World, who: str = "reg_admin", **params: Any) -> list[dict]:
    r = client.get(LOG, params={"size": 500, **params}, headers=w.headers(who))
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["total"] == len(data["items"])
    return data["items"]  # type: ignore[no-any-return]


def new_site(client: TestClient, w: World, who: str, code: str, **extra: Any) -> dict[str, Any]:
    site = {
        "code": code,
        "name": f"站{code}",
        "kind": "regulator_box",
        "lon": 115.93,
        "lat": 36.43,
        **extra,
    }
    r = client.post(f"{API}/sites", json=site, headers=w.headers(who))
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def test_regulator_reads_the_log_newest_first(client: TestClient, world: World) -> None:
    site = new_site(client, world, "reg_admin", "S-LOG-1", owner_id=world.ids["ent_a"])
    r = client.patch(
        f"{API}/sites/{site['id']}",
        json={"name": "改名"},
        headers=world.headers("reg_staff"),
        params={"reason": "更正名称"},
    )
    assert r.status_code == 200, r.text
    items = read_log(client, world)
    times = [datetime.fromisoformat(i["at"]) for i in items]
    assert times == sorted(times, reverse=True)
    newest = items[0]
    assert (newest["action"], newest["entity_type"], newest["entity_id"]) == (
        "update",
        "site",
        site["id"],
    )
    assert newest["actor_name"] == "reg_staff" and newest["reason"] == "更正名称"
    assert newest["changes"] == {"name": [site["name"], "改名"]}
    assert read_log(client, world, "reg_staff")[0]["id"] == newest["id"]


def test_filters(client: TestClient, world: World) -> None:
    site = new_site(client, world, "reg_admin", "S-LOG-2", owner_id=world.ids["ent_b"])
    client.patch(
        f"{API}/sites/{site['id']}", json={"status": "closed"}, headers=world.headers("ent_b_admin")
    )
    client.delete(f"{API}/sites/{site['id']}", headers=world.headers("reg_admin"))

    rows = read_log(client, world, entity_type="site", entity_id=site["id"])
    assert [r["action"] for r in rows] == ["delete", "update", "create"]
    assert {r["entity_type"] for r in read_log(client, world, entity_type="device")} == {"device"}
    deletes = read_log(client, world, action="delete")
    assert [r["entity_id"] for r in deletes] == [site["id"]]
    by_actor = read_log(client, world, actor_id=world.ids["user_ent_b_admin"], entity_type="site")
    assert [(r["action"], r["entity_type"]) for r in by_actor] == [("update", "site")]
    assert by_actor[0]["actor_id"] == world.ids["user_ent_b_admin"]
    assert len(read_log(client, world, q=site["name"])) == 3  # by label
    assert len(read_log(client, world, q="ent_b_admin")) >= 1  # by actor
    assert read_log(client, world, q="no such words") == []


def test_date_range(client: TestClient, world: World) -> None:
    site = new_site(client, world, "reg_admin", "S-LOG-3", owner_id=world.ids["ent_a"])
    today = datetime.now(UTC).date()
    mine = {"entity_type": "site", "entity_id": site["id"]}
    day = timedelta(days=1)
    assert len(read_log(client, world, **mine, at_from=today, at_to=today)) == 1
    assert len(read_log(client, world, **mine, at_from=today - day)) == 1
    assert read_log(client, world, **mine, at_from=today + day) == []
    assert read_log(client, world, **mine, at_to=today - day) == []
    r = client.get(LOG, params={"at_from": "yesterday"}, headers=world.headers("reg_admin"))
    assert "at_from" in {e["loc"][-1] for e in assert_problem(r, 422)["errors"]}


def test_enterprise_admin_reads_only_its_own_records(client: TestClient, world: World) -> None:
    own = new_site(client, world, "reg_admin", "S-LOG-A", owner_id=world.ids["ent_a"])
    other = new_site(client, world, "reg_admin", "S-LOG-B", owner_id=world.ids["ent_b"])
    seen = read_log(client, world, "ent_a_admin", entity_type="site")
    ids = {r["entity_id"] for r in seen}
    assert own["id"] in ids and other["id"] not in ids
    assert ids <= {world.ids["gate"], world.ids["box"], own["id"]}
    everything = read_log(client, world, "ent_a_admin")
    assert everything
    assert ("site", other["id"]) not in {(r["entity_type"], r["entity_id"]) for r in everything}
    b_seen = {r["entity_id"] for r in read_log(client, world, "ent_b_admin", entity_type="site")}
    assert other["id"] in b_seen and own["id"] not in b_seen


@pytest.mark.parametrize("who", ["ent_a_staff", "worker_b", "inspector", "grid_sup", "viewer"])
def test_other_roles_may_not_read_the_log(client: TestClient, world: World, who: str) -> None:
    assert_problem(client.get(LOG, headers=world.headers(who)), 403)


def test_no_credentials(client: TestClient) -> None:
    assert_problem(client.get(LOG), 401)


def test_protected_values_are_masked_in_the_log(
    client: TestClient, world: World, session: Session
) -> None:
    site = new_site(
        client,
        world,
        "reg_admin",
        "S-LOG-P",
        owner_id=world.ids["ent_a"],
        contact_phone="13712348888",
    )
    r = client.patch(
        f"{API}/sites/{site['id']}",
        json={"contact_phone": "13698761234"},
        headers=world.headers("reg_admin"),
    )
    assert r.status_code == 200, r.text
    r = client.patch(
        f"{API}/people/{world.ids['person_a']}",
        json={"phone": "13511112222"},
        headers=world.headers("ent_a_admin"),
    )
    assert r.status_code == 200, r.text
    rows = read_log(client, world, entity_type="site", entity_id=site["id"])
    assert rows[0]["changes"] == {"contact_phone": ["137****8888", "136****1234"]}
    person = read_log(client, world, entity_type="person", entity_id=world.ids["person_a"])
    assert person[0]["changes"] == {"phone": ["138****5678", "135****2222"]}
    assert person[-1]["changes"]["id_number"] == [None, "3715**********1234"]

    plain = ("13712348888", "13698761234", "13511112222", "13812345678", ID_NUMBER)
    served = client.get(LOG, params={"size": 500}, headers=world.headers("reg_admin")).text
    stored = json.dumps(
        [
            list(row)
            for row in session.execute(text("SELECT changes, entity_label FROM audit_entry"))
        ],
        ensure_ascii=False,
        default=str,
    )
    for value in plain:
        assert value not in served
        assert value not in stored
