"""Heavy use (a customer receiving far more than a household uses) against a brute-force
count: deliveries at random times over three months, sent in batches out of time order, some
batches spanning days and one more than the window, each delivery's flag checked against
the applied deliveries in its window (the service reads the stored ones of the window's
middle summed, lookups.deliveries)."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from gaswarden.domains.cylinder import lookups
from gaswarden.domains.cylinder.enums import AnomalyKind, EventResult
from gaswarden.domains.cylinder.event_schemas import CylinderEventIn
from gaswarden.standards import cylinders as std
from tests.cylinder import lpg as lpgmod
from tests.cylinder.lpg import at, build_lpg
from tests.cylinder.scans import deliver, send, to_station
from tests.factories import World

WINDOW = timedelta(days=std.HEAVY_USE_DAYS)
KG = 15  # each cylinder's capacity: a delivery's net kg


def test_heavy_use_flags_match_a_brute_force_count(session: Session, world: World) -> None:
    lpg = build_lpg(session, world)
    rng = random.Random(7)
    hours = sorted(rng.uniform(0, 24 * 90) for _ in range(28))
    tags = [f"LPG-HU-{n:02d}" for n in range(len(hours))]
    for tag in tags:
        lpgmod.cylinder(session, tag, world.ids["ent_b"], next_inspection_on=date(2029, 1, 1))
    session.flush()
    # batches of consecutive deliveries (spanning days), one of the first and the last
    # (spanning more than the window), sent in a shuffled order (later batches are late)
    order = list(range(1, len(hours) - 1))
    batches = [[0, len(hours) - 1]] + [order[k : k + 4] for k in range(0, len(order), 4)]
    rng.shuffle(batches)
    applied: list[datetime] = []  # every applied delivery so far
    flags = {True: 0, False: 0}
    for batch in batches:
        scans: list[CylinderEventIn] = []
        for n in batch:
            scans += to_station(tags[n], hours[n] - 3, lpg, f"hu{n}")
            scans.append(deliver(f"hu{n}-d", tags[n], hours[n], world))
        out = {o.key: o for o in send(session, world, *scans)}
        for n in sorted(batch, key=lambda n: hours[n]):  # the order the service takes them
            when = at(hours[n])
            outcome = out[f"hu{n}-d"]
            assert outcome.result is not EventResult.REFUSED
            applied.append(when)
            received = sum(KG for t in applied if when - WINDOW < t <= when)
            heavy = received > std.HEAVY_USE_KG_RESIDENTIAL
            assert (AnomalyKind.HEAVY_USE in outcome.anomalies) is heavy, (n, received)
            flags[heavy] += 1
    assert flags[True] >= 3 and flags[False] >= 3  # both cases seen


def test_the_window_middle_comes_back_summed(session: Session, world: World) -> None:
    """The stored deliveries inside every window of the batch come back as one, at the
    batch's first delivery; those at the edges one by one; every window's sum the same."""
    lpg = build_lpg(session, world)
    hours = [0, 24 * 5, 24 * 10, 24 * 20, 24 * 33, 24 * 38]
    for n, h in enumerate(hours):
        tag = f"LPG-HW-{n}"
        lpgmod.cylinder(session, tag, world.ids["ent_b"], next_inspection_on=date(2029, 1, 1))
        session.flush()
        send(
            session, world, *to_station(tag, h - 3, lpg, f"hw{n}"), deliver(f"hw{n}", tag, h, world)
        )
    customer = lpg.ids["cust_home"]
    first, last = at(24 * 34), at(24 * 41)  # a batch delivering between day 34 and day 41
    got = lookups.deliveries(session, {customer}, first, last, WINDOW)[customer]
    # days 20 and 33 lie in every window of the batch (after day 41 - 30, by day 34): summed
    # at day 34; days 5 and 10 only in the earliest windows, day 38 after the first: alone
    day = {h: at(h) for h in hours}
    assert sorted(got) == [
        (day[24 * 5], 15.0),
        (day[24 * 10], 15.0),
        (first, 30.0),
        (day[24 * 38], 15.0),
    ]
    stored = [day[h] for h in hours]
    for step in range(0, 7 * 24 + 1, 6):  # every window of the batch: the same sum
        when = first + timedelta(hours=step)
        expected = sum(15.0 for t in stored if when - WINDOW < t <= when)
        assert sum(kg for t, kg in got if when - WINDOW < t <= when) == expected, when
