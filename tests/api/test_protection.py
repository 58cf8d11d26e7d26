"""Personal data: phones and ID numbers masked in every response, encrypted in the database,
and ID numbers checked against GB 11643."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from gaswarden.core.protect import Protector
from gaswarden.settings import Settings
from tests.api.mixins import API, assert_problem, error_fields
from tests.factories import ID_NUMBER, World

MASKED_ID = "3715**********1234"


def get(client: TestClient, w: World, path: str, who: str = "reg_admin") -> dict[str, Any]:
    r = client.get(f"{API}/{path}", headers=w.headers(who))
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("path", "key", "field", "masked"),
    [
        ("people", "person_a", "id_number", MASKED_ID),
        ("people", "person_a", "phone", "138****5678"),
        ("sites", "gate", "contact_phone", "139****5678"),
        ("organizations", "ent_a", "contact_phone", "138****0001"),
        ("teams", "team_a", "duty_phone", "137****1111"),
        ("users", "user_ent_a_admin", "phone", "138****5678"),
    ],
)
def test_shown_masked(
    client: TestClient, world: World, path: str, key: str, field: str, masked: str
) -> None:
    assert get(client, world, f"{path}/{world.ids[key]}")[field] == masked
    listed = {i["id"]: i for i in get(client, world, f"{path}?size=500")["items"]}
    assert listed[world.ids[key]][field] == masked


def test_no_plain_value_in_any_list(client: TestClient, world: World) -> None:
    plain = ("13812345678", "13912345678", "13800000001", "13700001111", ID_NUMBER)
    for path in ("people", "sites", "organizations", "teams", "users", "certificates"):
        for who in ("reg_admin", "ent_a_admin"):
            r = client.get(f"{API}/{path}", headers=world.headers(who))
            assert r.status_code == 200, r.text
            for value in plain:
                assert value not in r.text, (path, who)


@pytest.mark.parametrize(
    ("table", "column", "key", "value"),
    [
        ("person", "id_number", "person_a", ID_NUMBER),
        ("person", "phone", "person_a", "13812345678"),
        ("site", "contact_phone", "gate", "13912345678"),
        ("organization", "contact_phone", "ent_a", "13800000001"),
        ("app_user", "phone", "user_viewer", "13812345678"),
    ],
)
def test_stored_encrypted(
    session: Session,
    settings: Settings,
    world: World,
    table: str,
    column: str,
    key: str,
    value: str,
) -> None:
    stored = session.execute(
        text(f"SELECT {column} FROM {table} WHERE id = :id"), {"id": world.ids[key]}
    ).scalar_one()
    assert stored and value not in stored and value[-4:] not in stored
    # Ciphertext of that very value under this deployment's key, not just noise.
    assert Protector(settings.secret_key).decrypt(stored) == value
    with pytest.raises(ValueError, match="cannot be decrypted"):
        Protector("another-key").decrypt(stored)


def test_new_values_are_encrypted_too(client: TestClient, world: World, session: Session) -> None:
    person = {
        "name": "钱新",
        "owner_id": world.ids["ent_b"],
        "position": "driver",
        "id_number": "37150219900128123" + "4",
        "phone": "13677778888",
    }
    r = client.post(f"{API}/people", json=person, headers=world.headers("ent_b_admin"))
    assert r.status_code == 201, r.text
    assert (r.json()["id_number"], r.json()["phone"]) == (MASKED_ID, "136****8888")
    row = session.execute(
        text("SELECT id_number, phone, id_number_digest FROM person WHERE id = :id"),
        {"id": r.json()["id"]},
    ).one()
    dump = " ".join(str(v) for v in row)
    assert person["id_number"] not in dump and "13677778888" not in dump


@pytest.mark.parametrize(
    ("value", "why"),
    [
        (ID_NUMBER[:-1] + "X", "check digit"),  # right shape, wrong check character
        (ID_NUMBER[:-1] + "5", "check digit"),
        (ID_NUMBER[:10], "17 digits"),
        ("37150219900101123A", "17 digits"),
    ],
)
def test_bad_id_number_is_rejected(client: TestClient, world: World, value: str, why: str) -> None:
    person = {
        "name": "错号",
        "owner_id": world.ids["ent_a"],
        "position": "other",
        "id_number": value,
    }
    headers = world.headers("reg_admin")
    body = assert_problem(client.post(f"{API}/people", json=person, headers=headers), 422)
    assert error_fields(body) == {"id_number"}
    assert why in body["detail"]
    url = f"{API}/people/{world.ids['person_b']}"
    body = assert_problem(client.patch(url, json={"id_number": value}, headers=headers), 422)
    assert error_fields(body) == {"id_number"}


def test_lowercase_check_x_is_accepted(client: TestClient, world: World) -> None:
    from gaswarden.core.schemas import id_number_check_char

    first17 = next(
        f"3715021985{n:07d}"
        for n in range(1000)
        if id_number_check_char(f"3715021985{n:07d}") == "X"
    )
    person = {
        "name": "叉号",
        "owner_id": world.ids["ent_a"],
        "position": "other",
        "id_number": first17 + "x",
    }
    r = client.post(f"{API}/people", json=person, headers=world.headers("reg_admin"))
    assert r.status_code == 201, r.text
    assert r.json()["id_number"].endswith("X")


@pytest.mark.parametrize("phone", ["12345", "1381234567", "23812345678", "138-1234-5678x"])
def test_bad_phone_is_rejected(client: TestClient, world: World, phone: str) -> None:
    url = f"{API}/sites/{world.ids['gate']}"
    r = client.patch(url, json={"contact_phone": phone}, headers=world.headers("reg_admin"))
    if phone == "12345":  # a short service number (e.g. 96777) is a valid phone
        assert r.status_code == 200, r.text
        return
    assert error_fields(assert_problem(r, 422)) == {"contact_phone"}
