"""Storing a network: rows, registry assets with geometry, scope and audit, on both backends."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gaswarden.core.auth import SYSTEM, Principal
from gaswarden.core.errors import Conflict, Invalid, NotFound
from gaswarden.domains.account.models import User
from gaswarden.domains.account.service import principal_for
from gaswarden.domains.asset.enums import AssetKind
from gaswarden.domains.asset.models import Asset
from gaswarden.domains.audit.models import AuditEntry
from gaswarden.domains.device.service import service as devices
from gaswarden.domains.network import service as networks
from gaswarden.domains.network.enums import JunctionRole, SensorQuantity
from gaswarden.domains.network.models import NetworkFeed, NetworkJunction, NetworkPipe
from gaswarden.network import importer
from gaswarden.network.validate import validate
from tests.factories import World

SMALL = Path(__file__).parents[1] / "fixtures" / "network" / "small.geojson"


def who(session: Session, username: str) -> Principal:
    user = session.scalars(select(User).where(User.username == username)).one()
    return principal_for(session=session, user=user)


def store_small(session: Session, principal: Principal, code: str = "NET-T1", **data: object):  # type: ignore[no-untyped-def]
    imported = importer.read(SMALL.read_text(encoding="utf-8"))
    report = validate(imported.net, parsed=imported.findings)
    return networks.import_network(
        session=session,
        principal=principal,
        data={"code": code, "name": "古楼测试管网", **data},
        imported=imported,
        report=report,
    )


def test_import_writes_rows_and_assets(session: Session, world: World) -> None:
    ent = who(session, "ent_a_admin")
    network = store_small(session, ent, area_id=world.ids["t1"])
    assert network.owner_id == world.ids["ent_a"]
    assert (network.junctions, network.pipes, network.feeds, network.consumers) == (14, 17, 1, 4)
    count = session.scalar(
        select(func.count())
        .select_from(NetworkJunction)
        .where(NetworkJunction.network_id == network.id)
    )
    assert count == 14
    found = session.execute(
        select(NetworkJunction.name, NetworkJunction.role).where(
            NetworkJunction.network_id == network.id
        )
    )
    roles = {name: role for name, role in found}
    assert roles["古楼调压站出口"] is JunctionRole.FEED
    assert roles["用户C1"] is JunctionRole.SERVICE
    assert roles["干管节点11"] is JunctionRole.MAINS
    junction_assets = session.scalars(
        select(Asset).where(Asset.code.like("NET-T1-J%"), Asset.kind == AssetKind.JUNCTION)
    ).all()
    assert len(junction_assets) == 14
    one = junction_assets[0]
    assert one.geometry is not None and one.geometry["type"] == "Point"
    assert one.owner_id == world.ids["ent_a"]
    # the fixture lies at 115.92 E, 36.42 N: in the grid 古楼一网格 (115.90-115.95, 36.40-36.45)
    assert one.area_id == world.ids["g11"]
    assert 115.91 < one.lon < 115.93 and 36.41 < one.lat < 36.43  # type: ignore[operator]
    pipes = session.scalars(select(Asset).where(Asset.code.like("NET-T1-P%"))).all()
    assert len(pipes) == 17
    bent = session.scalar(
        select(NetworkPipe).where(NetworkPipe.network_id == network.id, NetworkPipe.name == "SC1")
    )
    assert bent is not None and bent.asset_id is not None
    bent_asset = session.get(Asset, bent.asset_id)
    assert bent_asset is not None and bent_asset.kind is AssetKind.PIPE_SEGMENT
    assert len(bent_asset.geometry["coordinates"]) == 3  # type: ignore[index]
    assert bent_asset.material is not None and bent_asset.material.value == "pe"
    assert bent_asset.diameter_mm == pytest.approx(32.6)
    given = session.scalar(
        select(NetworkPipe.length_m).where(
            NetworkPipe.network_id == network.id, NetworkPipe.name == "P1"
        )
    )
    assert given == pytest.approx(152.0)  # length_m from the file beats the geometry's 150 m


def test_reimport_same_code_conflicts(session: Session, world: World) -> None:
    store_small(session, SYSTEM, owner_id=world.ids["ent_a"])
    with pytest.raises(Conflict, match="NET-T1"):
        store_small(session, SYSTEM, owner_id=world.ids["ent_a"])


def test_broken_report_is_refused(session: Session, world: World) -> None:
    text = SMALL.read_text(encoding="utf-8").replace('"to": "M01"', '"to": "NOWHERE"', 1)
    imported = importer.read(text)
    report = validate(imported.net, parsed=imported.findings)
    with pytest.raises(Invalid, match="dangling"):
        networks.import_network(
            session=session,
            principal=SYSTEM,
            data={"code": "NET-BAD", "name": "坏管网"},
            imported=imported,
            report=report,
        )


def test_scope_owner_other_enterprise_regulator(session: Session, world: World) -> None:
    network = store_small(session, who(session, "ent_a_admin"), area_id=world.ids["t1"])
    ent_a = who(session, "ent_a_staff")
    ent_b = who(session, "ent_b_admin")
    reg = who(session, "reg_staff")
    inspector = who(session, "inspector")
    assert networks.get_network(session=session, principal=ent_a, id=network.id).code == "NET-T1"
    assert networks.get_network(session=session, principal=reg, id=network.id).code == "NET-T1"
    for outsider in (ent_b, inspector):
        with pytest.raises(NotFound):
            networks.get_network(session=session, principal=outsider, id=network.id)
        with pytest.raises(NotFound):
            networks.load_net(session=session, principal=outsider, id=network.id)
        assert networks.list_networks(session=session, principal=outsider).total == 0
    assert [n.code for n in networks.list_networks(session=session, principal=reg).items] == [
        "NET-T1"
    ]
    net = networks.load_net(session=session, principal=ent_a, id=network.id)
    assert len(net.junction) == 14 and set(net.pipe.material.dropna()) == {"pe", "steel"}


def test_import_audited_and_sensors_valves_capacity(session: Session, world: World) -> None:
    ent = who(session, "ent_a_admin")
    network = store_small(session, ent)
    at = session.scalar(select(Asset.id).where(Asset.code == "NET-T1-J4"))
    feed_at = session.scalar(select(Asset.id).where(Asset.code == "NET-T1-J9"))

    def device(serial: str, kind: str, asset_id: int | None):  # type: ignore[no-untyped-def]
        data = {"serial": serial, "kind": kind, "asset_id": asset_id}
        return devices.create(session=session, principal=ent, data=data)

    pm = device("PM-NT-1", "pressure_monitor", at)
    fm = device("FM-NT-1", "flow_meter", feed_at)
    assert pm.lon is not None or pm.asset_id == at
    s1 = networks.bind_sensor(
        session=session, principal=ent, id=network.id, data={"device_id": pm.id, "junction": 4}
    )
    s2 = networks.bind_sensor(
        session=session, principal=ent, id=network.id, data={"device_id": fm.id, "feed": 0}
    )
    assert s1.quantity is SensorQuantity.PRESSURE and s2.quantity is SensorQuantity.FLOW
    feed = session.scalar(select(NetworkFeed).where(NetworkFeed.network_id == network.id))
    assert feed is not None and feed.flow_device_id == fm.id and s2.junction == feed.junction
    with pytest.raises(Conflict):
        networks.bind_sensor(
            session=session, principal=ent, id=network.id, data={"device_id": pm.id, "junction": 5}
        )
    with pytest.raises(Invalid, match="no junction"):
        pm2 = device("PM-NT-2", "pressure_monitor", at)
        networks.bind_sensor(
            session=session,
            principal=ent,
            id=network.id,
            data={"device_id": pm2.id, "junction": 99},
        )
    valve = networks.add_valve(session=session, principal=ent, id=network.id, data={"pipe": 3})
    assert valve.at_junction in (1, 4)
    with pytest.raises(Invalid, match="not an end"):
        networks.add_valve(
            session=session, principal=ent, id=network.id, data={"pipe": 3, "at_junction": 9}
        )
    networks.set_feed_capacity(
        session=session, principal=ent, id=network.id, feed=0, data={"capacity_m3h": 150.0}
    )
    actions = session.scalars(
        select(AuditEntry.action).where(
            AuditEntry.entity_type == "pipe_network", AuditEntry.entity_id == network.id
        )
    ).all()
    assert sorted(actions) == sorted(
        ["import", "bind_sensor", "bind_sensor", "add_valve", "feed_capacity"]
    )
    # another enterprise can neither see the network nor bind to it
    with pytest.raises(NotFound):
        networks.add_valve(
            session=session, principal=who(session, "ent_b_admin"), id=network.id, data={"pipe": 4}
        )
