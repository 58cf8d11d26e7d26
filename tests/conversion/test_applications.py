"""Counter entry through the API: the clerk and channel recorded, phone and ID number checked,
stored encrypted and shown masked, the household's LPG record linked; one open application per
ID number; and who sees which applications."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from gaswarden.domains.audit.models import AuditEntry
from tests.conversion.helpers import API, ID_1, ID_2, ID_3, PHONE, apply, body
from tests.customer.helpers import register, wrong_check
from tests.factories import World


def masked_id(number: str) -> str:
    return number[:4] + "*" * 10 + number[-4:]


def test_counter_entry_records_clerk_and_masks_personal_data(
    client: TestClient, world: World, session: Session
) -> None:
    got = apply(client, world, entered_by_name="营业厅 王丽")
    assert got["code"].startswith("PG-") and got["code"].endswith(f"{got['id']:06d}")
    assert (got["channel"], got["entered_by_name"], got["status"]) == (
        "counter",
        "营业厅 王丽",
        "applied",
    )
    assert got["owner_id"] == world.ids["ent_a"]  # the clerk's company
    assert got["applicant_phone"] == "139****7777"
    assert got["applicant_id_number"] == masked_id(ID_1)
    raw = session.execute(
        text(
            "SELECT applicant_phone, applicant_id_number FROM conversion_application WHERE id = :i"
        ),
        {"i": got["id"]},
    ).one()
    assert PHONE not in raw[0] and ID_1 not in raw[1]  # encrypted at rest
    entry = session.scalars(
        select(AuditEntry).where(
            AuditEntry.entity_type == "conversion_application", AuditEntry.entity_id == got["id"]
        )
    ).one()
    assert entry.changes["applicant_id_number"] == [None, masked_id(ID_1)]
    assert ID_1 not in str(entry.changes) and PHONE not in str(entry.changes)
    listed = client.get(API, headers=world.headers("reg_admin")).json()
    assert listed["items"][0]["applicant_phone"] == "139****7777"
    # a visit entered by a field worker of the company
    visit = apply(client, world, "ent_a_admin", channel="visit", applicant_id_number=ID_2)
    assert visit["channel"] == "visit" and visit["entered_by_name"] == "ent_a_admin"


def test_input_is_checked(client: TestClient, world: World) -> None:
    headers = world.headers("ent_a_staff")
    r = client.post(API, json=body(world, applicant_id_number=wrong_check(ID_1)), headers=headers)
    assert r.status_code == 422
    assert "GB 11643" in r.text
    r = client.post(API, json=body(world, applicant_phone="call me"), headers=headers)
    assert r.status_code == 422
    r = client.post(API, json=body(world, applicant_id_number=None), headers=headers)
    assert r.status_code == 422
    assert r.json()["errors"][0]["loc"] == ["body", "applicant_id_number"]
    r = client.post(API, json=body(world, area_id=world.ids["t1"]), headers=headers)
    assert r.status_code == 422  # a town is no grid
    r = client.post(API, json=body(world, area_id=None, lon=115.96, lat=36.41), headers=headers)
    assert r.status_code == 201 and r.json()["area_id"] == world.ids["g12"]  # from the point


def test_one_open_application_per_id_number(client: TestClient, world: World) -> None:
    first = apply(client, world)
    r = client.post(API, json=body(world), headers=world.headers("ent_a_staff"))
    assert r.status_code == 409
    assert first["code"] in r.json()["detail"]


def test_the_households_lpg_record_is_linked(client: TestClient, world: World) -> None:
    customer = register(client, world, id_number=ID_1, code="CU-LINK-1")
    got = apply(client, world)  # same ID number: found by its digest
    assert (got["customer_id"], got["customer_code"]) == (customer["id"], "CU-LINK-1")
    assert got["timeline"][0]["data"]["customer"] == "CU-LINK-1"
    # the clerk names the card number of a record with another ID number: refused
    register(client, world, id_number=ID_3, code="CU-LINK-3")
    r = client.post(
        API,
        json=body(world, applicant_id_number=ID_2, customer_code="CU-LINK-3"),
        headers=world.headers("ent_a_staff"),
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["loc"] == ["body", "customer_code"]
    # ... but its own card number links it
    got = apply(client, world, applicant_id_number=ID_3, customer_code="CU-LINK-3")
    assert got["customer_code"] == "CU-LINK-3"


def test_only_the_pipeline_companys_staff_enter_applications(
    client: TestClient, world: World
) -> None:
    for who in ("reg_admin", "grid_sup", "viewer", "inspector"):
        r = client.post(
            API, json=body(world, owner_id=world.ids["ent_a"]), headers=world.headers(who)
        )
        assert r.status_code in (403, 422), who
        assert r.status_code == 403 or "owner_id" not in r.text, who
    # an LPG enterprise is no pipeline company
    r = client.post(API, json=body(world), headers=world.headers("ent_b_admin"))
    assert r.status_code == 422
    assert r.json()["errors"][0]["loc"] == ["body", "owner_id"]
    # nor may a company enter for another
    r = client.post(
        API, json=body(world, owner_id=world.ids["ent_b"]), headers=world.headers("ent_a_staff")
    )
    assert r.status_code == 422


def test_scope(client: TestClient, world: World) -> None:
    in_g11 = apply(client, world)
    in_g21 = apply(client, world, applicant_id_number=ID_2, area_id=world.ids["g21"])

    def codes(who: str) -> set[str]:
        r = client.get(API, headers=world.headers(who))
        assert r.status_code == 200
        return {a["code"] for a in r.json()["items"]}

    both = {in_g11["code"], in_g21["code"]}
    assert codes("ent_a_staff") == both
    assert codes("reg_admin") == both
    assert codes("grid_sup") == {in_g11["code"]}  # its grid only
    assert codes("ent_b_admin") == set()  # enterprise B cannot see A's
    assert codes("inspector") == set()
    for who, app, status in (
        ("ent_b_admin", in_g11, 404),
        ("grid_sup", in_g21, 404),
        ("grid_sup", in_g11, 200),
        ("inspector", in_g11, 404),
    ):
        r = client.get(f"{API}/{app['id']}", headers=world.headers(who))
        assert r.status_code == status, who
    r = client.get(API, params={"area_id": world.ids["t2"]}, headers=world.headers("reg_admin"))
    assert [a["code"] for a in r.json()["items"]] == [in_g21["code"]]
