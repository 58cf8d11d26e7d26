"""The conversion pages through the TestClient: the public online form (no sign-in, CSRF, trap
field, per-address limit, masked receipt), counter entry, an application's page and its steps,
the list, statistics and price pages, and scope."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gaswarden.domains.audit.models import AuditEntry
from gaswarden.domains.conversion import rules
from gaswarden.domains.conversion.models import ConversionApplication
from tests.conversion.helpers import ID_1, ID_2, PHONE, apply, id_number, make_package, make_table
from tests.factories import World
from tests.test_web_pages import csrf_of, sign_in


def form(world: World, **extra: Any) -> dict[str, Any]:
    return {
        "applicant_name": "网上申请人",
        "applicant_phone": PHONE,
        "applicant_id_number": ID_1,
        "household_kind": "residential",
        "owner_id": str(world.ids["ent_a"]),
        "area_id": str(world.ids["g12"]),
        "village": "古楼二村",
        "address": "古楼街道网申路5号",
        **extra,
    }


def public_token(client: TestClient) -> str:
    r = client.get("/apply/conversion")
    assert r.status_code == 200
    return csrf_of(r.text)


def by_code(session: Session, code: str) -> ConversionApplication:
    return session.scalars(
        select(ConversionApplication).where(ConversionApplication.code == code)
    ).one()


def test_a_resident_applies_online(client: TestClient, world: World, session: Session) -> None:
    client.cookies.clear()
    page = client.get("/apply/conversion")
    assert page.status_code == 200
    assert "聊城东昌燃气有限公司" in page.text  # the pipeline company offered
    assert "古楼街道 · 古楼二网格" in page.text
    assert "聊城鲁通液化气有限公司" not in page.text  # an LPG enterprise is not
    token = csrf_of(page.text)
    r = client.post(
        "/apply/conversion", data={"csrf_token": token, **form(world)}, follow_redirects=False
    )
    assert r.status_code == 303, r.text
    done = client.get(r.headers["location"])
    code = re.search(r"data-code>(PG-\d{4}-\d{6})<", done.text)
    assert code is not None
    assert "139****7777" in done.text and PHONE not in done.text
    app = by_code(session, code.group(1))
    assert (app.channel.value, app.entered_by_name, app.owner_id, app.area_id) == (
        "online",
        None,
        world.ids["ent_a"],
        world.ids["g12"],
    )
    entry = session.scalars(
        select(AuditEntry).where(
            AuditEntry.entity_type == "conversion_application", AuditEntry.entity_id == app.id
        )
    ).one()
    assert (entry.actor_name, entry.actor_id, entry.ip) == ("online-form", None, "testclient")
    # the receipt is shown once (it lives in the session, not behind a guessable URL)
    assert "data-code" not in client.get("/apply/conversion/done").text
    # the company's staff see it in their list, masked
    sign_in(client, "ent_a_staff")
    listed = client.get("/conversions")
    assert code.group(1) in listed.text
    assert "139****7777" in listed.text and PHONE not in listed.text
    # the pager counts records (共 N 条记录), the column is the amount payable
    assert re.search(r"共 <strong data-total>\d+</strong> 条记录", listed.text)
    assert '<th class="num">应付合计(元)</th>' in listed.text


def test_the_public_form_in_english(client: TestClient) -> None:
    client.cookies.clear()
    client.cookies.set("lang", "en")
    page = client.get("/apply/conversion").text
    assert "Apply for bottle-to-pipe conversion" in page and "Residential" in page
    client.cookies.clear()
    assert "瓶改管（液化气改管道燃气）申请" in client.get("/apply/conversion").text


def test_the_company_follows_the_village(
    client: TestClient, world: World, session: Session
) -> None:
    client.cookies.clear()
    token = public_token(client)
    r = client.post(
        "/apply/conversion",
        data={"csrf_token": token, **form(world, owner_id="", area_id=str(world.ids["g11"]))},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    code = re.search(r"data-code>(PG-\d{4}-\d{6})<", client.get(r.headers["location"]).text)
    assert code is not None
    assert by_code(session, code.group(1)).owner_id == world.ids["ent_a"]  # its sites are there


def test_the_public_form_refuses_bad_input(
    client: TestClient, world: World, session: Session
) -> None:
    client.cookies.clear()
    token = public_token(client)
    r = client.post("/apply/conversion", data=form(world), follow_redirects=False)
    assert r.status_code == 403  # no CSRF token
    bad = form(world, applicant_id_number=ID_1[:-1] + ("0" if ID_1[-1] != "0" else "1"))
    r = client.post("/apply/conversion", data={"csrf_token": token, **bad})
    assert r.status_code == 422
    assert 'data-field="applicant_id_number"' in r.text
    r = client.post(
        "/apply/conversion",
        data={"csrf_token": token, **form(world, owner_id=str(world.ids["ent_b"]))},
    )
    assert r.status_code == 422
    # a bot filling the hidden trap field is told nothing and stores nothing
    before = session.scalar(select(ConversionApplication.id).limit(1))
    r = client.post(
        "/apply/conversion",
        data={"csrf_token": token, "website": "http://spam", **form(world)},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert session.scalar(select(ConversionApplication.id).limit(1)) == before


def test_the_public_form_limits_each_address(client: TestClient, world: World) -> None:
    client.cookies.clear()
    token = public_token(client)
    for n in range(rules.ONLINE_PER_ADDRESS):
        number = id_number(f"3715021990020{n:02d}11")
        r = client.post(
            "/apply/conversion",
            data={"csrf_token": token, **form(world, applicant_id_number=number)},
            follow_redirects=False,
        )
        assert r.status_code == 303, r.text
    r = client.post(
        "/apply/conversion", data={"csrf_token": token, **form(world, applicant_id_number=ID_2)}
    )
    assert r.status_code == 429
    assert "too many applications" in r.text


def test_counter_entry_and_the_steps_on_the_page(
    client: TestClient, world: World, session: Session
) -> None:
    make_table(client, world)
    package = make_package(client, world)
    token = sign_in(client, "ent_a_staff")
    page = client.get("/conversions/new")
    assert page.status_code == 200
    data = {
        "csrf_token": token,
        "channel": "counter",
        "customer_code": "",
        "entered_by_name": "柜员 李娜",
        "lon": "",
        "lat": "",
        **form(world, applicant_id_number=ID_2),
    }
    r = client.post("/conversions/new", data=data, follow_redirects=False)
    assert r.status_code == 303, r.text
    url = r.headers["location"].split("?")[0]
    detail = client.get(url)
    assert "柜员 李娜" in detail.text
    assert "139****7777" in detail.text and PHONE not in detail.text
    assert ID_2[:4] + "*" * 10 + ID_2[-4:] in detail.text and ID_2 not in detail.text
    assert re.findall(r'data-step="(\w+)"', detail.text) == ["survey", "refuse", "cancel", "note"]
    r = client.post(
        f"{url}/survey",
        data={"csrf_token": token, "main_distance_m": "23.4", "surveyor_name": "张勘察"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    quoted = client.get(url)
    assert "10-1-001 24" in quoted.text  # the standard plan offered for the quote
    r = client.post(
        f"{url}/quote",
        data={"csrf_token": token, "package_id": str(package["id"]), "plan": ""},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    shown = client.get(url).text
    assert "data-total>2,663.63<" in shown
    assert "data-works-payable>1,683.63<" in shown
    r = client.post(f"{url}/connect", data={"csrf_token": token})
    assert r.status_code == 409  # quoted, not yet under construction
    assert "data-step-error" in r.text and "cannot connect a conversion that is quoted" in r.text


def test_pages_render_and_follow_scope(client: TestClient, world: World) -> None:
    make_table(client, world)
    app = apply(client, world)
    sign_in(client, "reg_admin")
    for path in (
        "/conversions",
        "/conversions/statistics",
        "/conversions/prices",
        f"/conversions/{app['id']}",
    ):
        r = client.get(path)
        assert r.status_code == 200, (path, r.text[:300])
    assert 'id="pg-month-chart"' in client.get("/conversions/statistics").text
    assert "data-new-table" in client.get("/conversions/prices").text
    assert "data-step=" not in client.get(f"/conversions/{app['id']}").text  # reads only
    client.cookies.clear()
    sign_in(client, "ent_b_admin")
    assert client.get(f"/conversions/{app['id']}").status_code == 404
    assert app["code"] not in client.get("/conversions").text
    assert "data-new-table" not in client.get("/conversions/prices").text


def test_the_regulator_sets_prices_on_the_page(client: TestClient, world: World) -> None:
    token = sign_in(client, "reg_admin")
    items = "10-1-001, PE引入管, m, 86.40, service_pipe\n10-5-003，燃气表安装，块，158.30，meter"
    r = client.post(
        "/conversions/prices/table",
        data={
            "csrf_token": token,
            "name": "页面定额",
            "version": "P1",
            "discount_rate": "0.3",
            "effective_on": "2025-01-01",
            "items": items,
            "active": "true",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    tables = client.get("/api/v1/conversion-quota-tables", headers=world.headers("reg_admin"))
    table = next(t for t in tables.json() if t["version"] == "P1")
    assert table["active"] is True
    assert [(i["code"], i["unit_price_yuan"], i["category"]) for i in table["items"]] == [
        ("10-1-001", "86.40", "service_pipe"),
        ("10-5-003", "158.30", "meter"),
    ]
    r = client.post(
        "/conversions/prices/table",
        data={"csrf_token": token, "name": "x", "version": "y", "discount_rate": "0.3",
              "effective_on": "2025-01-01", "items": "only, three, parts"},
    )  # fmt: skip
    assert r.status_code == 422 and "line 1" in r.text
    client.cookies.clear()
    token = sign_in(client, "ent_a_admin")
    r = client.post(
        "/conversions/prices/package",
        data={"csrf_token": token, "name": "企业套餐", "price_yuan": "100"},
    )
    assert r.status_code == 403


def test_counter_entry_is_the_pipeline_companys(client: TestClient, world: World) -> None:
    for who in ("reg_admin", "grid_sup", "ent_b_admin", "viewer"):
        client.cookies.clear()
        token = sign_in(client, who)
        assert client.get("/conversions/new").status_code == 403, who
        assert "data-counter-entry" not in client.get("/conversions").text, who
        r = client.post("/conversions/new", data={"csrf_token": token, **form(world)})
        assert r.status_code == 403, who
    client.cookies.clear()
    sign_in(client, "ent_a_admin")
    assert "data-counter-entry" in client.get("/conversions").text
