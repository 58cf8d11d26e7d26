"""The conversion tests' records: a quota table with hand-checked prices, packages, an
application's body, and walking an application along its steps through the API."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gaswarden.core.auth import Principal
from gaswarden.core.schemas import id_number_check_char
from gaswarden.domains.account.models import User
from gaswarden.domains.account.service import principal_for
from tests.factories import World

API = "/api/v1/conversions"
QUOTA = "/api/v1/conversion-quota-tables"
PACKAGES = "/api/v1/conversion-packages"
PHONE = "13966667777"


def id_number(first17: str) -> str:
    return first17 + id_number_check_char(first17)


ID_1 = id_number("37150219800315002")
ID_2 = id_number("37150219751120003")
ID_3 = id_number("37150219920228004")


def who(session: Session, username: str) -> Principal:
    user = session.scalars(select(User).where(User.username == username)).one()
    return principal_for(session=session, user=user)


# Prices invented for the tests; the expected amounts in test_quote.py are worked by hand.
ITEMS: list[dict[str, Any]] = [
    {"code": "10-1-001", "name": "PE引入管 DN32 埋地", "unit": "m", "unit_price_yuan": "86.40",
     "category": "service_pipe"},
    {"code": "10-2-011", "name": "镀锌钢管立管 DN25", "unit": "处", "unit_price_yuan": "312.55",
     "category": "riser"},
    {"code": "10-4-020", "name": "球阀 DN20", "unit": "个", "unit_price_yuan": "45.75",
     "category": "valve"},
    {"code": "10-5-003", "name": "燃气表安装 G2.5", "unit": "块", "unit_price_yuan": "158.30",
     "category": "meter"},
    {"code": "10-9-001", "name": "穿墙套管", "unit": "个", "unit_price_yuan": "38.10",
     "category": "other"},
]  # fmt: skip
DISCOUNT = 0.35


def make_table(client: TestClient, world: World, *, active: bool = True, **extra: Any) -> Any:
    body = {
        "name": "山东省安装工程消耗量定额 燃气分册(测试)",
        "version": "2016-T",
        "discount_rate": DISCOUNT,
        "effective_on": "2024-01-01",
        "items": ITEMS,
        "active": active,
        **extra,
    }
    r = client.post(QUOTA, json=body, headers=world.headers("reg_admin"))
    assert r.status_code == 201, r.text
    return r.json()


def make_package(
    client: TestClient,
    world: World,
    name: str = "居民基础套餐",
    price: str = "980.00",
    **extra: Any,
) -> Any:
    body = {"name": name, "price_yuan": price, "includes": ["燃气表", "报警器"], **extra}
    r = client.post(PACKAGES, json=body, headers=world.headers("reg_admin"))
    assert r.status_code == 201, r.text
    return r.json()


def body(world: World, **extra: Any) -> dict[str, Any]:
    return {
        "applicant_name": "刘改管",
        "applicant_phone": PHONE,
        "applicant_id_number": ID_1,
        "area_id": world.ids["g11"],
        "village": "古楼一村",
        "address": "古楼街道改管路3号",
        **extra,
    }


def apply(client: TestClient, world: World, who: str = "ent_a_staff", **extra: Any) -> Any:
    r = client.post(API, json=body(world, **extra), headers=world.headers(who))
    assert r.status_code == 201, r.text
    return r.json()


def step(
    client: TestClient, world: World, app_id: int, name: str, who: str = "ent_a_staff", **data: Any
) -> Any:
    return client.post(f"{API}/{app_id}/{name}", json=data, headers=world.headers(who))


def walk_to(client: TestClient, world: World, app_id: int, target: str) -> Any:
    """Survey (measured 23.4 m), quote, contract, start: as far as `target`."""
    order = ("surveyed", "quoted", "contracted", "constructing")
    calls = {
        "surveyed": ("survey", {"main_distance_m": 23.4, "surveyor_name": "张勘察"}),
        "quoted": ("quote", {}),
        "contracted": ("contract", {"note": "合同 HT-001"}),
        "constructing": ("start", {}),
    }
    last = None
    for status in order[: order.index(target) + 1]:
        name, data = calls[status]
        r = step(client, world, app_id, name, **data)
        assert r.status_code == 200, r.text
        last = r.json()
        assert last["status"] == status
    return last
