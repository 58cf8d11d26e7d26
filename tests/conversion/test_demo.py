"""The demo's conversions, loaded onto the test world (not the whole demo district): 2,000+
connected since 2022, some in every open state, refused with reasons and cancelled; every quote
adds up from its lines and the table's discount; every timeline runs in order to the
application's status."""

from __future__ import annotations

import itertools
import random
from collections import Counter, defaultdict
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from gaswarden.domains.area.enums import AreaLevel
from gaswarden.domains.area.models import Area
from gaswarden.domains.conversion import rules
from gaswarden.domains.conversion.enums import ConversionStatus
from gaswarden.domains.conversion.models import (
    ConversionApplication,
    ConversionEvent,
    QuotaTable,
    QuoteLine,
)
from gaswarden.domains.organization.enums import OrgKind
from gaswarden.domains.organization.models import Organization
from gaswarden.sim.context import Demo
from gaswarden.sim.demo_conversion import load_conversions
from gaswarden.sim.geography import build_towns
from tests.factories import World

TODAY = date(2026, 11, 29)


def load(session: Session, world: World) -> None:
    """The loader on the test world: the demo's grids mapped onto the world's three grids and
    both pipeline companies onto ent_a (no villages, network or LPG customers here)."""
    towns = build_towns()
    grids = [world.ids["g11"], world.ids["g12"], world.ids["g21"]]
    area_ids = {g.code: grids[n % 3] for n, g in enumerate(g for t in towns for g in t.grids)}
    ent_a = session.get_one(Organization, world.ids["ent_a"])
    demo = Demo(
        session=session,
        rng=random.Random(11),
        today=TODAY,
        towns=towns,
        area_ids=area_ids,
        orgs={"gas1": ent_a, "gas2": ent_a},
    )
    load_conversions(demo)
    session.flush()


def test_the_demo_conversions(session: Session, world: World) -> None:
    load(session, world)
    figures(session)
    quotes_add_up(session)
    timelines_in_order(session)


def figures(session: Session) -> None:
    statuses = Counter(session.scalars(select(ConversionApplication.status)))
    assert statuses[ConversionStatus.CONNECTED] >= 2000
    open_states = [s for s in ConversionStatus if s.in_progress]
    assert all(statuses[s] > 0 for s in open_states)
    assert 200 <= sum(statuses[s] for s in open_states) <= 500
    assert statuses[ConversionStatus.REFUSED] > 100 and statuses[ConversionStatus.CANCELLED] > 0
    reasons = Counter(
        session.scalars(
            select(ConversionApplication.refusal_reason).where(
                ConversionApplication.status == ConversionStatus.REFUSED
            )
        )
    )
    assert None not in reasons and len(reasons) >= 4
    connected = list(session.scalars(select(ConversionApplication.connected_at).where(
        ConversionApplication.connected_at.is_not(None))))  # fmt: skip
    assert min(connected).year == 2022
    assert max(connected) < datetime(2026, 11, 30, tzinfo=UTC)
    years = Counter(c.year for c in connected)
    assert all(years[y] > 300 for y in (2022, 2023, 2024, 2025))
    owners = {o.id: o for o in session.scalars(select(Organization))}
    grids = set(session.scalars(select(Area.id).where(Area.level == AreaLevel.GRID)))
    for owner_id, area_id, code, distance, eligible in session.execute(
        select(
            ConversionApplication.owner_id,
            ConversionApplication.area_id,
            ConversionApplication.code,
            ConversionApplication.main_distance_m,
            ConversionApplication.eligible,
        )
    ):
        assert owners[owner_id].kind is OrgKind.PIPELINE, code
        assert area_id in grids, code
        if eligible:
            assert distance is not None and distance <= rules.MAX_MAIN_DISTANCE_M, code
    codes = list(session.scalars(select(ConversionApplication.code)))
    assert len(set(codes)) == len(codes)
    active = session.scalars(select(QuotaTable).where(QuotaTable.active.is_(True))).all()
    assert len(active) == 1 and active[0].discount_rate == pytest.approx(0.35)


def quotes_add_up(session: Session) -> None:
    lines: dict[int, list[tuple[Decimal, float, Decimal]]] = defaultdict(list)
    for app_id, price, quantity, amount in session.execute(
        select(
            QuoteLine.application_id,
            QuoteLine.unit_price_yuan,
            QuoteLine.quantity,
            QuoteLine.amount_yuan,
        )
    ):
        lines[app_id].append((Decimal(str(price)), quantity, Decimal(str(amount))))
    A = ConversionApplication
    quoted = session.execute(
        select(
            A.id,
            A.code,
            A.works_list_yuan,
            A.discount_rate,
            A.works_payable_yuan,
            A.package_yuan,
            A.total_payable_yuan,
        ).where(A.quoted_at.is_not(None))
    ).all()
    assert len(quoted) >= 2000
    for app_id, code, works_list, rate, payable, package, total in quoted:
        mine = lines[app_id]
        assert mine, code
        for price, quantity, amount in mine:
            assert amount == rules.to_fen(price * Decimal(str(quantity))), code
        works = sum((amount for _, _, amount in mine), Decimal(0))
        assert Decimal(str(works_list)) == works, code
        expected = rules.to_fen(works * (1 - Decimal(str(rate))))
        assert Decimal(str(payable)) == expected, code
        assert Decimal(str(total)) == expected + Decimal(str(package)), code


def timelines_in_order(session: Session) -> None:
    E, A = ConversionEvent, ConversionApplication
    events: dict[int, list[tuple[str, datetime, Any, Any]]] = defaultdict(list)
    for app_id, kind, at, before, after in session.execute(
        select(E.application_id, E.kind, E.at, E.from_status, E.to_status).order_by(E.id)
    ):
        events[app_id].append((kind.value, at, before, after))
    for app_id, code, status, applied_at, connected_at in session.execute(
        select(A.id, A.code, A.status, A.applied_at, A.connected_at)
    ):
        mine = events[app_id]
        assert mine[0][0] == "applied" and mine[0][1] == applied_at, code
        assert mine[-1][3] is status, code
        assert all(a[1] <= b[1] and a[3] is b[2] for a, b in itertools.pairwise(mine)), code
        if status is ConversionStatus.CONNECTED:
            assert mine[-1][0] in ("connected", "lpg_closed"), code
            assert connected_at == next(e[1] for e in mine if e[0] == "connected"), code
