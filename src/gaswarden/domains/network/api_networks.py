"""/api/v1/networks: list and read the networks in scope, import one, its GeoJSON (with the
simulated pressures on request), its current state, and "locate now" (the watch, at once).

No `from __future__ import annotations` here: FastAPI reads these annotations at runtime."""

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, status
from pydantic import BaseModel, Field
from sqlalchemy import func, select

from gaswarden.core.auth import Action
from gaswarden.core.errors import Invalid
from gaswarden.core.pagination import Page, PageParams
from gaswarden.deps import PrincipalDep, SessionDep
from gaswarden.domains.network import service, state, watch
from gaswarden.domains.network.enums import SensorQuantity
from gaswarden.domains.network.leaks import OPEN
from gaswarden.domains.network.models import (
    NetworkJunction,
    NetworkLeak,
    NetworkPipe,
    NetworkSensor,
    NetworkValve,
)
from gaswarden.domains.network.schemas import (
    CODE_PATTERN,
    NetworkFeedRead,
    PipeNetworkRead,
)

router = APIRouter(prefix="/networks", tags=["network 管网"])


class NetworkPage(Page[PipeNetworkRead]):
    pass


class NetworkDetail(PipeNetworkRead):
    feed_list: list[NetworkFeedRead]
    pressure_sensors: int
    flow_meters: int
    valves: int
    open_leaks: int


class NetworkFileImport(BaseModel):
    """A network file's text and the record around it. A pandapipes net's x/y are metres: say
    where its centre lies (lon, lat); a GeoJSON file brings its own coordinates."""

    model_config = {"extra": "forbid"}

    code: str = Field(min_length=1, max_length=24, pattern=CODE_PATTERN)
    name: str = Field(min_length=1, max_length=150)
    format: Literal["pandapipes", "geojson"] | None = None  # None: guessed from the content
    content: str = Field(min_length=2, description="the file's text (JSON)")
    crs: str | None = Field(default=None, max_length=32)
    lon: float | None = Field(default=None, ge=-180, le=180)  # pandapipes: the model's centre
    lat: float | None = Field(default=None, ge=-90, le=90)
    owner_id: int | None = None
    area_id: int | None = None
    min_pressure_bar: float | None = Field(default=None, ge=0)
    notes: str | None = Field(default=None, max_length=1000)


class ImportResult(BaseModel):
    network: PipeNetworkRead
    warnings: list[dict[str, Any]]
    figures: dict[str, Any]


@router.get("", response_model=NetworkPage, summary="The pipe networks in your scope")
def list_networks(
    params: Annotated[PageParams, Query()], session: SessionDep, principal: PrincipalDep
) -> Any:
    page = service.list_networks(session=session, principal=principal, params=params)
    return NetworkPage(
        items=[PipeNetworkRead.model_validate(n) for n in page.items],
        total=page.total,
        page=page.page,
        size=page.size,
    )


def _count(session: SessionDep, model: Any, network_id: int, *where: Any) -> int:
    stmt = select(func.count()).select_from(model).where(model.network_id == network_id, *where)
    return int(session.scalar(stmt) or 0)


@router.get("/{network_id:int}", response_model=NetworkDetail, summary="One network")
def get_network(network_id: int, session: SessionDep, principal: PrincipalDep) -> Any:
    network = service.get_network(session=session, principal=principal, id=network_id)
    feeds = service.feeds(session=session, principal=principal, id=network.id)
    base = PipeNetworkRead.model_validate(network).model_dump()
    return NetworkDetail(
        **base,
        feed_list=[NetworkFeedRead.model_validate(f) for f in feeds],
        pressure_sensors=_count(
            session, NetworkSensor, network.id, NetworkSensor.quantity == SensorQuantity.PRESSURE
        ),
        flow_meters=_count(
            session, NetworkSensor, network.id, NetworkSensor.quantity == SensorQuantity.FLOW
        ),
        valves=_count(session, NetworkValve, network.id),
        open_leaks=_count(session, NetworkLeak, network.id, NetworkLeak.status.in_(OPEN)),
    )


@router.get(
    "/{network_id:int}/geojson",
    summary="Junctions and pipes as a GeoJSON FeatureCollection (lon/lat); ?state=1 adds "
    "the simulated pressure (kPa) now",
)
def network_geojson(
    network_id: int,
    session: SessionDep,
    principal: PrincipalDep,
    with_state: Annotated[bool, Query(alias="state")] = False,
) -> Any:
    network = service.get_network(session=session, principal=principal, id=network_id)
    junctions = session.scalars(
        select(NetworkJunction)
        .where(NetworkJunction.network_id == network.id)
        .order_by(NetworkJunction.index)
    ).all()
    pipes = session.scalars(
        select(NetworkPipe).where(NetworkPipe.network_id == network.id).order_by(NetworkPipe.index)
    ).all()
    kpa: dict[int, float] = {}
    pipe_kpa: dict[int, float] = {}
    if with_state:
        st = state.current(
            session=session, principal=principal, id=network.id, now=datetime.now(UTC)
        )
        kpa, pipe_kpa = st.junction_kpa, st.pipe_kpa(list(pipes))
    where = {j.index: [j.lon, j.lat] for j in junctions}
    features: list[dict[str, Any]] = []
    for j in junctions:
        props: dict[str, Any] = {
            "kind": "junction",
            "index": j.index,
            "name": j.name,
            "role": j.role.value,
            "height_m": j.height_m,
            "pn_bar": j.pn_bar,
            "demand_kg_s": j.demand_kg_s,
            "customers": j.customers,
            "asset_id": j.asset_id,
        }
        if with_state:
            props["pressure_kpa"] = _rounded(kpa.get(j.index))
        features.append(
            {
                "type": "Feature",
                "id": f"J{j.index}",
                "geometry": {"type": "Point", "coordinates": where[j.index]},
                "properties": props,
            }
        )
    for p in pipes:
        props = {
            "kind": "pipe",
            "index": p.index,
            "name": p.name,
            "from": p.from_junction,
            "to": p.to_junction,
            "length_m": p.length_m,
            "diameter_mm": p.diameter_mm,
            "k_mm": p.k_mm,
            "material": p.material,
            "pressure_class": p.pressure_class,
            "asset_id": p.asset_id,
        }
        if with_state:
            props["pressure_kpa"] = _rounded(pipe_kpa.get(p.index))
        ends = [where.get(p.from_junction), where.get(p.to_junction)]
        features.append(
            {
                "type": "Feature",
                "id": f"P{p.index}",
                "geometry": {"type": "LineString", "coordinates": ends},
                "properties": props,
            }
        )
    return {
        "type": "FeatureCollection",
        "name": network.code,
        "properties": {"network_id": network.id, "code": network.code, "name": network.name},
        "features": features,
    }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


@router.get("/{network_id:int}/state", summary="The state now: pressures, residuals, lowest node")
def network_state(network_id: int, session: SessionDep, principal: PrincipalDep) -> Any:
    st = state.current(session=session, principal=principal, id=network_id, now=datetime.now(UTC))
    out = st.to_json()
    out["junction_kpa"] = {str(k): round(v, 3) for k, v in st.junction_kpa.items()}
    return out


@router.post(
    "",
    response_model=ImportResult,
    status_code=status.HTTP_201_CREATED,
    summary="Import and validate a network file (pandapipes JSON or GeoJSON)",
)
def import_network(
    body: NetworkFileImport,
    session: SessionDep,
    principal: PrincipalDep,
    reason: str | None = None,
) -> Any:
    from gaswarden.network import importer
    from gaswarden.network.geo import placed
    from gaswarden.network.validate import validate

    principal.require(Action.REGISTRY_WRITE)
    try:
        imported = importer.read(body.content, fmt=body.format, crs=body.crs)
    except importer.UnreadableNetwork as exc:
        raise Invalid(
            str(exc), errors=[{"loc": ["body", "content"], "msg": str(exc), "type": "format"}]
        ) from exc
    report = validate(imported.net, parsed=imported.findings)
    origin = imported.origin
    if origin is None and body.lon is not None and body.lat is not None and report.ok:
        geo = imported.net.junction_geodata
        origin = placed(geo.x, geo.y, body.lon, body.lat)
    data = body.model_dump(
        include={"code", "name", "owner_id", "area_id", "min_pressure_bar", "notes"},
        exclude_none=True,
    )
    network = service.import_network(
        session=session,
        principal=principal,
        data=data,
        imported=imported,
        report=report,
        origin=origin,
        reason=reason,
    )
    return ImportResult(
        network=PipeNetworkRead.model_validate(network),
        warnings=[w.as_dict() for w in report.warnings],
        figures=report.figures,
    )


@router.post(
    "/{network_id:int}/locate",
    summary="Run the leak watch on this network now: detect, localise, record, raise",
)
def locate(network_id: int, session: SessionDep, principal: PrincipalDep) -> Any:
    principal.require(Action.REGISTRY_WRITE)
    network = service.get_network(session=session, principal=principal, id=network_id)
    result = watch.check(session, network, now=datetime.now(UTC), principal=principal)
    return result.to_json()
