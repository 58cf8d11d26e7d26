"""The generic web pages of customers, safety checks, cylinders and gas batches: registration
through the form, personal data masked in every page for the enterprise, the regulator and the
grid supervisor, the grid supervisor's list limited to its grid, the navigation entries."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.customer.helpers import ID_A, ID_B, PHONE, masked_id, masked_phone, register
from tests.cylinder.lpg import build_lpg
from tests.factories import World
from tests.test_web_pages import sign_in


def listed_ids(html: str) -> set[int]:
    return {int(i) for i in re.findall(r'<tr data-id="(\d+)"', html)}


def test_register_through_the_form_and_masking(
    client: TestClient, world: World, session: Session
) -> None:
    lpg = build_lpg(session, world)
    session.commit()
    token = sign_in(client, "ent_b_admin")
    home = client.get("/").text
    assert 'href="/customers"' in home and "液化气用户" in home
    assert 'href="/cylinders"' in home and "气瓶" in home
    form = client.get("/customers/new")
    assert form.status_code == 200, form.text
    data = {
        "csrf_token": token,
        "code": "CU-W-001",
        "kind": "residential",
        "name": "网页实名",
        "id_number": ID_A,
        "phone": PHONE,
        "area_id": str(world.ids["g11"]),
        "reason": "开户",
    }
    r = client.post("/customers/new", data={**data, "id_number": ID_A[:-1] + "0"})
    assert r.status_code == 422 and 'data-field="id_number"' in r.text
    assert ID_A[:-1] + "0" not in r.text  # a refused number is not echoed back either
    r = client.post("/customers/new", data=data, follow_redirects=False)
    assert r.status_code == 303, r.text
    new_id = int(r.headers["location"].split("/")[2].split("?")[0])

    other = register(client, world, code="CU-W-G12", id_number=ID_B, area_id=world.ids["g12"])
    in_g11 = {new_id, lpg.ids["cust_home"], lpg.ids["cust_diner"]}
    for who in ("ent_b_admin", "reg_admin", "grid_sup"):
        client.cookies.clear()
        sign_in(client, who)
        page = client.get("/customers")
        assert page.status_code == 200, page.text
        assert "CU-W-001" in page.text and "网页实名" in page.text
        if who == "grid_sup":
            assert listed_ids(page.text) == in_g11
        else:
            assert {new_id, other["id"]} <= listed_ids(page.text)
        detail = client.get(f"/customers/{new_id}")
        assert detail.status_code == 200, (who, detail.text[:300])
        found = client.get("/customers", params={"q": ID_A})
        assert listed_ids(found.text) == {new_id}, who
        rows = found.text[found.text.index("<tbody") : found.text.index("</tbody>")]
        for html in (page.text, detail.text, rows):  # the search box echoes what was typed
            assert ID_A not in html and PHONE not in html, who
        assert masked_id(ID_A) in detail.text and masked_phone(PHONE) in detail.text, who
        if who != "grid_sup":
            edit = client.get(f"/customers/{new_id}/edit").text
            assert ID_A not in edit and masked_id(ID_A) in edit, who
    # the grid supervisor neither sees the other grid's customer nor edits
    assert client.get(f"/customers/{other['id']}").status_code == 404
    assert client.get(f"/customers/{new_id}/edit").status_code == 403
    # another enterprise: nothing
    client.cookies.clear()
    sign_in(client, "ent_a_admin")
    assert listed_ids(client.get("/customers").text) == set()
    assert client.get(f"/customers/{new_id}").status_code == 404
    assert client.get(f"/customers/{new_id}/edit").status_code == 404


def test_the_registry_pages_render(client: TestClient, world: World, session: Session) -> None:
    lpg = build_lpg(session, world)
    session.commit()
    sign_in(client, "ent_b_admin")
    for path in ("/cylinders", "/gas-batches", "/customer-safety-checks", "/customers"):
        page = client.get(path)
        assert page.status_code == 200, (path, page.text[:500])
        assert client.get(f"{path}/new").status_code == 200, path
    cylinders = client.get("/cylinders", params={"overdue": "true", "status": "in_stock"}).text
    assert listed_ids(cylinders) == {lpg.ids["cyl_overdue"]}
    assert "LPG-T-OVERDUE" in cylinders and "气瓶" in cylinders
    assert 'href="/gas-batches"' in cylinders
    assert client.get(f"/cylinders/{lpg.ids['cyl_ok']}/edit").status_code == 200
    assert client.get(f"/gas-batches/{lpg.ids['batch']}").status_code == 200
    assert "B-2026-11" in client.get("/gas-batches").text
    # the archive has no delete page; safety checks are not edited
    assert client.get(f"/cylinders/{lpg.ids['cyl_ok']}/delete").status_code in (404, 405)
    # the navigation marks the cylinder entry on its related pages
    nav = client.get("/gas-batches").text
    assert re.search(r'href="/cylinders"[^>]*aria-current', nav) or re.search(
        r'class="[^"]*(active|here)[^"]*"[^>]*href="/cylinders"|href="/cylinders"[^>]*class="[^"]*(active|here)',
        nav,
    )


def test_forms_register_a_cylinder_and_record_a_check(
    client: TestClient, world: World, session: Session
) -> None:
    lpg = build_lpg(session, world)
    session.commit()
    token = sign_in(client, "ent_b_admin")
    cylinder = {
        "csrf_token": token,
        "tag_code": "LPG-W-0001",
        "stamp_serial": "W-15-0001",
        "made_on": "2023-05-01",
        "capacity_kg": "15",
        "tare_kg": "16.2",
        "site_id": str(world.ids["filling"]),
    }
    r = client.post("/cylinders/new", data={**cylinder, "capacity_kg": "20"})
    assert r.status_code == 422 and 'data-field="capacity_kg"' in r.text
    r = client.post("/cylinders/new", data=cylinder, follow_redirects=False)
    assert r.status_code == 303, r.text
    r = client.post("/cylinders/new", data=cylinder)
    assert r.status_code == 409 and "never reused" in r.text

    check = {
        "csrf_token": token,
        "customer_id": str(lpg.ids["cust_home"]),
        "checker_name": "网页安检",
        "hose_ok": "true",
        "valve_ok": "true",
        "ventilation_ok": "true",
        "basement": "true",
    }
    r = client.post("/customer-safety-checks/new", data=check, follow_redirects=False)
    assert r.status_code == 303, r.text
    listed = client.get("/customers", params={"safety_status": "failed"}).text
    assert lpg.ids["cust_home"] in listed_ids(listed)  # below ground: the check failed
