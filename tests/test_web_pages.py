"""Fast checks of the server-rendered pages through FastAPI's TestClient (no browser)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from starlette.routing import Route

from gaswarden.web import routes as web_routes
from tests.factories import PASSWORD, World

RESOURCES = (
    "sites",
    "assets",
    "devices",
    "organizations",
    "areas",
    "people",
    "teams",
    "vehicles",
    "users",
)


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the page has no CSRF token"
    return match.group(1)


def sign_in(client: TestClient, username: str) -> str:
    """Log in through the form; returns a CSRF token of the new session."""
    token = csrf_of(client.get("/login").text)
    r = client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    return csrf_of(client.get("/").text)


def test_pages_redirect_to_login_when_signed_out(client: TestClient) -> None:
    for path in ("/", "/sites", "/map", "/audit", "/sites/1"):
        r = client.get(path, follow_redirects=False)
        assert r.status_code == 303, path
        assert r.headers["location"].startswith("/login"), path


def test_every_page_renders_for_the_regulator(client: TestClient, world: World) -> None:
    sign_in(client, "reg_admin")
    first_ids = {}
    for path in RESOURCES:
        r = client.get(f"/{path}")
        assert r.status_code == 200, (path, r.text[:500])
        ids = re.findall(r'<tr data-id="(\d+)"', r.text)
        first_ids[path] = ids[0] if ids else None
        assert client.get(f"/{path}/new").status_code == 200, path
    for path, item in first_ids.items():
        if item is None:
            continue
        assert client.get(f"/{path}/{item}").status_code == 200, path
        assert client.get(f"/{path}/{item}/edit").status_code == 200, path
        assert client.get(f"/{path}/{item}/delete").status_code == 200, path
    for path in ("/", "/map", "/audit", "/audit?entity_type=site&at_from=2000-01-01"):
        assert client.get(path).status_code == 200, path


def test_home_counts_follow_scope(client: TestClient, world: World) -> None:
    sign_in(client, "ent_b_admin")
    html = client.get("/").text
    # ent_b owns two sites (a filling and a supply station) and nothing else
    assert re.search(r"data-count>2<", html)
    assert "液化气储配站" in html and "门站" not in html


def test_home_shows_the_hazard_loop_in_scope(
    client: TestClient, session: Session, world: World
) -> None:
    from gaswarden.core.auth import SYSTEM
    from gaswarden.domains.hazard import service as hazards
    from gaswarden.domains.hazard.enums import HazardSource
    from gaswarden.standards.hazards import HazardGrade

    for site, grade in (("gate", HazardGrade.MAJOR), ("gate", HazardGrade.GENERAL)):
        h = hazards.report(
            session=session,
            principal=SYSTEM,
            source=HazardSource.INSPECTION,
            grade=grade,
            category="安全管理",
            title=f"{site} {grade.value}",
            site_id=world.ids[site],
        )
        h.overdue = grade is HazardGrade.GENERAL
    session.commit()

    def card(who: str) -> tuple[str, str, str]:
        sign_in(client, who)
        html = client.get("/").text
        block = html[html.index('data-card="hazards"') :]
        total = re.search(r'data-count="open-hazards">(\d+)<', block)
        overdue = re.search(r'data-count="1">(?:<span class="badge badge-red">)?(\d+)<', block)
        major = re.search(r'data-count="2">(?:<span class="badge badge-red">)?(\d+)<', block)
        assert total and overdue and major
        return total.group(1), overdue.group(1), major.group(1)

    assert card("ent_a_admin") == ("2", "1", "1")  # the gate is ent_a's
    assert card("ent_b_admin") == ("0", "0", "0")


def test_out_of_scope_detail_is_a_404_page(client: TestClient, world: World) -> None:
    sign_in(client, "ent_b_admin")
    r = client.get(f"/sites/{world.ids['gate']}")
    assert r.status_code == 404
    assert "text/html" in r.headers["content-type"]
    assert "东昌门站" not in r.text
    assert "东昌门站" not in client.get("/sites").text


def test_read_only_roles_see_no_write_buttons(client: TestClient, world: World) -> None:
    sign_in(client, "inspector")
    html = client.get(f"/sites/{world.ids['gate']}").text
    assert "data-edit" not in html and "data-delete" not in html
    assert client.get(f"/sites/{world.ids['gate']}/edit").status_code == 403
    assert client.get("/audit").status_code == 403


def test_personal_data_is_masked(client: TestClient, world: World) -> None:
    sign_in(client, "reg_admin")
    html = client.get(f"/sites/{world.ids['gate']}").text
    assert "139****5678" in html and "13912345678" not in html
    edit = client.get(f"/sites/{world.ids['gate']}/edit").text
    assert "13912345678" not in edit


def test_login_without_csrf_token_is_rejected(client: TestClient) -> None:
    client.get("/login")
    r = client.post("/login", data={"username": "reg_admin", "password": PASSWORD})
    assert r.status_code == 403
    r = client.post(
        "/login", data={"username": "reg_admin", "password": PASSWORD, "csrf_token": "forged"}
    )
    assert r.status_code == 403
    assert client.get("/", follow_redirects=False).status_code == 303  # still signed out


def all_routes(routes: list[Any]) -> list[Any]:
    """Routes, looking inside included routers (which newer FastAPI keeps nested)."""
    out = []
    for route in routes:
        inner = getattr(route, "original_router", None)
        out += all_routes(inner.routes) if inner is not None else [route]
    return out


def test_every_form_post_checks_the_csrf_token(client: TestClient, world: World) -> None:
    """Walk the app's routes: each web POST refuses a form without the session's token."""
    sign_in(client, "reg_admin")
    posts = [
        r.path
        for r in all_routes(web_routes.router.routes)
        if isinstance(r, Route) and "POST" in (r.methods or ())
    ]
    assert "/login" in posts and "/sites/{item_id}/edit" in posts
    for path in posts:
        url = re.sub(r"\{[a-z_]+(:int)?\}", str(world.ids["gate"]), path)
        r = client.post(url, data={"name": "x", "csrf_token": "wrong"}, follow_redirects=False)
        assert r.status_code == 403, path
    assert client.get(f"/sites/{world.ids['gate']}").status_code == 200  # nothing deleted


def test_edit_saves_audits_and_shows_field_errors(client: TestClient, world: World) -> None:
    token = sign_in(client, "reg_admin")
    gate = world.ids["gate"]
    form = client.get(f"/sites/{gate}/edit").text
    assert 'name="kind"' in form and "<select" in form
    r = client.post(
        f"/sites/{gate}/edit",
        data={"csrf_token": token, "code": "S-A-GATE", "name": "东昌门站(改)", "lat": "95",
              "reason": "test"},
    )  # fmt: skip
    assert r.status_code == 422
    assert 'data-field="lat"' in r.text
    r = client.post(
        f"/sites/{gate}/edit",
        data={"csrf_token": token, "code": "S-A-GATE", "name": "东昌门站(改)", "lat": "36.41",
              "lon": "115.91", "reason": "更正名称"},
        follow_redirects=False,
    )  # fmt: skip
    assert r.status_code == 303, r.text
    detail = client.get(f"/sites/{gate}").text
    assert "东昌门站(改)" in detail and "更正名称" in detail
    r = client.post(
        f"/sites/{world.ids['box']}/edit",
        data={"csrf_token": token, "code": "S-A-GATE"},
    )
    assert r.status_code == 409 and 'data-field="code"' in r.text


@pytest.mark.parametrize("lang,word", [("zh", "场站与用户"), ("en", "Sites")])
def test_language_cookie(client: TestClient, world: World, lang: str, word: str) -> None:
    sign_in(client, "reg_admin")
    client.get(f"/lang/{lang}?next=/sites")
    assert f"<h1>{word}</h1>" in client.get("/sites").text


def test_plotly_is_served_locally_with_cache_headers(client: TestClient) -> None:
    r = client.get("/static/vendor/plotly.min.js")
    assert r.status_code == 200 and len(r.content) > 1_000_000
    assert "max-age" in r.headers["cache-control"]
    again = client.get("/static/vendor/plotly.min.js", headers={"If-None-Match": r.headers["etag"]})
    assert again.status_code == 304


def test_create_user_with_role_org_and_grids(client: TestClient, world: World) -> None:
    token = sign_in(client, "reg_admin")
    form = client.get("/users/new").text
    assert 'name="grid_ids"' in form and 'type="password"' in form
    data = {
        "csrf_token": token,
        "username": "grid_sup_2",
        "display_name": "柳园网格员",
        "password": "a-long-password",
        "role": "grid_supervisor",
        "org_id": str(world.ids["reg"]),
        "phone": "13955556666",
        "lang": "zh",
        "active": "true",
        "grid_ids": ["", str(world.ids["g21"])],
    }
    r = client.post("/users/new", data={**data, "grid_ids": [""]})
    assert r.status_code == 422 and 'data-field="grid_ids"' in r.text  # a supervisor needs one
    r = client.post("/users/new", data=data, follow_redirects=False)
    assert r.status_code == 303, r.text
    detail = client.get(r.headers["location"]).text
    assert "柳园一网格" in detail and "139****6666" in detail and "13955556666" not in detail


def test_delete_asks_for_a_reason_and_reports_conflicts(client: TestClient, world: World) -> None:
    token = sign_in(client, "reg_admin")
    ent_a = world.ids["ent_a"]
    assert "data-delete" in client.get(f"/organizations/{ent_a}").text
    r = client.post(f"/organizations/{ent_a}/delete", data={"csrf_token": token, "reason": "x"})
    assert r.status_code == 409 and 'role="alert"' in r.text  # it still owns sites
    dev = world.ids["dev_box"]
    r = client.post(
        f"/devices/{dev}/delete",
        data={"csrf_token": token, "reason": "设备报废"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/devices"
    assert client.get(f"/devices/{dev}").status_code == 404
    audit = client.get("/audit?entity_type=device&action=delete").text
    assert "设备报废" in audit


def test_history_names_referenced_records(client: TestClient, world: World) -> None:
    """A changed reference reads as the names of the records, not their ids."""
    token = sign_in(client, "reg_admin")
    supply = world.ids["supply"]
    r = client.post(
        f"/sites/{supply}/edit",
        data={"csrf_token": token, "owner_id": str(world.ids["ent_a"]), "reason": "转让"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    detail = client.get(f"/sites/{supply}").text
    assert "聊城鲁通液化气有限公司 → 聊城东昌燃气有限公司" in detail
    audit_page = client.get("/audit?entity_type=site&action=update").text
    assert "聊城鲁通液化气有限公司 → 聊城东昌燃气有限公司" in audit_page


def test_the_menu_reads_the_same_on_every_page(client: TestClient) -> None:
    """Pages that bring their own translator for their texts keep the shell's menu words."""
    sign_in(client, "reg_admin")
    menus = {}
    for path in ("/", "/cylinder-statistics", "/enforcement", "/statistics", "/hazards"):
        html = client.get(path).text
        menu = re.search(r'<nav class="nav" aria-label="main">(.*?)</nav>', html, re.S)
        assert menu is not None, path
        menus[path] = re.sub(r"<[^>]+>", "|", menu.group(1))
    assert "地图" in menus["/"] and "统计分析" in menus["/"]
    assert len(set(menus.values())) == 1, menus
