"""Accounts through the API: tokens for a password, /auth/me, the caller's own tokens,
revoked, expired and deactivated credentials, and how passwords are kept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import text, update
from sqlalchemy.orm import Session

from gaswarden.domains.account.models import ApiToken
from tests.api.mixins import API, assert_problem
from tests.factories import PASSWORD, World


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def login(client: TestClient, username: str, password: str, **extra: object):  # type: ignore[no-untyped-def]
    return client.post(
        f"{API}/auth/token", json={"username": username, "password": password, **extra}
    )


def log(client: TestClient, w: World, who: str = "reg_admin", **params: object) -> list[dict]:
    r = client.get(f"{API}/audit-log", params={"size": 500, **params}, headers=w.headers(who))
    assert r.status_code == 200, r.text
    return r.json()["items"]  # type: ignore[no-any-return]


def test_password_for_a_token(client: TestClient, world: World) -> None:
    r = login(client, "ent_a_staff", PASSWORD, name="nightly export", expires_days=7)
    assert r.status_code == 201, r.text
    issued = r.json()
    assert issued["token"].startswith("gw_") and issued["name"] == "nightly export"
    expires = datetime.fromisoformat(issued["expires_at"])
    assert timedelta(days=6) < expires - datetime.now(UTC) <= timedelta(days=7)
    me = client.get(f"{API}/auth/me", headers=bearer(issued["token"]))
    assert me.status_code == 200, me.text
    assert me.json() == {
        "user_id": world.ids["user_ent_a_staff"],
        "username": "ent_a_staff",
        "display_name": "ent_a_staff",
        "role": "enterprise_staff",
        "org_id": world.ids["ent_a"],
        "scope": "org",
        "lang": "zh",
    }
    logins = log(client, world, entity_type="user", action="login")
    assert logins[0]["entity_id"] == world.ids["user_ent_a_staff"]


@pytest.mark.parametrize(
    ("username", "password"),
    [("ent_a_staff", "wrong-password"), ("nobody", PASSWORD), ("ent_a_staff", "")],
)
def test_wrong_password_is_refused_and_audited(
    client: TestClient, world: World, username: str, password: str
) -> None:
    body = assert_problem(login(client, username, password), 401)
    assert "token" not in body
    failed = log(client, world, action="login_failed")
    assert failed and failed[0]["entity_label"] == username
    assert failed[0]["actor_id"] is None
    if username == "ent_a_staff":  # the enterprise's admin sees attempts on its accounts
        assert log(client, world, "ent_a_admin", action="login_failed")[0]["id"] == failed[0]["id"]


def test_me_needs_credentials(client: TestClient, world: World) -> None:
    assert_problem(client.get(f"{API}/auth/me"), 401)
    assert_problem(client.get(f"{API}/auth/me", headers=bearer("gw_forged")), 401)
    r = client.get(f"{API}/auth/me", headers={"Authorization": "Basic abc"})
    assert_problem(r, 401)
    assert client.get(f"{API}/auth/me", headers=world.headers("grid_sup")).json()["scope"] == "area"
    assert (
        client.get(f"{API}/auth/me", headers=world.headers("inspector")).json()["scope"] == "sites"
    )


def test_own_tokens_listed_created_and_revoked(client: TestClient, world: World) -> None:
    headers = world.headers("worker_b")
    listed = client.get(f"{API}/tokens", headers=headers).json()
    assert [t["name"] for t in listed] == ["tests"]
    assert "digest" not in listed[0] and "token" not in listed[0]

    r = client.post(f"{API}/tokens", json={"name": "scanner"}, headers=headers)
    assert r.status_code == 201, r.text
    new = r.json()
    assert client.get(f"{API}/auth/me", headers=bearer(new["token"])).status_code == 200
    listed = client.get(f"{API}/tokens", headers=headers).json()
    assert [t["name"] for t in listed] == ["tests", "scanner"]
    assert listed[1]["prefix"] == new["token"][:10]

    # Another user's token is not found, and stays valid.
    assert_problem(client.delete(f"{API}/tokens/{new['id']}", headers=world.headers("viewer")), 404)
    assert client.get(f"{API}/auth/me", headers=bearer(new["token"])).status_code == 200

    assert client.delete(f"{API}/tokens/{new['id']}", headers=headers).status_code == 204
    body = assert_problem(client.get(f"{API}/auth/me", headers=bearer(new["token"])), 401)
    assert "revoked" in body["detail"]
    assert client.get(f"{API}/tokens", headers=headers).json()[1]["revoked_at"] is not None
    assert client.get(f"{API}/auth/me", headers=headers).status_code == 200  # the other one
    actions = [e["action"] for e in log(client, world, entity_type="api_token")]
    assert actions[:2] == ["revoke_token", "create_token"]


def test_expired_token_is_refused(client: TestClient, world: World, session: Session) -> None:
    r = client.post(
        f"{API}/tokens",
        json={"name": "short", "expires_days": 1},
        headers=world.headers("reg_staff"),
    )
    issued = r.json()
    assert client.get(f"{API}/auth/me", headers=bearer(issued["token"])).status_code == 200
    session.execute(
        update(ApiToken)
        .where(ApiToken.id == issued["id"])
        .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    )
    session.flush()
    assert_problem(client.get(f"{API}/sites", headers=bearer(issued["token"])), 401)


def test_deactivated_user_is_locked_out(client: TestClient, world: World) -> None:
    assert client.get(f"{API}/sites", headers=world.headers("ent_b_admin")).status_code == 200
    r = client.patch(
        f"{API}/users/{world.ids['user_ent_b_admin']}",
        json={"active": False},
        headers=world.headers("reg_admin"),
    )
    assert r.status_code == 200, r.text
    assert r.json()["active"] is False
    assert_problem(client.get(f"{API}/sites", headers=world.headers("ent_b_admin")), 401)
    assert_problem(login(client, "ent_b_admin", PASSWORD), 401)
    # Switched back on, the same token works again.
    client.patch(
        f"{API}/users/{world.ids['user_ent_b_admin']}",
        json={"active": True},
        headers=world.headers("reg_admin"),
    )
    assert client.get(f"{API}/sites", headers=world.headers("ent_b_admin")).status_code == 200


def test_passwords_are_argon2_hashes(session: Session, world: World) -> None:
    rows = session.execute(text("SELECT username, password_hash FROM app_user")).all()
    assert len(rows) >= 9
    for username, stored in rows:
        assert stored.startswith("$argon2id$"), username
        assert PASSWORD not in stored
    hashes = [stored for _, stored in rows]
    assert len(set(hashes)) == len(hashes)  # salted
    assert PasswordHasher().verify(dict(rows)["viewer"], PASSWORD)


def test_tokens_are_stored_as_digests(session: Session, world: World) -> None:
    stored = " ".join(
        str(v) for row in session.execute(text("SELECT * FROM api_token")).all() for v in row
    )
    for token in world.tokens.values():
        assert token not in stored and token[10:30] not in stored


def test_password_never_in_a_response(client: TestClient, world: World) -> None:
    headers = world.headers("reg_admin")
    new = {
        "username": "pw_check",
        "display_name": "密码检查",
        "password": "s3cret-words",
        "role": "viewer",
        "org_id": world.ids["reg"],
    }
    responses = [
        client.post(f"{API}/users", json=new, headers=headers),
        client.get(f"{API}/users", params={"size": 500}, headers=headers),
        client.get(f"{API}/auth/me", headers=headers),
        client.get(f"{API}/audit-log", params={"size": 500}, headers=headers),
    ]
    created = responses[0].json()
    responses.append(client.get(f"{API}/users/{created['id']}", headers=headers))
    for r in responses:
        assert r.status_code in (200, 201), r.text
        assert "s3cret-words" not in r.text and "$argon2" not in r.text
        assert "password_hash" not in r.text


def test_password_change_is_audited_and_takes_effect(client: TestClient, world: World) -> None:
    url = f"{API}/users/{world.ids['user_worker_b']}"
    r = client.patch(url, json={"password": "brand-new-pass"}, headers=world.headers("ent_b_admin"))
    assert r.status_code == 200, r.text
    rows = log(client, world, entity_type="user", entity_id=world.ids["user_worker_b"])
    assert rows[0]["action"] == "update"
    assert rows[0]["changes"] == {"password": [None, "******"]}
    assert_problem(login(client, "worker_b", PASSWORD), 401)
    assert login(client, "worker_b", "brand-new-pass").status_code == 201
    short = client.patch(url, json={"password": "short"}, headers=world.headers("ent_b_admin"))
    assert_problem(short, 422)
