"""Plans (versions, approval superseding the plan in force, overdue reviews), reserves (the
expired and maintenance-due flags, equipment sets), drills (held, follow-ups, counts per
enterprise per year), and their scope."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi.testclient import TestClient

from gaswarden.domains.emergency.clock import local_today
from tests.emergency.helpers import API
from tests.factories import World


def test_plan_versions_approval_and_overdue_review(client: TestClient, world: World) -> None:
    ent, reg = world.headers("ent_a_admin"), world.headers("reg_staff")
    r = client.post(
        f"{API}/plans",
        json={
            "code": "YA-DC-01",
            "title": "燃气事故综合应急预案",
            "level": "enterprise",
            "scenarios": ["管道泄漏"],
        },
        headers=ent,
    )
    assert r.status_code == 201, r.text
    v1 = r.json()
    assert v1["owner_id"] == world.ids["ent_a"] and v1["status"] == "draft"
    # The enterprise cannot approve its own plan; the regulator approves a submitted one.
    assert client.post(f"{API}/plans/{v1['id']}/approve", json={}, headers=reg).status_code == 409
    assert client.post(f"{API}/plans/{v1['id']}/submit", json={}, headers=ent).status_code == 200
    assert client.post(f"{API}/plans/{v1['id']}/approve", json={}, headers=ent).status_code == 403
    overdue_on = (local_today() - timedelta(days=1)).isoformat()
    r = client.post(
        f"{API}/plans/{v1['id']}/approve",
        json={"effective_on": "2023-01-01", "review_due_on": overdue_on},
        headers=reg,
    )
    assert r.json()["status"] == "approved" and r.json()["review_overdue"] is True
    counts = client.get(f"{API}/plans/counts", headers=ent).json()
    assert counts["review_overdue"] == 1 and counts["in_force"] == 1
    overdue = client.get(f"{API}/plans", params={"overdue": True}, headers=reg).json()
    assert [p["id"] for p in overdue["items"]] == [v1["id"]]

    # A revision: version 2, approved, supersedes version 1; the default review is 3 years on.
    r = client.post(f"{API}/plans/{v1['id']}/versions", json={"summary": "2026修订"}, headers=ent)
    v2 = r.json()
    assert v2["version"] == 2 and v2["code"] == "YA-DC-01" and v2["status"] == "draft"
    assert client.post(f"{API}/plans/{v1['id']}/versions", json={}, headers=ent).status_code == 409
    client.post(f"{API}/plans/{v2['id']}/submit", json={}, headers=ent)
    r = client.post(
        f"{API}/plans/{v2['id']}/approve", json={"effective_on": "2026-01-10"}, headers=reg
    )
    approved = r.json()
    assert approved["review_due_on"] == "2029-01-10" and approved["review_overdue"] is False
    by_version = {v["version"]: v for v in approved["versions"]}
    assert by_version[1]["status"] == "superseded" and by_version[1]["superseded_by_id"] == v2["id"]
    assert client.get(f"{API}/plans/counts", headers=ent).json()["review_overdue"] == 0
    current = client.get(
        f"{API}/plans", params={"current": True, "code": "YA-DC-01"}, headers=ent
    ).json()
    assert [p["version"] for p in current["items"]] == [2]
    # Enterprise B sees none of it.
    assert (
        client.get(f"{API}/plans/{v1['id']}", headers=world.headers("ent_b_admin")).status_code
        == 404
    )


def test_district_plan_is_the_regulators(client: TestClient, world: World) -> None:
    r = client.post(
        f"{API}/plans",
        json={"code": "QJ-01", "title": "区燃气事故应急预案", "level": "district"},
        headers=world.headers("reg_admin"),
    )
    assert r.status_code == 201 and r.json()["owner_id"] is None
    assert r.json()["area_id"] == world.ids["district"]
    assert (
        client.get(
            f"{API}/plans/{r.json()['id']}", headers=world.headers("ent_a_admin")
        ).status_code
        == 404
    )


def test_reserve_flags_and_sets(client: TestClient, world: World) -> None:
    h = world.headers("ent_a_admin")
    today = local_today()

    def add(name: str, **kw: object) -> dict[str, object]:
        body = {
            "name": name,
            "category": "equipment",
            "kind": "gas_detector",
            "quantity": 2,
            "sets": 2,
            **kw,
        }
        r = client.post(f"{API}/reserves", json=body, headers=h)
        assert r.status_code == 201, r.text
        return r.json()

    fresh = add(
        "检测仪(新)",
        team_id=world.ids["team_a"],
        expires_on=(today + timedelta(days=400)).isoformat(),
    )
    stale = add(
        "堵漏剂",
        kind="leak_sealing",
        category="material",
        sets=0,
        expires_on=(today - timedelta(days=1)).isoformat(),
    )
    due = add(
        "呼吸器",
        kind="breathing_apparatus",
        sets=3,
        next_maintenance_on=(today + timedelta(days=5)).isoformat(),
    )
    assert fresh["expired"] is False and fresh["maintenance_due"] is False
    assert fresh["owner_id"] == world.ids["ent_a"] and (fresh["lon"], fresh["lat"]) == (
        115.91,
        36.41,
    )  # team's base site
    assert stale["expired"] is True
    assert due["maintenance_due"] is True
    expired = client.get(f"{API}/reserves", params={"flag": "expired"}, headers=h).json()
    assert [i["name"] for i in expired["items"]] == ["堵漏剂"]
    maint = client.get(f"{API}/reserves", params={"flag": "maintenance"}, headers=h).json()
    assert [i["name"] for i in maint["items"]] == ["呼吸器"]
    totals = client.get(f"{API}/reserves/totals", headers=h).json()
    assert totals == {"sets": 5, "lines": 3, "expired": 1, "maintenance_due": 1, "flagged": 2}
    # B sees none of A's reserves.
    assert client.get(f"{API}/reserves", headers=world.headers("ent_b_admin")).json()["total"] == 0
    assert (
        client.get(
            f"{API}/reserves/{fresh['id']}", headers=world.headers("ent_b_admin")
        ).status_code
        == 404
    )


def test_drills_held_follow_ups_and_counts(client: TestClient, world: World) -> None:
    a, b = world.headers("ent_a_admin"), world.headers("ent_b_admin")

    def plan(headers: dict[str, str], planned: date, title: str) -> int:
        r = client.post(
            f"{API}/drills",
            json={
                "title": title,
                "kind": "functional",
                "scenario": "门站泄漏着火",
                "planned_on": planned.isoformat(),
            },
            headers=headers,
        )
        assert r.status_code == 201, r.text
        return int(r.json()["id"])

    d1 = plan(a, date(2025, 5, 10), "门站泄漏演练")
    d2 = plan(a, date(2025, 9, 1), "调压箱演练")
    d3 = plan(a, date(2026, 4, 1), "2026演练")
    plan(b, date(2025, 6, 1), "储配站演练")
    r = client.post(
        f"{API}/drills/{d1}/held",
        json={
            "held_on": "2025-05-12",
            "participants": 24,
            "rating": "good",
            "evaluation": "响应迅速，通讯需加强",
        },
        headers=a,
    )
    assert r.json()["status"] == "held" and r.json()["rating"] == "good"
    r = client.post(
        f"{API}/drills/{d1}/actions",
        json={"text": "配备防爆对讲机", "due_on": "2025-06-30"},
        headers=a,
    )
    action = r.json()
    r = client.post(
        f"{API}/drills/{d1}/actions/{action['id']}/done", json={"done_on": "2025-06-20"}, headers=a
    )
    assert r.json()["done_on"] == "2025-06-20"
    assert (
        client.post(f"{API}/drills/{d2}/actions", json={"text": "x"}, headers=a).status_code == 409
    )
    client.post(f"{API}/drills/{d2}/cancel", json={"note": "暴雨"}, headers=a)
    del d3

    counts = client.get(f"{API}/drills/counts", headers=world.headers("reg_staff")).json()
    table = {(c["owner_id"], c["year"]): (c["planned"], c["held"], c["cancelled"]) for c in counts}
    assert table[(world.ids["ent_a"], 2025)] == (0, 1, 1)
    assert table[(world.ids["ent_a"], 2026)] == (1, 0, 0)
    assert table[(world.ids["ent_b"], 2025)] == (1, 0, 0)
    own = client.get(f"{API}/drills/counts", headers=b).json()
    assert {c["owner_id"] for c in own} == {world.ids["ent_b"]}
    assert client.get(f"{API}/drills/{d1}", headers=b).status_code == 404


def test_team_duty_status_is_set_and_audited(client: TestClient, world: World) -> None:
    team = world.ids["team_a"]
    r = client.post(
        f"{API}/teams/{team}/duty",
        json={"duty_status": "standby"},
        headers=world.headers("ent_a_admin"),
    )
    assert r.status_code == 200 and r.json()["duty_status"] == "standby"
    assert r.json()["members"] == ["王安全"] and r.json()["vehicles"] == ["鲁P12345"]
    r = client.post(
        f"{API}/teams/{team}/duty",
        json={"duty_status": "off_duty"},
        headers=world.headers("ent_b_admin"),
    )
    assert r.status_code == 404
    audit = client.get(
        "/api/v1/audit-log",
        params={"entity_type": "team", "entity_id": team},
        headers=world.headers("reg_admin"),
    )
    assert audit.status_code == 200
    assert any(row["action"] == "duty_status" for row in audit.json()["items"])


def test_team_base_and_skills_and_reserve_updates(client: TestClient, world: World) -> None:
    a = world.headers("ent_a_admin")
    team = world.ids["team_a"]
    r = client.patch(
        f"{API}/teams/{team}",
        json={"skills": ["带压堵漏", " ", "管道抢修"], "base_lon": 115.93, "base_lat": 36.42},
        headers=a,
    )
    assert r.status_code == 200, r.text
    assert r.json()["skills"] == ["带压堵漏", "管道抢修"]
    assert (r.json()["lon"], r.json()["lat"]) == (115.93, 36.42)
    r = client.patch(f"{API}/teams/{team}", json={"base_lon": 115.9}, headers=a)
    assert r.status_code == 422
    r = client.post(
        f"{API}/reserves",
        json={
            "name": "检测仪",
            "category": "equipment",
            "kind": "gas_detector",
            "quantity": 3,
            "sets": 3,
        },
        headers=a,
    )
    item = r.json()["id"]
    r = client.patch(f"{API}/reserves/{item}", json={"quantity": 5, "sets": 5}, headers=a)
    assert r.json()["quantity"] == 5 and r.json()["sets"] == 5
    r = client.patch(
        f"{API}/reserves/{item}", json={"quantity": 1}, headers=world.headers("ent_b_admin")
    )
    assert r.status_code == 404
