"""The tracing API: every route answers in scope, and /cylinders/whereabouts and its siblings
are not taken for a cylinder id by the archive's /cylinders/{id}."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.cylinder.test_tracing import build_history
from tests.factories import World


def test_tracing_routes(client: TestClient, session: Session, world: World) -> None:
    h = build_history(session, world)
    ids = h.lpg.ids
    ent, other = world.headers("ent_b_admin"), world.headers("ent_a_admin")

    r = client.get(f"/api/v1/cylinders/{ids['cyl_ok2']}/timeline", headers=ent)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["cylinder"]["tag_code"] == "LPG-T-OK2"
    assert [e["kind"] for e in body["timeline"]][:2] == ["fill", "deliver"]
    assert body["timeline"][1]["refused"] is True and body["places"] and body["handlers"]

    r = client.get(f"/api/v1/gas-batches/{h.batch1}/recall", headers=world.headers("reg_staff"))
    assert r.status_code == 200, r.text
    assert {d["customer"]["code"] for d in r.json()["deliveries"]} == {"CU-HOME", "CU-DINER-OK"}

    r = client.get("/api/v1/cylinders/whereabouts", headers=ent)
    assert r.status_code == 200 and r.json()["total"] == 6
    r = client.get("/api/v1/cylinders/overdue-with-users?page=1&size=10", headers=ent)
    assert r.status_code == 200 and r.json()["total"] == 0
    r = client.get("/api/v1/cylinders/unknown-codes", headers=ent)
    assert r.status_code == 200 and r.json() == []
    r = client.get(f"/api/v1/customers/{ids['cust_home']}/history", headers=ent)
    assert r.status_code == 200 and r.json()["customer"]["id_number"] == "1101**********4514"
    r = client.get("/api/v1/cylinder-statistics", headers=ent)
    assert r.status_code == 200 and len(r.json()["filled_per_day"]) == 30

    for path in (
        f"/api/v1/cylinders/{ids['cyl_ok']}/timeline",
        f"/api/v1/gas-batches/{h.batch1}/recall",
        f"/api/v1/customers/{ids['cust_home']}/history",
    ):
        assert client.get(path, headers=other).status_code == 404, path
    assert client.get("/api/v1/cylinders/whereabouts", headers=other).json()["total"] == 0
    grid = client.get(
        f"/api/v1/customers/{ids['cust_home']}/history", headers=world.headers("grid_sup")
    )
    assert grid.status_code == 200 and grid.json()["customer"]["name"] == "孙**"


def test_recall_and_history_show_the_phone_as_last_changed(
    client: TestClient, session: Session, world: World
) -> None:
    """The masked phone is kept with the phone (nothing decrypted to show it): a new phone
    through the customer API shows masked in the recall and the customer's history; a
    removed one shows nothing."""
    h = build_history(session, world)
    cust, ent = h.lpg.ids["cust_home"], world.headers("ent_b_admin")
    recall_path = f"/api/v1/gas-batches/{h.batch1}/recall"

    def shown() -> tuple[set[str | None], str | None]:
        recall = client.get(recall_path, headers=world.headers("reg_staff"))
        history = client.get(f"/api/v1/customers/{cust}/history", headers=ent)
        assert recall.status_code == 200 and history.status_code == 200
        phones = {
            d["customer"]["phone"]
            for d in recall.json()["deliveries"]
            if d["customer"]["code"] == "CU-HOME"
        }
        return phones, history.json()["customer"]["phone"]

    assert shown() == ({"138****0000"}, "138****0000")
    r = client.patch(f"/api/v1/customers/{cust}", json={"phone": "13955556666"}, headers=ent)
    assert r.status_code == 200, r.text
    assert r.json()["phone"] == "139****6666"
    assert shown() == ({"139****6666"}, "139****6666")
    r = client.patch(f"/api/v1/customers/{cust}", json={"phone": None}, headers=ent)
    assert r.status_code == 200, r.text
    assert shown() == ({None}, None)
