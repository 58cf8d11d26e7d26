"""The enforcement pages through the TestClient: the list (closures by kind, filters, scope),
a case's page (every field, personal data masked, evidence, timeline), opening a case from the
form (unlicensed party; from a hazard, prefilled), every step through its form, activity after
a closure and its review, and refusals for enterprise users and agencies."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from gaswarden.domains.enforcement import closures, service
from gaswarden.domains.enforcement.enums import CaseSource, CaseStatus, ClosureKind, PartyKind
from gaswarden.domains.enforcement.models import EnforcementCase
from gaswarden.domains.hazard import service as hazards
from gaswarden.domains.hazard.enums import HazardSource
from gaswarden.standards.hazards import HazardGrade
from tests.enforcement.helpers import PHONE, RULE, decide_closure, open_unlicensed
from tests.factories import ID_NUMBER, World
from tests.hazard.helpers import who
from tests.test_web_pages import sign_in


def as_user(client: TestClient, username: str) -> str:
    client.cookies.clear()
    return sign_in(client, username)


def row_ids(html: str) -> set[int]:
    return {int(i) for i in re.findall(r'<tr data-case-id="(\d+)"', html)}


def steps_offered(html: str) -> list[str]:
    return re.findall(
        r'<form method="post" action="/enforcement/\d+/\w+"[^>]*data-step="(\w+)"', html
    )


def status_of(session: Session, case_id: int) -> CaseStatus:
    session.expire_all()
    case = session.get(EnforcementCase, case_id)
    assert case is not None
    return case.status


def post(client: TestClient, url: str, token: str, **data: Any) -> Any:
    return client.post(url, data={"csrf_token": token, **data}, follow_redirects=False)


def licensed_case(session: Session, world: World, site: str = "filling") -> EnforcementCase:
    return service.open_case(
        session=session,
        principal=who(session, world, "reg_staff"),
        party_kind=PartyKind.LICENSED,
        source=CaseSource.INSPECTION,
        site_id=world.ids[site],
        facts="储罐区未设置可燃气体报警装置",
        rule_violated=RULE,
    )


# ---- the list -----------------------------------------------------------------------------------
def test_list_counts_closures_by_kind_and_filters(
    client: TestClient, session: Session, world: World
) -> None:
    reg = who(session, world, "reg_staff")
    kinds = [ClosureKind.FILLING_STATION] * 2 + [
        ClosureKind.SUPPLY_STATION,
        ClosureKind.LNG_FACILITY,
    ]
    closed = []
    for n, kind in enumerate(kinds):
        case = open_unlicensed(session, reg, party_name=f"非法经营点{n}", lon=115.915 + n * 0.001)
        closed.append(decide_closure(session, reg, case, kind))
    pending = open_unlicensed(session, reg, party_name="待调查经营点")
    ent_b = licensed_case(session, world)
    session.flush()
    mine = {c.id for c in closed} | {pending.id, ent_b.id}

    sign_in(client, "reg_admin")
    r = client.get("/enforcement")
    assert r.status_code == 200
    assert mine <= row_ids(r.text)
    counts = dict(re.findall(r'data-closures="(\w+)">(\d+)<', r.text))
    summary = closures.summary(session=session, principal=reg)
    expected = {k["kind"]: str(k["count"]) for k in summary["closures"]}
    assert {k: v for k, v in counts.items() if k != "total"} == expected
    assert int(counts["filling_station"]) >= 2 and int(counts["lng_facility"]) >= 1
    assert counts["total"] == str(summary["closures_total"])
    assert "非法液化气充装站" in r.text  # the kinds in Chinese

    def ids(query: str) -> set[int]:
        page = client.get(f"/enforcement?{query}")
        assert page.status_code == 200, page.text[:400]
        return row_ids(page.text) & mine

    assert ids("status=opened") == {pending.id, ent_b.id}
    assert ids("decision=closure") == {c.id for c in closed}
    assert ids("closure_kind=filling_station") == {closed[0].id, closed[1].id}
    assert ids("party_kind=licensed") == {ent_b.id}
    assert ids("watched=true") == {c.id for c in closed}
    assert ids("activity_flagged=true") == set()
    assert ids(f"area_id={world.ids['district']}") == mine
    assert ids("opened_to=2000-01-01") == set()
    assert ids("q=待调查") == {pending.id}
    bad = client.get("/enforcement?opened_from=not-a-date")
    assert bad.status_code == 200 and 'class="error"' in bad.text


def test_list_and_detail_are_scoped(client: TestClient, session: Session, world: World) -> None:
    reg = who(session, world, "reg_staff")
    unlicensed = open_unlicensed(session, reg)
    ent_b = licensed_case(session, world)
    session.flush()
    sign_in(client, "ent_b_admin")  # an enterprise sees the cases against itself, read only
    r = client.get("/enforcement")
    assert r.status_code == 200
    assert ent_b.id in row_ids(r.text) and unlicensed.id not in row_ids(r.text)
    assert "data-new-case" not in r.text
    assert client.get(f"/enforcement/{unlicensed.id}").status_code == 404
    html = client.get(f"/enforcement/{ent_b.id}").text
    assert steps_offered(html) == []
    as_user(client, "ent_a_admin")
    assert ent_b.id not in row_ids(client.get("/enforcement").text)
    assert client.get(f"/enforcement/{ent_b.id}").status_code == 404
    as_user(client, "inspector")  # an agency sees no cases
    assert row_ids(client.get("/enforcement").text) & {unlicensed.id, ent_b.id} == set()


# ---- a case's page ------------------------------------------------------------------------------
def test_detail_masks_personal_data(client: TestClient, session: Session, world: World) -> None:
    case = open_unlicensed(session, who(session, world, "reg_staff"))
    session.flush()
    sign_in(client, "reg_admin")
    r = client.get(f"/enforcement/{case.id}")
    assert r.status_code == 200
    html = r.text
    assert case.code in html and "张某某" in html and "古楼街道某村东头" in html
    assert "群众举报：无证经营液化气充装" in html and RULE in html
    assert PHONE not in html and ID_NUMBER not in html
    assert "139****4321" in html and "3715**********1234" in html
    assert "无证经营者" in html and "立案" in html
    assert re.findall(r'<li data-event="(\w+)">', html) == ["opened"]


def test_every_step_through_the_forms(client: TestClient, session: Session, world: World) -> None:
    token = sign_in(client, "reg_staff")
    r = client.get("/enforcement/new")
    assert r.status_code == 200 and 'name="party_id_number"' in r.text
    r = post(
        client,
        "/enforcement/new",
        token,
        source="report",
        party_kind="unlicensed",
        party_name="王某",
        party_contact=PHONE,
        party_id_number=ID_NUMBER,
        address="古楼街道某村西头",
        lon="115.916",
        lat="36.416",
        facts="群众举报：私设液化气供应点",
        rule_violated=RULE,
    )
    assert r.status_code == 303, r.text[:800]
    case_id = int(re.search(r"/enforcement/(\d+)\?done=open", r.headers["location"]).group(1))  # type: ignore[union-attr]
    url = f"/enforcement/{case_id}"
    case = session.get(EnforcementCase, case_id)
    assert case is not None and case.party_contact == PHONE  # stored whole, shown masked
    assert case.area_id == world.ids["g11"]  # the grid containing the point

    html = client.get(url).text
    assert steps_offered(html) == ["investigate", "evidence", "comment"]
    assert post(client, f"{url}/investigate", token, note="现场勘查").status_code == 303
    assert status_of(session, case_id) is CaseStatus.INVESTIGATING
    assert steps_offered(client.get(url).text) == ["evidence", "decide", "comment"]
    r = post(client, f"{url}/evidence", token, facts="现场查获钢瓶12只", note="询问笔录一份")
    assert r.status_code == 303
    # a closure without its kind is refused, said next to the form, the values kept
    r = post(client, f"{url}/decide", token, decision="closure", decision_no="聊东建罚〔2026〕8号")
    assert r.status_code == 422 and 'data-error-for="decide"' in r.text
    assert "聊东建罚〔2026〕8号" in r.text
    assert status_of(session, case_id) is CaseStatus.INVESTIGATING
    r = post(
        client,
        f"{url}/decide",
        token,
        decision="closure",
        decision_no="聊东建罚〔2026〕8号",
        closure_kind="supply_station",
        fine_yuan="",
        rectify_by="2030-01-01",  # not an order to rectify: ignored
    )
    assert r.status_code == 303, r.text[:600]
    assert status_of(session, case_id) is CaseStatus.DECIDED
    assert steps_offered(client.get(url).text) == ["execute", "comment"]
    assert post(client, f"{url}/execute", token, execution_note="").status_code == 422
    r = post(client, f"{url}/execute", token, execution_note="拆除供应点，收缴钢瓶")
    assert r.status_code == 303 and status_of(session, case_id) is CaseStatus.EXECUTED
    html = client.get(url).text
    assert "data-watched" in html and steps_offered(html) == ["close", "activity", "comment"]
    # someone sees cylinders delivered from the closed place: flagged, then reviewed
    r = post(client, f"{url}/activity", token, source="cylinder", detail="发现该点仍在配送钢瓶")
    assert r.status_code == 303
    html = client.get(url).text
    assert "data-flagged" in html and 'data-reviewed="0"' in html
    activity = int(re.search(r'data-review="(\d+)"', html).group(1))  # type: ignore[union-attr]
    assert (
        post(client, f"{url}/review", token, activity_id=str(activity), note="").status_code == 422
    )
    r = post(client, f"{url}/review", token, activity_id=str(activity), note="已再次查处")
    assert r.status_code == 303
    html = client.get(url).text
    assert 'data-reviewed="1"' in html and "data-flagged" not in html
    assert post(client, f"{url}/close", token, note="结案").status_code == 303
    assert post(client, f"{url}/comment", token, note="归档").status_code == 303
    html = client.get(url).text
    assert status_of(session, case_id) is CaseStatus.CLOSED
    assert re.findall(r'<li data-event="(\w+)">', html) == [
        "opened",
        "investigating",
        "evidence",
        "decided",
        "executed",
        "activity",
        "comment",
        "closed",
        "comment",
    ]
    assert "现场查获钢瓶12只" in html and "非法液化气供应站" in html
    assert post(client, f"{url}/investigate", token).status_code == 409  # out of order


def test_new_case_from_a_hazard_is_prefilled(
    client: TestClient, session: Session, world: World
) -> None:
    hazard = hazards.report(
        session=session,
        principal=who(session, world, "reg_staff"),
        source=HazardSource.INSPECTION,
        grade=HazardGrade.MAJOR,
        category="安全管理",
        title="未取得许可擅自扩建储罐",
        site_id=world.ids["filling"],
    )
    session.flush()
    token = sign_in(client, "reg_admin")
    html = client.get(f"/enforcement/new?hazard_id={hazard.id}").text
    assert 'data-origin="hazard"' in html and hazard.code in html
    assert re.search(r'<option value="licensed" selected>', html)
    assert re.search(rf'<option value="{world.ids["ent_b"]}" selected>', html)
    assert "未取得许可擅自扩建储罐</textarea>" in html
    r = post(
        client,
        "/enforcement/new",
        token,
        hazard_id=str(hazard.id),
        source="hazard",
        party_kind="licensed",
        owner_id=str(world.ids["ent_b"]),
        facts="未取得许可擅自扩建储罐",
    )
    assert r.status_code == 303
    case_id = int(r.headers["location"].split("/")[2].split("?")[0])
    case = session.get(EnforcementCase, case_id)
    assert case is not None and case.hazard_id == hazard.id and case.site_id == world.ids["filling"]
    # an unlicensed party without a name: refused, the field marked
    r = post(
        client,
        "/enforcement/new",
        token,
        source="report",
        party_kind="unlicensed",
        facts="x",
        area_id=str(world.ids["g11"]),
    )
    assert r.status_code == 422 and 'data-field="party_name"' in r.text


def test_enterprise_users_are_refused(client: TestClient, session: Session, world: World) -> None:
    case = licensed_case(session, world)
    session.flush()
    token = sign_in(client, "ent_b_admin")
    assert client.get("/enforcement/new").status_code == 403
    r = post(
        client,
        "/enforcement/new",
        token,
        source="report",
        party_kind="unlicensed",
        party_name="x",
        facts="x",
        area_id=str(world.ids["g11"]),
    )
    assert r.status_code == 403
    for step, data in (
        ("investigate", {}),
        ("comment", {"note": "申辩"}),
        ("evidence", {"note": "材料"}),
    ):
        r = post(client, f"/enforcement/{case.id}/{step}", token, **data)
        assert r.status_code == 403, step
    assert status_of(session, case.id) is CaseStatus.OPENED
    as_user(client, "grid_sup")  # a grid supervisor reads, opens no case
    assert client.get("/enforcement").status_code == 200
    assert client.get("/enforcement/new").status_code == 403


def test_hazard_page_links_to_a_new_case_for_regulators(
    client: TestClient, session: Session, world: World
) -> None:
    hazard = hazards.report(
        session=session,
        principal=who(session, world, "reg_staff"),
        source=HazardSource.INSPECTION,
        grade=HazardGrade.GENERAL,
        category="安全管理",
        title="无证经营",
        site_id=world.ids["gate"],
    )
    session.flush()
    sign_in(client, "reg_staff")
    html = client.get(f"/hazards/{hazard.id}").text
    assert f'href="/enforcement/new?hazard_id={hazard.id}" data-open-case' in html
    as_user(client, "ent_a_admin")
    assert "data-open-case" not in client.get(f"/hazards/{hazard.id}").text


def test_closures_layer_on_the_hazard_map(
    client: TestClient, session: Session, world: World
) -> None:
    reg = who(session, world, "reg_staff")
    case = decide_closure(session, reg, open_unlicensed(session, reg), ClosureKind.LNG_FACILITY)
    session.flush()
    sign_in(client, "reg_admin")
    html = client.get("/hazards/map").text
    assert 'data-closures-url="/api/v1/enforcement-cases/closures.geojson"' in html
    assert "data-closures-legend" in html and "取缔点位" in html
    geo = client.get("/api/v1/enforcement-cases/closures.geojson").json()
    mine = [f for f in geo["features"] if f["properties"]["case_id"] == case.id]
    assert mine and mine[0]["properties"]["closure_kind"] == "lng_facility"
    assert mine[0]["geometry"]["coordinates"] == [115.915, 36.415]
