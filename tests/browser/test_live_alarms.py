"""The alarm board in a real browser: a reading published over MQTT to a private Mosquitto,
taken in by an ingest worker with the rules engine (writing into the live server's database,
as a separate worker process would), appears as a red row on the open board without a
reload; it is then acknowledged and resolved from the board."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import sessionmaker

from gaswarden.db.session import make_engine
from gaswarden.domains.device.models import Device
from gaswarden.ingestion.contract import topic_for
from tests.browser.conftest import Guard, Live, sign_in
from tests.ingestion.conftest import Broker, publisher
from tests.ingestion.helpers import telemetry

pytestmark = pytest.mark.browser

SHOTS = "/tmp"


def serial_of(live: Live, key: str) -> str:
    assert live.settings is not None
    engine = make_engine(live.settings)
    with sessionmaker(bind=engine)() as s:
        device = s.get(Device, live.world.ids[key])
        assert device is not None
        serial = device.serial
    engine.dispose()
    return serial


def test_a_published_reading_appears_on_the_open_board_and_is_handled(  # type: ignore[no-untyped-def]
    page, live: Live, guard: Guard, ingest: Broker
) -> None:
    serial = serial_of(live, "dev_gate")
    sign_in(page, "reg_admin")
    page.goto("/alarms")
    page.wait_for_selector("#alarm-board[data-live='1']")
    page.evaluate("window.__sameDocument = true")
    row = page.locator("#alarm-board tr[data-alarm-id]", has_text=serial)
    assert row.count() == 0
    total = int(page.locator("[data-total]").inner_text())
    reds = int(page.locator("[data-count='red']").inner_text())

    # Carbon monoxide at 400 ppm: above the red level of the default CO set points.
    with publisher(ingest.url, client_id="gw-browser-pub") as pub:
        ts = datetime.now(UTC) - timedelta(seconds=5)
        info = pub.publish(
            topic_for(serial, "telemetry"), telemetry(ts, seq=1, co_ppm=400.0), qos=1
        )
        info.wait_for_publish(10)

    row.wait_for(timeout=20_000)
    assert page.evaluate("window.__sameDocument") is True  # no reload
    assert row.get_attribute("data-grade") == "red"
    assert row.get_attribute("data-stage") == "new"
    assert "fresh" in (row.get_attribute("class") or "")  # flashing
    assert row.locator("[data-grade-label]").inner_text() == "红色(I级)"
    assert page.locator("#alarm-board").get_attribute("data-last-tone") == "red"  # the tone
    assert page.locator("[data-count='red']").inner_text() == str(reds + 1)
    assert page.locator("[data-total]").inner_text() == str(total + 1)
    page.wait_for_function(
        f"document.querySelector('[data-alarm-badge]').textContent === '{reds + 1}'",
        timeout=20_000,
    )
    page.screenshot(path=f"{SHOTS}/gaswarden_alarm_board.png", full_page=True)

    # the mute toggle sticks
    page.click("[data-mute]")
    assert page.get_attribute("[data-mute]", "aria-pressed") == "true"

    row.locator("form[data-step='acknowledge'] button").click()
    page.wait_for_selector(f"#alarm-board tr[data-stage='acknowledged']:has-text('{serial}')")
    row.locator("details.step-form summary").click()
    row.locator("form[data-step='resolve'] select[name=cause]").select_option("false_alarm")
    row.locator("form[data-step='resolve'] input[name=note]").fill("油烟引起，已通风")
    row.locator("form[data-step='resolve'] button").click()
    page.wait_for_selector(f"#alarm-board tr[data-stage='resolved']:has-text('{serial}')")
    assert row.locator("[data-stage-label]").inner_text() == "已处置"
    assert page.evaluate("window.__sameDocument") is True
    page.screenshot(path=f"{SHOTS}/gaswarden_alarm_board_resolved.png", full_page=True)

    # the alarm's page: the timeline of what was done
    row.locator("td:nth-child(2) a").click()
    page.wait_for_url(re.compile(r"/alarms/\d+$"))
    timeline = page.locator("#timeline").inner_text()
    for text in ("产生报警", "确认", "处置完成", "油烟引起，已通风", "reg_admin"):
        assert text in timeline, text
    page.screenshot(path=f"{SHOTS}/gaswarden_alarm_detail.png", full_page=True)
    assert guard.blocked == []


def test_device_page_shows_current_values_health_and_history(  # type: ignore[no-untyped-def]
    page, live: Live, guard: Guard, ingest: Broker
) -> None:
    serial = serial_of(live, "dev_sup")
    now = datetime.now(UTC).replace(microsecond=0)
    with publisher(ingest.url, client_id="gw-browser-pub-2") as pub:
        infos = [
            pub.publish(
                topic_for(serial, "telemetry"),
                telemetry(
                    now - timedelta(minutes=58 - 2 * i),
                    seq=100 + i,
                    temperature_c=12.0 + (i % 7) * 0.8,
                    battery_pct=87.0,
                    rssi_dbm=-71.0,
                ),
                qos=1,
            )
            for i in range(30)
        ]
        for info in infos:
            info.wait_for_publish(10)

    sign_in(page, "reg_admin")
    device_id = live.world.ids["dev_sup"]
    page.goto(f"/devices/{device_id}")
    # the panel: current values with units, health
    metric = page.locator("#device-live [data-metric='temperature_c']")
    for _ in range(30):  # the worker stores in batches: reload until the readings are in
        if metric.count():
            break
        page.wait_for_timeout(500)
        page.reload()
        page.wait_for_selector("#device-live [data-live-panel]")
    assert "°C" in metric.inner_text()
    panel = page.locator("#device-live [data-live-panel]").inner_text()
    assert "87 %" in panel and "-71 dBm" in panel
    assert page.locator("[data-online-label]").inner_text() == "在线"
    # the chart: one day by default, then one hour (raw points) and one week (hourly means)
    page.select_option("[data-metric-select]", "temperature_c")
    page.click("[data-range='1']")
    page.wait_for_selector("#device-live[data-range-hours='1'][data-chart-ready='1']")
    page.wait_for_function(
        "document.getElementById('device-live').getAttribute('data-chart-points') === '30'"
    )
    page.screenshot(path=f"{SHOTS}/gaswarden_device_chart.png", full_page=True)
    page.click("[data-range='168']")
    page.wait_for_selector("#device-live[data-range-hours='168'][data-chart-ready='1']")
    traces = page.evaluate("document.getElementById('device-chart').data.length")
    assert traces == 3  # the hourly min/max band and the mean
    assert guard.blocked == []


def test_map_colours_points_by_state_and_refreshes(page, live: Live, guard: Guard) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, "reg_admin")
    page.goto("/map?layer=devices")
    page.wait_for_selector("#map[data-ready='1']")
    page.wait_for_selector("#map[data-refreshed='1']", timeout=20_000)  # refreshed in place
    colours = page.evaluate(
        "document.getElementById('map').data.filter(t => t.mode === 'markers')"
        ".flatMap(t => t.marker.color)"
    )
    assert len(colours) == 4
    assert set(colours) <= {"#d64545", "#e8772e", "#e0c01a", "#2f6fde", "#9aa1ab", "#2e9e4f"}
    assert page.locator(".legend-states [data-state='red']").inner_text() == "红色(I级)"
    page.screenshot(path=f"{SHOTS}/gaswarden_live_map.png", full_page=True)
    assert guard.blocked == []
