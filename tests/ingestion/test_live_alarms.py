"""From a reading published over MQTT to an alarm read through the API, with two ingest
workers sharing one subscription: a duration rule fires exactly once, and the alarm is
followed through the closed loop with its response times recorded."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from gaswarden.app import create_app
from gaswarden.ingestion import consumers
from gaswarden.ingestion.contract import topic_for
from tests.ingestion.conftest import Broker, Live, publisher, wait_for
from tests.ingestion.helpers import ago, credentials, telemetry


def test_duration_rule_fires_once_across_two_workers(  # type: ignore[no-untyped-def]
    live: Live, broker: Broker, start_worker
) -> None:
    engines = consumers.build(live.db.settings)
    assert engines, "the rules engine is registered as a batch consumer"
    _, w1 = start_worker(broker.url, client_id="gw-alarm-1", shared=True, consumers=engines)
    _, w2 = start_worker(
        broker.url, client_id="gw-alarm-2", shared=True, consumers=consumers.build(live.db.settings)
    )
    device = live.world.ids["dev_gate"]
    with live.session() as s:
        serial, _ = credentials(s, device)

    with TestClient(create_app(live.db.settings)) as api:
        regulator = live.world.headers("reg_admin")
        # Carbon monoxide above its set point must hold for 5 s of device time.
        put = api.put(
            "/api/v1/rule-settings",
            json={"scope": "device", "scope_id": device, "rule": "co_ppm",
                  "params": {"duration_s": 5}},
            headers=regulator,
        )  # fmt: skip
        assert put.status_code == 200, put.text

        base = ago(minutes=5)
        with publisher(broker.url, client_id="pub-alarm") as pub:
            infos = [
                pub.publish(
                    topic_for(serial, "telemetry"),
                    telemetry(base + timedelta(seconds=i), seq=1000 + i, co_ppm=200.0),
                    qos=1,
                )
                for i in range(40)  # 40 s of device time, spread over both workers
            ]
            wait_for(lambda: all(i.is_published() for i in infos), what="published")

            def alarms() -> list[dict]:  # type: ignore[type-arg]
                r = api.get(f"/api/v1/alarms?device_id={device}&rule=co_ppm", headers=regulator)
                assert r.status_code == 200, r.text
                return r.json()["items"]  # type: ignore[no-any-return]

            wait_for(lambda: w1.stored + w2.stored >= 40, what="all readings stored")
            wait_for(lambda: len(alarms()) == 1, what="one alarm")
        assert w1.stored > 0 and w2.stored > 0, (w1.stored, w2.stored)
        items = alarms()
        assert len(items) == 1, items
        alarm = items[0]
        assert alarm["grade"] == "orange"

        # Out of the owner's sight for another enterprise: 404, not 403.
        other = api.get(f"/api/v1/alarms/{alarm['id']}", headers=live.world.headers("ent_b_admin"))
        assert other.status_code == 404

        # The closed loop, by the owning enterprise and the regulator.
        owner = live.world.headers("ent_a_admin")
        steps = [
            ("acknowledge", owner, {"note": "收到"}),
            ("assign", owner, {"note": "抢险一队出发"}),
            ("on-site", owner, {"note": "到达现场"}),
            ("resolve", owner, {"cause": "device_fault", "note": "传感器漂移，已更换"}),
            ("close", regulator, {"note": "复核完毕"}),
        ]
        for action, headers, body in steps:
            r = api.post(f"/api/v1/alarms/{alarm['id']}/{action}", json=body, headers=headers)
            assert r.status_code == 200, (action, r.text)
        final = api.get(f"/api/v1/alarms/{alarm['id']}", headers=regulator).json()
        assert final["stage"] == "closed"
        assert final["ack_s"] is not None and final["on_site_s"] is not None
        assert final["resolve_s"] is not None
        report = api.get("/api/v1/alarms/response-times", headers=regulator)
        assert report.status_code == 200, report.text
        assert report.json(), "response times are reported"
