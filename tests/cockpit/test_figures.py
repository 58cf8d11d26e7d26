"""Today's figures on the hand-built set (tests/cockpit/records.py), for the regulator, each
enterprise and the grid supervisor: the numbers are worked out in that module's table."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from gaswarden.cockpit import figures
from tests.cockpit import records
from tests.cockpit.records import NOW
from tests.factories import World
from tests.hazard.helpers import who


@pytest.fixture
def recs(session: Session, world: World) -> records.Records:
    return records.build(session, world)


def compute(session: Session, world: World, username: str) -> figures.Figures:
    return figures.compute(session=session, principal=who(session, world, username), now=NOW)


def test_the_regulator_sees_the_whole_district(
    session: Session, world: World, recs: records.Records
) -> None:
    f = compute(session, world, "reg_admin")
    assert f.day.isoformat() == "2026-10-14"
    assert (f.devices, f.online, f.online_rate) == (4, 2, 0.5)
    a = f.alarms
    assert a.today == {"red": 2, "orange": 1, "yellow": 0, "blue": 0}
    assert a.total_today == 3
    assert a.open == {"red": 2, "orange": 1, "yellow": 0, "blue": 0} and a.open_total == 3
    assert (a.acked_today, a.avg_ack_s) == (2, 210.0)  # (120 + 300) / 2
    assert (a.on_site_today, a.avg_on_site_s) == (1, 600.0)
    assert (f.hazards_open, f.hazards_overdue, f.hazards_major_open) == (2, 1, 1)
    assert f.hazards_closed_month == 1
    assert (f.cylinders_filled_today, f.cylinders_delivered_today) == (2, 1)  # refused: not
    assert (f.conversions_connected_year, f.conversions_in_progress) == (1, 1)
    assert (f.requests_open, f.requests_overdue) == (2, 1)
    assert (f.incidents_open, f.incidents_today) == (1, 1)


def test_enterprise_b_sees_its_own_records_only(
    session: Session, world: World, recs: records.Records
) -> None:
    f = compute(session, world, "ent_b_admin")
    assert (f.devices, f.online) == (2, 0)
    assert f.alarms.today == {"red": 1, "orange": 0, "yellow": 0, "blue": 0}
    assert f.alarms.open_total == 1 and f.alarms.avg_ack_s is None
    assert (f.hazards_open, f.hazards_overdue, f.hazards_major_open) == (1, 0, 1)
    assert f.hazards_closed_month == 0
    assert (f.cylinders_filled_today, f.cylinders_delivered_today) == (2, 1)
    assert (f.conversions_connected_year, f.conversions_in_progress) == (0, 0)
    assert (f.requests_open, f.requests_overdue) == (1, 0)
    assert (f.incidents_open, f.incidents_today) == (0, 0)


def test_enterprise_a_and_the_grid_supervisor(
    session: Session, world: World, recs: records.Records
) -> None:
    a = compute(session, world, "ent_a_admin")
    assert a.alarms.today == {"red": 1, "orange": 1, "yellow": 0, "blue": 0}
    assert (a.cylinders_filled_today, a.conversions_connected_year) == (0, 1)
    assert (a.requests_open, a.requests_overdue, a.incidents_open) == (1, 1, 1)
    grid = compute(session, world, "grid_sup")  # grid g11: the gate and the supply station
    assert (grid.devices, grid.online) == (2, 1)
    assert grid.alarms.total_today == 1 and grid.alarms.today["red"] == 1
    assert (grid.hazards_open, grid.hazards_overdue) == (1, 1)
    assert (grid.requests_open, grid.incidents_open) == (1, 1)
    assert grid.cylinders_filled_today == 0


def test_an_inspection_agency_sees_its_assigned_site(
    session: Session, world: World, recs: records.Records
) -> None:
    f = compute(session, world, "inspector")  # assigned the gate station
    assert (f.devices, f.online) == (1, 1)
    assert f.alarms.today == {"red": 1, "orange": 0, "yellow": 0, "blue": 0}
    assert (f.hazards_open, f.incidents_open) == (1, 1)
    assert (f.requests_open, f.conversions_in_progress, f.cylinders_filled_today) == (0, 0, 0)


def test_figures_without_records_are_zero_and_rates_empty(session: Session, world: World) -> None:
    f = compute(session, world, "ent_b_admin")
    assert f.online_rate == 0.0 and f.alarms.total_today == 0
    assert f.alarms.avg_ack_s is None and f.as_dict()["alarms"]["avg_on_site_s"] is None
