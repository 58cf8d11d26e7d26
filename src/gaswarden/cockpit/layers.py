"""The cockpit map's layers as GeoJSON (one FeatureCollection, each Point feature tagged with
its layer and group): sites, devices by state, active alarms by grade, open hazards, open
incidents and rescue teams by duty status, each in the caller's scope. The web page draws
them with plotly (offline, no tiles); the API returns them as they are."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gaswarden.cockpit.scope import incident_scope, team_scope
from gaswarden.core.auth import Principal
from gaswarden.core.enums import LabeledEnum
from gaswarden.domains.alarm.enums import OPEN_STAGES
from gaswarden.domains.alarm.models import Alarm
from gaswarden.domains.alarm.scope import alarm_scope
from gaswarden.domains.device.enums import DeviceStatus
from gaswarden.domains.device.models import Device
from gaswarden.domains.device.service import service as devices
from gaswarden.domains.emergency.enums import IncidentStatus
from gaswarden.domains.emergency.models import Incident
from gaswarden.domains.hazard.enums import OPEN_STATUSES
from gaswarden.domains.hazard.models import Hazard
from gaswarden.domains.hazard.scope import hazard_scope
from gaswarden.domains.site.models import Site
from gaswarden.domains.site.service import service as sites
from gaswarden.domains.workforce.models import Team
from gaswarden.rules.grades import Grade
from gaswarden.web.map import COLOURS
from gaswarden.web.map_state import STATE_COLOURS, states

LAYERS = ("sites", "devices", "alarms", "hazards", "incidents", "teams")
STATE_LABELS = {"offline": ("离线", "Offline"), "normal": ("正常", "Normal")}


def _feature(
    layer: str, group: str, label: str, colour: str, lon: Any, lat: Any, **props: Any
) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": {"layer": layer, "group": group, "label": label, "colour": colour, **props},
    }


def _enum_colour(member: LabeledEnum) -> str:
    return COLOURS.get(member.colour, "#7a8290")


def _state_label(state: str, lang: str) -> str:
    if state in STATE_LABELS:
        zh, en = STATE_LABELS[state]
        return zh if lang == "zh" else en
    return Grade(state).label(lang)


def site_features(
    session: Session, principal: Principal, lang: str, state: dict[int, str]
) -> Iterable[dict[str, Any]]:
    stmt = (
        sites.visible(principal)
        .with_only_columns(Site.id, Site.name, Site.kind, Site.lon, Site.lat)
        .where(Site.lon.is_not(None), Site.lat.is_not(None))
        .order_by(Site.id)
    )
    for sid, name, kind, lon, lat in session.execute(stmt):
        s = state.get(sid, "normal")
        yield _feature(
            "sites", kind.value, kind.label(lang), STATE_COLOURS[s], lon, lat,
            id=sid, name=name, state=s, url=f"/sites/{sid}",
        )  # fmt: skip


def device_features(
    session: Session, principal: Principal, lang: str, state: dict[int, str]
) -> Iterable[dict[str, Any]]:
    stmt = (
        devices.visible(principal)
        .with_only_columns(Device.id, Device.serial, Device.lon, Device.lat)
        .where(
            Device.lon.is_not(None), Device.lat.is_not(None), Device.status == DeviceStatus.ACTIVE
        )
        .order_by(Device.id)
    )
    for did, serial, lon, lat in session.execute(stmt):
        s = state.get(did, "normal")
        yield _feature(
            "devices", s, _state_label(s, lang), STATE_COLOURS[s], lon, lat,
            id=did, name=serial, url=f"/devices/{did}",
        )  # fmt: skip


def alarm_features(session: Session, principal: Principal, lang: str) -> Iterable[dict[str, Any]]:
    stmt = (
        select(Alarm.id, Alarm.grade, Device.serial, Device.lon, Device.lat)
        .join(Device, Device.id == Alarm.device_id)
        .where(
            alarm_scope(principal),
            Alarm.stage.in_(sorted(OPEN_STAGES)),
            Device.lon.is_not(None),
            Device.lat.is_not(None),
        )
        .order_by(Alarm.id)
    )
    for aid, grade, serial, lon, lat in session.execute(stmt):
        yield _feature(
            "alarms", grade.value, grade.label(lang), STATE_COLOURS[grade.value], lon, lat,
            id=aid, name=serial, url=f"/alarms/{aid}",
        )  # fmt: skip


def hazard_features(session: Session, principal: Principal, lang: str) -> Iterable[dict[str, Any]]:
    lon = func.coalesce(Hazard.lon, Site.lon)
    lat = func.coalesce(Hazard.lat, Site.lat)
    stmt = (
        select(Hazard.id, Hazard.code, Hazard.title, Hazard.grade, lon, lat)
        .outerjoin(Site, Site.id == Hazard.site_id)
        .where(
            hazard_scope(principal),
            Hazard.status.in_(sorted(OPEN_STATUSES)),
            lon.is_not(None),
            lat.is_not(None),
        )
        .order_by(Hazard.id)
    )
    for hid, code, title, grade, x, y in session.execute(stmt):
        yield _feature(
            "hazards", grade.value, grade.label(lang), _enum_colour(grade), x, y,
            id=hid, name=f"{code} {title}", url=f"/hazards/{hid}",
        )  # fmt: skip


def incident_features(
    session: Session, principal: Principal, lang: str
) -> Iterable[dict[str, Any]]:
    lon = func.coalesce(Incident.lon, Site.lon)
    lat = func.coalesce(Incident.lat, Site.lat)
    stmt = (
        select(Incident.id, Incident.code, Incident.title, Incident.grade, lon, lat)
        .outerjoin(Site, Site.id == Incident.site_id)
        .where(
            incident_scope(principal),
            Incident.status != IncidentStatus.CLOSED,
            lon.is_not(None),
            lat.is_not(None),
        )
        .order_by(Incident.id)
    )
    for iid, code, title, grade, x, y in session.execute(stmt):
        yield _feature(
            "incidents", grade.value, grade.label(lang), _enum_colour(grade), x, y,
            id=iid, name=f"{code} {title}", url=f"/emergency/incidents/{iid}",
        )  # fmt: skip


def team_features(session: Session, principal: Principal, lang: str) -> Iterable[dict[str, Any]]:
    lon = func.coalesce(Team.base_lon, Site.lon)
    lat = func.coalesce(Team.base_lat, Site.lat)
    stmt = (
        select(Team.id, Team.name, Team.duty_status, lon, lat)
        .outerjoin(Site, Site.id == Team.base_site_id)
        .where(team_scope(principal), lon.is_not(None), lat.is_not(None))
        .order_by(Team.id)
    )
    for tid, name, duty, x, y in session.execute(stmt):
        yield _feature(
            "teams", duty.value, duty.label(lang), _enum_colour(duty), x, y,
            id=tid, name=name, url=f"/teams/{tid}",
        )  # fmt: skip


def collection(
    *, session: Session, principal: Principal, lang: str = "zh", layers: Iterable[str] = LAYERS
) -> dict[str, Any]:
    """The layers asked for (all by default) as one GeoJSON FeatureCollection."""
    wanted = set(layers)
    state = (
        states(session, principal)
        if wanted & {"sites", "devices"}
        else {"sites": {}, "devices": {}}
    )
    features: list[dict[str, Any]] = []
    if "sites" in wanted:
        features += site_features(session, principal, lang, state["sites"])
    if "devices" in wanted:
        features += device_features(session, principal, lang, state["devices"])
    if "alarms" in wanted:
        features += alarm_features(session, principal, lang)
    if "hazards" in wanted:
        features += hazard_features(session, principal, lang)
    if "incidents" in wanted:
        features += incident_features(session, principal, lang)
    if "teams" in wanted:
        features += team_features(session, principal, lang)
    counts = {name: 0 for name in LAYERS if name in wanted}
    for f in features:
        counts[f["properties"]["layer"]] += 1
    return {"type": "FeatureCollection", "features": features, "counts": counts}
