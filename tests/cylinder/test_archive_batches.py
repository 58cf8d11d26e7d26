"""/api/v1/gas-batches: an LPG enterprise records its gas purchases (owner forced, code unique
per owner, received at its own filling station, quantity > 0); scope; a batch already filled
into cylinders stays on record; audit rows."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gaswarden.domains.audit.models import AuditEntry
from gaswarden.domains.cylinder.enums import EventKind, EventResult
from gaswarden.domains.cylinder.models import CylinderEvent
from gaswarden.domains.site.enums import SiteKind
from gaswarden.domains.site.models import Site
from tests.cylinder.lpg import build_lpg
from tests.factories import World

API = "/api/v1/gas-batches"


def batch(world: World, **extra: Any) -> dict[str, Any]:
    return {
        "code": "B-2026-T1",
        "site_id": world.ids["filling"],
        "supplier": "中石化聊城",
        "quantity_t": 18.5,
        "certificate_no": "QC-T-1",
        "arrived_on": "2026-11-02",
        **extra,
    }


def errors_of(r: Any) -> set[str]:
    return {str(e["loc"][-1]) for e in r.json().get("errors", [])}


def test_batch_rules(client: TestClient, world: World, session: Session) -> None:
    lpg = build_lpg(session, world)
    other_fill = Site(
        code="S-O-FILL", name="另一储配站", kind=SiteKind.LPG_FILLING, owner_id=lpg.ids["other"],
        area_id=world.ids["g12"],
    )  # fmt: skip
    session.add(other_fill)
    session.commit()
    ent = world.headers("ent_b_admin")
    r = client.post(API, json=batch(world), headers=ent)
    assert r.status_code == 201, r.text
    assert r.json()["owner_id"] == world.ids["ent_b"]
    assert client.post(API, json=batch(world), headers=ent).status_code == 409
    r = client.post(API, json=batch(world, code="B-2026-11"), headers=ent)  # lpg's batch
    assert r.status_code == 409
    # the same number from another enterprise is its own batch
    r = client.post(
        API,
        json=batch(world, owner_id=lpg.ids["other"], site_id=other_fill.id),
        headers=world.headers("reg_staff"),
    )
    assert r.status_code == 201, r.text
    for extra, field in (
        ({"quantity_t": 0}, "quantity_t"),
        ({"quantity_t": -3}, "quantity_t"),
        ({"site_id": world.ids["supply"]}, "site_id"),  # not a filling station
        ({"site_id": other_fill.id}, "site_id"),  # not its own (and not visible)
        ({"owner_id": lpg.ids["other"]}, "owner_id"),  # an enterprise records its own
        ({"arrived_on": "2099-01-01"}, "arrived_on"),
    ):
        r = client.post(API, json=batch(world, code="B-X", **extra), headers=ent)
        assert r.status_code == 422, (extra, r.text)
        assert field in errors_of(r), (extra, r.text)
    del_site = batch(world, code="B-NS")
    del del_site["site_id"]
    assert client.post(API, json=del_site, headers=ent).status_code == 422
    r = client.post(
        API, json=batch(world, code="B-A", site_id=None), headers=world.headers("ent_a_admin")
    )
    assert r.status_code == 422


def test_batch_scope_delete_and_audit(client: TestClient, world: World, session: Session) -> None:
    lpg = build_lpg(session, world)
    session.commit()
    ent = world.headers("ent_b_admin")
    new_id = client.post(API, json=batch(world), headers=ent).json()["id"]
    ent_a = world.headers("ent_a_admin")
    assert client.get(f"{API}/{new_id}", headers=ent_a).status_code == 404
    assert client.get(API, headers=ent_a).json()["total"] == 0
    listed = client.get(API, headers=world.headers("reg_admin")).json()["items"]
    assert {b["id"] for b in listed} >= {new_id, lpg.ids["batch"]}
    r = client.get(API, params={"q": "QC-T-1"}, headers=ent)
    assert [b["id"] for b in r.json()["items"]] == [new_id]
    r = client.patch(f"{API}/{new_id}", json={"quantity_t": 19.0}, params={"reason": "过磅"},
                     headers=ent)  # fmt: skip
    assert r.status_code == 200 and r.json()["quantity_t"] == 19.0
    assert client.patch(f"{API}/{new_id}", json={"owner_id": 1}, headers=ent).status_code == 422

    # a batch filled into cylinders stays on record
    now = datetime.now(UTC)
    session.add(
        CylinderEvent(key="fill-1", org_id=world.ids["ent_b"], kind=EventKind.FILL,
                      result=EventResult.ACCEPTED, tag_code="LPG-T-OK", occurred_at=now,
                      received_at=now, username="worker_b", batch_id=lpg.ids["batch"])
    )  # fmt: skip
    session.commit()
    assert client.delete(f"{API}/{lpg.ids['batch']}", headers=ent).status_code == 409
    assert client.delete(f"{API}/{new_id}", headers=ent).status_code == 204

    actions = session.scalars(
        select(AuditEntry.action)
        .where(AuditEntry.entity_type == "gas_batch", AuditEntry.entity_id == new_id)
        .order_by(AuditEntry.id)
    ).all()
    assert actions == ["create", "update", "delete"]
