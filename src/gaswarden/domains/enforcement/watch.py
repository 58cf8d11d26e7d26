"""Places closed by a case, watched: a sign of life after the closure (device data, a cylinder
delivered from it, an inspection or a hazard recorded there, a report) is flagged until a
regulator has looked at it.

`flag_activity` is the hook other domains call (the cylinder domain, when a cylinder is
delivered from a closed site); `scan` looks for signs of life by itself (run it periodically).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gaswarden.core.auth import SYSTEM, Principal
from gaswarden.core.errors import Conflict, Invalid, NotFound
from gaswarden.db.base import utcnow
from gaswarden.domains.device.models import Device
from gaswarden.domains.enforcement import service
from gaswarden.domains.enforcement.enums import ActivitySource, CaseEventKind
from gaswarden.domains.enforcement.models import EnforcementCase, SiteActivity
from gaswarden.domains.enforcement.scope import case_scope
from gaswarden.domains.enforcement.timeline import record
from gaswarden.domains.hazard.enums import HazardSource
from gaswarden.domains.hazard.models import Hazard
from gaswarden.domains.inspection.models import Inspection
from gaswarden.domains.telemetry.models import DeviceEventRecord, LatestValue

# How far back `scan` looks for device data from a closed site.
TELEMETRY_WINDOW = timedelta(hours=24)

_HAZARD_SOURCE = {
    HazardSource.PUBLIC_REPORT: ActivitySource.REPORT,
    HazardSource.ALARM: ActivitySource.TELEMETRY,
}


def watched_case(session: Session, site_id: int) -> EnforcementCase | None:
    """The latest executed closure watching a site, if any."""
    stmt = (
        select(EnforcementCase)
        .where(EnforcementCase.site_id == site_id, EnforcementCase.watched.is_(True))
        .order_by(EnforcementCase.executed_at.desc(), EnforcementCase.id.desc())
        .limit(1)
    )
    return session.scalars(stmt).first()


def flag_activity(
    *,
    session: Session,
    source: ActivitySource,
    detail: str,
    case_id: int | None = None,
    site_id: int | None = None,
    ref: str | None = None,
    seen_at: datetime | None = None,
    principal: Principal = SYSTEM,
    now: datetime | None = None,
) -> SiteActivity | None:
    """Record a sign of life at a watched place, by case or by site.

    Returns the activity; the one already recorded under the same `ref` (a signal reported
    twice is flagged once); or None when nothing is watched there or the activity predates
    the closure, so that callers may call it for any site without checking first.
    """
    now = now or utcnow()
    seen_at = seen_at or now
    if (case_id is None) == (site_id is None):
        raise Invalid("name the case or the site, not both")
    if not (detail and detail.strip()):
        raise Invalid("detail: say what was seen", errors=[{"loc": ["detail"], "msg": "required"}])
    if ref is not None:
        ref = ref[:80]
        existing = session.scalars(select(SiteActivity).where(SiteActivity.ref == ref)).first()
        if existing is not None:
            return existing
    if case_id is not None:
        case = session.get(EnforcementCase, case_id)
        if case is None:
            raise NotFound(f"enforcement case {case_id} not found")
        if not case.watched:
            raise Conflict(f"case {case.code} does not watch a closed place")
    else:
        assert site_id is not None
        found = watched_case(session, site_id)
        if found is None:
            return None
        case = found
    if case.executed_at is not None and seen_at < case.executed_at:
        return None
    activity = SiteActivity(
        case_id=case.id, seen_at=seen_at, source=source, detail=detail.strip()[:500], ref=ref
    )
    session.add(activity)
    case.activity_flagged = True
    session.flush()
    data: dict[str, Any] = {"activity_id": activity.id, "source": source.value}
    if ref is not None:
        data["ref"] = ref
    record(
        session,
        case,
        CaseEventKind.ACTIVITY,
        at=now,
        principal=principal,
        note=activity.detail,
        data=data,
        changes={"activity_flagged": [False, True]},
    )
    return activity


def report_activity(
    *,
    session: Session,
    principal: Principal,
    id: int,
    detail: str,
    source: ActivitySource = ActivitySource.REPORT,
    seen_at: datetime | None = None,
    now: datetime | None = None,
) -> SiteActivity:
    """A regulator records a sign of life at a watched place (a report, a patrol's finding)."""
    case = service.get(session=session, principal=principal, id=id)
    service._require_writer(principal, "report activity at")
    activity = flag_activity(
        session=session,
        source=source,
        detail=detail,
        case_id=case.id,
        seen_at=seen_at,
        principal=principal,
        now=now,
    )
    if activity is None:
        raise Conflict("the activity was seen before the closure was executed")
    return activity


def review(
    *,
    session: Session,
    principal: Principal,
    activity_id: int,
    note: str,
    now: datetime | None = None,
) -> SiteActivity:
    """A regulator looked at a flag; the case's flag clears when nothing is left unreviewed."""
    activity = session.scalars(
        select(SiteActivity)
        .join(EnforcementCase, EnforcementCase.id == SiteActivity.case_id)
        .where(SiteActivity.id == activity_id, case_scope(principal))
    ).first()
    if activity is None:
        raise NotFound(f"activity {activity_id} not found")
    case = service.get(session=session, principal=principal, id=activity.case_id, lock=True)
    service._require_writer(principal, "review activity of")
    if activity.reviewed:
        raise Conflict(f"activity {activity_id} has been reviewed already")
    if not (note and note.strip()):
        raise Invalid(
            "note: say what was found", errors=[{"loc": ["body", "note"], "msg": "required"}]
        )
    activity.reviewed, activity.review_note = True, note.strip()[:1000]
    activity.reviewed_by_name = principal.username
    session.flush()
    left = session.scalar(
        select(func.count())
        .select_from(SiteActivity)
        .where(SiteActivity.case_id == case.id, SiteActivity.reviewed.is_(False))
    )
    changes: dict[str, list[Any]] = {}
    if not left and case.activity_flagged:
        case.activity_flagged = False
        changes["activity_flagged"] = [True, False]
    session.flush()
    record(
        session,
        case,
        CaseEventKind.COMMENT,
        at=now or utcnow(),
        principal=principal,
        note=activity.review_note,
        data={"activity_id": activity.id, "reviewed": True},
        changes=changes,
    )
    return activity


# ---- finding signs of life ----------------------------------------------------------------------
def scan(
    *, session: Session, now: datetime | None = None, tz: str = service.DEFAULT_TZ
) -> list[SiteActivity]:
    """Look at every watched registered site for signs of life and flag the new ones: data or
    events from its devices in the last 24 hours (one flag per device and day), inspections
    and hazards recorded there after the closure. Returns the activities flagged now."""
    now = now or utcnow()
    cases = session.scalars(
        select(EnforcementCase)
        .where(
            EnforcementCase.watched.is_(True),
            EnforcementCase.site_id.is_not(None),
            EnforcementCase.executed_at.is_not(None),
        )
        .order_by(EnforcementCase.id)
    ).all()
    flagged: list[SiteActivity] = []
    seen: set[int] = set()
    for case in cases:
        assert case.site_id is not None and case.executed_at is not None
        if case.site_id in seen:  # an older closure of the same site: the newest one watches
            continue
        seen.add(case.site_id)
        latest = watched_case(session, case.site_id)
        if latest is None or latest.id != case.id:
            continue
        for source, detail, ref, at in _signs(session, case, now, tz):
            if session.scalar(select(SiteActivity.id).where(SiteActivity.ref == ref)) is not None:
                continue
            activity = flag_activity(
                session=session,
                source=source,
                detail=detail,
                case_id=case.id,
                ref=ref,
                seen_at=at,
                now=now,
            )
            if activity is not None:
                flagged.append(activity)
    return flagged


def _signs(
    session: Session, case: EnforcementCase, now: datetime, tz: str
) -> list[tuple[ActivitySource, str, str, datetime]]:
    assert case.site_id is not None and case.executed_at is not None
    since = max(now - TELEMETRY_WINDOW, case.executed_at)
    signs: list[tuple[ActivitySource, str, str, datetime]] = []
    devices = dict(
        session.execute(
            select(Device.id, Device.serial).where(Device.site_id == case.site_id)
        ).all()
    )
    if devices:
        last: dict[int, tuple[datetime, str]] = {}
        readings = session.execute(
            select(LatestValue.device_id, func.max(LatestValue.ts))
            .where(LatestValue.device_id.in_(list(devices)), LatestValue.ts >= since)
            .group_by(LatestValue.device_id)
        ).all()
        for device_id, ts in readings:
            last[device_id] = (ts, "数据 data")
        events = session.execute(
            select(DeviceEventRecord.device_id, func.max(DeviceEventRecord.ts))
            .where(DeviceEventRecord.device_id.in_(list(devices)), DeviceEventRecord.ts >= since)
            .group_by(DeviceEventRecord.device_id)
        ).all()
        for device_id, ts in events:
            if device_id not in last or ts > last[device_id][0]:
                last[device_id] = (ts, "事件 event")
        for device_id, (ts, what) in sorted(last.items()):
            day = service.local_date(ts, tz).isoformat()
            signs.append(
                (
                    ActivitySource.TELEMETRY,
                    f"关停后设备 {devices[device_id]} 仍上报{what} (last {ts.isoformat()})",
                    f"telemetry:{case.id}:{device_id}:{day}",
                    ts,
                )
            )
    inspections = session.execute(
        select(Inspection.id, Inspection.inspected_at, Inspection.inspector_name).where(
            Inspection.site_id == case.site_id, Inspection.inspected_at > case.executed_at
        )
    ).all()
    for inspection_id, at, inspector in inspections:
        signs.append(
            (
                ActivitySource.INSPECTION,
                f"关停后在该场站有检查记录 Inspection recorded after closure ({inspector})",
                f"inspection:{case.id}:{inspection_id}",
                at,
            )
        )
    hazards = session.execute(
        select(Hazard.id, Hazard.code, Hazard.found_at, Hazard.source, Hazard.title).where(
            Hazard.site_id == case.site_id, Hazard.found_at > case.executed_at
        )
    ).all()
    for hazard_id, code, at, source, title in hazards:
        signs.append(
            (
                _HAZARD_SOURCE.get(source, ActivitySource.INSPECTION),
                f"关停后发现隐患 Hazard after closure {code}: {title}",
                f"hazard:{case.id}:{hazard_id}",
                at,
            )
        )
    return signs
