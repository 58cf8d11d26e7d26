"""The survey (现场勘察): the distance from the household to the nearest main and whether the
household is eligible.

The distance comes from the pipeline company's network model where one is loaded and covers
the household (domains/network: pipes with their WGS 84 geometry, or the straight line between
their junctions): the shortest point-to-segment distance to a main, mains being the pipes that
do not end at a service junction (a house connection is no main). Elsewhere the surveyor's
measured distance is used. `main_distance_source` records which: "network" or "survey".
A household farther than rules.MAX_MAIN_DISTANCE_M (local practice) is refused as too far from
a main; the surveyor may refuse for another reason (RefusalReason) found on site.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from gaswarden.core.auth import Principal
from gaswarden.core.geo import EARTH_RADIUS_M
from gaswarden.db.base import utcnow
from gaswarden.domains.asset.models import Asset
from gaswarden.domains.conversion import rules
from gaswarden.domains.conversion.applications import begin, clean, close_refused, field_error
from gaswarden.domains.conversion.enums import ConversionEventKind, ConversionStatus, RefusalReason
from gaswarden.domains.conversion.models import ConversionApplication
from gaswarden.domains.conversion.timeline import record
from gaswarden.domains.conversion.workflow import Step
from gaswarden.domains.network.enums import JunctionRole
from gaswarden.domains.network.models import NetworkJunction, NetworkPipe, PipeNetwork
from gaswarden.domains.network.scope import network_scope
from gaswarden.domains.site.service import locate

NETWORK = "network"
SURVEY = "survey"
Point = tuple[float, float]  # lon, lat


@dataclass(frozen=True)
class NearestMain:
    network_code: str
    pipe_ref: str  # the pipe's name in the model, else P<index>
    distance_m: float

    @property
    def ref(self) -> str:
        return f"{self.network_code}/{self.pipe_ref}"[:60]


# ---- geometry -----------------------------------------------------------------------------------
def _projector(lon0: float, lat0: float) -> Any:
    """Local metres around (lon0, lat0): equirectangular, exact enough within kilometres."""
    k = math.pi / 180.0 * EARTH_RADIUS_M
    c = math.cos(math.radians(lat0))

    def project(lon: float, lat: float) -> tuple[float, float]:
        return (lon - lon0) * k * c, (lat - lat0) * k

    return project


def point_to_segment_m(point: Point, a: Point, b: Point) -> float:
    """Shortest distance (metres) from `point` to the segment a-b, all WGS 84 lon/lat."""
    project = _projector(*point)
    ax, ay = project(*a)
    bx, by = project(*b)
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, -(ax * dx + ay * dy) / length2))
    return math.hypot(ax + t * dx, ay + t * dy)


def polyline_distance_m(point: Point, line: Sequence[Sequence[float]]) -> float:
    return min(
        point_to_segment_m(point, (a[0], a[1]), (b[0], b[1])) for a, b in itertools.pairwise(line)
    )


def _covers(point: Point, coords: Iterable[Sequence[float]]) -> bool:
    """Whether `point` lies within the extent of `coords` grown by the coverage margin."""
    xs, ys = [], []
    for c in coords:
        xs.append(c[0])
        ys.append(c[1])
    if not xs:
        return False
    margin_lat = rules.NETWORK_COVERAGE_MARGIN_M / (math.pi / 180.0 * EARTH_RADIUS_M)
    margin_lon = margin_lat / max(0.01, math.cos(math.radians(point[1])))
    return (
        min(xs) - margin_lon <= point[0] <= max(xs) + margin_lon
        and min(ys) - margin_lat <= point[1] <= max(ys) + margin_lat
    )


# ---- the network --------------------------------------------------------------------------------
Line = tuple[str, list[list[float]]]  # (pipe ref, [[lon, lat], ...])


def network_mains(
    session: Session, principal: Principal, *, owner_id: int | None
) -> list[tuple[str, list[Line]]]:
    """The mains of the owner's network models the caller may see: (network code, lines)."""
    stmt = select(PipeNetwork.id, PipeNetwork.code).where(network_scope(principal))
    if owner_id is not None:
        stmt = stmt.where(PipeNetwork.owner_id == owner_id)
    out: list[tuple[str, list[Line]]] = []
    for network_id, code in session.execute(stmt.order_by(PipeNetwork.code)).all():
        ja, jb = aliased(NetworkJunction), aliased(NetworkJunction)
        rows = session.execute(
            select(
                NetworkPipe.index,
                NetworkPipe.name,
                ja.lon,
                ja.lat,
                jb.lon,
                jb.lat,
                Asset.geometry,
            )
            .join(
                ja,
                (ja.network_id == NetworkPipe.network_id) & (ja.index == NetworkPipe.from_junction),
            )
            .join(
                jb,
                (jb.network_id == NetworkPipe.network_id) & (jb.index == NetworkPipe.to_junction),
            )
            .outerjoin(Asset, Asset.id == NetworkPipe.asset_id)
            .where(
                NetworkPipe.network_id == network_id,
                ja.role != JunctionRole.SERVICE,
                jb.role != JunctionRole.SERVICE,
            )
        ).all()
        lines: list[Line] = []
        for index, name, alon, alat, blon, blat, geometry in rows:
            coords = (
                geometry["coordinates"]
                if isinstance(geometry, dict)
                and geometry.get("type") == "LineString"
                and len(geometry.get("coordinates") or ()) >= 2
                else [[alon, alat], [blon, blat]]
            )
            lines.append((name or f"P{index}", coords))
        if lines:
            out.append((code, lines))
    return out


def covers(point: Point, lines: list[Line]) -> bool:
    return _covers(point, (c for _, line in lines for c in line))


def nearest_main(
    session: Session, principal: Principal, *, owner_id: int | None, lon: float, lat: float
) -> NearestMain | None:
    """The nearest main of the owner's network models (those the caller may see) that cover
    the point; None where no model covers it."""
    best: NearestMain | None = None
    point = (lon, lat)
    for code, lines in network_mains(session, principal, owner_id=owner_id):
        if not covers(point, lines):
            continue
        for ref, line in lines:
            d = polyline_distance_m(point, line)
            if best is None or d < best.distance_m:
                best = NearestMain(network_code=code, pipe_ref=ref, distance_m=d)
    return best


# ---- the step -----------------------------------------------------------------------------------
def survey(
    *,
    session: Session,
    principal: Principal,
    id: int,
    surveyor_name: str | None = None,
    lon: float | None = None,
    lat: float | None = None,
    main_distance_m: float | None = None,
    refusal_reason: RefusalReason | None = None,
    survey_note: str | None = None,
    max_distance_m: float = rules.MAX_MAIN_DISTANCE_M,
    now: datetime | None = None,
) -> ConversionApplication:
    """Record the survey: the household's position (when given), the distance to the nearest
    main (network model first, else the surveyor's measure) and the verdict. Not eligible
    (too far, or a reason found on site): the application is refused in the same step."""
    app, before = begin(session, principal, id, Step.SURVEY, survey_note)
    now = now or utcnow()
    if main_distance_m is not None and (main_distance_m < 0 or not math.isfinite(main_distance_m)):
        raise field_error("main_distance_m", "a distance in metres, 0 or more")
    if (lon is None) != (lat is None):
        raise field_error("lat" if lat is None else "lon", "give both lon and lat, or neither")
    if lon is not None and lat is not None:
        app.lon, app.lat = lon, lat
        area_before = app.area_id
        app.area_id = None
        locate(session, app, {})
        if app.area_id is None:
            app.area_id = area_before  # the point lies in no grid: keep the one applied for
    nearest = (
        nearest_main(session, principal, owner_id=app.owner_id, lon=app.lon, lat=app.lat)
        if app.lon is not None and app.lat is not None
        else None
    )
    if nearest is not None:
        distance, source, pipe_ref = nearest.distance_m, NETWORK, nearest.ref
    elif main_distance_m is not None:
        distance, source, pipe_ref = main_distance_m, SURVEY, None
    elif refusal_reason is not None:
        distance, source, pipe_ref = None, None, None  # refused on site, nothing measured
    else:
        raise field_error(
            "main_distance_m",
            "no network model covers this household: enter the measured distance to the main",
        )
    app.surveyed_at = now
    app.surveyor_name = (clean(surveyor_name) or principal.display_name)[:100]
    app.main_distance_m = round(distance, 1) if distance is not None else None
    app.main_distance_source = source
    app.nearest_pipe_ref = pipe_ref
    app.survey_note = clean(survey_note)
    too_far = distance is not None and distance > max_distance_m
    reason = refusal_reason or (RefusalReason.TOO_FAR_FROM_MAIN if too_far else None)
    app.eligible = reason is None
    app.status = ConversionStatus.SURVEYED
    session.flush()
    data: dict[str, Any] = {
        "main_distance_m": app.main_distance_m,
        "source": source,
        "eligible": app.eligible,
        "max_distance_m": max_distance_m,
    }
    if pipe_ref:
        data["pipe"] = pipe_ref
    record(
        session,
        app,
        ConversionEventKind.SURVEYED,
        at=now,
        principal=principal,
        before=before,
        note=app.survey_note,
        data=data,
        changes={
            "main_distance_m": [None, app.main_distance_m],
            "main_distance_source": [None, source],
            "eligible": [None, app.eligible],
        },
    )
    if reason is not None:
        why = (
            f"距最近干管 {app.main_distance_m} m，超过 {max_distance_m:g} m / "
            f"{app.main_distance_m} m from the nearest main, over {max_distance_m:g} m"
            if reason is RefusalReason.TOO_FAR_FROM_MAIN and too_far
            else app.survey_note
        )
        close_refused(
            session,
            principal,
            app,
            ConversionStatus.SURVEYED,
            reason,
            why,
            now,
            data={"at_survey": True},
        )
    return app
