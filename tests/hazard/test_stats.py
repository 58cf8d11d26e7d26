"""Statistics of a known history (tests/hazard/stats_history.py), figure by figure, in scope."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from gaswarden.core.auth import SYSTEM
from gaswarden.core.errors import Invalid, NotFound
from gaswarden.domains.hazard import stats
from gaswarden.domains.hazard.stats import Period
from tests.factories import World
from tests.hazard import stats_history
from tests.hazard.helpers import who
from tests.hazard.stats_history import MONTH, NOW


@pytest.fixture
def history(session: Session, world: World) -> stats_history.History:
    return stats_history.build(session, world)


def october(session: Session, principal: object = SYSTEM, **kw: object) -> stats.Stats:
    return stats.compute(
        session=session,
        principal=principal,  # type: ignore[arg-type]
        period=Period.month(MONTH, now=NOW),
        **kw,  # type: ignore[arg-type]
    )


def test_history_is_as_planned(
    session: Session, world: World, history: stats_history.History
) -> None:
    hz = history.hazards
    assert hz["H5"].recurring and hz["H5"].previous_id == hz["H0"].id
    assert hz["H4"].source.value == "self_inspection"
    assert hz["H1"].days_to_close == 3.0 and hz["H1"].closed_on_time is True
    assert hz["H2"].days_to_close == 11.0 and hz["H2"].closed_on_time is False
    assert hz["H1"].area_id == world.ids["g11"] and hz["H3"].area_id == world.ids["g21"]


def test_totals_of_the_month(session: Session, history: stats_history.History) -> None:
    s = october(session)
    t = s.totals
    assert s.period.ref_day == date(2026, 10, 31)
    # Found in October: H1 H2 H3 H4 H5 H8; closed by the month's end: H1 H2 H5.
    assert (t.found, t.closed, t.open) == (6, 3, 3)
    assert (t.major, t.general, t.self_found, t.recurring) == (1, 5, 1, 1)
    assert t.closed_on_time == 2 and t.on_time_rate == 0.6667
    assert t.rectification_rate == 0.5
    assert t.avg_days_to_close == round(19 / 3, 2)
    # Closures in October: H7 (found in September), H1, H2, H5.
    assert t.closed_in_period == 4
    # Open at the month's end: H3 (major), H4, H6, H8; overdue on 10-31: H4 and H6.
    assert (t.open_total, t.open_major, t.open_general, t.overdue) == (4, 1, 3, 2)
    # Tasks due in October (T5 cancelled, T6 in September): T1 T2 done, T2 late, T3 overdue.
    assert (t.planned, t.done, t.late, t.tasks_overdue) == (4, 2, 1, 1)
    assert t.completion_rate == 0.5
    assert (s.inspections, s.inspections_self, s.inspections_failed_items) == (2, 1, 2)
    assert s.systems_improved == 1


def test_breakdowns(session: Session, world: World, history: stats_history.History) -> None:
    s = october(session)
    area = {r.key: r.counts for r in s.by_area}
    ids = world.ids
    assert area[ids["g11"]].found == 4  # H1 H2 H5 H8
    assert area[ids["g12"]].found == 1 and area[ids["g12"]].closed_in_period == 1  # H4; H7
    assert area[ids["g21"]].found == 1 and area[ids["g21"]].overdue == 1  # H3; H6
    assert area[ids["t1"]].found == 5 and area[ids["t2"]].found == 1
    assert area[ids["district"]].found == 6
    assert area[ids["t1"]].planned == 3 and area[ids["t1"]].done == 2  # T1 T2 T4
    levels = [r.level for r in s.by_area]
    assert levels[0] == "district" and set(levels) == {"district", "town", "grid"}

    ent = {r.key: r.counts for r in s.by_enterprise}
    assert ent[ids["ent_a"]].found == 4 and ent[ids["ent_b"]].found == 2
    assert ent[ids["ent_b"]].open_major == 1 and ent[ids["ent_a"]].overdue == 1
    assert (ent[ids["ent_a"]].planned, ent[ids["ent_a"]].done) == (2, 1)
    assert s.by_enterprise[0].key == ids["ent_a"]  # most found first

    cat = {r.key: r.counts.found for r in s.by_category}
    assert cat == {"安全管理": 3, "消防设施": 1, "储罐": 1, "管道": 1}
    src = {r.key: r.counts.found for r in s.by_source}
    assert src == {"inspection": 5, "self_inspection": 1}
    kinds = {r.key: (r.counts.planned, r.counts.done) for r in s.by_kind}
    assert kinds == {"third_party": (2, 1), "spot_check": (1, 1), "self": (1, 0)}
    assert [r.key for r in s.by_month] == ["2026-10"]
    assert s.by_month[0].counts.found == 6


def test_months_and_a_period_that_has_not_ended(
    session: Session, history: stats_history.History
) -> None:
    # September to mid-November, judged on 11-03 ("today"): H8 closed 11-02 is closed now.
    period = Period.of(date(2026, 9, 1), date(2026, 11, 30), now=stats_history.at(11, 3))
    assert period.ref_day == date(2026, 11, 3)
    s = stats.compute(session=session, principal=SYSTEM, period=period)
    assert [r.key for r in s.by_month] == ["2026-09", "2026-10", "2026-11"]
    sep, oct_, nov = (r.counts for r in s.by_month)
    assert (sep.found, sep.closed, sep.open_total, sep.overdue) == (3, 1, 2, 1)  # H0 closed
    assert (oct_.found, oct_.closed, oct_.overdue) == (6, 3, 2)
    assert (nov.found, nov.closed_in_period, nov.open_total, nov.overdue) == (0, 1, 3, 2)
    assert s.totals.found == 9 and s.totals.closed == 6  # H8 closed by the period's end
    assert s.totals.open_total == 3 and s.totals.overdue == 2


def test_filters_by_area_and_enterprise(
    session: Session, world: World, history: stats_history.History
) -> None:
    t1 = october(session, area_id=world.ids["t1"])
    assert t1.totals.found == 5 and t1.totals.planned == 3
    assert {r.key for r in t1.by_area} == {world.ids[k] for k in ("t1", "g11", "g12")}
    assert t1.by_area[0].key == world.ids["t1"] and t1.by_area[0].depth == 0
    by_code = october(session, area_code="371502002-01")
    assert by_code.totals.found == 1 and by_code.totals.open_total == 2  # H3; H3 H6
    b = october(session, owner_id=world.ids["ent_b"])
    assert (b.totals.found, b.totals.open_major, b.totals.planned) == (2, 1, 2)
    assert b.systems_improved == 0  # ent_b's improvement was in September
    with pytest.raises(NotFound):
        october(session, area_id=999_999)
    with pytest.raises(NotFound):
        october(session, owner_id=999_999)


def test_an_enterprise_sees_only_its_own_numbers(
    session: Session, world: World, history: stats_history.History
) -> None:
    a = october(session, who(session, world, "ent_a_admin"))
    assert (a.totals.found, a.totals.closed, a.totals.self_found) == (4, 2, 1)  # H1 H4 H5 H8
    assert [r.key for r in a.by_enterprise] == [world.ids["ent_a"]]
    assert a.totals.planned == 2 and a.systems_improved == 1
    assert (a.inspections, a.inspections_self) == (2, 1)
    assert {r.key for r in a.by_area} == {world.ids[k] for k in ("district", "t1", "g11", "g12")}
    b = october(session, who(session, world, "ent_b_admin"))
    assert b.totals.found == 2 and b.systems_improved == 0
    with pytest.raises(NotFound):  # another enterprise reads as not found
        october(session, who(session, world, "ent_b_admin"), owner_id=world.ids["ent_a"])


def test_grid_supervisor_and_agency_scope(
    session: Session, world: World, history: stats_history.History
) -> None:
    grid = october(session, who(session, world, "grid_sup"))
    assert grid.totals.found == 4 and grid.totals.planned == 2  # g11: H1 H2 H5 H8; T1 T2
    assert {r.key for r in grid.by_area} == {world.ids[k] for k in ("district", "t1", "g11")}
    agency = october(session, who(session, world, "inspector"))
    assert agency.totals.found == 3 and agency.totals.planned == 1  # gate: H1 H5 H8; T1


def test_bad_periods() -> None:
    with pytest.raises(Invalid):
        Period.month("2026-13")
    with pytest.raises(Invalid):
        Period.of(date(2026, 10, 2), date(2026, 10, 1))
