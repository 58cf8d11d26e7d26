"""The alarm board in a real browser keeps up across reconnects: the stream is cut short
(for_s), EventSource reconnects with Last-Event-ID, and a change committed while it was away
arrives without a reload. And the device page's token button, a CSRF-checked POST."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy.orm import sessionmaker

from gaswarden.db.session import make_engine
from tests.alarm.direct import raise_red
from tests.browser.conftest import Guard, Live, sign_in

pytestmark = pytest.mark.browser

SHOTS = "/tmp"


@pytest.fixture
def red_alarm(live: Live) -> int:
    """A red alarm on enterprise B's filling station (the other browser tests count sites and
    devices and watch other devices' alarms), committed to the live server's database."""
    assert live.settings is not None
    engine = make_engine(live.settings)
    try:
        with sessionmaker(bind=engine, expire_on_commit=False)() as session:
            alarm_id = raise_red(session, live.world.ids["dev_fill"]).id
            session.commit()
    finally:
        engine.dispose()
    return alarm_id


@pytest.fixture
def plain_page(browser, live: Live) -> Iterator[tuple[object, list[str]]]:  # type: ignore[no-untyped-def]
    """A page without request interception (Playwright's routing gets in the way of
    EventSource's reconnects and drops their Last-Event-ID): non-local requests are only
    recorded, and the test checks there were none."""
    context = browser.new_context(
        base_url=live.url, locale="zh-CN", viewport={"width": 1280, "height": 860}
    )
    outside: list[str] = []
    context.on(
        "request",
        lambda req: (
            outside.append(req.url)
            if urlsplit(req.url).hostname not in (None, "127.0.0.1")
            and not req.url.startswith(("data:", "blob:"))
            else None
        ),
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page, outside
    context.close()


def test_a_change_made_while_reconnecting_reaches_the_board(  # type: ignore[no-untyped-def]
    plain_page, live: Live, red_alarm: int
) -> None:
    page, outside = plain_page
    alarm_id = red_alarm
    streams: list = []  # type: ignore[type-arg]
    page.on("request", lambda req: streams.append(req) if "/alarms/stream" in req.url else None)
    sign_in(page, "reg_admin")
    page.goto("/alarms?view=open&for_s=1.5")  # the stream ends every 1.5 s
    page.wait_for_selector("#alarm-board[data-live='1']")
    page.evaluate("window.__sameDocument = true")
    row = page.locator(f"#alarm-board tr[data-alarm-id='{alarm_id}']")
    assert row.get_attribute("data-stage") == "new"

    page.wait_for_selector("#alarm-board[data-live='0']", timeout=10_000)  # reconnecting
    r = httpx.post(
        f"{live.url}/api/v1/alarms/{alarm_id}/acknowledge",
        json={"note": "重连期间确认"},
        headers={"Authorization": f"Bearer {live.world.tokens['reg_admin']}"},
    )
    assert r.status_code == 200, r.text

    page.wait_for_selector(
        f"#alarm-board tr[data-alarm-id='{alarm_id}'][data-stage='acknowledged']",
        timeout=15_000,
    )
    assert page.evaluate("window.__sameDocument") is True  # no reload
    assert len(streams) >= 2
    resumed = [req.all_headers().get("last-event-id") for req in streams[1:]]
    assert all(resumed), resumed  # every reconnect said where the board stood
    page.screenshot(path=f"{SHOTS}/gaswarden_alarm_board_resumed.png", full_page=True)

    # a live update of the row keeps the form the user opened in it, what was typed, and
    # the caret: typing goes on where it was
    row.locator("details.step-form summary").click()
    row.locator("form[data-step='resolve'] input[name=note]").fill("正在现场核实")
    r = httpx.post(
        f"{live.url}/api/v1/alarms/{alarm_id}/assign",
        json={"note": "派抢险队"},
        headers={"Authorization": f"Bearer {live.world.tokens['reg_admin']}"},
    )
    assert r.status_code == 200, r.text
    page.wait_for_selector(
        f"#alarm-board tr[data-alarm-id='{alarm_id}'][data-stage='assigned']", timeout=15_000
    )
    assert row.locator("details.step-form").get_attribute("open") is not None
    assert row.locator("[data-stage-label]").inner_text() == "已派单"  # the row's state moved
    page.keyboard.type("，已到场")
    note = row.locator("form[data-step='resolve'] input[name=note]")
    assert note.input_value() == "正在现场核实，已到场"
    assert outside == []


def test_reveal_token_button(page, live: Live, guard: Guard) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, "reg_admin")
    device_id = live.world.ids["dev_fill"]
    page.goto(f"/devices/{device_id}")
    page.click("[data-token-reveal]")
    page.wait_for_selector("#device-token code[data-token]")
    assert page.url.endswith(f"/devices/{device_id}/token/reveal")
    assert len(page.locator("code[data-token]").inner_text()) >= 24
    page.click("text=返回")
    page.wait_for_url(f"**/devices/{device_id}")
    assert page.locator("#history tbody tr").first.get_attribute("data-action") == "查看设备密钥"
    assert guard.blocked == []
