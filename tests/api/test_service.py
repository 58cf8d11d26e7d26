"""The API as a whole: its OpenAPI document, health and readiness, and problems for routes
that don't exist."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.api.mixins import API, assert_problem

RESOURCES = (
    "areas",
    "organizations",
    "sites",
    "site-assignments",
    "assets",
    "devices",
    "people",
    "certificates",
    "teams",
    "vehicles",
    "users",
)


def test_openapi_lists_every_resource(client: TestClient) -> None:
    r = client.get(f"{API}/openapi.json")
    assert r.status_code == 200, r.text
    doc = r.json()
    assert doc["openapi"].startswith("3.")
    paths = doc["paths"]
    for name in RESOURCES:
        assert set(paths[f"{API}/{name}"]) == {"get", "post"}, name
        assert set(paths[f"{API}/{name}/{{item_id}}"]) == {"get", "patch", "delete"}, name
        listing = {p["name"] for p in paths[f"{API}/{name}"]["get"]["parameters"]}
        assert {"page", "size", "sort", "q"} <= listing, name
    for extra in (
        "/audit-log",
        "/auth/token",
        "/auth/me",
        "/tokens",
        "/tokens/{token_id}",
        "/devices/{item_id}/token",
        "/devices/{item_id}/token/reveal",
    ):
        assert f"{API}{extra}" in paths, extra
    # Filters are query parameters, with their choices.
    site_params = {p["name"]: p for p in paths[f"{API}/sites"]["get"]["parameters"]}
    assert {"kind", "status", "owner_id", "area_id"} <= set(site_params)
    assert "SiteRead" in doc["components"]["schemas"]


def test_health(client: TestClient) -> None:
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json()["status"] == "ok" and r.json()["version"]
    r = client.get("/readyz")
    assert r.status_code == 200 and r.json() == {"status": "ready", "database": "ok"}


def test_readyz_reports_an_unreachable_database(client: TestClient) -> None:
    from sqlalchemy import create_engine
    from sqlalchemy.orm import sessionmaker

    app = client.app
    working = app.state.session_factory  # type: ignore[attr-defined]
    broken = create_engine("sqlite:////nonexistent-dir/nope/db.sqlite3")
    app.state.session_factory = sessionmaker(bind=broken)  # type: ignore[attr-defined]
    try:
        r = client.get("/readyz")
    finally:
        app.state.session_factory = working  # type: ignore[attr-defined]
    assert r.status_code == 503 and r.json()["status"] == "unavailable"


@pytest.mark.parametrize("path", [f"{API}/no-such-thing", f"{API}/sites/not-a-number"])
def test_unknown_routes_are_problems(client: TestClient, path: str) -> None:
    r = client.get(path, headers={"Accept": "application/json"})
    assert r.status_code in (401, 404, 422)
    assert_problem(r, r.status_code)
