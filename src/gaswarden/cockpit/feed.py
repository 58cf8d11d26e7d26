"""What the cockpit pushes (server-sent events on /cockpit/stream):

- `alarm`: an alarm change the viewer may see, as a compact item for the cockpit's feed
  (grade, stage, device, site, rule, raised time, link); read from the alarm timeline as the
  alarm board's stream reads it (web/live_feed.py: the same Cursor as SSE event id, resumed
  from Last-Event-ID, woken early by the in-process broadcaster);
- `figures`: today's figures (cockpit/figures.py) whenever an alarm changed, and otherwise
  every FIGURES_S seconds when they differ from the last ones sent (scans, hazards, requests
  and incidents change without an alarm).
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from gaswarden.cockpit import figures
from gaswarden.cockpit.view import display
from gaswarden.core.auth import Principal
from gaswarden.core.i18n import local_time
from gaswarden.domains.alarm.enums import OPEN_STAGES
from gaswarden.domains.alarm.live import Cursor, broadcaster
from gaswarden.domains.alarm.models import Alarm
from gaswarden.domains.alarm.scope import alarm_scope
from gaswarden.web.alarm_view import LOUD_GRADES, rule_label
from gaswarden.web.live_feed import KEEPALIVE_S, POLL_S, AlarmCursor, hint, sse

FIGURES_S = 10.0  # figures are looked at this often without an alarm change


def alarm_item(alarm: Alarm, lang: str, tz: str) -> dict[str, Any]:
    """One alarm as the cockpit's feed shows it."""
    device = alarm.device
    return {
        "id": alarm.id,
        "grade": alarm.grade.value,
        "grade_label": alarm.grade.label(lang),
        "stage": alarm.stage.value,
        "stage_label": alarm.stage.label(lang),
        "open": alarm.stage in OPEN_STAGES,
        "loud": alarm.grade in LOUD_GRADES,
        "serial": device.serial,
        "site": device.site_name or "",
        "owner": device.owner_name or "",
        "rule": rule_label(alarm.rule, lang),
        "raised": local_time(alarm.raised_at, tz, "%m-%d %H:%M:%S"),
        "url": f"/alarms/{alarm.id}",
    }


def recent_alarms(
    session: Session, principal: Principal, lang: str, tz: str, limit: int = 12
) -> list[dict[str, Any]]:
    """The newest alarms still open, for the feed's first paint."""
    stmt = (
        select(Alarm)
        .where(alarm_scope(principal), Alarm.stage.in_(sorted(OPEN_STAGES)))
        .order_by(Alarm.raised_at.desc(), Alarm.id.desc())
        .limit(limit)
    )
    return [alarm_item(a, lang, tz) for a in session.scalars(stmt)]


class CockpitFeed(AlarmCursor):
    """One viewer's feed; `poll()` and `figures()` block (run them in the threadpool)."""

    def __init__(
        self,
        factory: Callable[[], Session],
        principal: Principal,
        cursor: Cursor,
        *,
        lang: str,
        tz: str,
    ) -> None:
        super().__init__(factory, principal, cursor)
        self.lang, self.tz = lang, tz
        self.last_figures: str | None = None

    def poll(self) -> list[str]:
        """The SSE messages of the alarm changes since the last poll (the last one carries
        the cursor); empty when nothing new was committed."""
        with self.factory() as session:
            changed = self.read(session)
            if changed is None:
                return []
            items = [alarm_item(alarm, self.lang, self.tz) for alarm, _ in changed]
        return self.messages(items)

    def figures(self, force: bool = False) -> str | None:
        """A `figures` message when they differ from the last sent (or `force`)."""
        with self.factory() as session:
            result = figures.compute(
                session=session, principal=self.principal, now=datetime.now(UTC), tz=self.tz
            )
        data = result.as_dict()
        key = json.dumps({k: v for k, v in data.items() if k != "generated_at"}, sort_keys=True)
        if not force and key == self.last_figures:
            return None
        self.last_figures = key
        updated = local_time(result.generated_at, self.tz, "%H:%M:%S")
        return sse("figures", {"figures": data, "text": display(result), "updated": updated})


async def events(
    feed: CockpitFeed, is_disconnected: Callable[[], Any], duration_s: float
) -> AsyncIterator[str]:
    sub = broadcaster.subscribe()
    deadline = time.monotonic() + duration_s
    last_write = next_figures = time.monotonic()
    try:
        yield feed.start()
        while time.monotonic() < deadline:
            chunks = await run_in_threadpool(feed.poll)
            now = time.monotonic()
            if chunks or now >= next_figures:
                message = await run_in_threadpool(feed.figures)
                if message is not None:
                    chunks.append(message)
                next_figures = now + FIGURES_S
            if chunks:
                yield "".join(chunks)
                last_write = time.monotonic()
            elif time.monotonic() - last_write >= KEEPALIVE_S:
                yield ": keep-alive\n\n"
                last_write = time.monotonic()
            if await is_disconnected():
                break
            await hint(sub, min(POLL_S, max(0.0, deadline - time.monotonic())))
    finally:
        broadcaster.unsubscribe(sub)
