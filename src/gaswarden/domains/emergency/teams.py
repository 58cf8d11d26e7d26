"""Rescue teams seen for emergencies: their members, vehicles, skills, base point and duty
status (the workforce domain's Team, Person, Vehicle; scoped like the workforce domain)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from gaswarden.core.auth import Principal
from gaswarden.core.errors import NotFound
from gaswarden.domains.audit import service as audit
from gaswarden.domains.emergency.scope import require_writer
from gaswarden.domains.workforce.enums import DutyStatus, TeamKind, VehicleStatus
from gaswarden.domains.workforce.models import Person, Team, Vehicle
from gaswarden.domains.workforce.service import org_place, owned_scope

ENTITY = "team"


class VehicleRef(NamedTuple):
    id: int
    plate: str


@dataclass
class TeamView:
    """A team with what an incident commander needs to know of it."""

    team: Team
    members: list[str] = field(default_factory=list)
    vehicles: list[VehicleRef] = field(default_factory=list)

    @property
    def point(self) -> tuple[float, float] | None:
        return base_point(self.team)

    def read(self) -> dict[str, Any]:
        t, point = self.team, self.point
        return {
            "id": t.id,
            "name": t.name,
            "kind": t.kind,
            "owner_id": t.owner_id,
            "owner_name": t.owner_name,
            "leader_name": t.leader_name,
            "duty_phone": t.duty_phone,
            "duty_status": t.duty_status,
            "skills": [str(s) for s in t.skills or []],
            "lon": point[0] if point else None,
            "lat": point[1] if point else None,
            "equipment_sets": t.equipment_sets,
            "members": self.members,
            "vehicles": [v.plate for v in self.vehicles],
        }


def base_point(team: Team) -> tuple[float, float] | None:
    """The team's own base point, else its base site's."""
    if team.base_lon is not None and team.base_lat is not None:
        return team.base_lon, team.base_lat
    site = team.base_site
    if site is not None and site.lon is not None and site.lat is not None:
        return site.lon, site.lat
    return None


def teams(
    *, session: Session, principal: Principal, kinds: tuple[TeamKind, ...] = (TeamKind.RESCUE,)
) -> list[TeamView]:
    """The teams in scope (rescue teams by default) with members and vehicles in service."""
    stmt = select(Team).where(owned_scope(principal, Team.owner_id)).order_by(Team.name)
    if kinds:
        stmt = stmt.where(Team.kind.in_(kinds))
    found = list(session.scalars(stmt))
    ids = [t.id for t in found]
    members: dict[int, list[str]] = defaultdict(list)
    vehicles: dict[int, list[VehicleRef]] = defaultdict(list)
    if ids:
        for team_id, name in session.execute(
            select(Person.team_id, Person.name)
            .where(Person.team_id.in_(ids), Person.active)
            .order_by(Person.id)
        ):
            if team_id is not None:
                members[team_id].append(name)
        for team_id, vehicle_id, plate in session.execute(
            select(Vehicle.team_id, Vehicle.id, Vehicle.plate)
            .where(Vehicle.team_id.in_(ids), Vehicle.status == VehicleStatus.IN_SERVICE)
            .order_by(Vehicle.plate)
        ):
            if team_id is not None:
                vehicles[team_id].append(VehicleRef(vehicle_id, plate))
    return [TeamView(t, members[t.id], vehicles[t.id]) for t in found]


def vehicle_rows(*, session: Session, principal: Principal) -> list[dict[str, Any]]:
    """Every vehicle in scope with its team: the rescue vehicles and the LPG delivery
    vehicles that can carry cylinders away from a scene."""
    names: dict[int, str] = {
        i: n
        for i, n in session.execute(
            select(Team.id, Team.name).where(owned_scope(principal, Team.owner_id))
        )
    }
    stmt = (
        select(Vehicle)
        .where(owned_scope(principal, Vehicle.owner_id))
        .order_by(Vehicle.kind, Vehicle.plate)
    )
    return [
        {
            "id": v.id,
            "plate": v.plate,
            "kind": v.kind,
            "status": v.status,
            "owner_name": v.owner_name,
            "team": names.get(v.team_id, "—") if v.team_id else "—",
        }
        for v in session.scalars(stmt)
    ]


def get_team(*, session: Session, principal: Principal, id: int) -> Team:
    team = session.scalars(
        select(Team).where(Team.id == id, owned_scope(principal, Team.owner_id))
    ).first()
    if team is None:
        raise NotFound(f"team {id} not found")
    return team


def set_duty(
    *,
    session: Session,
    principal: Principal,
    id: int,
    duty_status: DutyStatus,
    note: str | None = None,
) -> Team:
    """Set a team's duty status (值守/出动/备勤/休整), audited."""
    require_writer(principal, "set a team's duty status")
    team = get_team(session=session, principal=principal, id=id)
    mark(session, principal, team, duty_status, note)
    return team


def mark(
    session: Session,
    principal: Principal,
    team: Team,
    duty_status: DutyStatus,
    note: str | None = None,
) -> None:
    """Change the duty status of a team already checked to be in scope, with the audit row."""
    before = team.duty_status
    if before is duty_status:
        return
    team.duty_status = duty_status
    owner_id, area_id = org_place(team)
    audit.record(
        session=session,
        principal=principal,
        action="duty_status",
        entity_type=ENTITY,
        entity_id=team.id,
        entity_label=team.name,
        changes={"duty_status": [before.value, duty_status.value]},
        reason=note[:500] if note else None,
        owner_id=owner_id,
        area_id=area_id,
    )
    session.flush()


def update_base(
    *,
    session: Session,
    principal: Principal,
    id: int,
    skills: list[str] | None = None,
    base_lon: float | None = None,
    base_lat: float | None = None,
) -> Team:
    """A team's skills and base point, audited."""
    require_writer(principal, "edit a team")
    team = get_team(session=session, principal=principal, id=id)
    changes: dict[str, list[Any]] = {}
    if skills is not None:
        cleaned = [s.strip() for s in skills if s.strip()]
        changes["skills"] = [list(team.skills or []), cleaned]
        team.skills = cleaned
    if (base_lon is None) != (base_lat is None):
        from gaswarden.core.errors import Invalid

        raise Invalid("give both base_lon and base_lat, or neither")
    if base_lon is not None:
        changes["base"] = [[team.base_lon, team.base_lat], [base_lon, base_lat]]
        team.base_lon, team.base_lat = base_lon, base_lat
    owner_id, area_id = org_place(team)
    audit.record(
        session=session,
        principal=principal,
        action="update",
        entity_type=ENTITY,
        entity_id=team.id,
        entity_label=team.name,
        changes=changes,
        owner_id=owner_id,
        area_id=area_id,
    )
    session.flush()
    return team
