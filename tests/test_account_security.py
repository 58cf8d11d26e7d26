"""Password change and the lock-out after repeated failed logins, through the HTTP API."""

from __future__ import annotations

from fastapi.testclient import TestClient

from gaswarden.domains.account.service import LOGIN_MAX_FAILURES
from tests.factories import PASSWORD, World


def _login(client: TestClient, username: str, password: str) -> int:
    body = {"username": username, "password": password}
    return client.post("/api/v1/auth/token", json=body).status_code


def test_change_own_password(client: TestClient, world: World) -> None:
    headers = world.headers("worker_b")
    wrong = client.post(
        "/api/v1/auth/password",
        json={"current_password": "nope", "new_password": "brand-new-pass"},
        headers=headers,
    )
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["loc"] == ["body", "current_password"]
    ok = client.post(
        "/api/v1/auth/password",
        json={"current_password": PASSWORD, "new_password": "brand-new-pass"},
        headers=headers,
    )
    assert ok.status_code == 204
    assert _login(client, "worker_b", PASSWORD) == 401
    assert _login(client, "worker_b", "brand-new-pass") == 201


def test_repeated_failures_lock_the_account(client: TestClient, world: World) -> None:
    for _ in range(LOGIN_MAX_FAILURES):
        assert _login(client, "viewer", "wrong-password") == 401
    # Locked now: even the right password is refused until the window passes.
    assert _login(client, "viewer", PASSWORD) == 401
    # Other accounts are not affected.
    assert _login(client, "reg_staff", PASSWORD) == 201
