"""The daily safety score of the known history (tests/hazard/stats_history.py)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from gaswarden.core.auth import SYSTEM
from gaswarden.domains.hazard import score
from gaswarden.domains.hazard.stats import Counts
from tests.factories import World
from tests.hazard import stats_history
from tests.hazard.helpers import who

DAY = date(2026, 10, 31)


def test_the_formula_and_its_clamp() -> None:
    w = score.WEIGHTS
    hazards = Counts(open_major=1, open_general=2, overdue=1, recurring=1)
    tasks = Counts(planned=4, done=3)
    value, penalties = score.score_of(hazards, tasks, sites=2)
    assert penalties == {
        "open_major": w.open_major,
        "open_general": 2 * w.open_general,
        "overdue": w.overdue,
        "recurring": w.recurring,
        "completion": w.completion / 4,
    }
    assert value == 100 - 15 - 6 - 5 - 4 - 5
    # Forty sites: hazard penalties count per ten sites (a quarter); completion does not scale.
    value, penalties = score.score_of(hazards, tasks, sites=40)
    assert penalties["open_major"] == 15 / 4 and penalties["completion"] == 5
    assert score.score_of(Counts(open_major=9), Counts(), sites=1)[0] == 0.0  # never below 0
    assert score.score_of(Counts(), Counts(), sites=0) == (100.0, dict.fromkeys(penalties, 0.0))


def test_scores_per_enterprise_and_area(session: Session, world: World) -> None:
    stats_history.build(session, world)
    scores = score.daily(session=session, principal=SYSTEM, day=DAY)
    ent = {s.id: s for s in scores.enterprises}
    a, b = ent[world.ids["ent_a"]], ent[world.ids["ent_b"]]
    # ent_a on 10-31: open H4 (overdue) and H8; H5 recurring; tasks T1 done, T4 not: 50 %.
    assert (a.open_major, a.open_general, a.overdue, a.recurring) == (0, 2, 1, 1)
    assert (a.planned, a.done, a.sites) == (2, 1, 2)
    assert a.score == 100 - 6 - 5 - 4 - 10 == 75.0
    # ent_b: open H3 (major) and H6 (general, overdue); T2 done, T3 not.
    assert b.score == 100 - 15 - 3 - 5 - 10 == 67.0
    assert [s.id for s in scores.enterprises] == [b.id, a.id]  # lowest first
    area = {s.id: s for s in scores.areas}
    # g11 (gate, supply): H8 open, H5 recurring, T1 and T2 done.
    assert area[world.ids["g11"]].score == 100 - 3 - 4 == 93.0
    # The district: H3 major; H4 H6 H8 general; H4 H6 overdue; H5 recurring; 2 of 4 tasks.
    assert area[world.ids["district"]].score == 100 - 15 - 9 - 10 - 4 - 10 == 52.0
    # Same data, same day, same scores.
    again = score.daily(session=session, principal=SYSTEM, day=DAY)
    assert again.as_dict() == scores.as_dict()
    # 10-16, before H4 fell due and H5 was found: only H4 open; T6 and T1 due and done.
    earlier = score.daily(session=session, principal=SYSTEM, day=date(2026, 10, 16))
    e_a = {s.id: s for s in earlier.enterprises}[world.ids["ent_a"]]
    assert (e_a.open_general, e_a.overdue, e_a.recurring, e_a.planned, e_a.done) == (1, 0, 0, 2, 2)
    assert e_a.score == 97.0


def test_an_enterprise_scores_only_itself(session: Session, world: World) -> None:
    stats_history.build(session, world)
    scores = score.daily(session=session, principal=who(session, world, "ent_a_admin"), day=DAY)
    assert [s.id for s in scores.enterprises] == [world.ids["ent_a"]]
    assert scores.enterprises[0].score == 75.0
    area = {s.id: s for s in scores.areas}
    assert world.ids["g21"] not in area  # ent_b's grid has nothing of ent_a's
    assert area[world.ids["district"]].score == 100 - 6 - 5 - 4 - 10
