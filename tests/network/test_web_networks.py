"""The network pages through the TestClient: the list, the map with its state card and
monitors, the check-now button (CSRF, writers only), the leak view with its zone, candidates,
segments and status buttons, and the alarm's link to it; another enterprise gets 404 pages;
zh and en. Both backends."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from gaswarden.domains.network.models import NetworkPipe
from tests.factories import World
from tests.network.test_api_networks import Leaking, make_leaking
from tests.test_web_pages import csrf_of, sign_in


@pytest.fixture
def leaking(session: Session, world: World) -> Leaking:
    return make_leaking(session, world)


def as_user(client: TestClient, username: str) -> str:
    client.cookies.clear()
    return sign_in(client, username)


def map_json(html: str) -> dict[str, Any]:
    match = re.search(
        r'<script type="application/json" id="nw-map-data">(.*?)</script>', html, re.S
    )
    assert match, "the page has no map data"
    return json.loads(match.group(1))


def test_list_and_map_for_the_enterprise_and_the_regulator(
    client: TestClient, leaking: Leaking
) -> None:
    nid = leaking.watched.network.id
    for user in ("ent_a_admin", "reg_staff"):
        as_user(client, user)
        html = client.get("/networks").text
        row = re.search(rf'<tr data-id="{nid}" data-code="NET-API">(.*?)</tr>', html, re.S)
        assert row, user
        assert 'data-open-leaks="1"' in row.group(1) and f"/networks/{nid}/leaks" in row.group(1)
        assert '<td class="num" data-sensors>9</td>' in row.group(1)  # 8 monitors + 1 meter
        assert 'href="/networks" class="here"' in html  # the nav entry 管网

        r = client.get(f"/networks/{nid}")
        assert r.status_code == 200, r.text[:500]
        assert 'data-source="metered"' in r.text
        m = map_json(r.text)
        # pipes in pressure classes, lowest first; every one of the 31 pipes drawn once
        assert 2 <= len(m["pipes"]) <= 7
        assert sum(len(layer["pipes"]) for layer in m["pipes"]) == 31
        lows = [float(layer["name"].split("–")[0]) for layer in m["pipes"]]
        assert lows == sorted(lows) and lows[0] < 100
        assert len(m["sensors"]["x"]) == 8 and None not in m["sensors"]["residual"]
        assert len(m["feeds"]["x"]) == 1
        assert 'data-state="source">计量进气量' in r.text
        assert f'href="/network-leaks/{leaking.leak.id}"' in r.text  # the open leak
        assert f'href="/networks/{nid}/forecast"' in r.text  # the lead's tab, linked


def test_out_of_scope_is_a_404_page(client: TestClient, leaking: Leaking) -> None:
    nid = leaking.watched.network.id
    as_user(client, "ent_b_admin")
    assert f'data-id="{nid}"' not in client.get("/networks").text
    for path in (f"/networks/{nid}", f"/networks/{nid}/leaks", f"/network-leaks/{leaking.leak.id}"):
        r = client.get(path)
        assert r.status_code == 404, path
        assert "NET-API" not in r.text


def test_english_pages(client: TestClient, leaking: Leaking) -> None:
    nid = leaking.watched.network.id
    as_user(client, "ent_a_admin")
    client.cookies.set("lang", "en")
    html = client.get(f"/networks/{nid}").text
    assert "Check now" in html and "Lowest-pressure node" in html and "Pipe networks" in html
    assert "立即检测" not in html
    html = client.get(f"/network-leaks/{leaking.leak.id}").text
    assert "Ranked candidates" in html and "Shut-off segments" in html
    assert map_json(html)["leak"]["zone"]["name"] == "Search-zone pipes"


def test_leak_view_shows_zone_candidates_and_alarm(
    client: TestClient, session: Session, world: World, leaking: Leaking
) -> None:
    leak = leaking.leak
    as_user(client, "reg_staff")
    html = client.get(f"/networks/{leaking.watched.network.id}/leaks").text
    assert f'data-leak="{leak.id}"' in html  # the open leak shown in full
    html = client.get(f"/network-leaks/{leak.id}").text
    zone = re.search(r'data-zone-pipes="([\d,]*)"', html)
    assert zone and sorted(int(p) for p in zone.group(1).split(",")) == sorted(leak.zone["pipes"])
    junctions = re.search(r'data-zone-junctions="([\d,]*)"', html)
    assert junctions and 13 in {int(j) for j in junctions.group(1).split(",")}
    assert re.findall(r'<tr data-rank="(\d+)" data-junction="(\d+)"', html)[:2] == [
        ("1", "13"),
        ("2", "12"),
    ]
    assert "V-13a, V-13b" in html and "400 m" in html
    assert f'href="/alarms/{leak.alarm_id}"' in html
    m = map_json(html)
    assert m["leak"]["candidates"]["label"][:4] == ["1", "2", "3", "4"]
    assert len([x for x in m["leak"]["zone"]["x"] if x is not None]) == 2 * len(leak.zone["pipes"])
    assert m["leak"]["truth"] is None  # not injected by the simulator
    assert m["sensors"]["residual"] == [-35.0] * 8
    # the alarm's page links back to the leak view
    alarm = client.get(f"/alarms/{leak.alarm_id}").text
    assert f'href="/network-leaks/{leak.id}" data-network-leak-link>查看泄漏定位' in alarm


def test_status_buttons_need_csrf_and_a_writer(
    client: TestClient, session: Session, leaking: Leaking
) -> None:
    leak = leaking.leak
    url = f"/network-leaks/{leak.id}"
    as_user(client, "viewer")
    html = client.get(url).text
    assert "data-status-forms" not in html
    r = client.post(f"{url}/status", data={"status": "confirmed", "csrf_token": csrf_of(html)})
    assert r.status_code in (403, 404)

    as_user(client, "ent_a_admin")
    html = client.get(url).text
    assert re.findall(r'data-status="(\w+)"', html) == ["confirmed", "false_alarm", "repaired"]
    r = client.post(f"{url}/status", data={"status": "confirmed", "csrf_token": "wrong"})
    assert r.status_code == 403
    r = client.post(
        f"{url}/status",
        data={"status": "confirmed", "note": "开挖确认", "csrf_token": csrf_of(html)},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == f"{url}?done=status"
    html = client.get(r.headers["location"]).text
    assert 'data-leak-status="confirmed"' in html and "开挖确认" in html
    r = client.post(f"{url}/status", data={"status": "false_alarm", "csrf_token": csrf_of(html)})
    assert r.status_code == 422 and "data-status-error" in r.text


@pytest.mark.parametrize("user,allowed", [("ent_a_admin", True), ("viewer", False)])
def test_check_now(client: TestClient, leaking: Leaking, user: str, allowed: bool) -> None:
    nid = leaking.watched.network.id
    as_user(client, user)
    html = client.get(f"/networks/{nid}").text
    assert ("data-check-now" in html) is allowed
    r = client.post(f"/networks/{nid}/check", data={"csrf_token": csrf_of(html)})
    if not allowed:
        assert r.status_code in (403, 404)
        return
    assert r.status_code == 200, r.text[:800]
    result = re.search(r'data-check-result data-detected="([01])"', r.text)
    assert result, r.text[:800]
    assert "快照数" in r.text


def test_zone_junctions_cover_the_zone_pipes(session: Session, leaking: Leaking) -> None:
    from gaswarden.domains.network.web_map import zone_junctions

    ends = {
        j
        for p in session.query(NetworkPipe).filter(
            NetworkPipe.network_id == leaking.watched.network.id,
            NetworkPipe.index.in_(leaking.leak.zone["pipes"]),
        )
        for j in (p.from_junction, p.to_junction)
    }
    assert set(zone_junctions(session, leaking.leak)) == ends
