"""A cylinder's location columns carry no foreign keys (a scan would check each one); the
triggers of migration d1e2f3a4b5c6 keep what the keys did: deleting a station clears it from
the cylinders last scanned there, and an area that still has cylinders is not deleted."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.cylinder.lpg import NOW, build_lpg
from tests.factories import World, square


def scan(client: TestClient, world: World, key: str, kind: str, tag: str, **kw: Any) -> Any:
    body = {"key": key, "kind": kind, "tag_code": tag, "occurred_at": NOW.isoformat(), **kw}
    r = client.post("/api/v1/cylinder-events", json=body, headers=world.headers("worker_b"))
    assert r.status_code == 200, r.text
    return r.json()["results"][0]


def test_deleting_a_station_or_area_keeps_the_cylinders_consistent(
    client: TestClient, session: Session, world: World
) -> None:
    lpg = build_lpg(session, world)
    session.commit()  # the client's requests see the test's rows (SAVEPOINT)
    reg, ent = world.headers("reg_admin"), world.headers("ent_b_admin")
    grid = client.post(
        "/api/v1/areas",
        json={"code": "371502002-77", "name": "柳园临时网格", "level": "grid",
              "parent_id": world.ids["t2"], "boundary": square(116.05, 36.40, 0.01)},
        headers=reg,
    )  # fmt: skip
    assert grid.status_code == 201, grid.text
    grid_id = grid.json()["id"]
    site = client.post(
        "/api/v1/sites",
        json={"code": "S-B-TEMP", "name": "临时供应点", "kind": "lpg_supply",
              "owner_id": world.ids["ent_b"], "area_id": grid_id, "lon": 116.055,
              "lat": 36.405, "address": "柳园路9号"},
        headers=ent,
    )  # fmt: skip
    assert site.status_code == 201, site.text
    site_id = site.json()["id"]

    moved = scan(client, world, "ref-1", "send_inspection", lpg.codes["ok"], site_code="S-B-TEMP")
    assert (moved["result"], moved["status_after"]) == ("accepted", "at_inspection"), moved
    url = f"/api/v1/cylinders/{lpg.ids['cyl_ok']}"
    cyl = client.get(url, headers=ent).json()
    assert (cyl["site_id"], cyl["area_id"]) == (site_id, grid_id)

    # The station goes: the cylinder last scanned there is at no station now.
    assert client.delete(f"/api/v1/sites/{site_id}", headers=ent).status_code == 204
    cyl = client.get(url, headers=ent).json()
    assert cyl["site_id"] is None and cyl["area_id"] == grid_id
    assert client.get(f"/api/v1/sites/{site_id}", headers=ent).status_code == 404

    # The grid still has the cylinder: not deleted, with the reason.
    r = client.delete(f"/api/v1/areas/{grid_id}", headers=reg)
    assert r.status_code == 409, r.text
    assert client.get(f"/api/v1/areas/{grid_id}", headers=reg).status_code == 200

    # Once the cylinder is elsewhere (inspected at the supply station), the grid may go.
    back = scan(client, world, "ref-2", "inspect", lpg.codes["ok"], site_code="S-B-SUP",
                passed=True, occurred_at=NOW.replace(hour=12).isoformat())  # fmt: skip
    assert back["result"] == "accepted", back
    cyl = client.get(url, headers=ent).json()
    assert cyl["site_id"] == world.ids["supply"] and cyl["area_id"] != grid_id
    assert client.delete(f"/api/v1/areas/{grid_id}", headers=reg).status_code == 204
