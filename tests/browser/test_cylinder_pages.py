"""The scanning page in a real browser on a phone-sized screen: a fill for a cylinder overdue
for inspection is refused and the page shows the reason in large words; a delivery to a
registered customer is accepted and the cylinder's page then shows it with the user (status
and the customer in the timeline). The cylinder's map draws offline."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy.orm import Session, sessionmaker

from gaswarden.core.auth import SYSTEM
from gaswarden.db.session import make_engine
from gaswarden.domains.customer.enums import CustomerKind, SafetyStatus
from gaswarden.domains.customer.models import Customer
from gaswarden.domains.cylinder import events
from gaswarden.domains.cylinder.enums import EventKind
from gaswarden.domains.cylinder.event_schemas import CylinderEventIn
from gaswarden.domains.cylinder.models import GasBatch
from gaswarden.domains.workforce.enums import CertificateKind, Position
from gaswarden.domains.workforce.models import Certificate, Person
from tests.browser.conftest import Guard, Live, sign_in
from tests.cylinder.lpg import cylinder

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 780}
OVERDUE, FRESH, CUSTOMER, BATCH = "LPG-BR-OVERDUE", "LPG-BR-FRESH", "CU-BR-NEAR", "B-BR-01"


@pytest.fixture
def phone(browser, live: Live, guard: Guard) -> Iterator[object]:  # type: ignore[no-untyped-def]
    context = browser.new_context(
        base_url=live.url, locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True
    )

    def only_local(route) -> None:  # type: ignore[no-untyped-def]
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            guard.blocked.append(route.request.url)
            route.abort()

    context.route("**/*", only_local)
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    yield pg
    context.close()


def seed(live: Live) -> dict[str, int]:
    """Two cylinders, a customer next to the supply station, a batch and a certified
    operator in the live server's database; FRESH is filled, loaded and at the station."""
    assert live.settings is not None
    w = live.world.ids
    engine = make_engine(live.settings)
    try:
        with sessionmaker(bind=engine, expire_on_commit=False)() as s:
            session: Session = s
            cylinder(session, OVERDUE, w["ent_b"], next_inspection_on=date(2025, 6, 1))
            cylinder(
                session,
                FRESH,
                w["ent_b"],
                next_inspection_on=date(2030, 1, 1),
                site_id=w["filling"],
            )
            session.add(
                Customer(
                    code=CUSTOMER,
                    kind=CustomerKind.RESIDENTIAL,
                    name="周近邻",
                    owner_id=w["ent_b"],
                    area_id=w["g11"],
                    safety_status=SafetyStatus.PASSED,
                    lon=115.9205,
                    lat=36.4205,
                )
            )
            session.add(
                GasBatch(
                    code=BATCH,
                    owner_id=w["ent_b"],
                    site_id=w["filling"],
                    supplier="中石化",
                    quantity_t=20,
                    arrived_on=date.today() - timedelta(days=2),
                )
            )
            operator = Person(
                name="吴充装", owner_id=w["ent_b"], position=Position.FILLING_OPERATOR
            )
            session.add(operator)
            session.flush()
            session.add(
                Certificate(
                    person_id=operator.id,
                    kind=CertificateKind.CYLINDER_FILLING,
                    number="TS-BR-1",
                    expires_on=date.today() + timedelta(days=900),
                )
            )
            session.flush()
            now = datetime.now(UTC)
            common = {"tag_code": FRESH}
            outcomes = events.submit(
                session=session,
                principal=SYSTEM,
                org_id=w["ent_b"],
                events=[
                    CylinderEventIn(
                        key="br-fill",
                        kind=EventKind.FILL,
                        occurred_at=now - timedelta(hours=3),
                        site_code="S-B-FILL",
                        worker_id=operator.id,
                        batch_code=BATCH,
                        gross_kg=30.5,
                        **common,
                    ),
                    CylinderEventIn(
                        key="br-load",
                        kind=EventKind.LOAD,
                        occurred_at=now - timedelta(hours=2),
                        vehicle_plate="鲁PA8888",
                        **common,
                    ),
                    CylinderEventIn(
                        key="br-arrive",
                        kind=EventKind.ARRIVE,
                        occurred_at=now - timedelta(hours=1),
                        site_code="S-B-SUP",
                        **common,
                    ),
                ],
            )
            assert [o.result.value for o in outcomes] == ["accepted"] * 3, outcomes
            session.commit()
            return {"operator": operator.id}
    finally:
        engine.dispose()


def test_scan_refuses_an_overdue_fill_then_a_delivery_shows_on_the_cylinder_page(
    phone, live: Live, guard: Guard
) -> None:  # type: ignore[no-untyped-def]
    ids = seed(live)
    w = live.world.ids
    sign_in(phone, "worker_b")
    phone.goto("/cylinder-scan")

    # look the overdue cylinder up: filling is not allowed, and why
    phone.fill("#s-code", OVERDUE)
    phone.select_option("#s-kind-look", "fill")
    phone.click("form[data-scan-lookup] button[type=submit]")
    step = phone.locator("[data-step=fill]")
    assert step.get_attribute("data-allowed") == "0"
    assert "超期未检" in step.inner_text()

    # send the fill anyway: refused, the reason in large words
    phone.select_option("#s-kind", "fill")
    phone.select_option("#s-site_code", "S-B-FILL")
    phone.select_option("#s-worker_id", str(ids["operator"]))
    phone.select_option("#s-batch_code", BATCH)
    phone.fill("#s-gross_kg", "30.5")
    phone.click("[data-send]")
    result = phone.locator("[data-outcome]")
    assert result.get_attribute("data-outcome") == "refused"
    reason = phone.locator(".cy-reason")
    assert "超期未检" in reason.inner_text()
    # the answer's page is parsed before its stylesheet has loaded on a busy machine
    phone.wait_for_function("() => document.readyState === 'complete'")
    size = float(reason.evaluate("el => parseFloat(getComputedStyle(el).fontSize)"))
    assert size >= 20, f"the reason is not large enough ({size}px)"
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the scanning page scrolls sideways ({width}px)"
    phone.screenshot(path="/tmp/cylinder_scan_refused.png", full_page=True)

    # deliver the filled cylinder to the registered customer
    phone.goto(f"/cylinder-scan?code={FRESH}&kind=deliver")
    assert phone.locator("[data-step=deliver]").get_attribute("data-allowed") == "1"
    phone.fill("#s-customer_code", CUSTOMER)
    phone.select_option("#s-worker_id", str(w["person_b"]))
    phone.select_option("#s-vehicle_plate", "鲁PA8888")
    phone.click("[data-send]")
    assert phone.locator("[data-outcome]").get_attribute("data-outcome") == "accepted"
    phone.click("[data-cylinder-link]")
    phone.wait_for_url(re.compile(r"/cylinders/\d+$"))
    assert phone.locator("[data-status-label]").inner_text() == "在用户处"
    delivered = phone.locator('tr[data-event="deliver"][data-result="accepted"]')
    assert CUSTOMER in delivered.inner_text() and "周近邻" in delivered.inner_text()
    phone.wait_for_selector("#cy-map[data-ready='1']")
    phone.screenshot(path="/tmp/cylinder_page.png", full_page=True)
    assert guard.blocked == []
