"""The generic registry pages for staff certificates and agency site assignments: list,
create, edit through the web forms (CSRF, field errors, history), and scope: an enterprise
sees its own staff's certificates and its own sites' assignments, never another's."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from gaswarden.core.auth import SYSTEM
from gaswarden.domains.workforce.service import certificates, people
from tests.api.mixins import count_statements
from tests.factories import World
from tests.test_web_pages import sign_in


def listed_ids(html: str) -> set[int]:
    return {int(i) for i in re.findall(r'<tr data-id="(\d+)"', html)}


def options(html: str, name: str) -> set[int]:
    select = re.search(rf'<select id="f-{name}" name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, f"no select for {name}"
    return {int(v) for v in re.findall(r'<option value="(\d+)"', select.group(1))}


def test_certificates_list_create_edit(client: TestClient, world: World) -> None:
    ids = world.ids
    token = sign_in(client, "ent_a_admin")
    page = client.get("/certificates")
    assert page.status_code == 200, page.text
    assert listed_ids(page.text) == {ids["cert_a"]}
    assert (
        "AQ-2023-001" in page.text
        and "王安全" in page.text
        and 'href="/certificates/new"' in page.text
    )
    assert 'href="/certificates"' in client.get("/").text  # in the navigation

    form = client.get("/certificates/new").text
    assert options(form, "person_id") == {ids["person_a"]}  # only the enterprise's own staff
    data = {
        "csrf_token": token,
        "person_id": str(ids["person_a"]),
        "kind": "gas_safety",
        "number": "AQ-2025-009",
        "issued_on": "2025-03-01",
        "expires_on": "2028-02-28",
        "reason": "新取证",
    }
    # another enterprise's person, and an expiry before the issue date: field errors
    r = client.post("/certificates/new", data={**data, "person_id": str(ids["person_b"])})
    assert r.status_code == 422 and 'data-field="person_id"' in r.text
    r = client.post("/certificates/new", data={**data, "expires_on": "2024-01-01"})
    assert r.status_code == 422 and 'data-field="expires_on"' in r.text
    assert client.post("/certificates/new", data={**data, "csrf_token": "x"}).status_code == 403

    r = client.post("/certificates/new", data=data, follow_redirects=False)
    assert r.status_code == 303, r.text
    new_id = int(r.headers["location"].split("/")[2].split("?")[0])
    detail = client.get(r.headers["location"]).text
    assert "AQ-2025-009" in detail and f'href="/people/{ids["person_a"]}"' in detail
    assert "新取证" in detail  # the history shows the reason

    edit = client.get(f"/certificates/{new_id}/edit").text
    assert 'value="AQ-2025-009"' in edit
    r = client.post(
        f"/certificates/{new_id}/edit",
        data={"csrf_token": token, "number": "AQ-2025-010", "kind": "gas_safety",
              "issued_on": "2025-03-01", "expires_on": "2028-02-28", "reason": "更正编号"},
        follow_redirects=False,
    )  # fmt: skip
    assert r.status_code == 303, r.text
    detail = client.get(f"/certificates/{new_id}").text
    assert "AQ-2025-010" in detail and "更正编号" in detail
    assert listed_ids(client.get("/certificates?q=AQ-2025").text) == {new_id}

    # the other enterprise sees neither its list entry nor its page
    client.cookies.clear()
    sign_in(client, "ent_b_admin")
    assert listed_ids(client.get("/certificates").text) == {ids["cert_b"]}
    assert client.get(f"/certificates/{new_id}").status_code == 404
    assert client.get(f"/certificates/{ids['cert_a']}/edit").status_code == 404
    client.cookies.clear()
    sign_in(client, "reg_admin")
    assert {ids["cert_a"], ids["cert_b"], new_id} <= listed_ids(client.get("/certificates").text)


def test_site_assignments_list_create_edit(client: TestClient, world: World) -> None:
    ids = world.ids
    token = sign_in(client, "reg_admin")
    page = client.get("/site-assignments")
    assert page.status_code == 200, page.text
    assert listed_ids(page.text) == {ids["assign_gate"]}
    assert "山东安和检测技术有限公司" in page.text and "东昌门站" in page.text
    assert 'href="/site-assignments"' in page.text  # in the navigation

    # the agency box offers inspection agencies only
    form = client.get("/site-assignments/new").text
    agency_box = form[form.index('name="agency_id"') :].split("</select>")[0]
    assert f'value="{ids["agency"]}"' in agency_box
    assert f'value="{ids["ent_a"]}"' not in agency_box

    data = {
        "csrf_token": token,
        "agency_id": str(ids["agency"]),
        "site_id": str(ids["box"]),
        "valid_until": "2026-12-31",
        "reason": "年度委托",
    }
    # an enterprise is not an inspection agency; the same site twice is a conflict
    r = client.post("/site-assignments/new", data={**data, "agency_id": str(ids["ent_a"])})
    assert r.status_code == 422 and 'data-field="agency_id"' in r.text
    r = client.post("/site-assignments/new", data={**data, "site_id": str(ids["gate"])})
    assert r.status_code == 409

    r = client.post("/site-assignments/new", data=data, follow_redirects=False)
    assert r.status_code == 303, r.text
    new_id = int(r.headers["location"].split("/")[2].split("?")[0])
    detail = client.get(r.headers["location"]).text
    assert "山东安和检测技术有限公司 → 古楼二号调压箱" in detail and "2026-12-31" in detail
    r = client.post(
        f"/site-assignments/{new_id}/edit",
        data={"csrf_token": token, "valid_until": "2027-06-30", "reason": "续期"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    detail = client.get(f"/site-assignments/{new_id}").text
    assert "2027-06-30" in detail and "续期" in detail

    # enterprise A sees its sites' assignments, read only; enterprise B sees none of them
    client.cookies.clear()
    sign_in(client, "ent_a_admin")
    page = client.get("/site-assignments").text
    assert listed_ids(page) == {ids["assign_gate"], new_id}
    assert 'href="/site-assignments/new"' not in page
    assert client.get("/site-assignments/new").status_code == 403
    client.cookies.clear()
    sign_in(client, "ent_b_admin")
    assert listed_ids(client.get("/site-assignments").text) == set()
    assert client.get(f"/site-assignments/{new_id}").status_code == 404
    # the agency sees the sites assigned to it
    client.cookies.clear()
    sign_in(client, "inspector")
    assert ids["assign_gate"] in listed_ids(client.get("/site-assignments").text)


def test_a_list_page_names_its_references_in_one_query(
    client: TestClient, world: World, session: Session, connection: Connection
) -> None:
    """Twenty more certificates of twenty more people: the list names and links every person
    with the same statements as before (one lookup per kind of reference, not one per row)."""
    sign_in(client, "reg_admin")

    def shown() -> tuple[int, str]:
        with count_statements(connection) as seen:
            r = client.get("/certificates")
        assert r.status_code == 200, r.text
        return len(seen), r.text

    before, _ = shown()
    added = []
    for n in range(20):
        person = people.create(
            session=session,
            principal=SYSTEM,
            data={"name": f"测试员{n}", "owner_id": world.ids["ent_a"], "position": "operator"},
        )
        certificates.create(
            session=session,
            principal=SYSTEM,
            data={"person_id": person.id, "kind": "gas_operator", "number": f"YW-{n:04d}"},
        )
        added.append(person.id)
    session.flush()
    after, html = shown()
    assert all(f'href="/people/{i}">测试员' in html for i in added)
    assert after == before, (before, after)
