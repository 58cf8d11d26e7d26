"""The cockpit's pages: /cockpit (the shell with today's figures and the open alarms: one
cheap query set, so the first paint does not wait), /cockpit/map.json and /cockpit/scores.json
(loaded by the page afterwards) and /cockpit/stream (server-sent events: alarm changes and
figure refreshes, cockpit/feed.py). Thin: every read is a cockpit module's, in scope."""

from __future__ import annotations

import math
from datetime import timedelta

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse, StreamingResponse

from gaswarden.cockpit import feed, figures, layers, score
from gaswarden.cockpit.api import today
from gaswarden.cockpit.view import display, text
from gaswarden.core.i18n import local_time
from gaswarden.deps import SessionDep
from gaswarden.domains.alarm.live import cursor_now
from gaswarden.rules.grades import Grade
from gaswarden.web.live_feed import opening
from gaswarden.web.map import area_shapes
from gaswarden.web.map_state import STATE_COLOURS
from gaswarden.web.render import page_lang, render
from gaswarden.web.routing import WebPrincipal, WebRoute

router = APIRouter(route_class=WebRoute)
NO_STORE = {"Cache-Control": "no-store"}


@router.get("/cockpit")
def cockpit(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    lang = page_lang(request)
    tz = request.app.state.settings.timezone
    result = figures.compute(session=session, principal=principal, tz=tz)
    day = result.day
    return render(
        request,
        "cockpit/cockpit.html",
        principal=principal,
        t=lambda m: text(m, lang),
        fig=display(result),
        day=day.isoformat(),
        updated=local_time(result.generated_at, tz, "%H:%M:%S"),
        grades=[(g.value, g.label(lang), STATE_COLOURS[g.value]) for g in Grade],
        alarms=feed.recent_alarms(session, principal, lang, tz),
        cursor=cursor_now(session).encode(),
        week_start=(day - timedelta(days=day.weekday() + 7)).isoformat(),
        month_start=day.replace(day=1).isoformat(),
    )


@router.get("/cockpit/map.json")
def cockpit_map(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    """The areas' outlines and the layers (GeoJSON), for the page's plotly map."""
    lang = page_lang(request)
    data = layers.collection(session=session, principal=principal, lang=lang)
    areas = area_shapes(session, principal, lang)
    lats = [f["geometry"]["coordinates"][1] for f in data["features"]] or [
        y for a in areas for y in a["y"] if y is not None
    ]
    mid = (min(lats) + max(lats)) / 2 if lats else 36.4
    names = {k: text(k.capitalize(), lang) for k in layers.LAYERS}
    return JSONResponse(
        {
            "areas": areas,
            "geojson": data,
            "layers": names,
            "scaleratio": 1 / math.cos(math.radians(mid)),
        },
        headers=NO_STORE,
    )


@router.get("/cockpit/scores.json")
def cockpit_scores(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    """The trend for the page: past days' hazard scores cached (cockpit/score.py)."""
    tz = request.app.state.settings.timezone
    try:
        days = int(request.query_params.get("days", "30"))
    except ValueError:
        days = 30
    trend = score.trend(
        session=session, principal=principal, today=today(tz), days=days, tz=tz, cache=True
    )
    return JSONResponse(trend.as_dict(), headers=NO_STORE)


@router.get("/cockpit/stream")
def cockpit_stream(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    """text/event-stream: `alarm` and `figures` events. Resumes from Last-Event-ID (or ?after=,
    the cursor the page was rendered at); `for_s` shortens the stream."""
    cursor, duration = opening(request, session)
    viewer = feed.CockpitFeed(
        request.app.state.session_factory,
        principal,
        cursor,
        lang=page_lang(request),
        tz=request.app.state.settings.timezone,
    )
    return StreamingResponse(
        feed.events(viewer, request.is_disconnected, duration),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
