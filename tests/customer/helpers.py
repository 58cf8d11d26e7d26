"""Customers for the tests: valid ID numbers, the API paths, a registered household."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from gaswarden.core.schemas import id_number_check_char
from tests.factories import World

API = "/api/v1/customers"
CHECKS = "/api/v1/customer-safety-checks"
PHONE = "13955556666"


def id_number(first17: str) -> str:
    """A resident ID number with its correct GB 11643 check character."""
    return first17 + id_number_check_char(first17)


def wrong_check(number: str) -> str:
    last = "0" if number[-1] != "0" else "1"
    return number[:-1] + last


ID_A = id_number("37150219850612003")
ID_B = id_number("37150219900101004")


def household(world: World, **extra: Any) -> dict[str, Any]:
    return {
        "code": "CU-T-001",
        "kind": "residential",
        "name": "赵实名",
        "id_number": ID_A,
        "phone": PHONE,
        "area_id": world.ids["g11"],
        "address": "古楼街道测试路8号",
        **extra,
    }


def register(client: TestClient, world: World, who: str = "ent_b_admin", **extra: Any) -> Any:
    r = client.post(API, json=household(world, **extra), headers=world.headers(who))
    assert r.status_code == 201, r.text
    return r.json()


def masked_id(number: str) -> str:
    return number[:4] + "*" * 10 + number[-4:]


def masked_phone(number: str) -> str:
    return number[:3] + "*" * (len(number) - 7) + number[-4:]
