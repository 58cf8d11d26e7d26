"""Alarm -> hazard: a resolved alarm whose cause is a hazard becomes one, once."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from gaswarden.core.auth import SYSTEM
from gaswarden.core.errors import Conflict, Invalid
from gaswarden.domains.alarm import service as alarms
from gaswarden.domains.alarm.enums import AlarmCause
from gaswarden.domains.alarm.models import Alarm
from gaswarden.domains.hazard import flows
from gaswarden.domains.hazard.enums import HazardSource, HazardStatus
from gaswarden.standards.hazards import HazardGrade
from tests.alarm.helpers import device
from tests.factories import World
from tests.hazard.helpers import who
from tests.notification.helpers import raise_alarm


def alarm_at(session: Session, world: World, serial: str, site: str = "gate") -> Alarm:
    dev = device(session, serial, "well_methane", site_id=world.ids[site])
    return raise_alarm(session, dev)


def resolved(session: Session, world: World, serial: str, cause: AlarmCause, **kw: str) -> Alarm:
    alarm = alarm_at(session, world, serial, **kw)
    alarms.acknowledge(session=session, principal=SYSTEM, id=alarm.id)
    alarms.resolve(session=session, principal=SYSTEM, id=alarm.id, cause=cause, note="关阀处置")
    session.flush()
    return alarm


def test_a_real_leak_becomes_a_hazard_once(
    client: TestClient, session: Session, world: World
) -> None:
    alarm = resolved(session, world, "SN-HZ-LEAK", AlarmCause.REAL_LEAK)
    url = f"/api/v1/alarms/{alarm.id}/hazard"
    r = client.post(url, json={}, headers=world.headers("reg_staff"))
    assert r.status_code == 201, r.text
    h = r.json()
    assert h["source"] == "alarm" and h["alarm_id"] == alarm.id
    assert h["grade"] == "general" and h["category"] == "报警处置"
    assert h["site_id"] == alarm.site_id == world.ids["gate"]
    assert h["owner_id"] == alarm.owner_id and h["area_id"] == alarm.area_id
    assert h["status"] == "assigned"  # to the alarm's enterprise
    assert "真实泄漏" in h["title"] and "SN-HZ-LEAK" in h["description"]
    again = client.post(url, json={"note": "再转一次"}, headers=world.headers("reg_staff"))
    assert again.status_code == 409
    assert h["code"] in again.json()["detail"]
    listed = client.get(
        "/api/v1/hazards", params={"source": "alarm"}, headers=world.headers("ent_a_admin")
    ).json()
    assert [i["id"] for i in listed["items"]] == [h["id"]]


def test_other_causes_need_a_note(session: Session, world: World) -> None:
    reg = who(session, world, "reg_staff")
    alarm = resolved(session, world, "SN-HZ-FAULT", AlarmCause.DEVICE_FAULT)
    with pytest.raises(Invalid):
        flows.alarm_to_hazard(session=session, principal=reg, alarm_id=alarm.id)
    h = flows.alarm_to_hazard(
        session=session,
        principal=reg,
        alarm_id=alarm.id,
        note="探测器长期失效未发现,属管理隐患",
        grade=HazardGrade.MAJOR,
        title="可燃气体探测器失效",
        assign=False,
    )
    assert h.source is HazardSource.ALARM and h.grade is HazardGrade.MAJOR
    assert h.status is HazardStatus.REPORTED and h.title == "可燃气体探测器失效"
    third = resolved(session, world, "SN-HZ-DIG", AlarmCause.THIRD_PARTY_DAMAGE)
    assert (
        flows.alarm_to_hazard(session=session, principal=reg, alarm_id=third.id).alarm_id
        == third.id
    )


def test_only_resolved_alarms_in_scope(client: TestClient, session: Session, world: World) -> None:
    open_alarm = alarm_at(session, world, "SN-HZ-OPEN")
    session.flush()
    url = f"/api/v1/alarms/{open_alarm.id}/hazard"
    assert client.post(url, json={}, headers=world.headers("reg_staff")).status_code == 409
    other = resolved(session, world, "SN-HZ-B", AlarmCause.REAL_LEAK, site="filling")
    url = f"/api/v1/alarms/{other.id}/hazard"
    assert client.post(url, json={}, headers=world.headers("ent_a_admin")).status_code == 404
    assert client.post(url, json={}, headers=world.headers("viewer")).status_code == 403
    r = client.post(url, json={}, headers=world.headers("ent_b_admin"))
    assert r.status_code == 201  # the enterprise records its own alarm's hazard
    assert r.json()["owner_id"] == world.ids["ent_b"]
    with pytest.raises(Conflict):
        flows.alarm_to_hazard(
            session=session, principal=who(session, world, "reg_admin"), alarm_id=other.id
        )
