"""The emergency pages render (client HTML, both languages), a call opens an incident from the
form, the steps run from the incident's page, and the alarm and hazard pages open incidents."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from gaswarden.domains.hazard import service as hazards
from gaswarden.domains.hazard.enums import HazardSource
from gaswarden.standards.hazards import HazardGrade
from tests.alarm.helpers import device
from tests.attachment.documents import pdf_bytes
from tests.emergency.helpers import API, raise_alarm
from tests.factories import World
from tests.hazard.helpers import who
from tests.test_web_pages import sign_in


def as_user(client: TestClient, username: str) -> str:
    client.cookies.clear()
    return sign_in(client, username)


def test_pages_render_in_both_languages(client: TestClient, world: World) -> None:
    as_user(client, "reg_admin")
    for lang, word in (("zh", "应急"), ("en", "Emergency")):
        client.cookies.set("lang", lang)
        for path in (
            "/emergency",
            "/emergency/incidents",
            "/emergency/plans",
            "/emergency/resources",
            "/emergency/drills",
        ):
            r = client.get(path)
            assert r.status_code == 200, (path, r.text[:500])
            assert word in r.text, path
    client.post(
        f"{API}/contacts",
        json={
            "name": "赵主任",
            "title": "主任",
            "unit": "区燃气监管中心",
            "phone": "13800001234",
            "min_grade": "IV",
        },
        headers=world.headers("reg_admin"),
    )
    r = client.get("/emergency/incidents")
    assert 'href="/emergency/incidents" aria-current="page"' in r.text
    r = client.get("/emergency/resources")
    assert "138****1234" in r.text and "13800001234" not in r.text
    assert 'id="em-map-data"' in r.text and "/static/vendor/plotly.min.js" in r.text
    assert f'data-team-id="{world.ids["team_a"]}"' in r.text
    assert f'data-vehicle-id="{world.ids["veh_b"]}"' in r.text  # delivery vehicles too
    assert client.get("/static/emergency.js").status_code == 200


def test_a_call_through_the_form_then_the_steps(client: TestClient, world: World) -> None:
    csrf = as_user(client, "reg_staff")
    r = client.post(
        "/emergency/incidents",
        data={
            "csrf_token": csrf,
            "title": "小区燃气泄漏",
            "grade": "III",
            "source": "call",
            "site_id": str(world.ids["box"]),
            "caller_name": "李女士",
            "caller_phone": "13911112222",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    page_url = r.headers["location"]
    html = client.get(page_url).text
    assert "139****2222" in html and "13911112222" not in html
    assert 'data-distance-method="straight"' in html
    assert f'data-team-id="{world.ids["team_a"]}"' in html  # ranked
    assert re.findall(r'data-step="(\w+)"', html)[:1] == ["dispatch"]
    r = client.post(
        f"{page_url}/dispatch",
        data={"csrf_token": csrf, "team_id": str(world.ids["team_a"])},
        follow_redirects=False,
    )
    assert r.status_code == 303
    html = client.get(page_url).text
    assert 'data-event="dispatched"' in html and 'data-step="arrive"' in html
    # A refused step shows the page again with the error and its status.
    r = client.post(f"{page_url}/action", data={"csrf_token": csrf, "note": ""})
    assert r.status_code == 422 and "data-step-error" in r.text
    # Without the CSRF token nothing happens.
    r = client.post(f"{page_url}/control", data={"note": "x"})
    assert r.status_code == 403


def test_open_incident_from_the_alarm_page(
    client: TestClient, session: Session, world: World
) -> None:
    dev = device(session, "SN-EM-1", "well_methane", site_id=world.ids["gate"])
    alarm_id = raise_alarm(session, dev)
    session.commit()
    csrf = as_user(client, "reg_staff")
    html = client.get(f"/alarms/{alarm_id}").text
    assert "data-open-incident" in html and f"/emergency/incidents/from-alarm/{alarm_id}" in html
    r = client.post(
        f"/emergency/incidents/from-alarm/{alarm_id}",
        data={"csrf_token": csrf, "title": "门站甲烷报警", "grade": "III", "note": "现场确认泄漏"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    incident_id = int(r.headers["location"].rsplit("/", 1)[1])
    body = client.get(f"{API}/incidents/{incident_id}", headers=world.headers("reg_staff")).json()
    assert body["alarm_id"] == alarm_id and body["source"] == "alarm"
    assert body["site_id"] == world.ids["gate"] and body["owner_id"] == world.ids["ent_a"]
    assert body["grade"] == "III"
    html = client.get(f"/alarms/{alarm_id}").text
    assert f'href="/emergency/incidents/{incident_id}"' in html
    # Enterprise B cannot open one from A's alarm.
    csrf_b = as_user(client, "ent_b_admin")
    r = client.post(
        f"/emergency/incidents/from-alarm/{alarm_id}",
        data={"csrf_token": csrf_b, "title": "x", "grade": "IV"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and "error=" in r.headers["location"]


def test_open_incident_from_the_hazard_page(
    client: TestClient, session: Session, world: World
) -> None:
    hazard = hazards.report(
        session=session,
        principal=who(session, world, "reg_staff"),
        source=HazardSource.INSPECTION,
        grade=HazardGrade.MAJOR,
        category="管道",
        title="调压箱严重锈蚀漏气",
        site_id=world.ids["box"],
    )
    session.commit()
    csrf = as_user(client, "reg_staff")
    assert "data-open-incident" in client.get(f"/hazards/{hazard.id}").text
    r = client.post(
        f"/emergency/incidents/from-hazard/{hazard.id}",
        data={"csrf_token": csrf, "title": hazard.title, "grade": "IV"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    incident_id = int(r.headers["location"].rsplit("/", 1)[1])
    body = client.get(f"{API}/incidents/{incident_id}", headers=world.headers("reg_staff")).json()
    assert body["hazard_id"] == hazard.id and body["source"] == "hazard"
    assert body["lon"] == 115.96


def test_plan_and_drill_forms(client: TestClient, world: World) -> None:
    csrf = as_user(client, "ent_a_admin")
    r = client.post(
        "/emergency/plans",
        data={
            "csrf_token": csrf,
            "code": "YA-W-1",
            "title": "门站现场处置方案",
            "level": "on_site",
            "scenarios": "泄漏, 火灾",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    plan_url = r.headers["location"].split("?")[0]
    html = client.get(plan_url).text
    assert 'data-step="submit"' in html and "泄漏、火灾" in html
    r = client.post(f"{plan_url}/submit", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303
    assert 'data-status="submitted"' in client.get(plan_url).text
    plan_id = int(plan_url.rsplit("/", 1)[1])
    r = client.post(
        f"{API}/plans/{plan_id}/approve",
        json={"review_due_on": "2020-01-01"},
        headers=world.headers("reg_staff"),
    )
    assert r.status_code == 200
    assert (
        f'data-plan-id="{plan_id}" class="overdue" data-overdue'
        in client.get("/emergency/plans").text
    )
    assert 'data-count="review_overdue">1<' in client.get("/emergency/plans").text
    r = client.post(
        "/emergency/drills",
        data={
            "csrf_token": csrf,
            "title": "门站泄漏演练",
            "kind": "functional",
            "planned_on": "2026-05-01",
            "scenario": "门站法兰泄漏",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    html = client.get("/emergency/drills").text
    assert "门站泄漏演练" in html and f'data-count-owner="{world.ids["ent_a"]}"' in html
    # Enterprise B does not see A's plan or drill.
    as_user(client, "ent_b_admin")
    assert client.get(plan_url).status_code == 404
    assert "门站泄漏演练" not in client.get("/emergency/drills").text


def test_reserve_and_contact_forms(client: TestClient, world: World) -> None:
    csrf = as_user(client, "ent_a_admin")
    r = client.post(
        "/emergency/reserves",
        data={
            "csrf_token": csrf,
            "name": "正压式空气呼吸器",
            "category": "equipment",
            "kind": "breathing_apparatus",
            "quantity": "4",
            "sets": "4",
            "team_id": str(world.ids["team_a"]),
            "expires_on": "2020-01-01",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    html = client.get("/emergency/resources").text
    assert "正压式空气呼吸器" in html and 'data-flag="expired"' in html
    assert "data-total-sets>4<" in html
    r = client.post(
        "/emergency/contacts",
        data={
            "csrf_token": csrf,
            "name": "钱调度",
            "title": "调度",
            "unit": "东昌燃气",
            "phone": "13700002222",
            "min_grade": "IV",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    body = client.get(f"{API}/contacts", headers=world.headers("ent_a_admin")).json()
    assert [(c["name"], c["owner_id"]) for c in body] == [("钱调度", world.ids["ent_a"])]
    # A bad quantity comes back with the error, nothing saved.
    r = client.post(
        "/emergency/reserves",
        data={
            "csrf_token": csrf,
            "name": "x",
            "category": "equipment",
            "kind": "other",
            "quantity": "-1",
        },
    )
    assert r.status_code == 422 and "data-error" in r.text


def test_a_plan_is_filed_with_its_pdf_document(client: TestClient, world: World) -> None:
    csrf = as_user(client, "ent_a_admin")
    document = pdf_bytes("燃气泄漏现场处置方案")
    r = client.post(
        "/emergency/plans",
        data={
            "csrf_token": csrf,
            "code": "YA-PDF-1",
            "title": "调压站泄漏处置方案",
            "level": "on_site",
        },
        files={"photos": ("调压站泄漏处置方案.pdf", document, "application/pdf")},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    html = client.get(r.headers["location"].split("?")[0]).text
    link = re.search(r'href="(/api/v1/attachments/\d+)" data-document', html)
    assert link, html
    got = client.get(link.group(1))
    assert got.status_code == 200 and got.content == document
    assert got.headers["content-type"] == "application/pdf"
    # a page of HTML is no plan document: refused, nothing filed
    r = client.post(
        "/emergency/plans",
        data={"csrf_token": csrf, "code": "YA-PDF-2", "title": "假文件", "level": "on_site"},
        files={"photos": ("plan.pdf", b"<html>not a plan</html>", "application/pdf")},
        follow_redirects=False,
    )
    assert r.status_code in (415, 422) and "PDF" in r.text
    assert "YA-PDF-2" not in client.get("/emergency/plans").text
