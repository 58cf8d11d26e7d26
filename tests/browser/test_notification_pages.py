"""Notification subscriptions in a real browser: an enterprise admin creates one through the
form from the navigation and sees it listed; the outbox page is one click away."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import Guard, Live, sign_in

pytestmark = pytest.mark.browser

SHOTS = "/tmp"


def test_create_a_subscription_through_the_form(page, live: Live, guard: Guard) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, "ent_a_admin")
    page.click("nav.nav >> text=报警通知")
    page.wait_for_url(re.compile(r"/notification-subscriptions$"))
    assert page.locator("h1").inner_text() == "报警通知订阅"
    page.click("[data-new]")
    page.wait_for_url(re.compile(r"/notification-subscriptions/new$"))
    page.fill("#f-name", "夜间值班短信")
    page.select_option("#f-channel", "sms")
    page.fill("#f-target", "13900005678")
    page.select_option("#f-audience", "enterprise_admin")
    page.select_option("#f-min_grade", "orange")
    page.fill("#f-reason", "夜间值班安排")
    page.click("[data-save]")
    page.wait_for_url(re.compile(r"/notification-subscriptions/\d+\?saved=1$"))
    body = page.locator("main").inner_text()
    assert "夜间值班短信" in body and "139****5678" in body
    assert "13900005678" not in page.content()

    page.click("nav.nav >> text=报警通知")
    page.wait_for_url(re.compile(r"/notification-subscriptions$"))
    rows = page.locator("table.list tbody tr[data-id]")
    names = rows.locator("td:first-child").all_inner_texts()
    assert "夜间值班短信" in names
    row = rows.filter(has_text="夜间值班短信")
    text = row.inner_text()
    assert "短信" in text and "企业管理人员" in text and "橙色(II级)" in text
    assert "139****5678" in text
    page.screenshot(path=f"{SHOTS}/gaswarden_subscriptions.png", full_page=True)

    page.click("text=通知发送记录")
    page.wait_for_url(re.compile(r"/notifications$"))
    assert page.locator("h1").inner_text() == "通知发送记录"
    here = page.locator("nav.nav a.here").inner_text()
    assert here.startswith("报警通知")
    page.screenshot(path=f"{SHOTS}/gaswarden_outbox.png", full_page=True)
    assert guard.blocked == []
