"""The rows a batch of scans writes into its cylinders' location are read FOR KEY SHARE, as a
foreign key would lock them: two apps scanning at the same station at once do not wait for each
other, and a station deleted meanwhile waits for both and then leaves neither cylinder pointing
at it (PostgreSQL: SQLite has one writer)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session

from gaswarden.core.auth import SYSTEM
from gaswarden.domains.audit.models import AuditEntry
from gaswarden.domains.cylinder import events
from gaswarden.domains.cylinder.enums import EventKind, EventResult
from gaswarden.domains.cylinder.event_schemas import CylinderEventIn
from gaswarden.domains.cylinder.models import Cylinder, CylinderEvent
from gaswarden.domains.site.models import Site
from tests.conftest import Database
from tests.cylinder.lpg import cylinder
from tests.factories import World

TAGS = ("LOCK-T-1", "LOCK-T-2")
STATION = "S-B-LOCK"


def scan(tag: str) -> CylinderEventIn:
    return CylinderEventIn(
        key=f"lock-{tag}",
        kind=EventKind.SEND_INSPECTION,
        tag_code=tag,
        site_code=STATION,
        occurred_at=datetime(2026, 11, 29, 8, 0, tzinfo=UTC),
    )


def test_scans_at_one_station_at_once_and_the_station_deleted_meanwhile(
    database: Database, world: World
) -> None:
    if database.backend != "postgresql":
        pytest.skip("concurrent writers: PostgreSQL (SQLite has one writer)")
    org = world.ids["ent_b"]
    started = datetime.now(UTC)
    with Session(database.engine) as setup:
        site = Site(code=STATION, name="临时检验点", kind="lpg_supply", owner_id=org,
                    area_id=world.ids["g11"], lon=115.93, lat=36.42)  # fmt: skip
        setup.add(site)
        for tag in TAGS:
            cylinder(setup, tag, org, next_inspection_on=datetime(2029, 1, 1).date())
        setup.commit()
        site_id = site.id
    first, second, admin = (Session(database.engine) for _ in range(3))
    found: dict[str, object] = {}

    def send_second() -> None:
        try:  # a FOR UPDATE-like lock held by the first would end this with an error
            second.execute(text("SET LOCAL lock_timeout = '3s'"))
            [out] = events.submit(session=second, principal=SYSTEM, events=[scan(TAGS[1])],
                                  org_id=org)  # fmt: skip
            found["second"] = out.result
        except Exception as exc:
            found["second"] = exc

    def delete_station() -> None:
        admin.execute(delete(Site).where(Site.id == site_id))
        admin.commit()
        found["deleted"] = True

    try:
        [out] = events.submit(session=first, principal=SYSTEM, events=[scan(TAGS[0])], org_id=org)
        assert out.result is EventResult.ACCEPTED, out
        sender = threading.Thread(target=send_second)
        sender.start()
        sender.join(10)
        assert not sender.is_alive() and found["second"] is EventResult.ACCEPTED, found

        deleter = threading.Thread(target=delete_station)
        deleter.start()
        deleter.join(1.0)
        assert deleter.is_alive() and "deleted" not in found  # waits for both batches
        first.commit()
        second.commit()
        deleter.join(10)
        assert found.get("deleted") is True
        with Session(database.engine) as check:
            rows = check.execute(
                select(Cylinder.tag_code, Cylinder.site_id, Cylinder.status)
                .where(Cylinder.tag_code.in_(TAGS))
                .order_by(Cylinder.tag_code)
            ).all()
        assert [(t, s, st.value) for t, s, st in rows] == [
            (TAGS[0], None, "at_inspection"),
            (TAGS[1], None, "at_inspection"),
        ]
    finally:
        for s in (first, second, admin):
            s.rollback()
            s.close()
        with Session(database.engine) as cleanup:
            cleanup.execute(delete(CylinderEvent).where(CylinderEvent.tag_code.in_(TAGS)))
            cleanup.execute(delete(Cylinder).where(Cylinder.tag_code.in_(TAGS)))
            cleanup.execute(delete(Site).where(Site.code == STATION))
            cleanup.execute(  # the submissions' audit rows (the shared world stays as built)
                delete(AuditEntry).where(
                    AuditEntry.entity_type == "cylinder_event", AuditEntry.at >= started
                )
            )
            cleanup.commit()
