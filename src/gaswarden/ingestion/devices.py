"""The ingest workers' view of the registry: serial -> id, status, scope, token digest.

Loaded whole at start (a district has a few thousand devices), refreshed periodically and on a
miss, so that a message never costs an ORM query; a refusal (unknown, decommissioned, wrong
token) is re-checked against the database before it is final.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gaswarden.domains.device.enums import DeviceKind, DeviceStatus
from gaswarden.domains.device.models import Device
from gaswarden.domains.device.service import token_digest

REFRESH_S = 60.0  # a registry change reaches the workers within this
MISS_RETRY_S = 5.0  # an unknown serial is looked up again at most this often


@dataclass(frozen=True)
class DeviceRef:
    id: int
    serial: str
    status: DeviceStatus
    kind: DeviceKind
    owner_id: int | None
    area_id: int | None
    site_id: int | None
    token_digest: str | None

    @property
    def decommissioned(self) -> bool:
        return self.status is DeviceStatus.DECOMMISSIONED

    def token_matches(self, token: str) -> bool:
        return self.token_digest is not None and secrets.compare_digest(
            self.token_digest, token_digest(token)
        )


_COLUMNS = (
    Device.id,
    Device.serial,
    Device.status,
    Device.kind,
    Device.owner_id,
    Device.area_id,
    Device.site_id,
    Device.token_digest,
)


# The registry's count and latest change: any insert, update (updated_at) or delete moves it.
_SIGNATURE = select(func.count(Device.id), func.max(Device.updated_at))


class DeviceCache:
    def __init__(self, refresh_s: float = REFRESH_S) -> None:
        self.refresh_s = refresh_s
        self._by_serial: dict[str, DeviceRef] = {}
        self._by_id: dict[int, DeviceRef] = {}
        self._loaded_at = -1e18
        self._misses: dict[str, float] = {}
        self._lock = threading.Lock()
        self._signature: tuple[object, ...] | None = None

    def load_all(self, session: Session) -> None:
        signature = tuple(session.execute(_SIGNATURE).one())
        refs = [DeviceRef(*row) for row in session.execute(select(*_COLUMNS))]
        with self._lock:
            self._by_serial = {r.serial: r for r in refs}
            self._by_id = {r.id: r for r in refs}
            self._misses.clear()
            self._loaded_at = time.monotonic()
            self._signature = signature

    def sync(self, session: Session) -> bool:
        """Re-read the registry if it changed (a device added, changed or removed) since it
        was read; True when it was. One small query when nothing changed. (A change whose
        stamp is older than one already seen, committed late, waits for the REFRESH_S re-read.)"""
        if tuple(session.execute(_SIGNATURE).one()) == self._signature:
            return False
        self.load_all(session)
        return True

    def reload(self, session: Session, serial: str) -> DeviceRef | None:
        row = session.execute(select(*_COLUMNS).where(Device.serial == serial)).first()
        with self._lock:
            old = self._by_serial.pop(serial, None)
            if old is not None:
                self._by_id.pop(old.id, None)
            if row is None:
                self._misses[serial] = time.monotonic()
                return None
            ref = DeviceRef(*row)
            self._by_serial[serial] = ref
            self._by_id[ref.id] = ref
            self._misses.pop(serial, None)
            return ref

    def refresh(self, session: Session, serials: set[str]) -> None:
        """Re-read these devices now (HTTP requests: a status change applies at once)."""
        rows = session.execute(select(*_COLUMNS).where(Device.serial.in_(sorted(serials))))
        found = {r.serial: r for r in (DeviceRef(*row) for row in rows)}
        now = time.monotonic()
        with self._lock:
            for serial in serials:
                old = self._by_serial.pop(serial, None)
                if old is not None:
                    self._by_id.pop(old.id, None)
                ref = found.get(serial)
                if ref is None:
                    self._misses[serial] = now
                else:
                    self._by_serial[serial] = ref
                    self._by_id[ref.id] = ref
                    self._misses.pop(serial, None)

    def lookup(self, session: Session, serial: str) -> DeviceRef | None:
        now = time.monotonic()
        if now - self._loaded_at > self.refresh_s:
            self.load_all(session)
        ref = self._by_serial.get(serial)
        if ref is not None:
            return ref
        missed = self._misses.get(serial)
        if missed is not None and now - missed < MISS_RETRY_S:
            return None
        return self.reload(session, serial)

    def peek(self, serial: str) -> DeviceRef | None:
        """What memory holds of this serial, without the database (any thread)."""
        return self._by_serial.get(serial)

    def by_id(self, device_id: int) -> DeviceRef | None:
        return self._by_id.get(device_id)

    def active(self) -> list[DeviceRef]:
        return [r for r in self._by_serial.values() if not r.decommissioned]
