"""The hazard pages through the TestClient: the list (filters, counts, scope), a hazard's page
(fields, timeline), every step's form moving the hazard, refusals shown on the page, the
report form and the map of open hazards."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from gaswarden.domains.hazard import service
from gaswarden.domains.hazard.enums import HazardSource, HazardStatus
from gaswarden.domains.hazard.models import Hazard
from gaswarden.standards.hazards import HazardGrade
from tests.factories import World
from tests.hazard.helpers import who
from tests.test_web_pages import sign_in


def report(
    session: Session,
    world: World,
    *,
    by: str = "reg_staff",
    site: str = "gate",
    grade: HazardGrade = HazardGrade.GENERAL,
    title: str = "灭火器过期",
    assign: bool = True,
    **extra: Any,
) -> Hazard:
    hazard = service.report(
        session=session,
        principal=who(session, world, by),
        source=HazardSource.INSPECTION,
        grade=grade,
        category=extra.pop("category", "消防器材"),
        title=title,
        site_id=world.ids[site],
        assign=assign,
        **extra,
    )
    session.flush()
    return hazard


def status_of(session: Session, hazard: Hazard) -> HazardStatus:
    session.expire_all()
    found = session.get(Hazard, hazard.id)
    assert found is not None
    return found.status


def row_ids(html: str) -> set[int]:
    return {int(i) for i in re.findall(r'<tr data-hazard-id="(\d+)"', html)}


def steps_offered(html: str) -> list[str]:
    return re.findall(
        r'<form method="post" action="/hazards/\d+/[a-z]+"[^>]*data-step="([a-z]+)"', html
    )


def post_step(client: TestClient, hazard: Hazard, step: str, token: str, **data: str) -> Any:
    return client.post(
        f"/hazards/{hazard.id}/{step}",
        data={"csrf_token": token, **data},
        follow_redirects=False,
    )


def as_user(client: TestClient, username: str) -> str:
    client.cookies.clear()
    return sign_in(client, username)


# ---- the list -----------------------------------------------------------------------------------
def test_list_counts_filters_and_overdue_rows(
    client: TestClient, session: Session, world: World
) -> None:
    gate = report(session, world, title="门站灭火器过期")
    filling = report(
        session, world, by="reg_staff", site="filling", grade=HazardGrade.MAJOR, title="储罐无报警"
    )
    late = report(
        session, world, site="box", title="调压箱锈蚀", deadline=date.today() - timedelta(days=3)
    )
    late.overdue = True
    closed = report(session, world, site="gate", title="已整改的隐患", category="标识")
    ent = who(session, world, "ent_a_staff")
    service.start(session=session, principal=ent, id=closed.id)
    service.submit(session=session, principal=ent, id=closed.id, description="已整改")
    service.verify(session=session, principal=who(session, world, "inspector"), id=closed.id)
    session.flush()
    mine = {gate.id, filling.id, late.id, closed.id}

    sign_in(client, "reg_admin")
    r = client.get("/hazards")
    assert r.status_code == 200
    assert mine <= row_ids(r.text)
    counts = dict(re.findall(r'data-count="(\w+)">(\d+)<', r.text))
    assert int(counts["open"]) >= 3 and int(counts["overdue"]) >= 1 and int(counts["major"]) >= 1
    # the overdue row is highlighted, its deadline red
    row = re.search(rf'<tr data-hazard-id="{late.id}"[^>]*class="([^"]*)"', r.text)
    assert row and "overdue" in row.group(1)
    assert f'href="/sites/{world.ids["box"]}"' in r.text
    assert 'href="/hazards?page=2' not in r.text or 'rel="next"' in r.text

    def ids(query: str) -> set[int]:
        page = client.get(f"/hazards?{query}")
        assert page.status_code == 200, page.text[:400]
        return row_ids(page.text) & mine

    assert ids("grade=major") == {filling.id}
    assert ids(f"owner_id={world.ids['ent_a']}") == {gate.id, late.id, closed.id}
    assert ids("status=closed") == {closed.id}
    assert ids("overdue=true") == {late.id}
    assert ids(f"site_id={world.ids['gate']}") == {gate.id, closed.id}
    assert ids("category=标识") == {closed.id}
    assert ids("q=储罐") == {filling.id}
    assert ids(f"area_id={world.ids['district']}") == mine  # the district takes in every grid
    today = date.today().isoformat()
    assert ids(f"found_from={today}&found_to={today}") == mine
    assert ids("found_to=2000-01-01") == set()
    assert ids("source=self_inspection") == set()
    # a bad filter is said on the page, not a stack trace
    bad = client.get("/hazards?found_from=not-a-date")
    assert bad.status_code == 200 and 'class="error"' in bad.text


def test_list_is_scoped_to_the_caller(client: TestClient, session: Session, world: World) -> None:
    a = report(session, world, site="gate")
    b = report(session, world, by="reg_staff", site="filling")
    sign_in(client, "ent_a_admin")
    r = client.get("/hazards")
    assert a.id in row_ids(r.text) and b.id not in row_ids(r.text)
    assert 'name="owner_id"' not in r.text  # an enterprise does not filter by enterprise
    assert client.get(f"/hazards/{b.id}").status_code == 404  # out of scope reads as not found
    as_user(client, "ent_b_admin")
    r = client.get("/hazards")
    assert b.id in row_ids(r.text) and a.id not in row_ids(r.text)
    as_user(client, "inspector")  # the agency sees the sites assigned to it (the gate only)
    r = client.get("/hazards")
    assert a.id in row_ids(r.text) and b.id not in row_ids(r.text)


# ---- a hazard's page ----------------------------------------------------------------------------
def test_detail_shows_fields_rounds_and_timeline(
    client: TestClient, session: Session, world: World
) -> None:
    h = report(session, world, description="两具灭火器压力不足")
    ent = who(session, world, "ent_a_staff")
    service.start(session=session, principal=ent, id=h.id, note="今天更换")
    service.submit(session=session, principal=ent, id=h.id, description="已更换两具灭火器")
    service.send_back(
        session=session, principal=who(session, world, "inspector"), id=h.id, note="缺少照片"
    )
    session.flush()
    sign_in(client, "reg_staff")
    r = client.get(f"/hazards/{h.id}")
    assert r.status_code == 200
    html = r.text
    assert h.code in html and "两具灭火器压力不足" in html
    assert f'href="/sites/{world.ids["gate"]}" data-site-link' in html
    assert f'href="/organizations/{world.ids["ent_a"]}"' in html
    assert "整改中" in html  # the status, in Chinese
    assert 'data-round="1" data-verdict="returned"' in html and "缺少照片" in html
    events = re.findall(r'<li data-event="(\w+)">', html)
    assert events == ["reported", "assigned", "started", "submitted", "returned"]
    timeline = html[html.index('id="timeline"') :]
    for actor in ("inspector", "ent_a_staff"):
        assert actor in timeline
    assert "今天更换" in timeline and "聊城东昌燃气有限公司" in timeline  # the assignee by name
    assert 'class="hz-late"' not in html  # within its deadline


def test_overdue_deadline_is_red_and_sources_link(
    client: TestClient, session: Session, world: World
) -> None:
    h = report(session, world, deadline=date.today() - timedelta(days=1), item_code="G-01")
    again = report(session, world, item_code="G-01", title="灭火器再次过期")
    assert again.recurring
    sign_in(client, "reg_admin")
    html = client.get(f"/hazards/{h.id}").text
    assert re.search(r'data-deadline class="hz-late"', html)
    assert "data-overdue" in html
    html = client.get(f"/hazards/{again.id}").text
    assert f'href="/hazards/{h.id}"' in html  # the earlier finding it recurs
    assert "G-01" in html


def test_every_step_form_moves_a_general_hazard(
    client: TestClient, session: Session, world: World
) -> None:
    h = report(session, world, assign=False)
    token = as_user(client, "reg_staff")
    html = client.get(f"/hazards/{h.id}").text
    assert steps_offered(html) == ["assign", "deadline", "comment"]
    r = post_step(client, h, "assign", token, org_id=str(world.ids["ent_a"]), note="请整改")
    assert r.status_code == 303 and r.headers["location"].startswith(f"/hazards/{h.id}?done=")
    assert status_of(session, h) is HazardStatus.ASSIGNED
    new_deadline = (date.today() + timedelta(days=20)).isoformat()
    r = post_step(client, h, "deadline", token, deadline=new_deadline, note="设备到货需要时间")
    assert r.status_code == 303
    session.expire_all()
    assert session.get(Hazard, h.id).deadline.isoformat() == new_deadline  # type: ignore[union-attr]
    assert post_step(client, h, "comment", token, note="已电话提醒").status_code == 303

    token = as_user(client, "ent_a_staff")
    html = client.get(f"/hazards/{h.id}").text
    assert steps_offered(html) == ["start", "comment"]
    assert post_step(client, h, "start", token).status_code == 303
    assert status_of(session, h) is HazardStatus.RECTIFYING
    assert steps_offered(client.get(f"/hazards/{h.id}").text) == ["submit", "comment"]
    r = post_step(client, h, "submit", token, description="已更换灭火器")
    assert r.status_code == 303 and status_of(session, h) is HazardStatus.SUBMITTED

    token = as_user(client, "inspector")
    assert steps_offered(client.get(f"/hazards/{h.id}").text) == ["verify", "return", "comment"]
    assert post_step(client, h, "return", token, note="照片不清楚").status_code == 303
    assert status_of(session, h) is HazardStatus.RECTIFYING

    token = as_user(client, "ent_a_staff")
    assert post_step(client, h, "submit", token, description="补充照片").status_code == 303
    token = as_user(client, "inspector")
    assert post_step(client, h, "verify", token, note="合格").status_code == 303
    assert status_of(session, h) is HazardStatus.CLOSED
    html = client.get(f"/hazards/{h.id}").text
    assert "已销号" in html and steps_offered(html) == ["comment"]

    token = as_user(client, "reg_admin")
    assert steps_offered(client.get(f"/hazards/{h.id}").text) == ["reopen", "comment"]
    r = post_step(client, h, "reopen", token, note="复查发现仍未整改", deadline=new_deadline)
    assert r.status_code == 303 and status_of(session, h) is HazardStatus.RECTIFYING
    html = client.get(f"/hazards/{h.id}").text
    assert re.findall(r'<li data-event="(\w+)">', html) == [
        "reported",
        "assigned",
        "deadline_changed",
        "comment",
        "started",
        "submitted",
        "returned",
        "submitted",
        "verified",
        "reopened",
    ]
    assert "照片不清楚" in html and "复查发现仍未整改" in html


def test_a_major_hazard_takes_a_plan_on_the_page(
    client: TestClient, session: Session, world: World
) -> None:
    h = report(session, world, by="reg_staff", grade=HazardGrade.MAJOR, title="门站无泄漏报警")
    token = as_user(client, "ent_a_admin")
    html = client.get(f"/hazards/{h.id}").text
    assert "data-plan-missing" in html
    assert steps_offered(html) == ["plan", "start", "comment"]
    r = post_step(client, h, "start", token)  # no plan yet: refused, said on the page
    assert r.status_code == 409
    assert "data-step-error" in r.text and 'data-error-for="start"' in r.text
    assert status_of(session, h) is HazardStatus.ASSIGNED
    r = post_step(
        client,
        h,
        "plan",
        token,
        measures="加装可燃气体报警器",
        funds_yuan="12000",
        responsible_person="李明",
        plan_deadline=(date.today() + timedelta(days=25)).isoformat(),
        interim_measures="24小时人工巡查",
    )
    assert r.status_code == 303
    html = client.get(f"/hazards/{h.id}").text
    assert 'id="plan"' in html and "加装可燃气体报警器" in html and "12,000.00" in html
    assert post_step(client, h, "start", token).status_code == 303
    assert post_step(client, h, "submit", token, description="已加装").status_code == 303
    token = as_user(client, "inspector")  # a major hazard: the agency may not verify it
    assert client.get(f"/hazards/{h.id}").status_code == 200
    assert steps_offered(client.get(f"/hazards/{h.id}").text) == ["comment"]
    token = as_user(client, "reg_staff")
    assert steps_offered(client.get(f"/hazards/{h.id}").text) == [
        "verify",
        "return",
        "deadline",
        "comment",
    ]
    assert post_step(client, h, "verify", token).status_code == 303
    assert status_of(session, h) is HazardStatus.CLOSED


def test_plan_with_a_missing_field_is_refused_with_the_values_kept(
    client: TestClient, session: Session, world: World
) -> None:
    h = report(session, world, by="reg_staff", grade=HazardGrade.MAJOR)
    token = as_user(client, "ent_a_admin")
    r = post_step(
        client, h, "plan", token, measures="加装报警器", responsible_person="", plan_deadline=""
    )
    assert r.status_code == 422
    assert 'data-error-for="plan"' in r.text and "加装报警器" in r.text  # kept for another go


def test_a_forbidden_step_is_not_offered_and_is_refused(
    client: TestClient, session: Session, world: World
) -> None:
    h = report(session, world)
    ent = who(session, world, "ent_a_staff")
    service.start(session=session, principal=ent, id=h.id)
    service.submit(session=session, principal=ent, id=h.id, description="已整改")
    session.flush()
    token = as_user(client, "ent_a_staff")
    html = client.get(f"/hazards/{h.id}").text
    assert "verify" not in steps_offered(html) and "return" not in steps_offered(html)
    r = post_step(client, h, "verify", token, note="自己验收")
    assert r.status_code == 403
    assert "data-step-error" in r.text and "Traceback" not in r.text
    assert status_of(session, h) is HazardStatus.SUBMITTED

    token = as_user(client, "viewer")
    html = client.get(f"/hazards/{h.id}").text
    assert steps_offered(html) == [] and 'id="steps"' not in html
    assert post_step(client, h, "comment", token, note="看看").status_code == 403

    token = as_user(client, "ent_b_admin")  # another enterprise: not even there
    assert post_step(client, h, "comment", token, note="x").status_code == 404

    token = as_user(client, "inspector")
    r = post_step(client, h, "return", token, note="")  # a reason is required
    assert r.status_code == 422 and 'data-error-for="return"' in r.text
    assert post_step(client, h, "start", token).status_code == 403  # not the inspector's step
    assert post_step(client, h, "nonsense", token).status_code == 422
    r = client.post(f"/hazards/{h.id}/verify", data={"note": "x"}, follow_redirects=False)
    assert r.status_code == 403  # no CSRF token
    assert status_of(session, h) is HazardStatus.SUBMITTED


# ---- reporting ----------------------------------------------------------------------------------
def test_report_a_hazard_on_the_page(client: TestClient, session: Session, world: World) -> None:
    token = as_user(client, "inspector")
    html = client.get("/hazards/new").text
    sites = re.findall(
        r'<option value="(\d+)"', html[html.index('name="site_id"') :].split("</select>")[0]
    )
    assert sites == [str(world.ids["gate"])]  # the agency's sites only
    form = {
        "csrf_token": token,
        "source": "inspection",
        "grade": "general",
        "category": "管道",
        "title": "",
        "site_id": str(world.ids["gate"]),
        "assign": "true",
    }
    r = client.post("/hazards/new", data=form, follow_redirects=False)
    assert r.status_code == 422 and 'data-field="title"' in r.text
    assert 'value="管道"' in r.text  # what was typed stays
    r = client.post("/hazards/new", data={**form, "title": "管道标识缺失"}, follow_redirects=False)
    assert r.status_code == 303
    hazard_id = int(r.headers["location"].split("/")[2].split("?")[0])
    hazard = session.get(Hazard, hazard_id)
    assert hazard is not None and hazard.status is HazardStatus.ASSIGNED
    assert hazard.owner_id == world.ids["ent_a"] and hazard.title == "管道标识缺失"

    token = as_user(client, "ent_b_admin")  # an enterprise reports its own self-inspection
    html = client.get("/hazards/new").text
    assert 'name="owner_id"' not in html
    r = client.post(
        "/hazards/new",
        data={
            "csrf_token": token,
            "source": "self_inspection",
            "grade": "general",
            "category": "气瓶",
            "title": "过期气瓶未隔离",
            "site_id": str(world.ids["filling"]),
            "assign": "true",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    r = client.post(
        "/hazards/new",
        data={
            "csrf_token": token,
            "source": "self_inspection",
            "grade": "general",
            "category": "气瓶",
            "title": "别家的隐患",
            "site_id": str(world.ids["gate"]),
        },
        follow_redirects=False,
    )
    assert r.status_code == 404  # not its site

    token = as_user(client, "grid_sup")  # a public report of an unlicensed operator
    r = client.post(
        "/hazards/new",
        data={
            "csrf_token": token,
            "source": "public_report",
            "grade": "major",
            "category": "非法经营",
            "title": "居民楼内私设液化气供应点",
            "area_id": str(world.ids["g11"]),
            "address": "古楼街道某小区3号楼",
            "assign": "false",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[:500]
    page = client.get(r.headers["location"]).text
    assert "居民楼内私设液化气供应点" in page and "古楼街道某小区3号楼" in page

    as_user(client, "viewer")
    assert "data-new-hazard" not in client.get("/hazards").text
    assert client.get("/hazards/new").status_code == 403


# ---- the map ------------------------------------------------------------------------------------
def map_urls(html: str) -> set[str]:
    match = re.search(
        r'<script type="application/json" id="hazard-map-data">(.*?)</script>', html, re.S
    )
    assert match, "no map data"
    data = json.loads(match.group(1))
    return {u for layer in data["layers"] for u in layer["url"]}


def test_map_of_open_hazards_by_grade(client: TestClient, session: Session, world: World) -> None:
    general = report(session, world, site="gate")
    major = report(session, world, by="reg_staff", site="filling", grade=HazardGrade.MAJOR)
    closed = report(session, world, site="box")
    ent = who(session, world, "ent_a_staff")
    service.start(session=session, principal=ent, id=closed.id)
    service.submit(session=session, principal=ent, id=closed.id, description="done")
    service.verify(session=session, principal=who(session, world, "reg_staff"), id=closed.id)
    session.flush()
    sign_in(client, "reg_admin")
    r = client.get("/hazards/map")
    assert r.status_code == 200 and "/static/vendor/plotly.min.js" in r.text
    urls = map_urls(r.text)
    assert {f"/hazards/{general.id}", f"/hazards/{major.id}"} <= urls
    assert f"/hazards/{closed.id}" not in urls
    urls = map_urls(client.get("/hazards/map?grade=major").text)
    assert f"/hazards/{major.id}" in urls and f"/hazards/{general.id}" not in urls
    as_user(client, "ent_a_admin")
    urls = map_urls(client.get("/hazards/map").text)
    assert f"/hazards/{general.id}" in urls and f"/hazards/{major.id}" not in urls


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_pages_speak_both_languages(
    client: TestClient, session: Session, world: World, lang: str
) -> None:
    h = report(session, world)
    sign_in(client, "reg_admin")
    client.cookies.set("lang", lang)
    for path in ("/hazards", f"/hazards/{h.id}", "/hazards/new", "/hazards/map"):
        r = client.get(path)
        assert r.status_code == 200, path
        assert "hz:" not in r.text, path  # no message id leaks onto the page
    nav = client.get("/hazards").text
    assert ('href="/hazards" class="here"' in nav) and (
        ("隐患" if lang == "zh" else "Hazards") in nav
    )


# ---- photos -------------------------------------------------------------------------------------
def png_bytes(colour: str = "red") -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(out, format="PNG")
    return out.getvalue()


def test_rectification_photos_are_uploaded_and_shown(
    client: TestClient, session: Session, world: World
) -> None:
    h = report(session, world)
    service.start(session=session, principal=who(session, world, "ent_a_staff"), id=h.id)
    session.flush()
    token = as_user(client, "ent_a_staff")
    r = client.post(
        f"/hazards/{h.id}/submit",
        data={"csrf_token": token, "description": "已更换"},
        files=[("photos", ("x.png", b"<script>alert(1)</script>", "image/png"))],
        follow_redirects=False,
    )
    assert r.status_code == 415 and 'data-error-for="submit"' in r.text  # not a photo
    assert status_of(session, h) is HazardStatus.RECTIFYING
    r = client.post(
        f"/hazards/{h.id}/submit",
        data={"csrf_token": token, "description": "已更换"},
        files=[
            ("photos", ("before.png", png_bytes("red"), "image/png")),
            ("photos", ("after.png", png_bytes("green"), "image/png")),
        ],
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[:500]
    assert status_of(session, h) is HazardStatus.SUBMITTED
    as_user(client, "reg_staff")
    html = client.get(f"/hazards/{h.id}").text
    round_html = html[html.index('data-round="1"') :]
    ids = re.findall(r'<img src="/api/v1/attachments/(\d+)"', round_html)
    assert len(ids) == 2
    assert client.get(f"/api/v1/attachments/{ids[0]}").content == png_bytes("red")


def test_a_report_takes_finding_photos(client: TestClient, world: World) -> None:
    token = as_user(client, "reg_staff")
    r = client.post(
        "/hazards/new",
        data={
            "csrf_token": token,
            "source": "inspection",
            "grade": "general",
            "category": "管道",
            "title": "管道腐蚀",
            "site_id": str(world.ids["box"]),
            "assign": "true",
        },
        files=[("photos", ("finding.png", png_bytes(), "image/png"))],
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[:500]
    html = client.get(r.headers["location"]).text
    finding = html[html.index('data-photos="finding"') :]
    assert re.search(r'<img src="/api/v1/attachments/\d+" alt="finding.png"', finding)
