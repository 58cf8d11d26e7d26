"""The service pages through the TestClient: the residents' public form (no sign-in, CSRF,
the trap field, the per-address limit), the hotline operator's screen, a request's page with
its steps (the phone masked), the list in scope, statistics and coverage pages."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gaswarden.domains.emergency.models import Incident
from gaswarden.domains.service.enums import RequestChannel, RequestKind, RequestStatus
from gaswarden.domains.service.models import ServiceRequest
from gaswarden.standards.service import PUBLIC_REQUESTS_PER_HOUR
from tests.factories import World
from tests.service.helpers import IN_G21, PHONE, receive, village
from tests.test_web_pages import csrf_of, sign_in


def as_user(client: TestClient, username: str) -> str:
    client.cookies.clear()
    return sign_in(client, username)


def post(client: TestClient, url: str, token: str, **data: Any) -> Any:
    return client.post(url, data={"csrf_token": token, **data}, follow_redirects=False)


def by_code(session: Session, code: str) -> ServiceRequest:
    session.expire_all()
    found = session.scalars(select(ServiceRequest).where(ServiceRequest.code == code)).one()
    return found


def public_form(world: World, **kw: str) -> dict[str, str]:
    return {
        "kind": "repair",
        "contact_name": "孙女士",
        "contact_phone": PHONE,
        "area_id": str(world.ids["t2"]),
        "address": "柳园街道幸福小区5号楼2单元",
        "description": "燃气表显示异常",
        **kw,
    }


def test_the_public_form_needs_no_sign_in(
    client: TestClient, session: Session, world: World
) -> None:
    page = client.get("/service/report")
    assert page.status_code == 200 and "data-public-form" in page.text
    assert "柳园街道" in page.text  # the towns to choose from
    token = csrf_of(page.text)
    r = post(client, "/service/report", token, **public_form(world))
    assert r.status_code == 303 and r.headers["location"] == "/service/report/done"
    done = client.get("/service/report/done")
    code = re.search(r"data-code>([^<]+)<", done.text)
    assert code, done.text
    request = by_code(session, code.group(1))
    assert request.channel is RequestChannel.WEB and request.kind is RequestKind.REPAIR
    assert request.area_id == world.ids["t2"] and request.owner_id is not None
    assert request.received_by_name == "网上服务 web form" and request.contact_phone == PHONE
    assert PHONE not in done.text


def test_the_public_form_speaks_english_too(client: TestClient, world: World) -> None:
    client.cookies.set("lang", "en")
    page = client.get("/service/report")
    assert "Report a problem or ask" in page.text and "Leak report" in page.text
    client.cookies.set("lang", "zh")
    assert "网上报修与咨询" in client.get("/service/report").text


def test_the_public_form_refuses(client: TestClient, session: Session, world: World) -> None:
    page = client.get("/service/report")
    token = csrf_of(page.text)
    assert post(client, "/service/report", "wrong", **public_form(world)).status_code == 403
    r = post(client, "/service/report", token, **public_form(world, contact_phone=""))
    assert r.status_code == 422 and 'data-field="contact_phone"' in r.text
    before = session.scalar(select(ServiceRequest.id).order_by(ServiceRequest.id.desc()))
    r = post(client, "/service/report", token, **public_form(world, website="http://spam"))
    assert r.status_code == 303  # a bot is told nothing, and nothing is stored
    assert session.scalar(select(ServiceRequest.id).order_by(ServiceRequest.id.desc())) == before
    for _ in range(PUBLIC_REQUESTS_PER_HOUR):
        assert post(client, "/service/report", token, **public_form(world)).status_code == 303
    r = post(client, "/service/report", token, **public_form(world))
    assert r.status_code == 429 and "data-form-error" in r.text


def test_a_leak_report_from_the_public_form_opens_an_incident(
    client: TestClient, session: Session, world: World
) -> None:
    token = csrf_of(client.get("/service/report").text)
    r = post(client, "/service/report", token, **public_form(world, kind="leak_report"))
    assert r.status_code == 303
    code = re.search(r"data-code>([^<]+)<", client.get("/service/report/done").text)
    assert code
    request = by_code(session, code.group(1))
    assert request.incident_id is not None
    incident = session.get(Incident, request.incident_id)
    assert incident is not None and incident.source_ref == request.code


def test_the_hotline_screen(client: TestClient, session: Session, world: World) -> None:
    token = as_user(client, "reg_staff")
    page = client.get("/service-requests/new")
    assert page.status_code == 200 and "data-hotline-form" in page.text
    assert "data-targets" in page.text
    r = post(
        client,
        "/service-requests/new",
        token,
        contact_phone="13700000000",
        contact_name="周先生",
        kind="complaint",
        address="柳园街道某路",
        description="抄表员态度差",
        lon=str(IN_G21["lon"]),
        lat=str(IN_G21["lat"]),
    )
    assert r.status_code == 303, r.text
    code = r.headers["location"].split("saved=")[1]
    request = by_code(session, code)
    assert request.channel is RequestChannel.HOTLINE and request.area_id == world.ids["g21"]
    assert request.received_by_name == "reg_staff"
    again = client.get(r.headers["location"])
    assert f'data-saved="{code}"' in again.text  # ready for the next call
    r = post(
        client,
        "/service-requests/new",
        token,
        contact_name="吴女士",
        kind="new_connection",
        channel="counter",
        description="新房开户",
        area_id=str(world.ids["t1"]),
    )
    assert r.status_code == 303, r.text
    counter = by_code(session, r.headers["location"].split("saved=")[1])
    assert counter.channel is RequestChannel.COUNTER and counter.area_id == world.ids["t1"]
    r = post(client, "/service-requests/new", token, contact_name="", kind="repair")
    assert r.status_code == 422 and "data-form-error" in r.text
    as_user(client, "grid_sup")
    r = post(
        client,
        "/service-requests/new",
        csrf_of(client.get("/").text),
        contact_name="x",
        kind="repair",
        description="y",
        area_id=str(world.ids["g11"]),
    )
    assert r.status_code == 403


def test_a_request_page_and_its_steps(client: TestClient, session: Session, world: World) -> None:
    request = receive(session)
    session.commit()
    token = as_user(client, "ent_a_staff")
    page = client.get(f"/service-requests/{request.id}")
    assert page.status_code == 200
    assert "139****4321" in page.text and PHONE not in page.text
    assert re.findall(r'data-step="(\w+)"', page.text) == ["assign", "note"]
    url = f"/service-requests/{request.id}"
    r = post(client, f"{url}/respond", token)
    assert r.status_code == 409 and "data-step-error" in r.text
    assert post(client, f"{url}/assign", token, team_id=str(world.ids["team_a"])).status_code == 303
    assert post(client, f"{url}/respond", token, note="已到场").status_code == 303
    assert post(client, f"{url}/resolve", token, resolution="更换阀门").status_code == 303
    assert post(client, f"{url}/close", token, satisfaction="4").status_code == 303
    session.expire_all()
    assert by_code(session, request.code).status is RequestStatus.CLOSED
    page = client.get(url)
    assert re.findall(r'data-event="(\w+)"', page.text) == [
        "created",
        "assigned",
        "responded",
        "resolved",
        "visited",
        "closed",
    ]
    as_user(client, "ent_b_admin")
    assert client.get(url).status_code == 404  # out of scope


def test_the_list_in_scope(client: TestClient, session: Session, world: World) -> None:
    a = receive(session)
    b = receive(session, owner_id=world.ids["ent_b"], **IN_G21)
    session.commit()
    as_user(client, "ent_b_admin")
    html = client.get("/service-requests").text
    shown = {int(i) for i in re.findall(r'data-request-id="(\d+)"', html)}
    assert b.id in shown and a.id not in shown
    as_user(client, "reg_admin")
    html = client.get("/service-requests", params={"kind": "repair"}).text
    shown = {int(i) for i in re.findall(r'data-request-id="(\d+)"', html)}
    assert {a.id, b.id} <= shown


def test_statistics_and_coverage_pages(client: TestClient, session: Session, world: World) -> None:
    receive(session)
    v = village(
        session,
        world.ids["t1"],
        "甲村",
        120,
        {2019: (40, 30), 2020: (90, 80)},
        piped_since=2019,
        heated_since=2019,
    )
    session.commit()
    as_user(client, "reg_admin")
    page = client.get("/service-requests/statistics")
    assert page.status_code == 200 and 'data-fig="total"' in page.text
    page = client.get("/service-requests/coverage")
    assert page.status_code == 200 and "/static/vendor/plotly.min.js" in page.text
    assert 'data-year="2020"' in page.text and "fw-coverage-data" in page.text
    page = client.get("/service-requests/coverage", params={"town": world.ids["t1"]})
    assert f'data-village="{v.id}"' in page.text
    token = csrf_of(client.get(f"/service-requests/coverage/villages/{v.id}").text)
    r = post(
        client,
        f"/service-requests/coverage/villages/{v.id}",
        token,
        households="120",
        households_piped="100",
        households_clean_heating="90",
        pipe_gas_since="2019",
        clean_heating_since="2019",
        reason="核查",
    )
    assert r.status_code == 303
    session.expire_all()
    assert session.get(type(v), v.id).households_piped == 100  # type: ignore[union-attr]
    as_user(client, "ent_a_admin")
    page = client.get(f"/service-requests/coverage/villages/{v.id}")
    assert page.status_code == 200 and "data-village-form" not in page.text
