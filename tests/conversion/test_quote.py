"""The quote: connection works priced from the active quota table with the district's discount,
plus the chosen package; amounts worked out by hand from helpers.ITEMS."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conversion.helpers import apply, make_package, make_table, step, walk_to
from tests.factories import World


def test_standard_plan_quote_from_the_quota_table(client: TestClient, world: World) -> None:
    make_table(client, world)
    package = make_package(client, world)
    app = apply(client, world)
    walk_to(client, world, app["id"], "surveyed")  # measured 23.4 m -> 24 m of service pipe
    r = step(client, world, app["id"], "quote", package_id=package["id"])
    assert r.status_code == 200, r.text
    q = r.json()
    lines = {line["code"]: line for line in q["lines"]}
    # 24 m x 86.40 = 2073.60; riser 312.55; meter 158.30; valve 45.75 (no "other" item)
    assert {c: (line["quantity"], line["amount_yuan"]) for c, line in lines.items()} == {
        "10-1-001": (24.0, "2073.60"),
        "10-2-011": (1.0, "312.55"),
        "10-5-003": (1.0, "158.30"),
        "10-4-020": (1.0, "45.75"),
    }
    assert q["works_list_yuan"] == "2590.20"
    assert q["discount_rate"] == 0.35
    assert q["works_payable_yuan"] == "1683.63"  # 2590.20 x 0.65
    assert q["package_yuan"] == "980.00"
    assert q["total_payable_yuan"] == "2663.63"
    assert q["package_name"] == "居民基础套餐"
    assert q["status"] == "quoted"
    assert q["timeline"][-1]["kind"] == "quoted"
    assert q["timeline"][-1]["data"]["total_payable_yuan"] == "2663.63"


def test_surveyors_plan_rounds_to_the_fen(client: TestClient, world: World) -> None:
    make_table(client, world)
    app = apply(client, world)
    walk_to(client, world, app["id"], "surveyed")
    lines = [
        {"code": "10-1-001", "quantity": 12.5},  # 1080.00
        {"code": "10-9-001", "quantity": 2},  # 76.20
        {"code": "10-5-003", "quantity": 1},  # 158.30
    ]
    r = step(client, world, app["id"], "quote", lines=lines)
    assert r.status_code == 200, r.text
    q = r.json()
    assert [line["amount_yuan"] for line in q["lines"]] == ["1080.00", "76.20", "158.30"]
    assert q["works_list_yuan"] == "1314.50"
    assert q["works_payable_yuan"] == "854.43"  # 1314.50 x 0.65 = 854.425, half up
    assert q["package_yuan"] == "0.00"
    assert q["total_payable_yuan"] == "854.43"
    # quoted again with another plan: the lines are replaced, not added
    r = step(client, world, app["id"], "quote", lines=[{"code": "10-4-020", "quantity": 2}])
    assert r.status_code == 200
    assert [line["code"] for line in r.json()["lines"]] == ["10-4-020"]
    assert r.json()["works_payable_yuan"] == "59.48"  # 91.50 x 0.65 = 59.475


def test_a_quote_needs_the_active_table_and_known_items(client: TestClient, world: World) -> None:
    app = apply(client, world)
    walk_to(client, world, app["id"], "surveyed")
    r = step(client, world, app["id"], "quote")
    assert r.status_code == 409
    assert "no quota table is active" in r.json()["detail"]
    make_table(client, world)
    r = step(client, world, app["id"], "quote", lines=[{"code": "99-9-999", "quantity": 1}])
    assert r.status_code == 422
    assert r.json()["errors"][0]["loc"] == ["body", "lines.0.code"]


def test_a_package_for_another_kind_is_refused(client: TestClient, world: World) -> None:
    make_table(client, world)
    catering = make_package(client, world, "餐饮套餐", "2600.00", for_kind="catering")
    app = apply(client, world)
    walk_to(client, world, app["id"], "surveyed")
    r = step(client, world, app["id"], "quote", package_id=catering["id"])
    assert r.status_code == 422
    assert r.json()["errors"][0]["loc"] == ["body", "package_id"]


def test_the_quote_keeps_its_prices_and_the_table_is_locked(
    client: TestClient, world: World
) -> None:
    table = make_table(client, world)
    package = make_package(client, world)
    app = apply(client, world)
    walk_to(client, world, app["id"], "quoted")
    headers = world.headers("reg_admin")
    item = next(i for i in table["items"] if i["code"] == "10-1-001")
    r = client.patch(
        f"/api/v1/conversion-quota-tables/{table['id']}/items/{item['id']}",
        json={"unit_price_yuan": "99.00"},
        headers=headers,
    )
    assert r.status_code == 409  # priced a quote: make a new version
    r = client.patch(
        f"/api/v1/conversion-packages/{package['id']}", json={"price_yuan": "1200"}, headers=headers
    )
    assert r.status_code == 200
    got = client.get(f"/api/v1/conversions/{app['id']}", headers=world.headers("ent_a_staff"))
    assert got.json()["works_list_yuan"] == "2590.20"
    assert got.json()["lines"][0]["unit_price_yuan"] == "86.40"
