"""The map: grid polygons, sites and devices on a longitude/latitude plane, drawn by plotly.js
from the plotly wheel. No tile server and nothing from the internet; scope as everywhere.
Points are shaped by kind and coloured by state (web/map_state.py); the open map refreshes
them from /map/points."""

from __future__ import annotations

import math
from functools import cache
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from gaswarden.core.auth import Principal, ScopeKind
from gaswarden.core.enums import LabeledEnum
from gaswarden.core.i18n import t
from gaswarden.deps import SessionDep
from gaswarden.domains.area.enums import AreaLevel
from gaswarden.domains.area.models import Area
from gaswarden.domains.device.enums import DeviceKind
from gaswarden.domains.device.models import Device
from gaswarden.domains.device.service import service as devices
from gaswarden.domains.site.enums import SiteKind
from gaswarden.domains.site.models import Site
from gaswarden.domains.site.service import service as sites
from gaswarden.rules.grades import Grade
from gaswarden.web.map_state import STATE_COLOURS, colour_points, states
from gaswarden.web.render import page_lang, render
from gaswarden.web.routing import WebPrincipal, WebRoute

router = APIRouter(route_class=WebRoute)

# The badge colours of LabeledEnum, as plotly marker colours (the CSS uses the same values).
COLOURS = {
    "red": "#d64545",
    "orange": "#e8772e",
    "amber": "#d9a21b",
    "blue": "#2f6fde",
    "teal": "#1a9e8f",
    "cyan": "#1aa6c9",
    "indigo": "#5a55d6",
    "brown": "#8b5e3c",
    "pink": "#d6478f",
    "purple": "#8e44ad",
    "green": "#2e9e4f",
    "grey": "#7a8290",
}
AREA_STYLE = {  # line colour, width, fill
    AreaLevel.DISTRICT: ("#44546a", 2.5, "rgba(0,0,0,0)"),
    AreaLevel.TOWN: ("#6b7c93", 1.5, "rgba(0,0,0,0)"),
    AreaLevel.GRID: ("#2e9e4f", 1.0, "rgba(46,158,79,0.07)"),
}


@cache
def plotly_js() -> bytes:
    from plotly.offline import get_plotlyjs

    return get_plotlyjs().encode()


@cache
def plotly_version() -> str:
    import plotly

    return str(plotly.__version__)


@router.get("/static/vendor/plotly.min.js", include_in_schema=False)
def plotly_bundle(request: Request) -> Response:
    """plotly.js as shipped inside the plotly wheel, cached by the browser."""
    etag = f'"plotly-{plotly_version()}"'
    headers = {"Cache-Control": "public, max-age=604800", "ETag": etag}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(plotly_js(), media_type="application/javascript", headers=headers)


def _rings(geometry: dict[str, Any]) -> list[list[list[float]]]:
    if geometry.get("type") == "Polygon":
        return list(geometry["coordinates"])
    if geometry.get("type") == "MultiPolygon":
        return [ring for polygon in geometry["coordinates"] for ring in polygon]
    return []


def area_shapes(session: Session, principal: Principal, lang: str) -> list[dict[str, Any]]:
    """District, towns and grids with a boundary; an area-scoped caller gets their own only."""
    stmt = select(Area).where(Area.boundary.is_not(None)).order_by(Area.path)
    if principal.scope_kind is ScopeKind.AREA:
        stmt = stmt.where(or_(*(Area.path.startswith(p) for p in principal.area_paths)))
    shapes = []
    for area in session.scalars(stmt):
        xs: list[float | None] = []
        ys: list[float | None] = []
        for ring in _rings(area.boundary or {}):
            if xs:
                xs.append(None)
                ys.append(None)
            xs += [p[0] for p in ring]
            ys += [p[1] for p in ring]
        line, width, fill = AREA_STYLE[area.level]
        shapes.append(
            {
                "name": area.name,
                "level": area.level.label(lang),
                "x": xs,
                "y": ys,
                "line": line,
                "width": width,
                "fill": fill,
            }
        )
    return shapes


def point_layers(
    session: Session,
    stmt: Any,
    enum: type[LabeledEnum],
    path: str,
    symbol: str,
    size: int,
    lang: str,
) -> list[dict[str, Any]]:
    layers: dict[Any, dict[str, Any]] = {}
    for row_id, name, kind, lon, lat in session.execute(stmt):
        layer = layers.get(kind)
        if layer is None:
            layer = layers[kind] = {
                "name": kind.label(lang),
                "colour": COLOURS.get(kind.colour, "#555"),
                "symbol": symbol,
                "size": size,
                "x": [],
                "y": [],
                "text": [],
                "url": [],
            }
        layer["x"].append(lon)
        layer["y"].append(lat)
        layer["text"].append(f"{name}<br>{kind.label(lang)}")
        layer["url"].append(f"/{path}/{row_id}")
    return [layers[k] for k in enum if k in layers]


def map_data(
    session: Session,
    principal: Principal,
    lang: str,
    layer: str,
    site_kind: SiteKind | None,
    device_kind: DeviceKind | None,
    with_areas: bool = True,
) -> dict[str, Any]:
    layers: list[dict[str, Any]] = []
    if layer in ("", "sites"):
        stmt = (
            sites.visible(principal)
            .with_only_columns(Site.id, Site.name, Site.kind, Site.lon, Site.lat)
            .where(Site.lon.is_not(None), Site.lat.is_not(None))
            .order_by(Site.id)
        )
        if site_kind is not None:
            stmt = stmt.where(Site.kind == site_kind)
        layers += point_layers(session, stmt, SiteKind, "sites", "circle", 11, lang)
    if layer in ("", "devices"):
        stmt_d = (
            devices.visible(principal)
            .with_only_columns(Device.id, Device.serial, Device.kind, Device.lon, Device.lat)
            .where(Device.lon.is_not(None), Device.lat.is_not(None))
            .order_by(Device.id)
        )
        if device_kind is not None:
            stmt_d = stmt_d.where(Device.kind == device_kind)
        layers += point_layers(session, stmt_d, DeviceKind, "devices", "diamond", 7, lang)
    colour_points(layers, states(session, principal))
    areas = area_shapes(session, principal, lang) if with_areas else []
    lats = [y for lay in layers for y in lay["y"]] or [
        y for a in areas for y in a["y"] if y is not None
    ]
    mid_lat = (min(lats) + max(lats)) / 2 if lats else 36.4
    return {
        "areas": areas,
        "layers": layers,
        # One degree of latitude is 1/cos(lat) times as long as one of longitude: scale the
        # axes so that distances look true at this latitude.
        "scaleratio": 1 / math.cos(math.radians(mid_lat)),
        "labels": {"x": t("Longitude", lang), "y": t("Latitude", lang)},
        "points": sum(len(lay["x"]) for lay in layers),
    }


def _enum_or_none(enum: type[LabeledEnum], raw: str | None) -> Any:
    try:
        return enum(raw) if raw else None
    except ValueError:
        return None


def _choices(request: Request) -> tuple[str, SiteKind | None, DeviceKind | None]:
    qp = request.query_params
    layer = qp.get("layer", "") if qp.get("layer", "") in ("", "sites", "devices") else ""
    return (
        layer,
        _enum_or_none(SiteKind, qp.get("site_kind")),
        _enum_or_none(DeviceKind, qp.get("device_kind")),
    )


@router.get("/map/points")
def map_points(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    """The points with their current states, for the open map to refresh (no areas)."""
    layer, site_kind, device_kind = _choices(request)
    data = map_data(
        session, principal, page_lang(request), layer, site_kind, device_kind, with_areas=False
    )
    return JSONResponse(
        {"layers": data["layers"], "points": data["points"]},
        headers={"Cache-Control": "no-store"},
    )


@router.get("/map")
def map_page(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    lang = page_lang(request)
    layer, site_kind, device_kind = _choices(request)
    data = map_data(session, principal, lang, layer, site_kind, device_kind)
    return render(
        request,
        "map.html",
        principal=principal,
        data=data,
        layer=layer,
        site_kind=site_kind.value if site_kind else "",
        device_kind=device_kind.value if device_kind else "",
        site_kinds=SiteKind.choices(lang),
        device_kinds=DeviceKind.choices(lang),
        state_colours=STATE_COLOURS,
        grade_labels={g.value: g.label(lang) for g in Grade},
    )
