"""The scanning apps' API: per-scan results, the limit, the preview, anomalies and review."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gaswarden.domains.audit.models import AuditEntry
from gaswarden.domains.cylinder.event_schemas import MAX_EVENTS_PER_REQUEST
from tests.cylinder.lpg import NOW, build_lpg
from tests.factories import World


def body(key: str, kind: str, tag: str, **kw: Any) -> dict[str, Any]:
    return {"key": key, "kind": kind, "tag_code": tag, "occurred_at": NOW.isoformat(), **kw}


def test_post_one_or_many_with_per_scan_results(
    client: TestClient, session: Session, world: World
) -> None:
    lpg = build_lpg(session, world)
    session.commit()  # the client's requests see the test's rows (SAVEPOINT)
    h = world.headers("worker_b")
    good = body("k1", "fill", lpg.codes["ok"], site_code="S-B-FILL", gross_kg=30.0,
                worker_id=lpg.ids["operator"], batch_code="B-2026-11")  # fmt: skip
    r = client.post("/api/v1/cylinder-events", json=good, headers=h)
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["accepted"] == 1 and data["results"][0]["status_after"] == "filled"
    many = [
        good,  # again
        body("k2", "fill", lpg.codes["overdue"], site_code="S-B-FILL", gross_kg=30.0),
        body("k3", "arrive", lpg.codes["ok2"], site_code="S-B-SUP"),
        body("k4", "fill", "NOBODY", site_code="S-B-FILL", gross_kg=30.0),
    ]
    r = client.post("/api/v1/cylinder-events", json=many, headers=h)
    assert r.status_code == 200, r.text
    data = r.json()
    assert (data["accepted"], data["refused"], data["anomalies"], data["duplicates"]) == (
        0,
        2,
        1,
        1,
    )
    res = data["results"]
    assert [x["index"] for x in res] == [0, 1, 2, 3]
    assert res[0]["duplicate"] and res[0]["result"] == "accepted"
    assert res[1]["reason"] == "inspection_overdue" and "超期未检" in res[1]["reason_text"]
    assert res[2]["result"] == "anomaly" and res[2]["anomalies"] == ["out_of_order"]
    assert res[3]["reason"] == "unknown_code"


def test_limits_and_who_may_send(client: TestClient, session: Session, world: World) -> None:
    lpg = build_lpg(session, world)
    session.commit()
    one = body("k1", "arrive", lpg.codes["ok"], site_code="S-B-SUP")
    r = client.post("/api/v1/cylinder-events", json=one, headers=world.headers("reg_admin"))
    assert r.status_code == 403
    too_many = [body(f"k{n}", "lost", lpg.codes["ok"]) for n in range(MAX_EVENTS_PER_REQUEST + 1)]
    r = client.post("/api/v1/cylinder-events", json=too_many, headers=world.headers("worker_b"))
    assert r.status_code == 422
    r = client.post("/api/v1/cylinder-events", json={"key": "x"}, headers=world.headers("worker_b"))
    assert r.status_code == 422


def test_preview(client: TestClient, session: Session, world: World) -> None:
    lpg = build_lpg(session, world)
    session.commit()
    h = world.headers("worker_b")
    r = client.get(f"/api/v1/cylinder-scan/{lpg.codes['overdue']}?kind=fill", headers=h)
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["known"] and data["status"] == "in_stock"
    assert data["steps"] == [
        {"kind": "fill", "allowed": False, "reason": "inspection_overdue",
         "reason_text": data["steps"][0]["reason_text"]}
    ]  # fmt: skip
    r = client.get(f"/api/v1/cylinder-scan/{lpg.codes['ok']}", headers=h)
    steps = {s["kind"]: s["allowed"] for s in r.json()["steps"]}
    assert steps["fill"] and "deliver" not in steps
    r = client.get(f"/api/v1/cylinder-scan/{lpg.codes['other']}", headers=h)
    assert r.json()["known"] is False  # another enterprise's: not in scope
    r = client.get(
        f"/api/v1/cylinder-scan/{lpg.codes['ok']}?kind=deliver&customer_code=CU-FAIL", headers=h
    )
    assert r.json()["steps"][0]["reason"] == "safety_check_failed"


def test_anomalies_listed_in_scope_and_reviewed(
    client: TestClient, session: Session, world: World
) -> None:
    lpg = build_lpg(session, world)
    session.commit()
    scan = body("k1", "arrive", lpg.codes["ok"], site_code="S-B-SUP")
    assert (
        client.post(
            "/api/v1/cylinder-events", json=scan, headers=world.headers("worker_b")
        ).status_code
        == 200
    )
    r = client.get(
        "/api/v1/cylinder-anomalies?reviewed=false", headers=world.headers("ent_b_admin")
    )
    assert r.status_code == 200 and r.json()["total"] == 1
    item = r.json()["items"][0]
    assert item["kind"] == "out_of_order" and item["tag_code"] == lpg.codes["ok"]
    assert (
        client.get("/api/v1/cylinder-anomalies", headers=world.headers("ent_a_admin")).json()[
            "total"
        ]
        == 0
    )
    assert (
        client.get(
            "/api/v1/cylinder-anomalies?kind=heavy_use", headers=world.headers("reg_admin")
        ).json()["total"]
        == 0
    )
    url = f"/api/v1/cylinder-anomalies/{item['id']}/review"
    r = client.post(url, json={"note": "补扫"}, headers=world.headers("worker_b"))
    assert r.status_code == 403
    r = client.post(url, json={"note": "补扫"}, headers=world.headers("ent_a_admin"))
    assert r.status_code == 404
    r = client.post(
        url, json={"note": "装车漏扫 load not scanned"}, headers=world.headers("reg_staff")
    )
    assert r.status_code == 200, r.text
    assert r.json()["reviewed"] and r.json()["reviewed_by_name"] == "reg_staff"
    r = client.post(url, json={"note": "again"}, headers=world.headers("ent_b_admin"))
    assert r.status_code == 409
    session.expire_all()
    audited = session.scalars(
        select(AuditEntry).where(AuditEntry.entity_type == "cylinder_anomaly")
    ).all()
    assert len(audited) == 1 and audited[0].entity_id == item["id"]
