"""The issue's browser flow: an agency inspector, on a 375x667 phone, opens the gate station's
task, marks an item 不合格 with a note and a photo (taken while offline), submits offline (the
form shows 待上传), comes back online, and the inspection lands exactly once even though the
first response is lost on the way back (the retry is answered from the client_id). The hazard
it opened goes round the loop: the enterprise starts and submits the rectification on a phone,
the regulator sends it back once with a reason, the enterprise resubmits, the regulator
verifies: 已销号. The statistics page counts one more hazard found and one more closed."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from gaswarden.db.session import make_engine
from gaswarden.domains.attachment.links import attached
from gaswarden.domains.hazard.enums import HazardSource, HazardStatus
from gaswarden.domains.hazard.models import Hazard
from gaswarden.domains.inspection import checklists
from gaswarden.domains.inspection.enums import InspectionKind, TaskStatus
from gaswarden.domains.inspection.models import ChecklistTemplate, Inspection, InspectionTask
from gaswarden.domains.site.models import Site
from tests.browser.conftest import Guard, Live, sign_in

pytestmark = pytest.mark.browser

SHOTS = "/tmp"
PHONE = {"width": 375, "height": 667}
FAILED = "GS-04"  # 安全阀、压力表等安全附件定期校验 (a general hazard)
NOTE = "压力表超过校验有效期"


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "#d64545").save(out, format="PNG")
    return out.getvalue()


def new_phone(browser, live: Live, guard: Guard):  # type: ignore[no-untyped-def]
    context = browser.new_context(
        base_url=live.url, locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True
    )

    def only_local(route) -> None:  # type: ignore[no-untyped-def]
        url = route.request.url
        if url.startswith(("data:", "blob:")) or urlsplit(url).hostname == "127.0.0.1":
            route.continue_()
        else:
            guard.blocked.append(url)
            route.abort()

    context.route("**/*", only_local)
    pg = context.new_page()
    pg.set_default_timeout(20_000)
    return context, pg


@pytest.fixture
def phones(browser, live: Live, guard: Guard) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    """Two phones: the inspector's and the enterprise's."""
    made = [new_phone(browser, live, guard) for _ in range(2)]
    yield [pg for _, pg in made]
    for context, _ in made:
        context.close()


@pytest.fixture
def db(live: Live) -> Iterator[sessionmaker[Session]]:
    """Short sessions on the live server's database (SQLite: never hold a transaction open
    while the server writes)."""
    assert live.settings is not None
    engine = make_engine(live.settings)
    yield sessionmaker(bind=engine, expire_on_commit=False)
    engine.dispose()


def gate_task(session: Session, live: Live) -> InspectionTask:
    """A pending third-party task at the gate station for the agency, on the built-in list."""
    checklists.seed_builtin(session)
    session.flush()
    template = session.scalar(select(ChecklistTemplate).where(ChecklistTemplate.code == "GW-GATE"))
    assert template is not None
    site = session.get(Site, live.world.ids["gate"])
    assert site is not None
    today = date.today()
    task = InspectionTask(
        site_id=site.id,
        template_id=template.id,
        kind=InspectionKind.THIRD_PARTY,
        period_start=today.replace(day=1),
        due_on=today + timedelta(days=7),
        status=TaskStatus.PENDING,
        assignee_org_id=live.world.ids["agency"],
        owner_id=site.owner_id,
        area_id=site.area_id,
    )
    session.add(task)
    session.commit()
    return task


def no_sideways_scroll(page) -> None:  # type: ignore[no-untyped-def]
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways on a phone ({width}px)"


def figures(page) -> dict[str, str]:  # type: ignore[no-untyped-def]
    page.goto("/statistics")
    return dict(
        page.locator("[data-figure]").evaluate_all(
            "els => els.map(e => [e.getAttribute('data-figure'), e.textContent.trim()])"
        )
    )


def hazard_status(page) -> str:  # type: ignore[no-untyped-def]
    return str(page.locator("h1 + .actions [data-status-label]").inner_text())


def test_phone_inspection_offline_then_hazard_closed(  # type: ignore[no-untyped-def]
    page, phones, live: Live, guard: Guard, db: sessionmaker[Session]
) -> None:
    inspector, enterprise = phones
    with db() as session:
        task = gate_task(session, live)
    sign_in(page, "reg_staff")
    before = figures(page)
    assert {"found", "closed", "overdue", "rectification_rate"} <= set(before)

    # the inspector's tasks on the phone: the gate station's, with its Start button
    sign_in(inspector, "inspector")
    inspector.goto("/inspection-tasks")
    row = inspector.locator(f"tr[data-task-id='{task.id}']")
    assert row.is_visible()
    no_sideways_scroll(inspector)
    row.locator("[data-start]").click()
    inspector.wait_for_url(re.compile(rf"/inspections/new\?task_id={task.id}$"))
    form = inspector.locator("[data-inspection-form]")
    client_id = form.get_attribute("data-client-id")
    assert client_id and re.fullmatch(r"[0-9a-f-]{36}", client_id)
    no_sideways_scroll(inspector)

    # 不合格 with a note; the draft outlives a reload (same client id, same answers)
    item = inspector.locator(f".ins-item[data-code='{FAILED}']")
    item.locator("label.tg-fail").click()
    assert item.get_attribute("data-outcome") == "fail"
    assert item.locator(".ins-fail").is_visible()
    item.locator("textarea").fill(NOTE)
    inspector.reload()
    item = inspector.locator(f".ins-item[data-code='{FAILED}']")
    assert form.get_attribute("data-client-id") == client_id
    assert item.get_attribute("data-outcome") == "fail"
    assert item.locator("textarea").input_value() == NOTE
    inspector.click("[data-all-pass]")
    total = inspector.locator(".ins-item").count()
    assert inspector.locator("[data-answered]").inner_text() == str(total)
    assert item.get_attribute("data-outcome") == "fail"  # the rest only

    # offline: the photo is kept on the phone, the submission is queued (待上传)
    inspector.context.set_offline(True)
    item.locator("input[type=file]").set_input_files(
        files=[{"name": "gauge.png", "mimeType": "image/png", "buffer": png()}]
    )
    thumb = item.locator("[data-photo]")
    assert thumb.get_attribute("data-uploaded") == "0"
    inspector.screenshot(path=f"{SHOTS}/gaswarden_inspection_form_phone.png", full_page=True)
    inspector.click("[data-submit]")
    state = inspector.locator("[data-state='queued']")
    state.wait_for(state="visible")
    assert "待上传" in state.inner_text()
    inspector.screenshot(path=f"{SHOTS}/gaswarden_inspection_queued_phone.png")

    def landed() -> int:
        stmt = select(func.count()).select_from(Inspection).where(Inspection.client_id == client_id)
        with db() as session:
            return int(session.scalar(stmt) or 0)

    assert landed() == 0

    # back online; the first answer is lost on its way back (the server did save it)
    posts: list[int] = []

    def lose_first_answer(route) -> None:  # type: ignore[no-untyped-def]
        if route.request.method != "POST":
            route.fallback()
            return
        posts.append(1)
        if len(posts) == 1:
            route.fetch()  # reaches the server ...
            route.abort("connectionreset")  # ... but the phone never hears back
        else:
            route.fallback()

    inspector.route("**/api/v1/inspections", lose_first_answer)
    inspector.context.set_offline(False)
    result = inspector.locator("[data-result]")
    result.wait_for(state="visible", timeout=30_000)
    assert len(posts) >= 2  # sent again after the lost answer
    assert inspector.locator("[data-state='sent']").is_visible()
    assert form.is_hidden()  # nothing left to change: it is submitted
    assert landed() == 1  # exactly once
    with db() as session:
        inspection = session.scalar(select(Inspection).where(Inspection.client_id == client_id))
        assert inspection is not None and inspection.n_fail == 1
        assert inspection.task_id == task.id
        hazards = session.scalars(select(Hazard).where(Hazard.inspection_id == inspection.id))
        found = list(hazards)
        assert len(found) == 1
        hazard = found[0]
        assert hazard.source is HazardSource.INSPECTION and hazard.item_code == FAILED
        assert hazard.description == NOTE
        assert len(attached(session, "hazard", [hazard.id])) == 1  # the photo taken offline
    listed = result.locator(f"li[data-hazard-id='{hazard.id}'] a")
    assert listed.inner_text() == hazard.code
    no_sideways_scroll(inspector)
    inspector.screenshot(path=f"{SHOTS}/gaswarden_inspection_sent_phone.png", full_page=True)

    # the record: the failed item's photo loads; the task is done
    result.locator("[data-inspection-link]").click()
    inspector.wait_for_url(re.compile(rf"/inspections/{inspection.id}$"))
    photo = inspector.locator(f"[data-item-code='{FAILED}'] .ins-photos img")
    assert photo.count() == 1
    handle = photo.element_handle()
    inspector.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=handle)
    assert inspector.evaluate("img => img.naturalWidth", handle) == 64
    no_sideways_scroll(inspector)
    inspector.goto(f"/inspections/new?task_id={task.id}")
    assert inspector.locator("[data-task-closed='done']").is_visible()

    # the enterprise rectifies on its phone
    hazard_url = f"/hazards/{hazard.id}"
    sign_in(enterprise, "ent_a_staff")
    enterprise.goto(hazard_url)
    assert hazard_status(enterprise) == "已交办"
    enterprise.click("form[data-step=start] button[type=submit]")
    enterprise.wait_for_url(re.compile(r"\?done=start"))
    submit = enterprise.locator("form[data-step=submit]")
    submit.locator("textarea[name=description]").fill("已送检压力表并更换")
    submit.locator("input[name=photos]").set_input_files(
        files=[{"name": "new-gauge.png", "mimeType": "image/png", "buffer": png()}]
    )
    submit.locator("button[type=submit]").click()
    enterprise.wait_for_url(re.compile(r"\?done=submit"))
    assert hazard_status(enterprise) == "待验收"

    # the regulator sends it back once, with a reason
    page.goto(hazard_url)
    back = page.locator("form[data-step=return]")
    back.locator("textarea[name=note]").fill("未附校验合格证书")
    back.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"\?done=return"))
    assert hazard_status(page) == "整改中"

    # the enterprise resubmits
    enterprise.goto(hazard_url)
    assert "未附校验合格证书" in enterprise.locator("[data-round='1']").inner_text()
    submit = enterprise.locator("form[data-step=submit]")
    submit.locator("textarea[name=description]").fill("已补充校验合格证书")
    submit.locator("button[type=submit]").click()
    enterprise.wait_for_url(re.compile(r"\?done=submit"))

    # the regulator verifies: closed
    page.goto(hazard_url)
    page.locator("form[data-step=verify] button[type=submit]").click()
    page.wait_for_url(re.compile(r"\?done=verify"))
    assert hazard_status(page) == "已销号"
    with db() as session:
        closed = session.get(Hazard, hazard.id)
        assert closed is not None and closed.status is HazardStatus.CLOSED
        assert closed.returns == 1

    # the statistics page reflects it (this month: one more found, one more closed)
    after = figures(page)
    assert int(after["found"]) == int(before["found"]) + 1
    assert int(after["closed"]) == int(before["closed"]) + 1
    assert int(after["closed"]) >= 1
    page.screenshot(path=f"{SHOTS}/gaswarden_statistics_after_inspection.png", full_page=True)
    assert guard.blocked == []
