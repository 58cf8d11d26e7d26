"""/api/v1/hazards through HTTP: report, every step, the detail with its timeline, plan,
rounds and files, problem responses, filters, recurring findings, nothing deleted."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from gaswarden.db.base import utcnow
from gaswarden.domains.attachment.models import Attachment
from tests.factories import World

URL = "/api/v1/hazards"


def photo(session: Session, world: World, username: str) -> int:
    """An upload of `username`, not yet linked (as the attachment API leaves it)."""
    a = Attachment(
        filename="p.jpg",
        content_type="image/jpeg",
        size=10,
        sha256="0" * 64,
        uploaded_at=utcnow(),
        uploaded_by_id=world.ids[f"user_{username}"],
        uploaded_by_name=username,
    )
    session.add(a)
    session.flush()
    return a.id


def post(client: TestClient, world: World, who: str, path: str, **body: Any) -> Any:
    return client.post(f"{URL}{path}", json=body, headers=world.headers(who))


def report(client: TestClient, world: World, who: str = "inspector", **body: Any) -> Any:
    data = {
        "site_id": world.ids["gate"],
        "grade": "general",
        "category": "消防",
        "title": "灭火器过期",
        **body,
    }
    return client.post(URL, json=data, headers=world.headers(who))


def test_the_loop_through_the_api(client: TestClient, session: Session, world: World) -> None:
    finding = photo(session, world, "inspector")
    r = report(client, world, photo_ids=[finding], item_code="GATE-07", assign=True)
    assert r.status_code == 201, r.text
    h = r.json()
    hid = h["id"]
    assert h["status"] == "assigned" and h["owner_id"] == world.ids["ent_a"]
    assert h["owner_name"] and h["site_name"] == "东昌门站"
    assert h["photo_ids"] == [finding]
    assert h["allowed_steps"] == ["assign", "comment"]  # the inspector's next steps

    r = post(client, world, "ent_a_staff", f"/{hid}/start", note="开始")
    assert r.status_code == 200 and r.json()["status"] == "rectifying"
    assert "submit" in r.json()["allowed_steps"]
    evidence = photo(session, world, "ent_a_staff")
    r = post(
        client,
        world,
        "ent_a_staff",
        f"/{hid}/rectification",
        description="已更换",
        photo_ids=[evidence],
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "submitted"
    assert r.json()["rectifications"][0]["photo_ids"] == [evidence]

    r = post(client, world, "ent_a_staff", f"/{hid}/verify")
    assert r.status_code == 403 and r.headers["content-type"].startswith("application/problem+json")
    r = post(client, world, "inspector", f"/{hid}/return")
    assert r.status_code == 422  # a reason is required
    assert r.json()["errors"][0]["loc"] == ["body", "note"]
    r = post(client, world, "inspector", f"/{hid}/return", note="照片不清楚")
    assert r.status_code == 200 and r.json()["returns"] == 1
    r = post(client, world, "inspector", f"/{hid}/verify")
    assert r.status_code == 409  # not submitted now
    post(client, world, "ent_a_staff", f"/{hid}/rectification", description="补拍照片")
    r = post(client, world, "inspector", f"/{hid}/verify", note="合格")
    assert r.status_code == 200
    done = r.json()
    assert done["status"] == "closed" and done["closed_on_time"] is True
    assert [x["round"] for x in done["rectifications"]] == [1, 2]
    assert [x["verdict"] for x in done["rectifications"]] == ["returned", "accepted"]
    assert done["allowed_steps"] == ["comment"]

    r = post(client, world, "reg_admin", f"/{hid}/reopen", note="复查未整改", deadline="2031-01-01")
    assert r.status_code == 200 and r.json()["status"] == "rectifying"
    assert r.json()["deadline"] == "2031-01-01"
    r = post(client, world, "reg_staff", f"/{hid}/deadline", deadline="2031-02-01", note="延期")
    assert r.status_code == 200 and r.json()["deadline"] == "2031-02-01"
    r = post(client, world, "grid_sup", f"/{hid}/comments", note="网格员已到场督促")
    assert r.status_code == 200
    kinds = [e["kind"] for e in r.json()["timeline"]]
    assert kinds == [
        "reported",
        "assigned",
        "started",
        "submitted",
        "returned",
        "submitted",
        "verified",
        "reopened",
        "deadline_changed",
        "comment",
    ]
    read = client.get(f"{URL}/{hid}", headers=world.headers("ent_a_admin"))
    assert read.status_code == 200 and read.json()["timeline"] == r.json()["timeline"]


def test_major_hazard_plan_through_the_api(client: TestClient, world: World) -> None:
    hid = report(client, world, "reg_staff", grade="major", assign=True).json()["id"]
    r = post(client, world, "ent_a_admin", f"/{hid}/start")
    assert r.status_code == 409
    r = post(
        client,
        world,
        "ent_a_admin",
        f"/{hid}/plan",
        measures="加装报警",
        responsible_person="李明",
        deadline="2030-01-01",
        interim_measures="人工值守",
        funds_yuan=5000,
    )
    assert r.status_code == 200, r.text
    assert r.json()["plan"]["responsible_person"] == "李明"
    assert r.json()["plan"]["funds_yuan"] == 5000
    assert post(client, world, "ent_a_admin", f"/{hid}/start").status_code == 200
    post(client, world, "ent_a_admin", f"/{hid}/rectification", description="已加装")
    assert post(client, world, "inspector", f"/{hid}/verify").status_code == 403
    assert post(client, world, "reg_staff", f"/{hid}/verify").json()["status"] == "closed"


def test_scope_reads_as_not_found(client: TestClient, world: World) -> None:
    hid = report(client, world).json()["id"]
    for who in ("ent_b_admin", "worker_b"):
        assert client.get(f"{URL}/{hid}", headers=world.headers(who)).status_code == 404
        assert post(client, world, who, f"/{hid}/comments", note="x").status_code == 404
    # Nor can one report where one cannot see: the inspector is assigned the gate only.
    r = report(client, world, site_id=world.ids["filling"])
    assert r.status_code == 404
    r = report(client, world, "grid_sup", site_id=world.ids["filling"])  # grid g11 only
    assert r.status_code == 404
    r = report(client, world, "ent_b_admin")  # ent_a's site
    assert r.status_code == 404
    assert report(client, world, "viewer").status_code == 403


def test_enterprise_reports_are_self_inspection(client: TestClient, world: World) -> None:
    r = report(client, world, "ent_a_staff", source="inspection", assign=True)
    assert r.status_code == 201
    assert r.json()["source"] == "self_inspection" and r.json()["status"] == "assigned"


def test_report_at_an_address_in_an_area(client: TestClient, world: World) -> None:
    r = report(
        client,
        world,
        "reg_staff",
        site_id=None,
        area_id=world.ids["g21"],
        address="柳园路18号 无证液化气供应点",
        source="public_report",
    )
    assert r.status_code == 201, r.text
    assert r.json()["site_id"] is None and r.json()["owner_id"] is None
    hid = r.json()["id"]
    assert post(client, world, "reg_staff", f"/{hid}/assign").status_code == 422  # no enterprise
    r = report(client, world, "reg_staff", site_id=None)
    assert r.status_code == 422  # neither site nor area


def test_list_filters_as_query_parameters(client: TestClient, world: World) -> None:
    report(client, world, "reg_staff", grade="major", category="储罐")
    report(client, world, "reg_staff", site_id=world.ids["supply"], category="气瓶")
    h = world.headers("reg_staff")
    all_ = client.get(URL, headers=h).json()
    assert all_["total"] == 2
    major = client.get(URL, params={"grade": "major"}, headers=h).json()
    assert [i["category"] for i in major["items"]] == ["储罐"]
    both = client.get(URL, params=[("category", "储罐"), ("category", "气瓶")], headers=h).json()
    assert both["total"] == 2
    at = client.get(URL, params={"site_id": world.ids["supply"], "status": "reported"}, headers=h)
    assert at.json()["total"] == 1
    assert client.get(URL, params={"overdue": "true"}, headers=h).json()["total"] == 0
    assert client.get(URL, params={"q": "灭火器"}, headers=h).json()["total"] == 2
    assert client.get(URL, params={"grade": "nonsense"}, headers=h).status_code == 422
    # An enterprise sees its own only.
    assert client.get(URL, headers=world.headers("ent_b_admin")).json()["total"] == 1


def test_recurring_findings_are_marked(client: TestClient, world: World) -> None:
    first = report(client, world, item_code="GATE-03").json()
    again = report(client, world, item_code="GATE-03").json()
    other = report(client, world, item_code="GATE-04").json()
    assert not first["recurring"]
    assert again["recurring"] and again["previous_id"] == first["id"]
    assert not other["recurring"]
    h = world.headers("reg_staff")
    listed = client.get(URL, params={"recurring": "true"}, headers=h).json()
    assert [i["id"] for i in listed["items"]] == [again["id"]]
    detail = client.get(f"{URL}/{again['id']}", headers=h).json()
    assert detail["timeline"][0]["data"]["recurring_of"] == first["code"]


def test_nothing_is_deleted_over_http(client: TestClient, app: Any, world: World) -> None:
    hid = report(client, world).json()["id"]
    methods = {
        m
        for route in app.routes
        if getattr(route, "path", "").startswith(("/api/v1/hazards", "/api/v1/enterprise-systems"))
        for m in getattr(route, "methods", set())
    }
    assert "DELETE" not in methods and "PATCH" not in methods
    r = client.delete(f"{URL}/{hid}", headers=world.headers("reg_admin"))
    assert r.status_code == 405
    assert client.get(f"{URL}/{hid}", headers=world.headers("reg_admin")).status_code == 200
