"""Two requests sending the same new scan at once (an app retrying while the first send is
still being stored): the second waits for the first and then answers 409, keeping nothing;
sent again, it gets the stored outcome as a duplicate."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import delete
from sqlalchemy.orm import Session

from gaswarden.core.auth import SYSTEM
from gaswarden.core.errors import Conflict
from gaswarden.domains.audit.models import AuditEntry
from gaswarden.domains.cylinder import events
from gaswarden.domains.cylinder.enums import EventKind, EventResult
from gaswarden.domains.cylinder.event_schemas import CylinderEventIn
from gaswarden.domains.cylinder.models import CylinderAnomaly, CylinderEvent
from tests.conftest import Database
from tests.factories import World

KEY = "concurrent-retry-1"
CODE = "NO-SUCH-CODE-CONCURRENT"  # refused and raised as an unknown code: both cleaned up


def scan() -> CylinderEventIn:
    return CylinderEventIn(
        key=KEY,
        kind=EventKind.FILL,
        tag_code=CODE,  # refused, but stored: the key is taken either way
        occurred_at=datetime(2026, 11, 29, 8, 0, tzinfo=UTC),
    )


def test_the_same_new_key_from_two_requests_at_once(database: Database, world: World) -> None:
    if database.backend != "postgresql":
        pytest.skip("two writers at once: PostgreSQL (SQLite has one writer)")
    org = world.ids["ent_b"]
    first, second = Session(database.engine), Session(database.engine)
    outcome: dict[str, object] = {}
    started = datetime.now(UTC)

    def send_second() -> None:
        try:
            events.submit(session=second, principal=SYSTEM, events=[scan()], org_id=org)
            outcome["second"] = "stored"
        except Conflict as exc:
            outcome["second"] = exc
        finally:
            second.rollback()

    try:
        [stored] = events.submit(session=first, principal=SYSTEM, events=[scan()], org_id=org)
        assert stored.result is EventResult.REFUSED and not stored.duplicate
        thread = threading.Thread(target=send_second)
        thread.start()
        thread.join(1.0)
        assert thread.is_alive()  # waiting on the first's uncommitted key
        first.commit()
        thread.join(10)
        assert isinstance(outcome.get("second"), Conflict), outcome
        assert "send them again" in str(outcome["second"])
        # sent again, the stored outcome comes back
        [again] = events.submit(session=second, principal=SYSTEM, events=[scan()], org_id=org)
        assert again.duplicate and again.event_id == stored.event_id
        second.rollback()
    finally:
        first.rollback()
        second.rollback()
        with Session(database.engine) as cleanup:
            cleanup.execute(delete(CylinderEvent).where(CylinderEvent.key == KEY))
            cleanup.execute(delete(CylinderAnomaly).where(CylinderAnomaly.tag_code == CODE))
            cleanup.execute(  # the submission's audit row (the shared world stays as built)
                delete(AuditEntry).where(
                    AuditEntry.entity_type == "cylinder_event", AuditEntry.at >= started
                )
            )
            cleanup.commit()
        first.close()
        second.close()
