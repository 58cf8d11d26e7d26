"""The incident lifecycle through the API: dispatch, arrival, actions, control, close, the
measured response times and their statistics, the teams' duty status, the contacts by
grade and the notification step, scope."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gaswarden.domains.audit.models import AuditEntry
from gaswarden.domains.workforce.models import Team
from tests.emergency.helpers import API
from tests.factories import World

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai


def _at(minutes: int) -> str:
    return (T0 + timedelta(minutes=minutes)).isoformat()


def _open(client: TestClient, world: World, who: str = "reg_staff", **kw: Any) -> dict[str, Any]:
    body = {
        "title": "调压箱泄漏",
        "grade": "III",
        "source": "call",
        "site_id": world.ids["box"],
        "caller_name": "王先生",
        "caller_phone": "13911112222",
        "reported_at": T0.isoformat(),
        **kw,
    }
    r = client.post(f"{API}/incidents", json=body, headers=world.headers(who))
    assert r.status_code == 201, r.text
    return r.json()


def _duty(session: Session, team_id: int) -> str:
    session.expire_all()
    team = session.get(Team, team_id)
    assert team is not None
    return team.duty_status.value


def test_lifecycle_with_response_times(client: TestClient, session: Session, world: World) -> None:
    h = world.headers("reg_staff")
    inc = _open(client, world)
    iid, team = inc["id"], world.ids["team_a"]
    assert inc["status"] == "reported" and inc["owner_id"] == world.ids["ent_a"]
    assert inc["caller_phone"] == "139****2222"

    r = client.post(
        f"{API}/incidents/{iid}/dispatch",
        json={"team_id": team, "vehicle_id": world.ids["veh_a"], "at": _at(5)},
        headers=h,
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["status"] == "dispatched" and body["dispatch_s"] == 300
    assert body["dispatches"][0]["vehicle_plate"] == "鲁P12345"
    assert body["dispatches"][0]["distance_method"] == "straight"
    assert _duty(session, team) == "deployed"
    # A deployed team cannot be sent twice.
    r = client.post(f"{API}/incidents/{iid}/dispatch", json={"team_id": team}, headers=h)
    assert r.status_code == 409

    r = client.post(f"{API}/incidents/{iid}/arrive", json={"at": _at(25)}, headers=h)
    assert r.json()["status"] == "on_scene" and r.json()["arrival_s"] == 1500
    r = client.post(
        f"{API}/incidents/{iid}/actions",
        json={"note": "关闭上游阀门，设置警戒区", "at": _at(30)},
        headers=h,
    )
    assert r.status_code == 200
    r = client.post(f"{API}/incidents/{iid}/control", json={"at": _at(50)}, headers=h)
    assert r.json()["status"] == "controlled"
    r = client.post(
        f"{API}/incidents/{iid}/close",
        json={"cause": "调压器皮膜老化", "summary": "更换皮膜，恢复供气", "at": _at(120)},
        headers=h,
    )
    closed = r.json()
    assert closed["status"] == "closed" and closed["cause"] == "调压器皮膜老化"
    assert closed["dispatches"][0]["returned_at"] is not None
    assert _duty(session, team) == "on_duty"
    kinds = [e["kind"] for e in closed["events"]]
    assert kinds == [
        "reported",
        "dispatched",
        "arrived",
        "action",
        "controlled",
        "returned",
        "closed",
    ]
    audited = session.scalars(
        select(AuditEntry.action).where(
            AuditEntry.entity_type == "incident", AuditEntry.entity_id == iid
        )
    ).all()
    assert len(audited) == len(kinds)
    # Closed: no more steps.
    assert (
        client.post(f"{API}/incidents/{iid}/actions", json={"note": "x"}, headers=h).status_code
        == 409
    )

    # A second incident, grade IV, faster; the statistics aggregate both.
    second = _open(client, world, grade="IV", reported_at=_at(600))
    client.post(
        f"{API}/incidents/{second['id']}/dispatch",
        json={"team_id": team, "at": _at(602)},
        headers=h,
    )
    client.post(f"{API}/incidents/{second['id']}/arrive", json={"at": _at(610)}, headers=h)
    stats = client.get(
        f"{API}/incidents/stats", params={"start": "2026-03-01", "end": "2026-03-31"}, headers=h
    ).json()
    assert stats["total"] == 2 and stats["open"] == 1
    grades = {s["key"]: s for s in stats["by_grade"]}
    assert grades["III"]["mean_arrival_s"] == 1500 and grades["IV"]["mean_arrival_s"] == 600
    owners = {s["key"]: s for s in stats["by_owner"]}
    assert owners[str(world.ids["ent_a"])]["mean_dispatch_s"] == (300 + 120) / 2
    assert [m["key"] for m in stats["by_month"]] == ["2026-03"]


def test_steps_refuse_times_before_the_report(client: TestClient, world: World) -> None:
    inc = _open(client, world)
    r = client.post(
        f"{API}/incidents/{inc['id']}/dispatch",
        json={"team_id": world.ids["team_a"], "at": (T0 - timedelta(minutes=1)).isoformat()},
        headers=world.headers("reg_staff"),
    )
    assert r.status_code == 422


def test_contacts_by_grade_and_notify(client: TestClient, world: World) -> None:
    h = world.headers("reg_admin")
    for name, grade in (("区长", "I"), ("分管副局长", "III"), ("值班科长", "IV")):
        r = client.post(
            f"{API}/contacts",
            json={
                "name": name,
                "title": name,
                "unit": "区住建局",
                "phone": "13800001234",
                "min_grade": grade,
            },
            headers=h,
        )
        assert r.status_code == 201, r.text
        assert r.json()["phone"] == "138****1234"
    r = client.post(
        f"{API}/contacts",
        json={
            "name": "企业值班",
            "title": "调度",
            "unit": "东昌燃气",
            "phone": "13800005678",
            "min_grade": "IV",
        },
        headers=world.headers("ent_a_admin"),
    )
    assert r.status_code == 201, r.text

    def told(grade: str) -> set[str]:
        inc = _open(client, world, grade=grade)
        rows = client.get(f"{API}/incidents/{inc['id']}/contacts", headers=h).json()
        return {c["name"] for c in rows}

    assert told("IV") == {"值班科长", "企业值班"}
    assert told("III") == {"分管副局长", "值班科长", "企业值班"}
    assert told("I") == {"区长", "分管副局长", "值班科长", "企业值班"}

    # A leak report comes in as IV; the duty room raises it to II and more are told.
    inc = _open(client, world, grade="IV")
    r = client.post(f"{API}/incidents/{inc['id']}/grade", json={"grade": "II"}, headers=h)
    assert r.status_code == 200 and r.json()["grade"] == "II"
    assert r.json()["events"][-1]["kind"] == "graded"
    assert r.json()["events"][-1]["data"] == {"from": "IV", "to": "II"}
    rows = client.get(f"{API}/incidents/{inc['id']}/contacts", headers=h).json()
    assert {c["name"] for c in rows} == {"分管副局长", "值班科长", "企业值班"}
    r = client.post(f"{API}/incidents/{inc['id']}/grade", json={"grade": "II"}, headers=h)
    assert r.status_code == 409

    inc = _open(client, world, grade="III")
    r = client.post(f"{API}/incidents/{inc['id']}/notify", json={"note": "电话通知"}, headers=h)
    event = r.json()["events"][-1]
    assert event["kind"] == "notified"
    assert {c["name"] for c in event["data"]["contacts"]} == {"分管副局长", "值班科长", "企业值班"}
    assert all("****" in c["phone"] for c in event["data"]["contacts"])


def test_scope_enterprise_b_cannot_see_or_act_on_a(client: TestClient, world: World) -> None:
    inc = _open(client, world, who="ent_a_admin")
    iid = inc["id"]
    b = world.headers("ent_b_admin")
    assert client.get(f"{API}/incidents/{iid}", headers=b).status_code == 404
    assert iid not in [i["id"] for i in client.get(f"{API}/incidents", headers=b).json()["items"]]
    r = client.post(f"{API}/incidents/{iid}/actions", json={"note": "x"}, headers=b)
    assert r.status_code == 404
    # The regulator of the area and enterprise A see it; a viewer may read, not write.
    assert (
        client.get(f"{API}/incidents/{iid}", headers=world.headers("reg_staff")).status_code == 200
    )
    assert (
        client.get(f"{API}/incidents/{iid}", headers=world.headers("ent_a_staff")).status_code
        == 200
    )
    r = client.post(
        f"{API}/incidents/{iid}/actions", json={"note": "x"}, headers=world.headers("viewer")
    )
    assert r.status_code == 403
