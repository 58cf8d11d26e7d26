"""The network's use cases: import a validated net, list and read networks within the caller's
scope, load the stored net, bind sensors, register valves, set a feed's capacity.

Keyword-only, flush never commit, core.errors, every query scoped (out of scope: 404), every
write audited. The bulk rows of an import are written by `store`.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gaswarden.core.auth import Action, Principal, ScopeKind
from gaswarden.core.errors import Conflict, Invalid, NotFound
from gaswarden.core.pagination import Page, PageParams
from gaswarden.domains.area.service import service as areas
from gaswarden.domains.asset.enums import AssetKind
from gaswarden.domains.asset.models import Asset
from gaswarden.domains.asset.service import service as assets
from gaswarden.domains.audit import service as audit
from gaswarden.domains.device.enums import DeviceKind
from gaswarden.domains.device.service import service as devices
from gaswarden.domains.network import store
from gaswarden.domains.network.enums import SensorQuantity, SourceFormat
from gaswarden.domains.network.models import (
    NetworkFeed,
    NetworkJunction,
    NetworkPipe,
    NetworkSensor,
    NetworkValve,
    PipeNetwork,
)
from gaswarden.domains.network.schemas import (
    FeedCapacity,
    NetworkImport,
    SensorBind,
    ValveCreate,
)
from gaswarden.domains.network.scope import network_scope
from gaswarden.domains.organization.service import service as organizations
from gaswarden.network.geo import Origin
from gaswarden.network.importer import Imported
from gaswarden.network.model import Net, from_json, to_json
from gaswarden.network.validate import Report

ENTITY = "pipe_network"


def _validated(schema: type[BaseModel], data: dict[str, Any] | BaseModel) -> dict[str, Any]:
    return assets.validated(schema, data)  # the same error shape as every service


def _audit(
    session: Session,
    principal: Principal,
    network: PipeNetwork,
    action: str,
    changes: dict[str, list[Any]],
    reason: str | None = None,
) -> None:
    audit.record(
        session=session,
        principal=principal,
        action=action,
        entity_type=ENTITY,
        entity_id=network.id,
        entity_label=f"{network.code} {network.name}",
        changes=changes,
        reason=reason,
        owner_id=network.owner_id,
        area_id=network.area_id,
    )


# ---- import -------------------------------------------------------------------------------
def import_network(
    *,
    session: Session,
    principal: Principal,
    data: dict[str, Any] | BaseModel,
    imported: Imported,
    report: Report,
    origin: Origin | None = None,
    reason: str | None = None,
) -> PipeNetwork:
    """Store a validated net as a PipeNetwork with its junction, pipe and feed rows and the
    registry assets of its junctions and pipes. `origin` places the model's metres onto
    WGS 84 (GeoJSON imports bring their own)."""
    principal.require(Action.REGISTRY_WRITE)
    values = _validated(NetworkImport, data)
    if not report.ok:
        raise Invalid(
            f"the network has {len(report.errors)} errors 管网模型有 {len(report.errors)} 处错误: "
            + "; ".join(e.en for e in report.errors[:5]),
            errors=[{"loc": ["file"], "msg": e.text, "type": e.code} for e in report.errors],
        )
    origin = origin or imported.origin
    if origin is None:
        raise Invalid(
            "where does the model lie? give its placement (origin) onto WGS 84 "
            "请给出模型坐标到经纬度的定位",
            errors=[{"loc": ["origin"], "msg": "required", "type": "required"}],
        )
    code = values["code"]
    if session.scalar(select(PipeNetwork.id).where(PipeNetwork.code == code)) is not None:
        raise Conflict(
            f"管网编号 {code} 已存在 / network code {code!r} is already used; "
            "re-importing needs a new code",
            errors=[{"loc": ["body", "code"], "msg": "already used", "type": "unique"}],
        )
    if session.scalar(select(Asset.id).where(Asset.code.like(f"{code}-%")).limit(1)):
        raise Conflict(f"asset codes {code}-... are already used 设施编号冲突")
    if principal.scope_kind is ScopeKind.ORG and values.get("owner_id") is None:
        values["owner_id"] = principal.org_id
    for field, service in (("owner_id", organizations), ("area_id", areas)):
        if values.get(field) is not None:
            try:
                service.get(session=session, principal=principal, id=values[field])
            except NotFound as exc:
                raise Invalid(
                    f"{field}: no {service.entity} {values[field]} that you can see",
                    errors=[{"loc": ["body", field], "msg": "not found", "type": "reference"}],
                ) from exc
    net = imported.net
    placed = store.place(net, origin)
    figures = report.figures
    frame = placed.junctions
    network = PipeNetwork(
        **values,
        source_format=SourceFormat(imported.source_format),
        model_json=to_json(net),
        crs=imported.crs,
        origin=origin.as_dict(),
        fluid=str(getattr(net.fluid, "name", "hgas")),
        junctions=int(figures.get("junctions", len(net.junction))),
        pipes=int(figures.get("pipes", len(net.pipe))),
        length_km=float(figures.get("length_km", 0.0)),
        feeds=len(net.ext_grid),
        consumers=len(net.sink) if "sink" in net else 0,
        validation=report.stored(),
        lon=round(float((frame.lon.min() + frame.lon.max()) / 2), 7),
        lat=round(float((frame.lat.min() + frame.lat.max()) / 2), 7),
    )
    session.add(network)
    session.flush()
    if principal.scope_kind is not ScopeKind.ALL:
        visible = select(PipeNetwork.id).where(
            PipeNetwork.id == network.id, network_scope(principal)
        )
        if session.scalar(visible) is None:
            raise Invalid("this network would lie outside your scope 该管网不在您的管辖范围内")
    j_assets, p_assets = store.write_assets(session, network, net, placed)
    store.write_rows(session, network, net, placed, j_assets, p_assets)
    _audit(
        session,
        principal,
        network,
        "import",
        {
            "code": [None, network.code],
            "source_format": [None, network.source_format.value],
            "junctions": [None, network.junctions],
            "pipes": [None, network.pipes],
            "length_km": [None, network.length_km],
            "assets": [None, len(j_assets) + len(p_assets)],
            "warnings": [None, len(report.warnings)],
        },
        reason,
    )
    session.flush()
    return network


# ---- reads --------------------------------------------------------------------------------
def list_networks(
    *, session: Session, principal: Principal, params: PageParams | None = None
) -> Page[PipeNetwork]:
    params = params or PageParams()
    stmt = select(PipeNetwork).where(network_scope(principal))
    if params.q:
        like = f"%{params.q}%"
        stmt = stmt.where(PipeNetwork.name.like(like) | PipeNetwork.code.like(like))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    items = list(
        session.scalars(stmt.order_by(PipeNetwork.code).offset(params.offset).limit(params.size))
    )
    return Page(items=items, total=total, page=params.page, size=params.size)


def get_network(*, session: Session, principal: Principal, id: int) -> PipeNetwork:
    network = session.scalar(
        select(PipeNetwork).where(PipeNetwork.id == id, network_scope(principal))
    )
    if network is None:
        raise NotFound(f"pipe network {id} not found")
    return network


def get_by_code(*, session: Session, principal: Principal, code: str) -> PipeNetwork:
    network = session.scalar(
        select(PipeNetwork).where(PipeNetwork.code == code, network_scope(principal))
    )
    if network is None:
        raise NotFound(f"pipe network {code!r} not found 未找到管网")
    return network


def load_net(*, session: Session, principal: Principal, id: int) -> Net:
    """The stored pandapipes net, as validated at import."""
    return from_json(get_network(session=session, principal=principal, id=id).model_json)


def origin_of(network: PipeNetwork) -> Origin | None:
    return Origin.from_dict(network.origin) if network.origin else None


def feeds(*, session: Session, principal: Principal, id: int) -> list[NetworkFeed]:
    get_network(session=session, principal=principal, id=id)
    stmt = select(NetworkFeed).where(NetworkFeed.network_id == id).order_by(NetworkFeed.index)
    return list(session.scalars(stmt))


def sensors(*, session: Session, principal: Principal, id: int) -> list[NetworkSensor]:
    get_network(session=session, principal=principal, id=id)
    stmt = select(NetworkSensor).where(NetworkSensor.network_id == id).order_by(NetworkSensor.id)
    return list(session.scalars(stmt))


def valves(*, session: Session, principal: Principal, id: int) -> list[NetworkValve]:
    get_network(session=session, principal=principal, id=id)
    stmt = select(NetworkValve).where(NetworkValve.network_id == id).order_by(NetworkValve.id)
    return list(session.scalars(stmt))


# ---- writes on a stored network -----------------------------------------------------------
def _feed(session: Session, network: PipeNetwork, index: int) -> NetworkFeed:
    feed = session.scalar(
        select(NetworkFeed).where(NetworkFeed.network_id == network.id, NetworkFeed.index == index)
    )
    if feed is None:
        raise Invalid(
            f"network {network.code} has no feed {index} 无此气源",
            errors=[{"loc": ["body", "feed"], "msg": "no such feed", "type": "reference"}],
        )
    return feed


def _junction_exists(session: Session, network: PipeNetwork, index: int) -> None:
    found = session.scalar(
        select(NetworkJunction.id).where(
            NetworkJunction.network_id == network.id, NetworkJunction.index == index
        )
    )
    if found is None:
        raise Invalid(
            f"network {network.code} has no junction {index} 无此节点",
            errors=[{"loc": ["body", "junction"], "msg": "no such junction", "type": "reference"}],
        )


def bind_sensor(
    *,
    session: Session,
    principal: Principal,
    id: int,
    data: dict[str, Any] | BaseModel,
    reason: str | None = None,
) -> NetworkSensor:
    """A pressure monitor at a junction, or a flow meter at a feed (also the feed's
    `flow_device_id`)."""
    principal.require(Action.REGISTRY_WRITE)
    values = _validated(SensorBind, data)
    network = get_network(session=session, principal=principal, id=id)
    try:
        device = devices.get(session=session, principal=principal, id=values["device_id"])
    except NotFound as exc:
        raise Invalid(
            f"no device {values['device_id']} that you can see",
            errors=[{"loc": ["body", "device_id"], "msg": "not found", "type": "reference"}],
        ) from exc
    taken = session.scalar(
        select(NetworkSensor.id).where(
            NetworkSensor.network_id == id, NetworkSensor.device_id == device.id
        )
    )
    if taken is not None:
        raise Conflict(f"device {device.serial} is already bound to {network.code} 已绑定")
    feed_index = values.get("feed")
    if device.kind is DeviceKind.FLOW_METER:
        if feed_index is None:
            raise Invalid(
                "a flow meter is bound to a feed 流量计须绑定气源",
                errors=[{"loc": ["body", "feed"], "msg": "required", "type": "required"}],
            )
        feed = _feed(session, network, feed_index)
        feed.flow_device_id = device.id
        sensor = NetworkSensor(
            network_id=id,
            device_id=device.id,
            quantity=SensorQuantity.FLOW,
            junction=feed.junction,
            feed=feed.index,
        )
    elif device.kind is DeviceKind.PRESSURE_MONITOR:
        junction = values.get("junction")
        if junction is None:
            raise Invalid(
                "a pressure monitor is bound to a junction 压力监测仪须绑定节点",
                errors=[{"loc": ["body", "junction"], "msg": "required", "type": "required"}],
            )
        _junction_exists(session, network, junction)
        sensor = NetworkSensor(
            network_id=id, device_id=device.id, quantity=SensorQuantity.PRESSURE, junction=junction
        )
    else:
        raise Invalid(
            f"a {device.kind.en} does not measure the network 该设备类型不能绑定管网",
            errors=[{"loc": ["body", "device_id"], "msg": "wrong kind", "type": "kind"}],
        )
    session.add(sensor)
    session.flush()
    _audit(
        session,
        principal,
        network,
        "bind_sensor",
        {
            "device": [None, device.serial],
            "quantity": [None, sensor.quantity.value],
            "junction": [None, sensor.junction],
            "feed": [None, sensor.feed],
        },
        reason,
    )
    return sensor


def add_valve(
    *,
    session: Session,
    principal: Principal,
    id: int,
    data: dict[str, Any] | BaseModel,
    reason: str | None = None,
) -> NetworkValve:
    """A shut-off valve on a pipe, at one of its ends; optionally the valve well it sits in."""
    principal.require(Action.REGISTRY_WRITE)
    values = _validated(ValveCreate, data)
    network = get_network(session=session, principal=principal, id=id)
    pipe = session.scalar(
        select(NetworkPipe).where(NetworkPipe.network_id == id, NetworkPipe.index == values["pipe"])
    )
    if pipe is None:
        raise Invalid(
            f"network {network.code} has no pipe {values['pipe']} 无此管段",
            errors=[{"loc": ["body", "pipe"], "msg": "no such pipe", "type": "reference"}],
        )
    at = values.get("at_junction")
    at = pipe.from_junction if at is None else at
    if at not in (pipe.from_junction, pipe.to_junction):
        raise Invalid(
            f"junction {at} is not an end of pipe {pipe.index} 不是该管段端点",
            errors=[{"loc": ["body", "at_junction"], "msg": "not an end", "type": "reference"}],
        )
    asset_id = values.get("asset_id")
    if asset_id is not None:
        well = assets.get(session=session, principal=principal, id=asset_id)
        if well.kind is not AssetKind.VALVE_WELL:
            raise Invalid(
                f"asset {well.code} is no valve well 不是阀井",
                errors=[{"loc": ["body", "asset_id"], "msg": "not a valve well", "type": "kind"}],
            )
    taken = session.scalar(
        select(NetworkValve.id).where(
            NetworkValve.network_id == id,
            NetworkValve.pipe == pipe.index,
            NetworkValve.at_junction == at,
        )
    )
    if taken is not None:
        raise Conflict(f"pipe {pipe.index} already has a valve at junction {at} 已有阀门")
    valve = NetworkValve(
        network_id=id, pipe=pipe.index, at_junction=at, asset_id=asset_id, name=values.get("name")
    )
    session.add(valve)
    session.flush()
    _audit(
        session,
        principal,
        network,
        "add_valve",
        {"pipe": [None, valve.pipe], "at_junction": [None, at], "asset_id": [None, asset_id]},
        reason,
    )
    return valve


def set_feed_capacity(
    *,
    session: Session,
    principal: Principal,
    id: int,
    feed: int,
    data: dict[str, Any] | BaseModel,
    reason: str | None = None,
) -> NetworkFeed:
    principal.require(Action.REGISTRY_WRITE)
    values = _validated(FeedCapacity, data)
    network = get_network(session=session, principal=principal, id=id)
    row = _feed(session, network, feed)
    before = row.capacity_m3h
    row.capacity_m3h = values["capacity_m3h"]
    session.flush()
    if before != row.capacity_m3h:
        _audit(
            session,
            principal,
            network,
            "feed_capacity",
            {f"feed {feed} capacity_m3h": [before, row.capacity_m3h]},
            reason,
        )
    return row
