"""A simulated leak in a pipe network, end to end in a real browser: the simulator's hydraulic
twin injects a hidden leak into a small network whose pressure monitors and inlet flow meter
publish over MQTT to a private Mosquitto; an ingest worker with the rules engine stores the
readings in the live server's database; the network watch (as the maintenance job runs it)
detects and localises the leak and raises an alarm; in Chromium the alarm links to the leak
view, whose map highlights a search zone containing the true leak junction."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from gaswarden.db.session import make_engine
from gaswarden.domains.network import watch
from gaswarden.domains.network.models import PipeNetwork
from gaswarden.domains.telemetry.models import Reading
from gaswarden.sim.incidents import IncidentKind, IncidentSpec
from gaswarden.sim.network_twin import read_twins
from gaswarden.sim.registry import read_devices
from gaswarden.sim.runner import SimOptions, Simulator, SimulatorHandle
from tests.browser.conftest import Guard, Live, sign_in
from tests.ingestion.conftest import Broker
from tests.network.watched import store_watched

pytestmark = pytest.mark.browser

SHOTS = "/tmp"
CODE = "NET-BROWSER"
SPEED = 150.0  # 300 s report interval -> a reading every 2 s; a model hour lasts 24 s
LEAK_AT_S = 3.0
RUN_S = 17.0  # then the newest six inflow snapshots all lie inside the leak
# The seed picks the leak junction (the twin draws it among the mains junctions): with 5 it is
# junction 4, the far corner from the feed. Seeds 3 and 11 put it at junctions 6 and 1, next to
# the feed, where the pressures barely move (likelihood ratio 2-9 against the threshold 30):
# only the inflow balance could see those, and the pressure watch is what this test is about.
SEED = 5


def test_a_simulated_leak_is_raised_and_its_zone_contains_the_true_leak(
    page: Any, live: Live, guard: Guard, ingest: Broker
) -> None:
    assert live.settings is not None
    engine = make_engine(live.settings)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    with factory() as session:
        watched = store_watched(session, code=CODE, area_id=live.world.ids["g11"])
        session.commit()
        twins = read_twins(session, seed=SEED)
    # Ten houses only: one house's ±20 % is 2 % of the demand, so the leak must stand well out
    # of that (on Schutterwald's 1,506 houses a 2-10 % leak does: gaswarden bench network).
    for t in twins.twins:
        t.leak_share = (0.25, 0.30)
    serials = {*watched.serials, f"FM-{CODE}"}
    devices = [d for d in read_devices(live.settings) if d.serial in serials]
    assert len(devices) == 9
    hour = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    simulator = Simulator(
        devices,
        ingest.url,
        [IncidentSpec(IncidentKind.NETWORK_LEAK, at=LEAK_AT_S)],
        SimOptions(speed=SPEED, offline_share=0.0, clock_start=hour, duration=RUN_S, seed=SEED),
        twins=twins,
    )
    simulator.open()
    handle = SimulatorHandle(simulator)
    assert handle.join(RUN_S + 15), "the simulator did not finish"
    assert handle.error is None and not handle.stats.errors, handle.stats.errors
    twin = next(t for t in twins.twins if t.code == CODE)
    assert twin.leak is not None, handle.stats.incidents
    truth = twin.leak.junction

    # the ingest stores in batches: wait until every published reading is in
    expected = handle.stats.telemetry
    with factory() as session:
        deadline = time.monotonic() + 10
        stored = 0
        while time.monotonic() < deadline:
            stored = (
                session.scalar(
                    select(func.count())
                    .select_from(Reading)
                    .where(
                        Reading.device_id.in_([watched.flow_id, *watched.pressure_ids]),
                        Reading.metric.in_(("flow_m3h", "pressure_kpa")),  # one per message
                    )
                )
                or 0
            )
            if stored >= expected:
                break
            time.sleep(0.2)
        assert stored >= expected, (stored, expected)
        network = session.scalars(select(PipeNetwork).where(PipeNetwork.code == CODE)).one()
        result = watch.check(session, network, now=datetime.now(UTC), minutes=5)
        session.commit()
    engine.dispose()
    figures = f"{result.to_json()} truth={truth} leak={twin.leak.describe()}"
    assert result.detected and result.leak is not None, figures

    sign_in(page, "reg_admin")
    page.goto("/alarms")
    row = page.locator("tr[data-alarm-id]", has_text=f"FM-{CODE}").first
    row.wait_for()
    row.locator("a[href^='/alarms/']").first.click()
    page.wait_for_url(re.compile(r"/alarms/\d+$"))
    page.click("[data-network-leak-link]")
    page.wait_for_url(re.compile(r"/network-leaks/\d+$"))
    page.wait_for_selector("#nw-map[data-ready='1']")
    zone = page.get_attribute("#nw-map", "data-zone-junctions") or ""
    junctions = {int(j) for j in zone.split(",") if j}
    assert truth in junctions, f"{figures} zone={sorted(junctions)}"
    # the map drew the zone in thick red and numbered the candidates
    metas = page.evaluate("document.getElementById('nw-map').data.map(t => t.meta || '')")
    assert "zone" in metas and "candidates" in metas
    rows = page.locator("[data-candidates-table] tr[data-rank]")
    assert rows.count() >= 1 and rows.first.get_attribute("data-rank") == "1"
    page.screenshot(path=f"{SHOTS}/gaswarden_network_leak.png", full_page=True)
    assert guard.blocked == []
