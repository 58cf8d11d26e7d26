"""A watched network for the tests: the engine's small net stored in the test world, with
pressure monitors and the inlet flow meter bound, and its readings made by the simulator's
hydraulic twin (with or without a leak) and stored as the ingest would."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from gaswarden.core.auth import Principal
from gaswarden.domains.account.models import User
from gaswarden.domains.account.service import principal_for
from gaswarden.domains.asset.models import Asset
from gaswarden.domains.device.service import service as devices
from gaswarden.domains.network import service as networks
from gaswarden.domains.network.models import NetworkJunction, PipeNetwork
from gaswarden.domains.telemetry.models import Reading
from gaswarden.network import importer
from gaswarden.network.geo import placed
from gaswarden.network.model import to_json
from gaswarden.network.topology import junction_xy
from gaswarden.network.validate import validate
from gaswarden.sim.network_twin import NetworkTwin, read_twins
from tests.network.nets import small_net

# Monitors on mains junctions of the 5 x 4 grid (ids 5*row + col), spread out.
MONITORS = (2, 4, 7, 10, 12, 14, 16, 19)
LON0, LAT0 = 115.92, 36.42  # inside the test world's grid g11


def who(session: Session, username: str) -> Principal:
    user = session.scalars(select(User).where(User.username == username)).one()
    return principal_for(session=session, user=user)


@dataclass
class Watched:
    network: PipeNetwork
    principal: Principal
    pressure_ids: list[int]
    flow_id: int
    serials: list[str]

    def twin(self, session: Session, seed: int = 7) -> NetworkTwin:
        twins = read_twins(session, seed)
        return next(t for t in twins.twins if t.network_id == self.network.id)


def store_watched(
    session: Session, *, code: str = "NET-W1", username: str = "ent_a_admin", area_id: int
) -> Watched:
    ent = who(session, username)
    net = small_net()
    xy = junction_xy(net)
    imported = importer.read_pandapipes(to_json(net))
    report = validate(imported.net, parsed=imported.findings)
    network = networks.import_network(
        session=session,
        principal=ent,
        data={"code": code, "name": "测试监测管网", "area_id": area_id},
        imported=imported,
        report=report,
        origin=placed(xy[:, 0], xy[:, 1], LON0, LAT0),
    )
    assets = {
        j: a
        for j, a in session.execute(
            select(NetworkJunction.index, NetworkJunction.asset_id).where(
                NetworkJunction.network_id == network.id
            )
        )
    }
    pressure_ids, serials = [], []
    for j in MONITORS:
        serial = f"PM-{code}-{j}"
        d = devices.create(
            session=session,
            principal=ent,
            data={"serial": serial, "kind": "pressure_monitor", "asset_id": assets[j]},
        )
        networks.bind_sensor(
            session=session, principal=ent, id=network.id, data={"device_id": d.id, "junction": j}
        )
        pressure_ids.append(d.id)
        serials.append(serial)
    feed_asset = session.get(Asset, assets[0])
    fm = devices.create(
        session=session,
        principal=ent,
        data={
            "serial": f"FM-{code}",
            "kind": "flow_meter",
            "asset_id": feed_asset.id if feed_asset else None,
        },
    )
    networks.bind_sensor(
        session=session, principal=ent, id=network.id, data={"device_id": fm.id, "feed": 0}
    )
    session.flush()
    return Watched(network, ent, pressure_ids, fm.id, serials)


def store_readings(
    session: Session,
    watched: Watched,
    twin: NetworkTwin,
    *,
    end: datetime,
    minutes: int = 20,
    step_s: int = 60,
    seed: int = 1,
    tamper: dict[str, object] | None = None,
    model_end: datetime | None = None,
) -> None:
    """Readings every `step_s` for `minutes` before `end`, as the twin reads them now (its
    leak, if started). `tamper` maps a serial to a callable (k, value) -> value to break it.
    `model_end`: the twin's clock at `end`, where a test must not depend on the hour it runs
    in (the twin draws each house's demand per hour)."""
    rng = random.Random(seed)
    ids = dict(zip(watched.serials, watched.pressure_ids, strict=True))
    flow_serial = f"FM-{watched.network.code}"
    ids[flow_serial] = watched.flow_id
    rows = []
    n = minutes * 60 // step_s
    for k in range(n):
        ts = end - timedelta(seconds=(n - k) * step_s - 1)
        for serial, device_id in ids.items():
            clock = ts if model_end is None else model_end - (end - ts)
            value = next(iter(twin.reading(serial, clock, rng).values()))
            fn = (tamper or {}).get(serial)
            if fn is not None:
                value = fn(k, value)  # type: ignore[operator]
            metric = "flow_m3h" if serial == flow_serial else "pressure_kpa"
            rows.append(
                Reading(device_id=device_id, metric=metric, ts=ts, value=value, received_at=ts)
            )
    session.add_all(rows)
    session.flush()
