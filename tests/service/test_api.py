"""/api/v1/service-requests: the API channel, the steps over HTTP, masking, scope, targets
and statistics with known numbers."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from gaswarden.core.auth import SYSTEM
from gaswarden.domains.emergency.models import Incident
from gaswarden.domains.service import requests
from gaswarden.domains.service.enums import RequestChannel, RequestKind
from gaswarden.standards.service import TARGETS
from tests.factories import World
from tests.service.helpers import IN_G11, IN_G21, PHONE, T0, receive

API = "/api/v1/service-requests"
BODY: dict[str, Any] = {
    "kind": "repair",
    "contact_name": "赵先生",
    "contact_phone": PHONE,
    "description": "燃气表不走字",
    "address": "古楼街道某小区",
    **IN_G11,
}


def ids(response: Any) -> set[int]:
    assert response.status_code == 200, response.text
    return {r["id"] for r in response.json()["items"]}


def test_the_api_channel_and_the_steps(client: TestClient, world: World) -> None:
    ent = world.headers("ent_a_staff")
    r = client.post(API, json=BODY, headers=ent)
    assert r.status_code == 201, r.text
    req = r.json()
    rid = req["id"]
    assert req["channel"] == "api" and req["status"] == "open"
    assert req["owner_id"] == world.ids["ent_a"] and req["area_id"] == world.ids["g11"]
    assert req["contact_phone"] == "139****4321" and PHONE not in r.text
    assert req["received_by_name"] == "ent_a_staff"

    r = client.post(f"{API}/{rid}/resolve", json={"resolution": "x"}, headers=ent)
    assert r.status_code == 409 and r.headers["content-type"].startswith("application/problem")
    r = client.post(f"{API}/{rid}/assign", json={"team_id": world.ids["team_a"]}, headers=ent)
    assert r.status_code == 200 and r.json()["status"] == "assigned"
    assert client.post(f"{API}/{rid}/respond", json={}, headers=ent).json()["status"] == (
        "in_progress"
    )
    r = client.post(f"{API}/{rid}/resolve", json={"resolution": "更换表具"}, headers=ent)
    assert r.json()["status"] == "resolved" and r.json()["resolution"] == "更换表具"
    r = client.post(f"{API}/{rid}/close", json={"satisfaction": 0}, headers=ent)
    assert r.status_code == 422
    r = client.post(f"{API}/{rid}/close", json={"satisfaction": 4}, headers=ent)
    assert r.json()["status"] == "closed" and r.json()["satisfaction"] == 4
    r = client.post(f"{API}/{rid}/note", json={"note": "已归档"}, headers=ent)
    kinds = [e["kind"] for e in r.json()["timeline"]]
    assert kinds == ["created", "assigned", "responded", "resolved", "visited", "closed", "note"]


def test_a_leak_report_through_the_api_opens_an_incident(
    client: TestClient, session: Session, world: World
) -> None:
    r = client.post(API, json={**BODY, "kind": "leak_report"}, headers=world.headers("reg_staff"))
    assert r.status_code == 201, r.text
    req = r.json()
    assert req["priority"] == "urgent" and req["incident_id"] is not None
    assert [e["kind"] for e in req["timeline"]] == ["created", "escalated"]
    incident = session.get(Incident, req["incident_id"])
    assert incident is not None and incident.source_ref == req["code"]


def test_unsigned_and_unauthorised(client: TestClient, world: World) -> None:
    assert client.post(API, json=BODY).status_code == 401
    assert client.post(API, json=BODY, headers=world.headers("grid_sup")).status_code == 403
    assert client.post(API, json=BODY, headers=world.headers("inspector")).status_code == 403
    r = client.post(API, json={**BODY, "contact_phone": "12"}, headers=world.headers("reg_staff"))
    assert r.status_code == 422


def test_scope(client: TestClient, session: Session, world: World) -> None:
    a = receive(session)  # ent_a, grid g11
    b = receive(session, owner_id=world.ids["ent_b"], **IN_G21)  # ent_b, grid g21
    session.commit()
    mine = {a.id, b.id}
    assert ids(client.get(API, headers=world.headers("reg_admin"))) & mine == mine
    assert ids(client.get(API, headers=world.headers("ent_a_admin"))) & mine == {a.id}
    assert ids(client.get(API, headers=world.headers("ent_b_admin"))) & mine == {b.id}
    assert ids(client.get(API, headers=world.headers("grid_sup"))) & mine == {a.id}
    assert ids(client.get(API, headers=world.headers("inspector"))) == set()
    assert client.get(f"{API}/{b.id}", headers=world.headers("ent_a_admin")).status_code == 404
    assert client.get(f"{API}/{b.id}", headers=world.headers("grid_sup")).status_code == 404
    assert client.get(f"{API}/{a.id}", headers=world.headers("grid_sup")).status_code == 200
    r = client.post(
        f"{API}/{b.id}/assign", json={"assignee_name": "x"}, headers=world.headers("ent_a_admin")
    )
    assert r.status_code == 404
    r = client.get(
        API,
        params={"kind": "repair", "owner_id": world.ids["ent_b"]},
        headers=world.headers("reg_admin"),
    )
    assert ids(r) & mine == {b.id}


def test_targets_endpoint(client: TestClient, world: World) -> None:
    r = client.get(f"{API}/targets", headers=world.headers("viewer"))
    assert r.status_code == 200
    got = {t["kind"]: (t["respond_min"], t["resolve_min"]) for t in r.json()}
    assert got == {k.value: (t.respond_min, t.resolve_min) for k, t in TARGETS.items()}


def _walk(
    session: Session, rid: int, respond_min: float, resolve_h: float | None, score: int | None
) -> None:
    req = requests.get(session=session, principal=SYSTEM, id=rid)
    requests.assign(
        session=session, principal=SYSTEM, id=rid, assignee_name="王", now=req.received_at
    )
    requests.respond(
        session=session,
        principal=SYSTEM,
        id=rid,
        at=req.received_at + timedelta(minutes=respond_min),
    )
    if resolve_h is None:
        return
    requests.resolve(
        session=session,
        principal=SYSTEM,
        id=rid,
        resolution="ok",
        at=req.received_at + timedelta(hours=resolve_h),
    )
    if score is not None:
        requests.close(
            session=session,
            principal=SYSTEM,
            id=rid,
            satisfaction=score,
            now=req.received_at + timedelta(days=2),
        )


def test_statistics_with_known_numbers(client: TestClient, session: Session, world: World) -> None:
    """Four requests of ent_a in March, one of ent_b in April (2026, Shanghai time):
    repair 1: responded in 60 min (target 240), resolved in 10 h (target 24 h), score 5
    repair 2: responded in 300 min (late), resolved in 30 h (late), score 3
    enquiry: responded in 30 min (target 240), not resolved, 3-day target passed by `now`
    leak: responded in 20 min (target 30), resolved in 2 h (target 4 h), score 4
    ent_b complaint in April: not responded, target (1 day) passed."""
    april = T0 + timedelta(days=31)
    made = [
        receive(session, kind=RequestKind.REPAIR, received_at=T0, now=T0),
        receive(session, kind=RequestKind.REPAIR, received_at=T0, now=T0),
        receive(
            session, kind=RequestKind.ENQUIRY, channel=RequestChannel.WEB, received_at=T0, now=T0
        ),
        receive(session, kind=RequestKind.LEAK_REPORT, received_at=T0, now=T0),
        receive(
            session,
            kind=RequestKind.COMPLAINT,
            channel=RequestChannel.API,
            owner_id=world.ids["ent_b"],
            received_at=april,
            now=april,
            **IN_G21,
        ),
    ]
    _walk(session, made[0].id, 60, 10, 5)
    _walk(session, made[1].id, 300, 30, 3)
    _walk(session, made[2].id, 30, None, None)
    _walk(session, made[3].id, 20, 2, 4)
    session.commit()
    r = client.get(
        f"{API}/statistics",
        params={"received_from": "2026-03-01", "received_to": "2026-04-30"},
        headers=world.headers("reg_admin"),
    )
    assert r.status_code == 200, r.text
    s = r.json()
    o = s["overall"]
    assert o["total"] == 5
    assert o["by_kind"] == {"repair": 2, "enquiry": 1, "leak_report": 1, "complaint": 1}
    assert o["by_channel"] == {"hotline": 3, "web": 1, "api": 1}
    assert o["by_status"] == {"closed": 3, "in_progress": 1, "open": 1}
    # respond: on time 60, 30, 20; late 300 and the unanswered complaint
    assert (o["respond_on_time"], o["respond_late"], o["respond_on_time_rate"]) == (3, 2, 0.6)
    # resolve: on time 10 h, 2 h; late 30 h, the enquiry and the complaint past their targets
    assert (o["resolve_on_time"], o["resolve_late"], o["resolve_on_time_rate"]) == (2, 3, 0.4)
    assert o["mean_respond_min"] == round((60 + 300 + 30 + 20) / 4, 2)
    assert o["mean_resolve_h"] == round((10 + 30 + 2) / 3, 2)
    assert o["satisfaction_mean"] == 4.0 and o["satisfaction_count"] == 3
    by_owner = {e["owner_id"]: e for e in s["by_enterprise"]}
    assert by_owner[world.ids["ent_a"]]["total"] == 4
    assert by_owner[world.ids["ent_b"]]["respond_on_time_rate"] == 0.0
    assert [(m["month"], m["total"]) for m in s["by_month"]] == [("2026-03", 4), ("2026-04", 1)]
    # an enterprise's statistics are its own
    r = client.get(
        f"{API}/statistics",
        params={"received_from": "2026-03-01", "received_to": "2026-04-30"},
        headers=world.headers("ent_b_admin"),
    )
    assert r.json()["overall"]["total"] == 1
