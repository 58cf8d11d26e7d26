"""Import and export through the HTTP API: /api/v1/<table>/import and /export.

Each test runs in the conftest's rolled-back transaction, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, func, select

from gaswarden.domains.audit.models import AuditEntry
from tests.factories import World

FIXTURES = Path(__file__).parent / "fixtures" / "import"
ENT_A = "聊城东昌燃气有限公司"
ENT_B = "聊城鲁通液化气有限公司"
# What each fixture file names that only another fixture file creates.
NEEDS = {"devices": ["assets"], "people": ["teams"], "certificates": ["teams", "people"]}
NEEDS["vehicles"] = ["teams"]
TABLES = [
    "areas",
    "organizations",
    "sites",
    "site-assignments",
    "assets",
    "devices",
    "teams",
    "people",
    "certificates",
    "vehicles",
    "users",
]


def upload(
    client: TestClient,
    table: str,
    content: bytes,
    who: str,
    world: World,
    filename: str = "data.csv",
    **params: Any,
) -> Any:
    return client.post(
        f"/api/v1/{table}/import",
        params=params,
        files={"file": (filename, content, "application/octet-stream")},
        headers=world.headers(who),
    )


def import_fixture(client: TestClient, world: World, name: str, table: str | None = None) -> Any:
    content = (FIXTURES / f"{name}.csv").read_bytes()
    return upload(client, table or name, content, "reg_admin", world)


def total(client: TestClient, world: World, table: str) -> int:
    r = client.get(f"/api/v1/{table}", headers=world.headers("reg_admin"), params={"size": 1})
    assert r.status_code == 200, r.text
    return int(r.json()["total"])


def audit_rows(connection: Connection) -> int:
    return int(connection.execute(select(func.count()).select_from(AuditEntry)).scalar_one())


def export_csv(client: TestClient, world: World, table: str, who: str = "reg_admin", **q: Any):  # type: ignore[no-untyped-def]
    r = client.get(f"/api/v1/{table}/export", params=q, headers=world.headers(who))
    assert r.status_code == 200, r.text
    assert r.content.startswith("\ufeff".encode()), "CSV starts with a BOM for Excel"
    return r, list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))


def to_csv(rows: list[dict[str, str]]) -> bytes:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8-sig")


@pytest.mark.parametrize("table", TABLES)
def test_clean_import_of_each_table(
    client: TestClient, world: World, connection: Connection, table: str
) -> None:
    for needed in NEEDS.get(table, []):
        assert import_fixture(client, world, needed).status_code == 200
    before, audit_before = total(client, world, table), audit_rows(connection)
    r = import_fixture(client, world, table)
    assert r.status_code == 200, r.text
    body = r.json()
    rows = len((FIXTURES / f"{table}.csv").read_bytes().decode("utf-8-sig", "replace").split("\n"))
    assert body["errors"] == [] and body["updated"] == 0 and body["created"] >= 2
    assert body["created"] == rows - 2  # header and the final newline
    assert total(client, world, table) == before + body["created"]
    assert audit_rows(connection) >= audit_before + body["created"], "every write is audited"


def test_imported_values_are_read_the_way_people_write_them(
    client: TestClient, world: World
) -> None:
    """Chinese labels for enums, Excel dates, GB18030 files, references by natural key."""
    h = world.headers("reg_admin")
    assert import_fixture(client, world, "organizations").status_code == 200  # GB18030
    org = client.get("/api/v1/organizations", params={"q": "新奥"}, headers=h).json()["items"][0]
    assert org["kind"] == "lng_cng" and org["licence_expiry"] == "2027-06-30"
    assert org["contact_phone"] == "063*****3456"

    assert import_fixture(client, world, "areas").status_code == 200
    grid = client.get("/api/v1/areas", params={"q": "371502003-01"}, headers=h).json()["items"][0]
    town = client.get("/api/v1/areas", params={"q": "新区街道"}, headers=h).json()["items"][0]
    assert grid["level"] == "grid" and grid["parent_id"] == town["id"]  # a row names an earlier row

    assert import_fixture(client, world, "sites").status_code == 200
    rest = client.get("/api/v1/sites", params={"q": "S-N-REST"}, headers=h).json()["items"][0]
    assert rest["kind"] == "restaurant" and rest["owner_id"] == world.ids["ent_a"]
    assert rest["area_id"] == world.ids["g11"], "grid found from the coordinates"
    well = client.get("/api/v1/sites", params={"q": "S-N-WELL"}, headers=h).json()["items"][0]
    assert well["status"] == "planned" and well["area_id"] == world.ids["g21"]

    assert import_fixture(client, world, "users").status_code == 200
    users = client.get("/api/v1/users", params={"q": "grid_new"}, headers=h).json()["items"]
    assert users[0]["role"] == "grid_supervisor"
    assert sorted(users[0]["grid_ids"]) == sorted([world.ids["g11"], world.ids["g12"]])
    token = client.post(
        "/api/v1/auth/token", json={"username": "grid_new", "password": "grid-pass-123"}
    )
    assert token.status_code == 201, "the imported password works"


def test_bad_rows_are_all_reported_and_nothing_is_written(
    client: TestClient, world: World, connection: Connection
) -> None:
    sites, audits = total(client, world, "sites"), audit_rows(connection)
    r = import_fixture(client, world, "sites_bad", "sites")
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    errors = {(e["row"], e["column"]) for e in r.json()["errors"]}
    assert errors == {
        (3, "area_code"),  # unknown grid code
        (4, "contact_phone"),  # malformed phone
        (5, "code"),  # the same code as row 2
        (6, "kind"),  # unknown enum value
        (7, "lon"),  # longitude 200
    }
    assert all(" / " in e["message"] for e in r.json()["errors"]), "Chinese / English"
    assert total(client, world, "sites") == sites
    assert audit_rows(connection) == audits

    people, audits = total(client, world, "people"), audit_rows(connection)
    r = import_fixture(client, world, "people_bad", "people")
    assert r.status_code == 422
    errors = {(e["row"], e["column"]) for e in r.json()["errors"]}
    assert errors == {(3, "id_number"), (4, "phone"), (5, "team_name")}
    check_digit = next(e for e in r.json()["errors"] if e["column"] == "id_number")
    assert "校验位" in check_digit["message"]
    assert total(client, world, "people") == people
    assert audit_rows(connection) == audits


def test_unknown_column_and_wrong_format(client: TestClient, world: World) -> None:
    content = "code,name,kind,lon,lat,colour\nS-Z,某站,restaurant,115.92,36.43,red\n".encode()
    r = upload(client, "sites", content, "reg_admin", world)
    assert r.status_code == 422
    assert {(e["row"], e["column"]) for e in r.json()["errors"]} == {(1, "colour")}
    r = upload(client, "people", b"{}", "reg_admin", world, filename="people.geojson")
    assert r.status_code == 422, "people have no geometry"
    r = upload(client, "sites", b"x", "reg_admin", world, filename="sites.xlsx")
    assert r.status_code == 422


def test_dry_run_writes_nothing(client: TestClient, world: World, connection: Connection) -> None:
    sites, audits = total(client, world, "sites"), audit_rows(connection)
    content = (FIXTURES / "sites.csv").read_bytes()
    r = upload(client, "sites", content, "reg_admin", world, dry_run="true")
    assert r.status_code == 200, r.text
    assert r.json()["created"] == 3 and r.json()["dry_run"] is True
    assert total(client, world, "sites") == sites
    assert audit_rows(connection) == audits


def test_upsert_updates_by_natural_key(
    client: TestClient, world: World, connection: Connection
) -> None:
    h = world.headers("reg_admin")
    assert import_fixture(client, world, "sites").status_code == 200
    content = (
        "code,name,kind,status,owner_name,lon,lat,contact_phone\n"
        "S-N-REST,老街饭店(新址),餐饮用户,停业整改,聊城东昌燃气有限公司,115.96,36.43,13900001234\n"
        "S-N-LNG,鲁通LNG站,lng_station,operating,聊城鲁通液化气有限公司,115.97,36.44,\n"
    ).encode()
    audits = audit_rows(connection)
    r = upload(client, "sites", content, "reg_admin", world)
    assert r.status_code == 200, r.text
    assert (r.json()["created"], r.json()["updated"], r.json()["unchanged"]) == (0, 2, 0)
    rest = client.get("/api/v1/sites", params={"q": "S-N-REST"}, headers=h).json()["items"][0]
    assert rest["name"] == "老街饭店(新址)" and rest["status"] == "suspended"
    lng = client.get("/api/v1/sites", params={"q": "S-N-LNG"}, headers=h).json()["items"][0]
    assert lng["contact_phone"] is None, "an empty cell clears the value"
    assert audit_rows(connection) == audits + 2

    # Id columns are accepted for references and rows; an id and a code that disagree are not.
    content = f"code,owner_id,lon,lat\nS-N-WELL,{world.ids['ent_b']},116.02,36.42\n".encode()
    r = upload(client, "sites", content, "reg_admin", world)
    assert r.status_code == 200 and r.json()["updated"] == 1, r.text
    well = client.get("/api/v1/sites", params={"q": "S-N-WELL"}, headers=h).json()["items"][0]
    assert well["owner_id"] == world.ids["ent_b"]
    content = f"id,code,name\n{world.ids['gate']},S-N-WELL,x\n".encode()
    r = upload(client, "sites", content, "reg_admin", world)
    assert r.status_code == 422 and r.json()["errors"][0]["column"] == "id"

    # A device's serial and kind are fixed once created: the importer says so.
    content = b"serial,kind\nSN-S-A-GATE,camera\n"
    r = upload(client, "devices", content, "reg_admin", world)
    assert r.status_code == 422
    assert r.json()["errors"][0]["column"] == "kind"


@pytest.mark.parametrize("table", TABLES)
def test_export_then_import_changes_nothing(
    client: TestClient, world: World, connection: Connection, table: str
) -> None:
    for needed in [*NEEDS.get(table, []), table]:
        assert import_fixture(client, world, needed).status_code == 200
    response, rows = export_csv(client, world, table)
    assert 'filename="' in response.headers["content-disposition"]
    assert len(rows) == total(client, world, table)
    audits = audit_rows(connection)
    r = upload(client, table, response.content, "reg_admin", world)
    assert r.status_code == 200, r.text
    assert (r.json()["created"], r.json()["updated"]) == (0, 0)
    assert r.json()["unchanged"] == len(rows)
    assert audit_rows(connection) == audits


def test_personal_data_is_masked_and_masks_round_trip(client: TestClient, world: World) -> None:
    h = world.headers("reg_admin")
    for name in ("teams", "people"):
        assert import_fixture(client, world, name).status_code == 200
    _, rows = export_csv(client, world, "people")
    chen = next(r for r in rows if r["name"] == "陈抢修")
    assert chen["phone"] == "135****1111"
    assert chen["id_number"].startswith("3715") and "**********" in chen["id_number"]

    # A mask that does not match the stored value is an error, not a silent keep.
    chen_bad = {**chen, "phone": "136****1111"}
    r = upload(client, "people", to_csv([chen_bad]), "reg_admin", world)
    assert r.status_code == 422 and r.json()["errors"][0]["column"] == "phone"
    # The mask kept, another column changed: the stored number stays.
    r = upload(client, "people", to_csv([{**chen, "position": "rescue"}]), "reg_admin", world)
    assert r.status_code == 200 and r.json()["updated"] == 1, r.text
    person = client.get(f"/api/v1/people/{chen['id']}", headers=h).json()
    assert person["position"] == "rescue" and person["phone"] == "135****1111"
    # A new record cannot be created from a mask.
    r = upload(client, "people", to_csv([{**chen, "id": "", "name": "新人"}]), "reg_admin", world)
    assert r.status_code == 422 and {e["column"] for e in r.json()["errors"]} >= {"phone"}

    _, sites = export_csv(client, world, "sites")
    gate = next(r for r in sites if r["code"] == "S-A-GATE")
    assert gate["contact_phone"] == "139****5678"


def test_export_respects_scope_and_filters(client: TestClient, world: World) -> None:
    _, rows = export_csv(client, world, "sites", who="ent_a_admin")
    assert rows and {r["owner_name"] for r in rows} == {ENT_A}
    _, rows = export_csv(client, world, "sites", kind="lpg_filling")
    assert [r["code"] for r in rows] == ["S-B-FILL"]
    _, rows = export_csv(client, world, "devices", who="grid_sup")
    assert {r["area_code"] for r in rows} == {"371502001-01"}

    # An enterprise cannot import into another enterprise's name.
    content = f"code,name,kind,owner_name,lon,lat\nS-E-1,某店,restaurant,{ENT_B},115.92,36.43\n"
    r = upload(client, "sites", content.encode(), "ent_a_admin", world)
    assert r.status_code == 422 and r.json()["errors"][0]["column"] == "owner_name"
    # Its own sites it may import, filed under its name.
    content = "code,name,kind,lon,lat\nS-E-2,某店,restaurant,115.92,36.43\n"
    r = upload(client, "sites", content.encode(), "ent_a_admin", world)
    assert r.status_code == 200 and r.json()["created"] == 1
    _, rows = export_csv(client, world, "sites", who="ent_a_admin", q="S-E-2")
    assert rows[0]["owner_name"] == ENT_A


def test_import_needs_the_write_permission(client: TestClient, world: World) -> None:
    content = (FIXTURES / "sites.csv").read_bytes()
    assert upload(client, "sites", content, "viewer", world).status_code == 403
    assert upload(client, "organizations", content, "ent_a_admin", world).status_code == 403
    assert (
        client.post("/api/v1/sites/import", files={"file": ("a.csv", content)}).status_code == 401
    )


def test_geojson_sites_and_assets_with_a_pipe(
    client: TestClient, world: World, connection: Connection
) -> None:
    h = world.headers("reg_admin")
    pipe = {"type": "LineString", "coordinates": [[115.91, 36.41], [115.92, 36.41]]}
    features = [
        {
            "type": "Feature",
            "geometry": pipe,
            "properties": {
                "code": "A-G-PIPE",
                "name": "管段",
                "kind": "管段",
                "owner_name": ENT_A,
                "material": "pe",
                "design_pressure_mpa": 0.2,
            },
        },
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [116.02, 36.41]},
            "properties": {
                "code": "A-G-WELL",
                "name": "阀井",
                "kind": "valve_well",
                "owner_name": ENT_B,
            },
        },
    ]
    content = json.dumps({"type": "FeatureCollection", "features": features}).encode()
    r = upload(client, "assets", content, "reg_admin", world, filename="assets.geojson")
    assert r.status_code == 200 and r.json()["created"] == 2, r.text
    seg = client.get("/api/v1/assets", params={"q": "A-G-PIPE"}, headers=h).json()["items"][0]
    assert seg["geometry"] == pipe and 850 < seg["length_m"] < 950  # 0.01 degree east at 36.4 N
    well = client.get("/api/v1/assets", params={"q": "A-G-WELL"}, headers=h).json()["items"][0]
    assert (well["lon"], well["lat"], well["area_id"]) == (116.02, 36.41, world.ids["g21"])

    r = client.get("/api/v1/assets/export", params={"format": "geojson"}, headers=h)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/geo+json")
    collection = r.json()
    by_code = {f["properties"]["code"]: f for f in collection["features"]}
    assert by_code["A-G-PIPE"]["geometry"] == pipe
    assert by_code["A-G-WELL"]["geometry"] == {"type": "Point", "coordinates": [116.02, 36.41]}
    assert by_code["A-G-PIPE"]["properties"]["material"] == "pe"
    audits = audit_rows(connection)
    r = upload(client, "assets", r.content, "reg_admin", world, filename="a.geojson")
    assert r.status_code == 200 and r.json()["unchanged"] == len(collection["features"]), r.text
    assert audit_rows(connection) == audits

    r = client.get("/api/v1/sites/export", params={"format": "geojson"}, headers=h)
    sites = r.json()["features"]
    gate = next(f for f in sites if f["properties"]["code"] == "S-A-GATE")
    assert gate["geometry"] == {"type": "Point", "coordinates": [115.91, 36.41]}
    moved = {**gate, "geometry": {"type": "Point", "coordinates": [115.96, 36.41]}}
    moved["properties"] = {**gate["properties"], "area_code": ""}  # let the point choose
    content = json.dumps({"type": "FeatureCollection", "features": [moved]}).encode()
    r = upload(client, "sites", content, "reg_admin", world, filename="s.geojson")
    assert r.status_code == 200 and r.json()["updated"] == 1, r.text
    site = client.get(f"/api/v1/sites/{world.ids['gate']}", headers=h).json()
    assert (site["lon"], site["area_id"]) == (115.96, world.ids["g12"])

    bad = {**gate, "geometry": {"type": "Point", "coordinates": [215.0, 36.41]}}
    content = json.dumps({"type": "FeatureCollection", "features": [bad]}).encode()
    r = upload(client, "sites", content, "reg_admin", world, filename="s.geojson")
    assert r.status_code == 422 and r.json()["errors"][0] == {
        "row": 1,
        "column": "lon",
        "message": r.json()["errors"][0]["message"],
    }
    r = client.get("/api/v1/areas/export", params={"format": "geojson"}, headers=h)
    assert all(f["geometry"]["type"] == "Polygon" for f in r.json()["features"])
    r = client.get("/api/v1/people/export", params={"format": "geojson"}, headers=h)
    assert r.status_code == 422


def test_export_route_does_not_shadow_the_item_route(client: TestClient, world: World) -> None:
    h = world.headers("reg_admin")
    assert client.get(f"/api/v1/sites/{world.ids['gate']}", headers=h).status_code == 200
    assert client.get("/api/v1/sites/export", headers=h).status_code == 200
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/sites/export" in paths and "/api/v1/users/import" in paths
