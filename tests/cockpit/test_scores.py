"""The cockpit's daily safety score per town and enterprise, and its trend (see the module
docstring of cockpit/score.py; the records are tests/cockpit/records.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from gaswarden.cockpit import score
from tests.cockpit import records
from tests.cockpit.records import TODAY
from tests.factories import World
from tests.hazard.helpers import who


@pytest.fixture
def recs(session: Session, world: World) -> records.Records:
    return records.build(session, world)


def trend(session: Session, world: World, username: str, days: int = 3) -> score.Trend:
    return score.trend(
        session=session, principal=who(session, world, username), today=TODAY, days=days
    )


def test_scores_and_their_trend(session: Session, world: World, recs: records.Records) -> None:
    t = trend(session, world, "reg_admin")
    assert t.days == [TODAY - timedelta(days=2), TODAY - timedelta(days=1), TODAY]
    ents = {u.id: u for u in t.enterprises}
    a, b = ents[world.ids["ent_a"]], ents[world.ids["ent_b"]]
    # A: H1 open general 3 + overdue 5; A1, A2 unhandled 2·2; I1 open 10 -> 78
    assert a.score == 78.0 and a.trend == [92.0, 92.0, 78.0]
    assert a.penalties["unhandled_alarms"] == 4.0 and a.penalties["open_incidents"] == 10.0
    assert (a.unhandled_alarms, a.open_incidents) == (2, 1)
    # B: H2 open major 15 (found 10-13); A3 unhandled 2; A4 resolved the day it was raised
    assert b.score == 83.0 and b.trend == [100.0, 85.0, 83.0]
    assert [u.id for u in t.enterprises] == [a.id, b.id]  # lowest first
    towns = {u.name: u for u in t.towns}
    assert set(towns) == {"古楼街道", "柳园街道"}
    assert towns["古楼街道"].score == 78.0 and towns["柳园街道"].score == 83.0
    body = t.as_dict()
    assert body["weights"]["open_incident"] == score.EXTRA.open_incident
    assert body["days"][-1] == TODAY.isoformat()


def test_an_enterprise_sees_its_own_score_only(
    session: Session, world: World, recs: records.Records
) -> None:
    t = trend(session, world, "ent_b_admin", days=1)
    assert [u.id for u in t.enterprises] == [world.ids["ent_b"]]
    assert t.enterprises[0].score == 83.0
    # its supply station lies in 古楼街道, its filling station in 柳园街道: its part of each
    assert [(u.name, u.score) for u in t.towns] == [("柳园街道", 83.0), ("古楼街道", 100.0)]


def test_the_combined_score_is_clamped_and_scaled_per_ten_sites() -> None:
    value, penalties = score.combined(100.0, {"open_major": 90.0}, alarms=10, incidents=0, sites=1)
    assert value == 0.0 and penalties["unhandled_alarms"] == 20.0
    value, penalties = score.combined(100.0, {}, alarms=5, incidents=1, sites=20)
    assert penalties == {"unhandled_alarms": 5.0, "open_incidents": 5.0} and value == 90.0


def test_the_page_keeps_past_days_scores_and_computes_today_afresh(
    session: Session, world: World, recs: records.Records, monkeypatch: pytest.MonkeyPatch
) -> None:
    score._cache.clear()
    days: list[object] = []
    daily = score.hazard_score.daily

    def counted(**kw: object) -> object:
        days.append(kw["day"])
        return daily(**kw)  # type: ignore[arg-type]

    monkeypatch.setattr(score.hazard_score, "daily", counted)
    principal = who(session, world, "reg_admin")
    first = score.trend(session=session, principal=principal, today=TODAY, days=3, cache=True)
    again = score.trend(session=session, principal=principal, today=TODAY, days=3, cache=True)
    assert days == [TODAY - timedelta(days=2), TODAY - timedelta(days=1), TODAY, TODAY]
    assert again.as_dict() == first.as_dict()
    score._cache.clear()
