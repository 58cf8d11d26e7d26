"""The cockpit in a real browser: a reading published over MQTT to a private Mosquitto, taken
in by an ingest worker with the rules engine (writing into the live server's database), shows
on the open cockpit as a new item of the alarm feed, and the figure of today's red alarms goes
up, and the alarm's ring shows on the map, without a reload; the map and the score trends
load after the first paint."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from gaswarden.ingestion.contract import topic_for
from tests.browser.conftest import Guard, Live, sign_in
from tests.browser.test_live_alarms import serial_of
from tests.ingestion.conftest import Broker, publisher
from tests.ingestion.helpers import telemetry

pytestmark = pytest.mark.browser


def test_a_new_alarm_and_a_figure_appear_on_the_open_cockpit(  # type: ignore[no-untyped-def]
    page, live: Live, guard: Guard, ingest: Broker
) -> None:
    serial = serial_of(live, "dev_box")
    sign_in(page, "reg_admin")
    page.goto("/cockpit")
    page.wait_for_selector("#cockpit[data-live='1']")
    page.evaluate("window.__sameDocument = true")
    item = page.locator("#cockpit-feed li[data-alarm-id]", has_text=serial)
    assert item.count() == 0
    reds = int(page.locator("[data-fig='alarms_today_red']").inner_text())
    open_alarms = int(page.locator("[data-fig='alarms_open']").inner_text())
    page.wait_for_selector("#cockpit-map[data-ready='1']")
    page.wait_for_selector("#cockpit-scores[data-ready='1']")
    assert page.locator("#cockpit-scores tr[data-unit-id]").count() >= 2  # towns, enterprises

    # Carbon monoxide at 400 ppm: above the red level of the default CO set points.
    with publisher(ingest.url, client_id="gw-browser-cockpit") as pub:
        ts = datetime.now(UTC) - timedelta(seconds=5)
        info = pub.publish(
            topic_for(serial, "telemetry"), telemetry(ts, seq=1, co_ppm=400.0), qos=1
        )
        info.wait_for_publish(10)

    item.wait_for(timeout=15_000)
    assert item.get_attribute("data-grade") == "red"
    assert item.locator("[data-grade-label]").inner_text() == "红色(I级)"
    page.wait_for_function(
        "n => document.querySelector(\"[data-fig='alarms_today_red']\").textContent === String(n)",
        arg=reds + 1,
        timeout=15_000,
    )
    assert page.locator("[data-fig='alarms_open']").inner_text() == str(open_alarms + 1)
    # the map follows: the alarm's ring on the device (refreshed after the push)
    page.wait_for_function(
        "id => (document.getElementById('cockpit-map').data || []).some("
        "t => t.meta === 'alarms' && t.customdata.includes('/alarms/' + id))",
        arg=item.get_attribute("data-alarm-id"),
        timeout=15_000,
    )
    assert page.evaluate("window.__sameDocument") is True  # no reload
    page.screenshot(path="/tmp/gaswarden_cockpit.png", full_page=True)
    assert guard.blocked == []
