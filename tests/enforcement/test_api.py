"""/api/v1/enforcement-cases: the path through HTTP, roles, masking, filters, the map, counts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from gaswarden.domains.enforcement import service
from gaswarden.domains.enforcement.enums import CaseSource, ClosureKind, PartyKind
from tests.enforcement.helpers import ID_NUMBER, PHONE, RULE, decide_closure, open_unlicensed
from tests.factories import World
from tests.hazard.helpers import who

API = "/api/v1/enforcement-cases"
UNLICENSED: dict[str, Any] = {
    "source": "report",
    "party_kind": "unlicensed",
    "party_name": "李某",
    "party_contact": PHONE,
    "party_id_number": ID_NUMBER,
    "address": "古楼街道某村",
    "lon": 115.915,
    "lat": 36.415,
    "facts": "群众举报：私设液化气供应点",
}


def ids(response: Any) -> set[int]:
    assert response.status_code == 200, response.text
    return {c["id"] for c in response.json()["items"]}


def test_the_case_path_through_the_api(client: TestClient, world: World) -> None:
    reg = world.headers("reg_staff")
    r = client.post(API, json=UNLICENSED, headers=reg)
    assert r.status_code == 201, r.text
    case = r.json()
    cid = case["id"]
    assert case["code"].startswith("ZF-") and case["area_id"] == world.ids["g11"]
    assert case["party_contact"] == "139****4321"
    assert case["party_id_number"] == "3715**********1234"
    assert PHONE not in r.text and ID_NUMBER not in r.text
    assert [e["kind"] for e in case["timeline"]] == ["opened"]

    r = client.post(f"{API}/{cid}/close", json={}, headers=reg)  # wrong order
    assert r.status_code == 409 and r.headers["content-type"].startswith("application/problem")
    assert client.post(f"{API}/{cid}/investigate", json={"note": "调查"}, headers=reg).is_success
    r = client.post(
        f"{API}/{cid}/evidence", json={"rule_violated": RULE, "note": "现场笔录"}, headers=reg
    )
    assert r.json()["rule_violated"] == RULE
    r = client.post(
        f"{API}/{cid}/decide",
        json={"decision": "closure", "decision_no": "聊东建罚〔2024〕8号"},
        headers=reg,
    )
    assert r.status_code == 422  # a closure names its kind
    r = client.post(
        f"{API}/{cid}/decide",
        json={
            "decision": "closure",
            "decision_no": "聊东建罚〔2024〕8号",
            "closure_kind": "supply_station",
        },
        headers=reg,
    )
    assert r.status_code == 200, r.text
    r = client.post(f"{API}/{cid}/execute", json={"execution_note": "已取缔"}, headers=reg)
    assert r.status_code == 200 and r.json()["watched"] is True
    r = client.post(f"{API}/{cid}/close", json={"note": "结案"}, headers=reg)
    assert r.status_code == 200 and r.json()["status"] == "closed"
    detail = client.get(f"{API}/{cid}", headers=world.headers("grid_sup")).json()
    assert [e["kind"] for e in detail["timeline"]] == [
        "opened",
        "investigating",
        "evidence",
        "decided",
        "executed",
        "closed",
    ]
    assert detail["party_id_number"] == "3715**********1234"

    # the audit log, read through its own API, has the personal data masked
    r = client.get(
        "/api/v1/audit-log",
        params={"entity_type": "enforcement_case", "entity_id": cid},
        headers=world.headers("reg_admin"),
    )
    assert r.status_code == 200 and r.json()["total"] == 6
    assert PHONE not in r.text and ID_NUMBER not in r.text and "3715**" in r.text

    # activity after the closure, and its review
    r = client.post(f"{API}/{cid}/activities", json={"detail": "举报：又在送气"}, headers=reg)
    assert r.status_code == 201, r.text
    aid = r.json()["id"]
    flagged = client.get(API, params={"activity_flagged": True}, headers=reg)
    assert cid in ids(flagged)
    r = client.post(f"{API}/activities/{aid}/review", json={"note": "核实"}, headers=reg)
    assert r.status_code == 200 and r.json()["reviewed"] is True
    assert cid not in ids(client.get(API, params={"activity_flagged": True}, headers=reg))
    r = client.get(f"{API}/{cid}", headers=reg).json()
    assert r["activities"][0]["review_note"] == "核实"


def test_enterprises_read_their_own_cases_and_write_none(
    client: TestClient, session: Session, world: World
) -> None:
    reg = who(session, world, "reg_staff")
    against_a = service.open_case(
        session=session,
        principal=reg,
        source=CaseSource.INSPECTION,
        party_kind=PartyKind.LICENSED,
        site_id=world.ids["gate"],
        facts="安全管理人员未持证上岗",
    )
    other = open_unlicensed(session, reg)
    session.flush()
    ent_a = world.headers("ent_a_admin")
    r = client.post(API, json=UNLICENSED, headers=ent_a)
    assert r.status_code == 403
    r = client.post(f"{API}/{against_a.id}/investigate", json={}, headers=ent_a)
    assert r.status_code == 403
    assert ids(client.get(API, headers=ent_a)) == {against_a.id}
    assert client.get(f"{API}/{against_a.id}", headers=ent_a).status_code == 200
    assert client.get(f"{API}/{other.id}", headers=ent_a).status_code == 404
    assert (
        client.get(f"{API}/{against_a.id}", headers=world.headers("ent_b_admin")).status_code == 404
    )
    assert ids(client.get(API, headers=world.headers("inspector"))) == set()
    assert client.post(API, json=UNLICENSED, headers=world.headers("inspector")).status_code == 403
    r = client.get(f"{API}/closures.geojson", headers=ent_a)
    assert r.status_code == 200 and r.json()["features"] == []


def test_filters(client: TestClient, session: Session, world: World) -> None:
    reg = who(session, world, "reg_admin")
    in_g11 = open_unlicensed(session, reg)
    in_g21 = open_unlicensed(session, reg, lon=116.02, lat=36.42)
    licensed = service.open_case(
        session=session,
        principal=reg,
        source=CaseSource.OTHER,
        party_kind=PartyKind.LICENSED,
        site_id=world.ids["supply"],
        facts="超范围经营",
    )
    decide_closure(session, reg, in_g21, ClosureKind.LNG_FACILITY)
    session.flush()
    h = world.headers("reg_staff")
    mine = {in_g11.id, in_g21.id, licensed.id}

    def found(**params: Any) -> set[int]:
        return ids(client.get(API, params={"size": 500, **params}, headers=h)) & mine

    assert found() == mine
    assert found(status="opened") == {in_g11.id, licensed.id}
    assert found(status=["opened", "executed"]) == mine
    assert found(decision="closure") == found(closure_kind="lng_facility") == {in_g21.id}
    assert found(party_kind="licensed") == {licensed.id}
    assert found(area_id=world.ids["t1"]) == {in_g11.id, licensed.id}  # the town and its grids
    assert found(area_id=world.ids["t2"]) == {in_g21.id}
    assert found(watched=True) == {in_g21.id}
    assert found(watched=False) == {in_g11.id, licensed.id}
    assert found(owner_id=world.ids["ent_b"]) == {licensed.id}
    assert found(q="鲁通") == {licensed.id}
    day = in_g11.opened_at.date()
    assert found(opened_from=day.isoformat(), opened_to=day.isoformat()) == mine
    assert found(opened_from=(day + timedelta(days=2)).isoformat()) == set()
    assert client.get(API, params={"status": "bogus"}, headers=h).status_code == 422


def test_closures_on_the_map_and_counted(
    client: TestClient, session: Session, world: World
) -> None:
    reg = who(session, world, "reg_staff")
    before = client.get(f"{API}/summary", headers=world.headers("reg_admin")).json()
    kinds = [
        ClosureKind.FILLING_STATION,
        ClosureKind.FILLING_STATION,
        ClosureKind.SUPPLY_STATION,
        ClosureKind.LNG_FACILITY,
    ]
    cases = [decide_closure(session, reg, open_unlicensed(session, reg), k) for k in kinds]
    open_unlicensed(session, reg)  # not decided: not on the map
    session.flush()
    r = client.get(f"{API}/closures.geojson", headers=world.headers("grid_sup"))
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/geo+json")
    doc = r.json()
    assert doc["type"] == "FeatureCollection"
    features = {f["properties"]["case_id"]: f for f in doc["features"]}
    assert set(features) >= {c.id for c in cases}
    first = features[cases[0].id]
    assert first["geometry"] == {"type": "Point", "coordinates": [115.915, 36.415]}
    props = first["properties"]
    assert props["code"] == cases[0].code and props["closure_kind"] == "filling_station"
    assert props["closure_kind_zh"] == "非法液化气充装站" and props["activity_flagged"] is False
    assert props["closed_on"] == service.local_date(cases[0].executed_at).isoformat()  # type: ignore[arg-type]
    only_lng = client.get(
        f"{API}/closures.geojson",
        params={"closure_kind": "lng_facility"},
        headers=world.headers("reg_staff"),
    ).json()
    assert {f["properties"]["case_id"] for f in only_lng["features"]} & {c.id for c in cases} == {
        cases[3].id
    }

    after = client.get(f"{API}/summary", headers=world.headers("reg_admin")).json()
    counts = {c["kind"]: c["count"] for c in after["closures"]}
    was = {c["kind"]: c["count"] for c in before["closures"]}
    assert counts["filling_station"] - was["filling_station"] == 2
    assert counts["supply_station"] - was["supply_station"] == 1
    assert counts["lng_facility"] - was["lng_facility"] == 1
    assert after["closures_total"] - before["closures_total"] == 4
    assert after["watched"] - before["watched"] == 4
    assert after["by_status"]["opened"] - before["by_status"]["opened"] == 1
    assert after["by_decision"]["closure"] - before["by_decision"]["closure"] == 4
    inspector = client.get(f"{API}/summary", headers=world.headers("inspector")).json()
    assert inspector["cases"] == 0 and inspector["closures_total"] == 0
