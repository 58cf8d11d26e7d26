"""The nearest available teams and reserve items for an incident, ranked by travel distance:
by road where a road graph is loaded (`roads.py`), else by straight line (haversine). The
method is reported with every ranking."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from gaswarden.core.auth import Principal
from gaswarden.core.errors import Invalid
from gaswarden.core.geo import haversine_m
from gaswarden.domains.emergency import roads
from gaswarden.domains.emergency.enums import DistanceMethod
from gaswarden.domains.emergency.models import Incident, ReserveItem
from gaswarden.domains.emergency.reserves import reserve_point, usable
from gaswarden.domains.emergency.scope import reserve_scope
from gaswarden.domains.emergency.teams import TeamView, teams

Point = tuple[float, float]


@dataclass
class Measure:
    """Distances to one destination by the method in force."""

    method: DistanceMethod
    to: Callable[[Point], tuple[float, bool]]  # (metres, by road)


def measure_to(session: Session, target: Point) -> Measure:
    """Road distance to `target` where a road graph is loaded; else straight line. A source
    that no road joins to the target's road node is measured straight (`by road` False)."""
    graph = roads.load(session)

    def straight(p: Point) -> tuple[float, bool]:
        return haversine_m(p[0], p[1], target[0], target[1]), False

    if graph.empty:
        return Measure(DistanceMethod.STRAIGHT, straight)
    lengths, leg_in = graph.distances_to(*target)

    def road(p: Point) -> tuple[float, bool]:
        node, leg_out = graph.nearest(*p)
        if node not in lengths:
            return straight(p)
        return leg_out + lengths[node] + leg_in, True

    return Measure(DistanceMethod.ROAD, road)


def incident_point(incident: Incident) -> Point:
    if incident.lon is None or incident.lat is None:
        raise Invalid("the incident has no position (lon, lat): give one to rank resources")
    return incident.lon, incident.lat


@dataclass
class RankedTeamRow:
    view: TeamView
    point: Point
    distance_m: float
    by_road: bool


@dataclass
class RankedReserveRow:
    item: ReserveItem
    point: Point
    distance_m: float
    by_road: bool


def rank_teams(
    *, session: Session, principal: Principal, incident: Incident, limit: int = 10
) -> tuple[DistanceMethod, list[RankedTeamRow]]:
    """Available rescue teams (on duty or standby) in the caller's scope, nearest first."""
    measure = measure_to(session, incident_point(incident))
    rows: list[RankedTeamRow] = []
    for view in teams(session=session, principal=principal):
        point = view.point
        if point is None or not view.team.duty_status.available:
            continue
        metres, by_road = measure.to(point)
        rows.append(RankedTeamRow(view, point, metres, by_road))
    rows.sort(key=lambda r: (not r.by_road, r.distance_m, r.view.team.id))
    return measure.method, rows[:limit]


def rank_reserves(
    *, session: Session, principal: Principal, incident: Incident, limit: int = 10
) -> tuple[DistanceMethod, list[RankedReserveRow]]:
    """Usable reserve items (not expired) in the caller's scope with a known place, nearest
    first."""
    measure = measure_to(session, incident_point(incident))
    rows: list[RankedReserveRow] = []
    for item in session.scalars(select(ReserveItem).where(reserve_scope(principal))):
        point = reserve_point(item)
        if point is None or not usable(item):
            continue
        metres, by_road = measure.to(point)
        rows.append(RankedReserveRow(item, point, metres, by_road))
    rows.sort(key=lambda r: (not r.by_road, r.distance_m, r.item.id))
    return measure.method, rows[:limit]


def distance_from(session: Session, source: Point, target: Point) -> tuple[float, DistanceMethod]:
    """One distance, with the method (for a dispatch's record)."""
    measure = measure_to(session, target)
    metres, by_road = measure.to(source)
    return metres, DistanceMethod.ROAD if by_road else DistanceMethod.STRAIGHT
