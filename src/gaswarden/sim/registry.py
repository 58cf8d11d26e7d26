"""Which devices the simulator plays: the registry's active devices, read once."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import zip_longest
from typing import TYPE_CHECKING

from sqlalchemy import select

from gaswarden.db.session import make_engine, make_session_factory
from gaswarden.domains.device.enums import DeviceKind, DeviceStatus
from gaswarden.domains.device.models import Device
from gaswarden.settings import Settings
from gaswarden.sim.incidents import SCENARIOS, IncidentKind
from gaswarden.sim.telemetry import SimDevice, set_point_kpa

if TYPE_CHECKING:
    from gaswarden.sim.network_twin import Twins


def read_devices(settings: Settings) -> list[SimDevice]:
    """Every active device with what its signal depends on (tokens decrypted)."""
    engine = make_engine(settings)
    try:
        with make_session_factory(engine)() as session:
            rows = session.scalars(
                select(Device).where(Device.status == DeviceStatus.ACTIVE).order_by(Device.serial)
            ).all()
            return [_sim_device(d) for d in rows]
    finally:
        engine.dispose()


def _sim_device(device: Device) -> SimDevice:
    asset = device.asset
    set_kpa = None
    if device.kind is DeviceKind.PRESSURE_MONITOR:
        set_kpa = set_point_kpa(
            asset.outlet_set_kpa if asset else None,
            asset.outlet_design_mpa if asset else None,
            asset.design_pressure_mpa if asset else None,
        )
    site = device.site_name or (asset.site_name if asset else None)
    return SimDevice(
        serial=device.serial,
        kind=device.kind,
        report_interval_s=max(1, device.report_interval_s or 300),
        token=device.token,
        set_kpa=set_kpa,
        site=site,
    )


def select_devices(
    devices: Sequence[SimDevice],
    *,
    kinds: Sequence[DeviceKind | str] | None = None,
    limit: int | None = None,
    serials: Sequence[str] | None = None,
    need: Sequence[str] = (),
    need_kinds: Sequence[IncidentKind] = (),
) -> list[SimDevice]:
    """Narrow the devices down: to `serials`, to `kinds`, then to `limit` of them taken in
    turn from each kind (so that a few devices still show every kind), always keeping the
    serials and the kinds that the incidents need."""
    pool = list(devices)
    if serials:
        wanted = set(serials) | set(need)
        pool = [d for d in pool if d.serial in wanted]
    if kinds:
        wanted_kinds = {DeviceKind(k) for k in kinds} | {SCENARIOS[k].target for k in need_kinds}
        pool = [d for d in pool if d.kind in wanted_kinds or d.serial in need]
    if limit is None or limit >= len(pool):
        return pool
    first = [d for d in pool if d.serial in need]
    needed_kinds = [SCENARIOS[k].target for k in need_kinds]
    order = sorted(
        {d.kind for d in pool}, key=lambda k: (k not in needed_kinds, list(DeviceKind).index(k))
    )
    by_kind = [[d for d in pool if d.kind is k and d not in first] for k in order]
    turns = [d for row in zip_longest(*by_kind) for d in row if d is not None]
    chosen = first + turns[: max(0, limit - len(first))]
    return sorted(chosen, key=lambda d: d.serial)


def load_devices(settings: Settings, **narrow: object) -> list[SimDevice]:
    """The registry's active devices, narrowed as `select_devices` does."""
    chosen = select_devices(read_devices(settings), **narrow)  # type: ignore[arg-type]
    if not chosen:
        raise ValueError("no active devices to simulate (load the demo: gaswarden demo --no-serve)")
    return chosen


def load_twins(settings: Settings, seed: int) -> Twins | None:
    """The hydraulic twins of the modelled networks whose sensors are bound (None if none:
    pandapipes is then not even imported)."""
    from gaswarden.domains.network.models import NetworkSensor

    engine = make_engine(settings)
    try:
        with make_session_factory(engine)() as session:
            if session.scalar(select(NetworkSensor.id).limit(1)) is None:
                return None
            from gaswarden.sim.network_twin import read_twins

            return read_twins(session, seed)
    finally:
        engine.dispose()
