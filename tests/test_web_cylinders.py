"""The cylinder pages through the TestClient: the cylinder's life, the customer's history
(masked), the recall, the statistics, the whereabouts, the anomalies and their review, and the
scanning page (a refused fill shows its reason; a delivery shows on the cylinder's page), for
an enterprise and a regulator; another enterprise gets 404s."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from gaswarden.domains.customer.enums import CustomerKind, SafetyStatus
from gaswarden.domains.customer.models import Customer
from gaswarden.domains.cylinder.enums import AnomalyKind
from gaswarden.domains.cylinder.models import Cylinder, CylinderAnomaly
from tests.cylinder.lpg import at, cylinder
from tests.cylinder.test_tracing import History, build_history
from tests.factories import World
from tests.test_web_pages import sign_in


def as_user(client: TestClient, username: str) -> str:
    client.cookies.clear()
    return sign_in(client, username)


@pytest.fixture
def hist(session: Session, world: World) -> History:
    h = build_history(session, world)
    session.add(
        CylinderAnomaly(
            kind=AnomalyKind.UNKNOWN_CODE,
            tag_code="X-NOBODY-1",
            owner_id=world.ids["ent_b"],
            found_at=at(-1),
            detail="未登记的气瓶码 unknown code",
        )
    )
    session.flush()
    return h


def pages(h: History) -> list[str]:
    ids = h.lpg.ids
    return [
        f"/cylinders/{ids['cyl_ok']}",
        f"/customers/{ids['cust_home']}",
        f"/cylinder-recall?batch_id={h.batch1}",
        "/cylinder-recall",
        "/cylinder-statistics",
        "/cylinder-whereabouts",
        "/cylinder-anomalies",
        "/cylinder-scan",
        "/cylinder-scan?code=LPG-T-OK",
    ]


@pytest.mark.parametrize("user", ["ent_b_admin", "reg_staff"])
def test_pages_render_for_the_enterprise_and_the_regulator(
    client: TestClient, hist: History, user: str
) -> None:
    as_user(client, user)
    for path in pages(hist):
        r = client.get(path)
        assert r.status_code == 200, (path, r.text[:500])
        assert "<!doctype html>" in r.text


def test_cylinder_page_shows_the_whole_life(client: TestClient, hist: History) -> None:
    as_user(client, "ent_b_admin")
    cid = hist.lpg.ids["cyl_ok2"]
    html = client.get(f"/cylinders/{cid}").text
    assert re.findall(r'<tr data-event="(\w+)" data-result="(\w+)"', html) == [
        ("fill", "accepted"),
        ("deliver", "refused"),
        ("load", "accepted"),
        ("arrive", "accepted"),
        ("deliver", "accepted"),
        ("collect", "accepted"),
        ("fill", "accepted"),
    ]
    assert "用户安检不合格" in html  # the refused delivery's reason
    assert "离线补传" in html  # the late fill is marked
    assert f'href="/api/v1/cylinders/{cid}/label.png"' in html
    assert f'href="/cylinders/{cid}/edit"' in html
    assert 'id="cy-map-data"' in html and "/static/vendor/plotly.min.js" in html
    assert 'data-handler="worker"' in html and "赵送气" in html
    assert "新街饭店" in html and 'data-customer="CU-DINER-OK"' in html


def test_customer_page_masks_personal_data(client: TestClient, hist: History) -> None:
    home = hist.lpg.ids["cust_home"]
    as_user(client, "ent_b_admin")
    html = client.get(f"/customers/{home}").text
    assert "孙居民" in html and "1101**********4514" in html and "138****0000" in html
    assert "110101199003074514" not in html and "13812340000" not in html
    assert 'data-event="deliver"' in html
    as_user(client, "grid_sup")
    html = client.get(f"/customers/{home}").text
    assert "孙**" in html and "孙居民" not in html
    assert client.get(f"/customers/{hist.lpg.ids['cust_diner_ok']}").status_code == 404


def test_recall_page_lists_the_customers(client: TestClient, hist: History) -> None:
    as_user(client, "reg_staff")
    html = client.get(f"/cylinder-recall?batch_id={hist.batch1}").text
    assert set(re.findall(r'data-customer="([\w-]+)"', html)) == {"CU-HOME", "CU-DINER-OK"}
    assert re.search(r'data-total="customers">2<', html)
    assert "鲁通古楼供应站" in html and "鲁PA8888" in html and "钱充装" in html


def test_whereabouts_and_statistics(client: TestClient, hist: History, session: Session) -> None:
    c = session.get(Cylinder, hist.lpg.ids["cyl_overdue"])
    assert c is not None
    c.status, c.customer_id = c.status.WITH_USER, hist.lpg.ids["cust_home"]
    session.flush()
    as_user(client, "ent_b_admin")
    html = client.get("/cylinder-whereabouts").text
    assert re.search(r"data-overdue-total>1<", html)
    assert "LPG-T-OVERDUE" in html and 'data-code="X-NOBODY-1"' in html
    html = client.get("/cylinder-statistics").text
    assert re.search(r'data-figure="inspection_with_users">1<', html)
    assert 'id="cy-stats-data"' in html


def test_other_enterprise_gets_404s(client: TestClient, hist: History) -> None:
    as_user(client, "ent_a_admin")
    ids = hist.lpg.ids
    assert client.get(f"/cylinders/{ids['cyl_ok']}").status_code == 404
    assert client.get(f"/customers/{ids['cust_home']}").status_code == 404
    assert client.get(f"/cylinder-recall?batch_id={hist.batch1}").status_code == 404
    html = client.get("/cylinder-whereabouts").text
    assert "LPG-T-" not in html and "X-NOBODY-1" not in html
    assert "X-NOBODY-1" not in client.get("/cylinder-anomalies").text


def test_anomaly_review_form(client: TestClient, hist: History, session: Session) -> None:
    token = as_user(client, "ent_b_admin")
    html = client.get("/cylinder-anomalies?reviewed=false").text
    ids = re.findall(r'data-review="(\d+)"', html)
    assert ids
    r = client.post(
        f"/cylinder-anomalies/{ids[0]}/review",
        data={"csrf_token": token, "note": "码为外地企业气瓶，已联系回收"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    a = session.get(CylinderAnomaly, int(ids[0]))
    assert a is not None
    session.refresh(a)
    assert a.reviewed and a.review_note == "码为外地企业气瓶，已联系回收"
    # without the CSRF token: refused
    r = client.post(f"/cylinder-anomalies/{ids[0]}/review", data={"note": "x"})
    assert r.status_code == 403
    # a grid supervisor may not review
    as_user(client, "grid_sup")
    assert 'data-review="' not in client.get("/cylinder-anomalies").text


def scan(client: TestClient, token: str, **data: Any) -> str:
    r = client.post("/cylinder-scan", data={"csrf_token": token, **data})
    assert r.status_code == 200, r.text[:800]
    return r.text


def test_scan_page_refuses_an_overdue_fill_and_delivers(
    client: TestClient, hist: History, world: World, session: Session
) -> None:
    lpg = hist.lpg
    token = as_user(client, "worker_b")
    html = client.get("/cylinder-scan?code=LPG-T-OVERDUE&kind=fill").text
    assert 'data-allowed="0"' in html and "超期未检" in html
    html = scan(
        client,
        token,
        key="web-test-1",
        code="LPG-T-OVERDUE",
        kind="fill",
        site_code="S-B-FILL",
        worker_id=str(lpg.ids["operator"]),
        batch_code="B-2026-11",
        gross_kg="30.5",
    )
    assert 'data-outcome="refused"' in html and 'data-reason="inspection_overdue"' in html
    # the same form sent again is stored once (its key)
    again = scan(
        client,
        token,
        key="web-test-1",
        code="LPG-T-OVERDUE",
        kind="fill",
        site_code="S-B-FILL",
        worker_id=str(lpg.ids["operator"]),
        batch_code="B-2026-11",
        gross_kg="30.5",
    )
    assert 'data-outcome="refused"' in again
    # a new cylinder, in stock at the filling station, goes all the way to a customer who
    # lives next to the supply station (all scans sent within a second: no travel anomaly)
    w = world.ids
    cylinder(session, "LPG-WEB-1", w["ent_b"], next_inspection_on=date(2029, 1, 1))
    session.add(
        Customer(
            code="CU-WEB-NEAR",
            kind=CustomerKind.RESIDENTIAL,
            name="李近邻",
            owner_id=w["ent_b"],
            area_id=w["g11"],
            safety_status=SafetyStatus.PASSED,
            lon=115.921,
            lat=36.421,
        )
    )
    session.flush()
    steps = [
        {
            "kind": "fill",
            "site_code": "S-B-FILL",
            "worker_id": str(lpg.ids["operator"]),
            "batch_code": "B-2026-11",
            "gross_kg": "30.5",
        },
        {"kind": "load", "vehicle_plate": "鲁PA8888"},
        {"kind": "arrive", "site_code": "S-B-SUP"},
        {
            "kind": "deliver",
            "customer_code": "CU-WEB-NEAR",
            "worker_id": str(w["person_b"]),
            "vehicle_plate": "鲁PA8888",
        },
    ]
    for i, step in enumerate(steps):
        html = scan(client, token, key=f"web-flow-{i}", code="LPG-WEB-1", **step)
        assert 'data-outcome="accepted"' in html, (step, re.findall(r"data-anomaly>([^<]*)<", html))
    cid = int(re.findall(r'href="/cylinders/(\d+)" data-cylinder-link', html)[0])
    as_user(client, "ent_b_admin")
    page = client.get(f"/cylinders/{cid}").text
    assert 'data-status="with_user"' in page
    assert 'data-customer="CU-WEB-NEAR"' in page and "李近邻" in page
