"""The closed loop through the HTTP API: raise (engine) -> acknowledge -> assign -> on site ->
resolve -> close, with response times recorded and reported; scope, roles, wrong steps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from queue import Empty

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from gaswarden.domains.alarm.live import broadcaster
from gaswarden.ingestion.contract import Reading, StoredBatch
from gaswarden.rules.engine import AlarmEngine
from tests.alarm.helpers import device
from tests.factories import World

PROBLEM = "application/problem+json"


def raise_alarm(session: Session, device_id: int, value: float = 30.0, ago_s: int = 120) -> int:
    now = datetime.now(UTC) - timedelta(seconds=ago_s)
    batch = StoredBatch(
        readings=[Reading(device_id, "methane_lel_pct", now, value)],
        events=[],
        statuses=[],
        received_at=now,
    )
    AlarmEngine().consume(session, batch)
    session.flush()
    from tests.alarm.helpers import alarms

    return alarms(session, device_id)[-1].id


def post(client: TestClient, who: str, world: World, path: str, **body: object) -> dict:  # type: ignore[type-arg]
    r = client.post(f"/api/v1/alarms/{path}", json=body, headers=world.headers(who))
    return {"status": r.status_code, "json": r.json(), "type": r.headers.get("content-type")}


def test_the_whole_loop_with_response_times(
    session: Session, client: TestClient, world: World
) -> None:
    dev = device(session, "SN-LOOP", "well_methane", site_id=world.ids["gate"])
    alarm_id = raise_alarm(session, dev)
    h = world.headers("ent_a_staff")
    listed = client.get("/api/v1/alarms", params={"grade": "yellow", "stage": "new"}, headers=h)
    assert alarm_id in [a["id"] for a in listed.json()["items"]]

    r = post(client, "ent_a_staff", world, f"{alarm_id}/acknowledge", note="收到")
    assert r["status"] == 200 and r["json"]["stage"] == "acknowledged"
    assert r["json"]["ack_s"] >= 120
    r = post(
        client,
        "ent_a_staff",
        world,
        f"{alarm_id}/assign",
        team_id=world.ids["team_a"],
        note="抢险队出发",
    )
    assert r["json"]["stage"] == "assigned" and r["json"]["assigned_org_id"] == world.ids["ent_a"]
    r = post(client, "ent_a_staff", world, f"{alarm_id}/on-site", note="已到达阀井")
    assert r["json"]["stage"] == "on_site" and r["json"]["on_site_s"] >= r["json"]["ack_s"]
    r = post(
        client,
        "ent_a_staff",
        world,
        f"{alarm_id}/resolve",
        cause="real_leak",
        note="法兰泄漏已紧固",
    )
    assert r["json"]["stage"] == "resolved" and r["json"]["cause"] == "real_leak"
    # Closing is a review step: staff may not (403), the enterprise admin may.
    r = post(client, "ent_a_staff", world, f"{alarm_id}/close")
    assert r["status"] == 403 and r["type"] == PROBLEM
    r = post(client, "ent_a_admin", world, f"{alarm_id}/close", note="复核完成")
    assert r["status"] == 200 and r["json"]["stage"] == "closed"

    timeline = r["json"]["timeline"]
    steps = [(e["kind"], e["actor_name"]) for e in timeline if e["kind"] != "notified"]
    assert steps == [
        ("raised", "system"),
        ("acknowledged", "ent_a_staff"),
        ("assigned", "ent_a_staff"),
        ("on_site", "ent_a_staff"),
        ("resolved", "ent_a_staff"),
        ("closed", "ent_a_admin"),
    ]
    assert [e["note"] for e in timeline if e["kind"] == "acknowledged"] == ["收到"]
    audit = client.get(
        "/api/v1/audit-log",
        params={"entity_type": "alarm", "entity_id": alarm_id, "size": 50},
        headers=world.headers("reg_admin"),
    ).json()["items"]
    assert {e["action"] for e in audit} >= {
        "alarm_raised",
        "alarm_acknowledged",
        "alarm_assigned",
        "alarm_on_site",
        "alarm_resolved",
        "alarm_closed",
    }

    report = client.get("/api/v1/alarms/response-times", headers=world.headers("reg_admin"))
    assert report.status_code == 200
    rows = [
        row
        for row in report.json()["rows"]
        if row["owner_id"] == world.ids["ent_a"] and row["grade"] == "yellow"
    ]
    assert rows and rows[0]["alarms"] >= 1 and rows[0]["ack"]["n"] >= 1
    assert rows[0]["on_site"]["mean_s"] >= 120 and rows[0]["resolve"]["n"] >= 1
    assert report.json()["targets"]["red"]["on_site_s"] == 1800
    # Enterprise B's report does not include A's alarms.
    other = client.get("/api/v1/alarms/response-times", headers=world.headers("ent_b_admin"))
    assert all(row["owner_id"] == world.ids["ent_b"] for row in other.json()["rows"])

    # Reopen after review, with a reason.
    r = post(client, "ent_a_admin", world, f"{alarm_id}/reopen")
    assert r["status"] == 422
    r = post(client, "reg_admin", world, f"{alarm_id}/reopen", note="复查发现仍有气味")
    assert r["status"] == 200 and r["json"]["stage"] == "acknowledged"


def test_scope_and_wrong_transitions(session: Session, client: TestClient, world: World) -> None:
    dev = device(session, "SN-SCOPE", "well_methane", site_id=world.ids["gate"])
    alarm_id = raise_alarm(session, dev)
    # Enterprise B cannot see or act on enterprise A's alarm: 404.
    assert (
        client.get(f"/api/v1/alarms/{alarm_id}", headers=world.headers("ent_b_admin")).status_code
        == 404
    )
    ids = [
        a["id"]
        for a in client.get("/api/v1/alarms", headers=world.headers("ent_b_admin")).json()["items"]
    ]
    assert alarm_id not in ids
    r = post(client, "worker_b", world, f"{alarm_id}/acknowledge")
    assert r["status"] == 404 and r["type"] == PROBLEM
    # The regulator, the grid supervisor of the gate's grid and the gate's agency see it.
    for who in ("reg_staff", "grid_sup", "inspector"):
        assert (
            client.get(f"/api/v1/alarms/{alarm_id}", headers=world.headers(who)).status_code == 200
        ), who
    # ... but a grid supervisor, an inspector or a viewer cannot work it: 403.
    assert post(client, "grid_sup", world, f"{alarm_id}/acknowledge")["status"] == 403
    # Wrong steps: 409 with a problem document.
    r = post(client, "ent_a_staff", world, f"{alarm_id}/on-site")
    assert r["status"] == 409 and r["type"] == PROBLEM and "new" in r["json"]["detail"]
    assert post(client, "ent_a_staff", world, f"{alarm_id}/close")["status"] in (403, 409)
    assert post(client, "ent_a_admin", world, f"{alarm_id}/close")["status"] == 409
    assert post(client, "ent_a_staff", world, f"{alarm_id}/acknowledge")["status"] == 200
    assert post(client, "ent_a_staff", world, f"{alarm_id}/acknowledge")["status"] == 409
    r = post(client, "ent_a_staff", world, f"{alarm_id}/resolve", cause="nonsense")
    assert r["status"] == 422
    r = post(client, "ent_a_staff", world, f"{alarm_id}/assign", org_id=world.ids["ent_b"])
    assert r["status"] == 403


def test_filters(session: Session, client: TestClient, world: World) -> None:
    dev = device(session, "SN-FILT", "household_alarm", site_id=world.ids["supply"])
    alarm_id = raise_alarm(session, dev, value=60)
    h = world.headers("reg_admin")

    def ids(**params: object) -> list[int]:
        return [
            a["id"] for a in client.get("/api/v1/alarms", params=params, headers=h).json()["items"]
        ]

    assert alarm_id in ids(
        grade="orange", device_kind="household_alarm", owner_id=world.ids["ent_b"]
    )
    assert alarm_id not in ids(grade="red")
    assert alarm_id in ids(state="active", rule="methane_lel", site_id=world.ids["supply"])
    today = datetime.now(UTC).date().isoformat()
    assert alarm_id in ids(raised_from=today, raised_to=today)
    assert alarm_id not in ids(raised_to="2020-01-01")


def test_rule_settings_api(session: Session, client: TestClient, world: World) -> None:
    dev = device(session, "SN-RS", "well_methane", asset_id=world.ids["asset_well"])
    body = {
        "scope": "device",
        "scope_id": dev,
        "rule": "methane_lel",
        "params": {"levels": [[12, "yellow"]]},
    }
    # Enterprise A cannot set B's device (out of its scope); B's staff may not; B's admin may.
    assert (
        client.put(
            "/api/v1/rule-settings", json=body, headers=world.headers("ent_a_admin")
        ).status_code
        == 404
    )
    assert (
        client.put(
            "/api/v1/rule-settings", json=body, headers=world.headers("worker_b")
        ).status_code
        == 403
    )
    r = client.put(
        "/api/v1/rule-settings", json={**body, "note": "试点"}, headers=world.headers("ent_b_admin")
    )
    assert r.status_code == 200, r.text
    eff = client.get(
        f"/api/v1/rule-settings/effective/{dev}", headers=world.headers("ent_b_admin")
    ).json()
    assert eff["params"]["methane_lel"]["levels"] == [[12, "yellow"]]
    bad = {**body, "params": {"levels": [[12, "purple"]]}}
    r = client.put("/api/v1/rule-settings", json=bad, headers=world.headers("ent_b_admin"))
    assert r.status_code == 422 and r.headers["content-type"] == PROBLEM
    glob = {"scope": "global", "rule": "response", "params": {"red": {"on_site_s": 900}}}
    assert (
        client.put(
            "/api/v1/rule-settings", json=glob, headers=world.headers("ent_b_admin")
        ).status_code
        == 403
    )
    assert (
        client.put(
            "/api/v1/rule-settings", json=glob, headers=world.headers("reg_admin")
        ).status_code
        == 200
    )
    report = client.get("/api/v1/alarms/response-times", headers=world.headers("reg_admin")).json()
    assert report["targets"]["red"]["on_site_s"] == 900
    listed = client.get(
        "/api/v1/rule-settings",
        params={"rule": "methane_lel"},
        headers=world.headers("ent_a_admin"),
    ).json()
    assert all(s["scope_id"] != dev for s in listed)
    audit = client.get(
        "/api/v1/audit-log",
        params={"entity_type": "rule_setting"},
        headers=world.headers("reg_admin"),
    ).json()
    assert audit["total"] >= 2


def test_changes_are_published_after_commit(
    session: Session, client: TestClient, world: World
) -> None:
    dev = device(session, "SN-LIVE", "well_methane", site_id=world.ids["gate"])
    alarm_id = raise_alarm(session, dev)
    sub = broadcaster.subscribe()
    try:
        # A refused step publishes nothing; a committed one does.
        assert post(client, "ent_a_staff", world, f"{alarm_id}/on-site")["status"] == 409
        assert post(client, "ent_a_staff", world, f"{alarm_id}/acknowledge")["status"] == 200
        change = sub.get(timeout=5)
        assert (change["alarm_id"], change["change"], change["stage"]) == (
            alarm_id,
            "acknowledged",
            "acknowledged",
        )
        try:
            extra = sub.get_nowait()
        except Empty:
            extra = None
        assert extra is None
    finally:
        broadcaster.unsubscribe(sub)
