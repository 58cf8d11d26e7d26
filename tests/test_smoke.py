from __future__ import annotations

from fastapi.testclient import TestClient

from tests.factories import World


def test_health_and_ready(client: TestClient) -> None:
    assert client.get("/healthz").json()["status"] == "ok"
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["database"] == "ok"


def test_list_sites_as_regulator(client: TestClient, world: World) -> None:
    r = client.get("/api/v1/sites", headers=world.headers("reg_admin"))
    assert r.status_code == 200, r.text
    assert r.json()["total"] == 4
