"""The ingest workers' registry cache: re-read when the registry changed, not otherwise."""

from __future__ import annotations

from sqlalchemy.orm import Session

from gaswarden.core.auth import SYSTEM
from gaswarden.domains.device.enums import DeviceStatus
from gaswarden.domains.device.service import service as devices
from gaswarden.ingestion.devices import DeviceCache
from tests.factories import World
from tests.ingestion.helpers import credentials


def test_sync_rereads_the_registry_only_when_it_changed(session: Session, world: World) -> None:
    dev = world.ids["dev_gate"]
    serial, _ = credentials(session, dev)
    cache = DeviceCache()
    assert cache.sync(session), "nothing read yet"
    before = cache.peek(serial)
    assert before is not None and not before.decommissioned
    assert not cache.sync(session)  # unchanged: nothing re-read
    assert cache.peek(serial) is before

    devices.update(session=session, principal=SYSTEM, id=dev, data={"status": "decommissioned"})
    session.flush()
    assert cache.sync(session)
    after = cache.peek(serial)
    assert after is not None and after.status is DeviceStatus.DECOMMISSIONED
    assert not cache.sync(session)
