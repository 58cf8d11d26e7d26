"""The demo district: 东昌府区 as the source article describes it, invented in detail.

`load_demo(session)` builds it through the domain services as the SYSTEM principal, so every
schema, rule and audit entry applies, and flushes without committing (the caller owns the
transaction). The same seed gives the same codes, names and coordinates every time; dates
are placed relative to `today` so that some licences and certificates are always about to
lapse.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gaswarden.domains.account.models import User
from gaswarden.domains.area.models import Area
from gaswarden.domains.organization.models import Organization
from gaswarden.sim.context import Demo
from gaswarden.sim.demo_alarms import load_alarm_history
from gaswarden.sim.demo_conversion import load_conversions
from gaswarden.sim.demo_cylinders import load_cylinders
from gaswarden.sim.demo_devices import load_devices
from gaswarden.sim.demo_emergency import load_emergency, load_emergency_history
from gaswarden.sim.demo_history import load_history
from gaswarden.sim.demo_network import load_pipes, load_regulators, load_valve_wells
from gaswarden.sim.demo_pipes import load_pipe_network
from gaswarden.sim.demo_service import load_coverage, load_service_history
from gaswarden.sim.demo_sites import (
    ORGANISATIONS,
    load_areas,
    load_assignments,
    load_organisations,
    load_sites,
)
from gaswarden.sim.demo_workforce import DEMO_PASSWORD, DEMO_USERS, load_users, load_workforce
from gaswarden.sim.geography import build_towns

__all__ = [
    "DEMO_PASSWORD",
    "DEMO_SEED",
    "DEMO_USERS",
    "DemoResult",
    "database_is_empty",
    "demo_is_loaded",
    "load_demo",
    "login_rows",
]

log = logging.getLogger(__name__)
DEMO_SEED = 20221226  # the date of the article the district is modelled on
REGULATOR_NAME = ORGANISATIONS["reg"][0]


@dataclass
class DemoResult:
    seconds: float
    counts: dict[str, int] = field(default_factory=dict)
    steps: dict[str, float] = field(default_factory=dict)  # seconds per step


def database_is_empty(session: Session) -> bool:
    """No areas, organisations or users yet: the demo may be loaded."""
    return not any(
        session.scalar(select(func.count()).select_from(model))
        for model in (Area, Organization, User)
    )


def demo_is_loaded(session: Session) -> bool:
    return (
        session.scalar(select(Organization.id).where(Organization.name == REGULATOR_NAME))
        is not None
    )


def load_demo(
    session: Session, *, seed: int = DEMO_SEED, today: date | None = None, history: bool = True
) -> DemoResult:
    """Load the whole district into an empty database; the caller commits. `history` adds
    the year of inspections, hazards and enforcement before `today`."""
    demo = Demo(
        session=session, rng=random.Random(seed), today=today or date.today(), towns=build_towns()
    )
    started = time.perf_counter()
    result = DemoResult(seconds=0.0)

    def step(name: str, fn: Callable[..., Any], *args: Any) -> Any:
        t0 = time.perf_counter()
        value = fn(demo, *args)
        result.steps[name] = round(time.perf_counter() - t0, 2)
        log.info("demo: %s in %.2f s", name, result.steps[name])
        return value

    step("areas", load_areas)
    step("organisations", load_organisations)
    step("sites", load_sites)
    lines = step("pipes", load_pipes)
    regulators = step("regulators", load_regulators, lines)
    wells = step("valve wells", load_valve_wells, lines)
    step("assignments", load_assignments)
    step("devices", load_devices, regulators, wells)
    step("pipe network", load_pipe_network)
    step("workforce", load_workforce)
    step("users", load_users)
    step("emergency", load_emergency)  # plans, reserves, contacts, teams' duty and bases
    step("coverage", load_coverage)  # villages with pipe gas and clean heating over the years
    if history:
        step("history", load_history)  # a year of inspections, hazards and enforcement
        step("cylinders", load_cylinders)  # the LPG enterprise's cylinders and a year of scans
        step("emergency history", load_emergency_history)  # a year of drills and incidents
        step("conversions", load_conversions)  # 2,000+ bottle-to-pipe conversions
        step("service requests", load_service_history)  # a year of the service channels
        step("alarms", load_alarm_history)  # a year of alarms, each handled to its end
    session.flush()
    result.seconds = round(time.perf_counter() - started, 2)
    result.counts = {k: v for k, v in sorted(demo.counts.items()) if ":" not in k}
    return result


def login_rows() -> list[dict[str, str]]:
    """The demo log-ins as rows for a table or a CSV file."""
    return [
        {
            "username": u.username,
            "password": DEMO_PASSWORD,
            "role": u.role.value,
            "role_zh": u.role.zh,
            "role_en": u.role.en,
            "organisation": ORGANISATIONS[u.org][0],
            "organisation_short": ORGANISATIONS[u.org][1],
            "display_name": u.display_name,
            "scope_zh": u.scope_zh,
            "scope_en": u.scope_en,
        }
        for u in DEMO_USERS
    ]
