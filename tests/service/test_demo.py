"""The demo's coverage and year of service requests, loaded onto the small test world (the
ten demo towns mapped onto its two towns): the article's figures exactly, the mixes, leak
reports with their incidents."""

from __future__ import annotations

import random
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gaswarden.domains.emergency.enums import IncidentStatus
from gaswarden.domains.emergency.models import Incident
from gaswarden.domains.service.enums import RequestChannel, RequestKind, RequestStatus
from gaswarden.domains.service.models import CoverageYear, ServiceRequest, Village
from gaswarden.sim import demo_service
from gaswarden.sim.context import Demo
from gaswarden.sim.geography import build_towns
from tests.factories import World

TODAY = date(2026, 6, 15)


def demo_on(session: Session, world: World) -> Demo:
    towns = build_towns()
    demo = Demo(session=session, rng=random.Random(7), today=TODAY, towns=towns)
    for i, town in enumerate(towns):
        demo.area_ids[town.code] = world.ids["t1" if i % 2 else "t2"]
    return demo


def test_coverage_has_the_articles_figures(session: Session, world: World) -> None:
    demo_service.load_coverage(demo_on(session, world))
    villages = session.scalar(select(func.count(Village.id)))
    heated = session.scalar(
        select(func.count(Village.id)).where(Village.clean_heating_since.is_not(None))
    )
    households = session.scalar(select(func.sum(Village.households_clean_heating)))
    assert (villages, heated, households) == (709, 709, 160_200)
    assert session.scalar(select(func.min(Village.clean_heating_since))) == 2017
    over = session.scalar(
        select(func.count(Village.id)).where(
            (Village.households_clean_heating > Village.households)
            | (Village.households_piped > Village.households)
        )
    )
    assert over == 0
    per_year = dict(
        session.execute(
            select(CoverageYear.year, func.sum(CoverageYear.households_clean_heating)).group_by(
                CoverageYear.year
            )
        ).all()
    )
    assert sorted(per_year) == list(range(2017, TODAY.year + 1))
    assert per_year[TODAY.year] == 160_200
    values = [per_year[y] for y in sorted(per_year)]
    assert values == sorted(values) and values[0] > 0  # growing year by year
    piped = session.scalar(
        select(func.count(Village.id)).where(Village.pipe_gas_since.is_not(None))
    )
    # most villages piped, some on electric heating
    assert piped is not None and 0.8 * 709 < piped < 709


def test_a_year_of_service_requests(session: Session, world: World) -> None:
    demo = demo_on(session, world)
    demo_service.load_service_history(demo)
    total = demo_service.REQUESTS_PER_YEAR + demo_service.LEAK_REPORTS
    assert session.scalar(select(func.count(ServiceRequest.id))) == total
    by_kind = dict(
        session.execute(
            select(ServiceRequest.kind, func.count()).group_by(ServiceRequest.kind)
        ).all()
    )
    assert by_kind[RequestKind.LEAK_REPORT] == demo_service.LEAK_REPORTS
    assert by_kind[RequestKind.REPAIR] > by_kind[RequestKind.COMPLAINT]
    by_channel = dict(
        session.execute(
            select(ServiceRequest.channel, func.count()).group_by(ServiceRequest.channel)
        ).all()
    )
    assert set(by_channel) == set(RequestChannel)
    assert by_channel[RequestChannel.HOTLINE] == max(by_channel.values())
    overdue = session.scalar(select(func.count()).where(ServiceRequest.overdue.is_(True)))
    assert overdue is not None and 0 < overdue < total * 0.25
    closed = session.scalar(
        select(func.count()).where(ServiceRequest.status == RequestStatus.CLOSED)
    )
    assert closed is not None and closed > total * 0.7
    waiting = session.scalar(
        select(func.count()).where(
            ServiceRequest.status.in_((RequestStatus.OPEN, RequestStatus.ASSIGNED))
        )
    )
    assert waiting  # the last days' requests not all dispatched and answered yet
    leaks = session.scalars(
        select(ServiceRequest).where(ServiceRequest.kind == RequestKind.LEAK_REPORT)
    ).all()
    for leak in leaks:
        incident = session.get(Incident, leak.incident_id)
        assert incident is not None and incident.source_ref == leak.code
        # the duty room's side was played too: a team sent, arrived, the incident closed
        assert incident.status is IncidentStatus.CLOSED, (leak.code, incident.status)
        assert incident.dispatches and incident.arrived_at is not None
    assert session.scalar(select(func.count()).where(ServiceRequest.code.like("tmp-%"))) == 0
