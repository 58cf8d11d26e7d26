"""Building emergency records for the tests: rescue teams with a base point, a river with one
bridge as a road graph."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from gaswarden.core.auth import SYSTEM
from gaswarden.domains.workforce.models import Team
from gaswarden.domains.workforce.service import teams as team_service
from gaswarden.ingestion.contract import Reading, StoredBatch
from gaswarden.rules.engine import AlarmEngine

API = "/api/v1/emergency"

# A river runs north-south between lon 115.93 (west bank road) and 115.95 (east bank road);
# the only bridge crosses it in the north, at lat 36.46.
WEST_SOUTH = (115.93, 36.40)
WEST_NORTH = (115.93, 36.46)
EAST_NORTH = (115.95, 36.46)
EAST_MID = (115.95, 36.43)
EAST_SOUTH = (115.95, 36.40)


def river_roads() -> dict[str, Any]:
    def line(name: str, *points: tuple[float, float]) -> dict[str, Any]:
        return {
            "type": "Feature",
            "properties": {"name": name},
            "geometry": {"type": "LineString", "coordinates": [list(p) for p in points]},
        }

    return {
        "type": "FeatureCollection",
        "features": [
            line("西岸路", WEST_SOUTH, WEST_NORTH),
            line("北大桥", WEST_NORTH, EAST_NORTH),
            line("东岸路", EAST_NORTH, EAST_MID, EAST_SOUTH),
        ],
    }


def rescue_team(
    session: Session, name: str, owner_id: int, point: tuple[float, float], **kw: Any
) -> Team:
    team = team_service.create(
        session=session,
        principal=SYSTEM,
        data={"name": name, "kind": "rescue", "owner_id": owner_id, **kw},
    )
    team.base_lon, team.base_lat = point
    session.flush()
    return team


def raise_alarm(session: Session, device_id: int, value: float = 30.0) -> int:
    """A methane alarm on the device, raised by the rules engine; its id."""
    from tests.alarm.helpers import alarms

    now = datetime.now(UTC) - timedelta(seconds=120)
    batch = StoredBatch(
        readings=[Reading(device_id, "methane_lel_pct", now, value)],
        events=[],
        statuses=[],
        received_at=now,
    )
    AlarmEngine().consume(session, batch)
    session.flush()
    return alarms(session, device_id)[-1].id
