"""The device page's token buttons through the TestClient: CSRF-checked posts that show the
token once (never cached), each written to the record's history; read-only roles see none."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.factories import World
from tests.test_web_pages import sign_in


def shown_token(html: str) -> str:
    match = re.search(r"<code data-token>([^<]+)</code>", html)
    assert match, "no token on the page"
    return match.group(1)


def test_reveal_and_rotate_from_the_device_page(client: TestClient, world: World) -> None:
    device = world.ids["dev_gate"]
    token = sign_in(client, "ent_a_admin")
    page = client.get(f"/devices/{device}").text
    assert f'action="/devices/{device}/token/reveal"' in page
    assert f'action="/devices/{device}/token/rotate"' in page
    assert "查看密钥" in page and "更换密钥" in page

    # no CSRF token, or a GET: refused, nothing revealed
    r = client.post(f"/devices/{device}/token/reveal", data={})
    assert r.status_code == 403 and "data-token" not in r.text
    assert client.get(f"/devices/{device}/token/reveal").status_code == 405

    r = client.post(f"/devices/{device}/token/reveal", data={"csrf_token": token})
    assert r.status_code == 200, r.text
    assert r.headers["cache-control"] == "no-store"
    revealed = shown_token(r.text)
    assert "SN-S-A-GATE" in r.text and 'data-rotated="0"' in r.text

    r = client.post(f"/devices/{device}/token/rotate", data={"csrf_token": token})
    assert r.status_code == 200, r.text
    rotated = shown_token(r.text)
    assert rotated != revealed and 'data-rotated="1"' in r.text and "旧密钥已失效" in r.text
    r = client.post(f"/devices/{device}/token/reveal", data={"csrf_token": token})
    assert shown_token(r.text) == rotated

    page = client.get(f"/devices/{device}").text
    history = page[page.index('id="history"') :]
    assert 'data-action="查看设备密钥"' in history and 'data-action="更换设备密钥"' in history


def test_no_token_buttons_without_write_rights_or_scope(client: TestClient, world: World) -> None:
    device = world.ids["dev_gate"]
    token = sign_in(client, "viewer")
    page = client.get(f"/devices/{device}").text
    assert "token/reveal" not in page
    r = client.post(f"/devices/{device}/token/reveal", data={"csrf_token": token})
    assert r.status_code == 403 and "data-token" not in r.text

    client.cookies.clear()
    token = sign_in(client, "ent_b_admin")  # another enterprise's device: not found
    r = client.post(f"/devices/{device}/token/reveal", data={"csrf_token": token})
    assert r.status_code == 404 and "data-token" not in r.text
