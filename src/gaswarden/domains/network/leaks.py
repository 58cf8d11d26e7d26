"""Leaks the network found: recorded with their candidates and zone, raised into the alarm loop.

One open leak per network: while a leak is suspected or confirmed, a new finding refines it
(candidates, zone and size are replaced, the alarm is updated) instead of raising another.
The alarm sits on the feed's inlet flow meter (rule `network_leak`), so it is scoped, notified,
acknowledged, dispatched and closed like every other alarm; its detail links back here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gaswarden.core.auth import Action, Principal
from gaswarden.core.errors import Invalid, NotFound
from gaswarden.domains.alarm import transitions
from gaswarden.domains.audit import service as audit
from gaswarden.domains.device.models import Device
from gaswarden.domains.network.enums import DetectionMethod, LeakStatus
from gaswarden.domains.network.models import NetworkJunction, NetworkLeak, PipeNetwork
from gaswarden.domains.network.scope import network_scope
from gaswarden.rules.grades import Grade
from gaswarden.rules.model import Change, Transition

RULE = "network_leak"
OPEN = (LeakStatus.SUSPECTED, LeakStatus.CONFIRMED)
# A leak this share of the demand or more is graded orange, smaller ones yellow (practice).
ORANGE_SHARE = 0.05
ENTITY = "network_leak"


@dataclass(frozen=True)
class Finding:
    """What the watch (or a manual localisation) hands over."""

    method: DetectionMethod
    at: datetime
    window_start: datetime | None
    window_end: datetime | None
    leak_kg_s: float | None
    leak_share: float | None
    localisation: dict[str, Any]  # network.localise.Localisation.to_json()
    segments: list[dict[str, Any]]
    residuals: dict[str, float]  # serial -> Pa
    excluded: list[dict[str, Any]]  # [{"serial", "reason"}]
    simulated: bool = False
    true_junction: int | None = None


def _coords(session: Session, network_id: int, junctions: list[int]) -> dict[int, NetworkJunction]:
    rows = session.scalars(
        select(NetworkJunction).where(
            NetworkJunction.network_id == network_id, NetworkJunction.index.in_(junctions)
        )
    ).all()
    return {j.index: j for j in rows}


def candidates_json(
    session: Session, network_id: int, localisation: dict[str, Any]
) -> list[dict[str, Any]]:
    """The ranked candidates with their places (junction labels, lon/lat, kg/h)."""
    raw = localisation.get("candidates", [])
    where = _coords(session, network_id, [int(c["junction_id"]) for c in raw])
    out = []
    for rank, c in enumerate(raw, start=1):
        j = where.get(int(c["junction_id"]))
        out.append(
            {
                "rank": rank,
                "junction": int(c["junction_id"]),
                "name": j.name if j else None,
                "lon": j.lon if j else None,
                "lat": j.lat if j else None,
                "probability": round(float(c["probability"]), 4),
                "score": round(float(c["score"]), 3),
                "leak_kg_h": round(float(c["leak_kg_s"]) * 3600, 2),
            }
        )
    return out


def open_leak(session: Session, network_id: int) -> NetworkLeak | None:
    return session.scalars(
        select(NetworkLeak)
        .where(NetworkLeak.network_id == network_id, NetworkLeak.status.in_(OPEN))
        .order_by(NetworkLeak.id.desc())
        .limit(1)
    ).first()


def record(
    session: Session,
    *,
    network: PipeNetwork,
    finding: Finding,
    flow_device_id: int | None,
    principal: Principal,
) -> NetworkLeak:
    """Record (or refine) the network's open leak and raise (or update) its alarm. Two
    watchers at once take turns on the network's row (PostgreSQL; SQLite has one writer),
    so the second refines the leak the first opened; the unique index backs this up."""
    session.execute(select(PipeNetwork.id).where(PipeNetwork.id == network.id).with_for_update())
    leak = open_leak(session, network.id)
    created = leak is None
    if leak is None:
        leak = NetworkLeak(
            network_id=network.id,
            method=finding.method,
            detected_at=finding.at,
            status=LeakStatus.SUSPECTED,
        )
        session.add(leak)
    zone = finding.localisation.get("zone", {})
    leak.window_start = finding.window_start
    leak.window_end = finding.window_end
    leak.leak_kg_s = finding.leak_kg_s
    leak.leak_share = finding.leak_share
    leak.candidates = candidates_json(session, network.id, finding.localisation)
    leak.zone = {
        "centres": list(zone.get("centres", [])),
        "radius_m": zone.get("radius_m"),
        "pipes": list(zone.get("pipes", [])),
        "length_m": round(float(zone.get("length_m", 0.0)), 1),
    }
    leak.segments = finding.segments
    leak.residuals = {k: round(v, 1) for k, v in finding.residuals.items()}
    leak.excluded_sensors = finding.excluded
    leak.simulated = finding.simulated
    leak.true_junction = finding.true_junction
    session.flush()
    if flow_device_id is not None:
        device = session.get(Device, flow_device_id)
        if device is not None:
            alarm = _raise(session, device, leak, network, finding, created)
            if alarm is not None:
                leak.alarm_id = alarm.id
    audit.record(
        session=session,
        principal=principal,
        action="create" if created else "update",
        entity_type=ENTITY,
        entity_id=leak.id,
        entity_label=f"{network.code} leak #{leak.id}",
        changes={
            "candidates": [None, [c["junction"] for c in leak.candidates[:5]]],
            "leak_kg_s": [None, leak.leak_kg_s],
        },
        reason=f"{finding.method.value} detection",
        owner_id=network.owner_id,
        area_id=network.area_id,
    )
    session.flush()
    return leak


def _raise(
    session: Session,
    device: Device,
    leak: NetworkLeak,
    network: PipeNetwork,
    finding: Finding,
    created: bool,
) -> Any:
    share = finding.leak_share or 0.0
    grade = Grade.ORANGE if share >= ORANGE_SHARE else Grade.YELLOW
    kg_h = round((finding.leak_kg_s or 0.0) * 3600, 2)
    best = leak.candidates[0] if leak.candidates else {}
    detail = {
        "network_leak_id": leak.id,
        "network": network.code,
        "network_name": network.name,
        "method": finding.method.value,
        "leak_kg_h": kg_h,
        "leak_share": round(share, 4),
        "best_junction": best.get("junction"),
        "zone_length_m": leak.zone.get("length_m"),
    }
    reopen = created or transitions.open_alarm(session, device.id, RULE) is None
    change = Change.RAISE if reopen else Change.UPDATE
    t = Transition(change, RULE, finding.at, grade, value=kg_h, peak=kg_h, detail=detail)
    touched = transitions.apply(session, device=device, transitions=[t], now=finding.at)
    return touched[0] if touched else transitions.open_alarm(session, device.id, RULE)


# ---- reading and handling leaks --------------------------------------------------------------


def list_leaks(
    *,
    session: Session,
    principal: Principal,
    network_id: int | None = None,
    status: LeakStatus | None = None,
    limit: int = 100,
) -> list[NetworkLeak]:
    stmt = (
        select(NetworkLeak)
        .join(PipeNetwork, PipeNetwork.id == NetworkLeak.network_id)
        .where(network_scope(principal))
        .order_by(NetworkLeak.detected_at.desc(), NetworkLeak.id.desc())
        .limit(limit)
    )
    if network_id is not None:
        stmt = stmt.where(NetworkLeak.network_id == network_id)
    if status is not None:
        stmt = stmt.where(NetworkLeak.status == status)
    return list(session.scalars(stmt).all())


def get_leak(*, session: Session, principal: Principal, id: int) -> NetworkLeak:
    leak = session.scalars(
        select(NetworkLeak)
        .join(PipeNetwork, PipeNetwork.id == NetworkLeak.network_id)
        .where(NetworkLeak.id == id, network_scope(principal))
    ).first()
    if leak is None:
        raise NotFound(f"network leak {id} not found")
    return leak


NEXT: dict[LeakStatus, tuple[LeakStatus, ...]] = {
    LeakStatus.SUSPECTED: (LeakStatus.CONFIRMED, LeakStatus.FALSE_ALARM, LeakStatus.REPAIRED),
    LeakStatus.CONFIRMED: (LeakStatus.REPAIRED,),
    LeakStatus.REPAIRED: (),
    LeakStatus.FALSE_ALARM: (),
}


def set_status(
    *,
    session: Session,
    principal: Principal,
    id: int,
    status: LeakStatus,
    note: str | None = None,
) -> NetworkLeak:
    """Confirm a suspected leak (found on site), mark it repaired, or a false alarm: the
    operator's and the regulator's staff (registry writers), within their scope."""
    principal.require(Action.REGISTRY_WRITE)
    leak = get_leak(session=session, principal=principal, id=id)
    if status not in NEXT[leak.status]:
        raise Invalid(f"a {leak.status.value} leak cannot become {status.value}")
    before = leak.status
    leak.status = status
    if note:
        leak.note = note[:1000]
    audit.record(
        session=session,
        principal=principal,
        action="update",
        entity_type=ENTITY,
        entity_id=leak.id,
        entity_label=f"{leak.network.code} leak #{leak.id}",
        changes={"status": [before.value, status.value]},
        reason=note,
        owner_id=leak.network.owner_id,
        area_id=leak.network.area_id,
    )
    session.flush()
    return leak
