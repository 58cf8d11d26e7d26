"""Ingestion over a real Mosquitto into the real databases, through the public transport."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

import paho.mqtt.client as paho
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from gaswarden.db.session import make_engine
from gaswarden.domains.telemetry.models import DeviceHealth, LatestValue, QuarantineRecord, Reading
from gaswarden.ingestion.contract import RejectReason, topic_for
from gaswarden.settings import Settings
from tests.ingestion.conftest import Broker, Live, publisher, wait_for
from tests.ingestion.helpers import ago, credentials, telemetry
from tests.ingestion.proxy import Proxy


def count(live: Live, device_id: int, since: datetime, metric: str = "pressure_kpa") -> int:
    with live.session() as s:
        return int(
            s.scalar(
                select(func.count())
                .select_from(Reading)
                .where(
                    Reading.device_id == device_id, Reading.metric == metric, Reading.ts >= since
                )
            )
            or 0
        )


def publish_series(
    client: paho.Client, serial: str, base: datetime, n: int, start: int = 0
) -> list[paho.MQTTMessageInfo]:
    infos = []
    for i in range(start, start + n):
        payload = telemetry(base + timedelta(milliseconds=i * 10), seq=i, pressure_kpa=200 + i % 50)
        infos.append(client.publish(topic_for(serial, "telemetry"), payload, qos=1))
    return infos


def test_telemetry_over_mqtt_latest_dedup_quarantine_and_will(
    live: Live, broker: Broker, start_worker
) -> None:  # type: ignore[no-untyped-def]
    _, worker = start_worker(broker.url)
    with live.session() as s:
        serial, _ = credentials(s, live.world.ids["dev_gate"])
    dev = live.world.ids["dev_gate"]
    base = ago(minutes=50)
    with publisher(broker.url) as pub:
        topic = topic_for(serial, "telemetry")
        messages = [
            telemetry(base, seq=1, pressure_kpa=230.5, battery_pct=77),
            telemetry(base, seq=1, pressure_kpa=230.5, battery_pct=77),  # duplicate
            b'{"values": {"pressure_kpa": NaN}}',
            b"not json at all",
            telemetry(base + timedelta(seconds=1), seq=2, pressure_kpa=231.0),
        ]
        for payload in messages:
            pub.publish(topic, payload, qos=1).wait_for_publish(5)
        pub.publish("gw/v1/devices/SN-GHOST/telemetry", telemetry(base, co_ppm=1), qos=1)
        pub.publish("gw/v2/whatever", b"{}", qos=1)
        wait_for(lambda: count(live, dev, base) == 2, what="two readings stored")
        with live.session() as s:
            latest = s.get(LatestValue, (dev, "pressure_kpa"))
            assert latest is not None and latest.value == 231.0
            assert s.get(LatestValue, (dev, "battery_pct")).value == 77.0  # type: ignore[union-attr]

        def reasons() -> set[RejectReason]:
            with live.session() as s:
                return set(
                    s.scalars(
                        select(QuarantineRecord.reason).where(QuarantineRecord.received_at >= base)
                    )
                )

        wait_for(
            lambda: (
                {RejectReason.NOT_FINITE, RejectReason.MALFORMED_JSON, RejectReason.UNKNOWN_DEVICE}
                <= reasons()
            ),
            what="quarantine rows",
        )
    # a device that loses its link: the broker publishes its Last Will, which marks it offline
    device = paho.Client(
        paho.CallbackAPIVersion.VERSION2, client_id="dev-will", protocol=paho.MQTTv311
    )
    device.will_set(topic_for(serial, "status"), b'{"online": false}', qos=1)
    device.connect("127.0.0.1", broker.port, keepalive=5)
    device.loop_start()
    device.publish(
        topic_for(serial, "status"), b'{"online": true, "battery_pct": 76}', qos=1
    ).wait_for_publish(5)

    def online() -> bool | None:
        with live.session() as s:
            h = s.get(DeviceHealth, dev)
            return None if h is None else h.online

    wait_for(lambda: online() is True, what="online heartbeat")
    device.loop_stop()
    device.socket().close()  # the link drops without DISCONNECT
    wait_for(lambda: online() is False, timeout=30, what="last will marks offline")
    assert worker.stored >= 8


def test_broker_restart_loses_nothing_acknowledged(
    live: Live, broker: Broker, start_worker
) -> None:  # type: ignore[no-untyped-def]
    start_worker(broker.url, client_id="gw-test-restart")
    dev = live.world.ids["dev_box"]
    with live.session() as s:
        serial, _ = credentials(s, dev)
    base = ago(minutes=40)
    n = 600
    with publisher(broker.url, client_id="pub-restart") as pub:
        infos = publish_series(pub, serial, base, n // 2)
        wait_for(lambda: all(i.is_published() for i in infos), what="first half acknowledged")
        broker.restart()  # persistence on: queued and in-flight messages survive
        wait_for(pub.is_connected, what="publisher reconnected")
        infos += publish_series(pub, serial, base, n // 2, start=n // 2)
        wait_for(lambda: all(i.is_published() for i in infos), timeout=30, what="second half")
        wait_for(lambda: count(live, dev, base) == n, timeout=30, what=f"{n} readings")
    time.sleep(0.3)
    assert count(live, dev, base) == n


@pytest.fixture
def pg_through_proxy(live: Live):  # type: ignore[no-untyped-def]
    if live.db.backend != "postgresql":
        pytest.skip("the outage test cuts a TCP connection to PostgreSQL")
    url = make_url(live.db.settings.resolved_database_url)
    proxy = Proxy(url.host or "127.0.0.1", url.port or 5432)
    proxied = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    settings = Settings(
        data_dir=live.db.settings.data_dir, secret_key="test-secret", database_url=proxied
    )
    engine = make_engine(settings, pool_pre_ping=True, connect_args={"connect_timeout": 2})
    yield proxy, engine
    engine.dispose()
    proxy.close()


def test_database_outage_spools_and_replays(
    live: Live, broker: Broker, start_worker, pg_through_proxy
) -> None:  # type: ignore[no-untyped-def]
    proxy, engine = pg_through_proxy
    _, worker = start_worker(broker.url, client_id="gw-test-outage", engine=engine)
    dev = live.world.ids["dev_fill"]
    with live.session() as s:
        serial, _ = credentials(s, dev)
    base = ago(minutes=30)
    with publisher(broker.url, client_id="pub-outage") as pub:
        infos = publish_series(pub, serial, base, 50)
        wait_for(lambda: count(live, dev, base) == 50, what="before the outage")
        proxy.cut()
        infos += publish_series(pub, serial, base, 200, start=50)
        wait_for(lambda: len(worker.spool) > 0, what="batches spooled")
        # the spooled messages were acknowledged: the publisher's QoS 1 round trips complete
        wait_for(lambda: all(i.is_published() for i in infos), what="acknowledged while down")
        assert count(live, dev, base) == 50
        proxy.restore()
        wait_for(lambda: count(live, dev, base) == 250, timeout=30, what="replayed after outage")
        wait_for(lambda: len(worker.spool) == 0, what="spool emptied")


def test_spool_full_stops_acknowledging(
    live: Live, broker: Broker, start_worker, pg_through_proxy
) -> None:  # type: ignore[no-untyped-def]
    proxy, engine = pg_through_proxy
    transport, worker = start_worker(
        broker.url, client_id="gw-test-full", engine=engine, spool_bytes=3000
    )
    dev = live.world.ids["dev_sup"]
    with live.session() as s:
        serial, _ = credentials(s, dev)
    base = ago(minutes=20)
    with publisher(broker.url, client_id="pub-full") as pub:
        publish_series(pub, serial, base, 5)
        wait_for(lambda: count(live, dev, base) == 5, what="before the outage")
        proxy.cut()
        infos = publish_series(pub, serial, base, 300, start=5)
        wait_for(lambda: all(i.is_published() for i in infos), what="published")
        wait_for(lambda: bool(worker.held), what="worker holding messages")
        time.sleep(1.0)
        assert worker.spool.size() <= 3000
        # the worker dies while holding them: what it did not acknowledge, the broker still
        # has for its session, and a worker with the same client id gets it
        transport.stop()
        proxy.restore()
        # the same client id and spool directory: it resumes the session and the spool
        _, again = start_worker(
            broker.url, client_id="gw-test-full", engine=engine, spool_bytes=3000
        )
        wait_for(lambda: count(live, dev, base) == 305, timeout=40, what="all stored")
        wait_for(lambda: len(again.spool) == 0, what="spool replayed")


def test_two_workers_share_the_load(live: Live, broker: Broker, start_worker) -> None:  # type: ignore[no-untyped-def]
    _, w1 = start_worker(broker.url, client_id="gw-share-1", shared=True)
    _, w2 = start_worker(broker.url, client_id="gw-share-2", shared=True)
    base = ago(minutes=10)
    devices = [live.world.ids[k] for k in ("dev_gate", "dev_box", "dev_fill", "dev_sup")]
    with live.session() as s:
        creds = [credentials(s, d)[0] for d in devices]
    per_device = 100
    with publisher(broker.url, client_id="pub-share") as pub:
        infos = []
        for i in range(per_device):
            for serial in creds:
                infos.append(
                    pub.publish(
                        topic_for(serial, "telemetry"),
                        telemetry(base + timedelta(milliseconds=i * 10), temperature_c=i % 40),
                        qos=1,
                    )
                )
        wait_for(lambda: all(i.is_published() for i in infos), what="published")
        for d in devices:
            wait_for(
                lambda d=d: count(live, d, base, "temperature_c") == per_device,
                what="stored once each",
            )
    assert w1.stored > 0 and w2.stored > 0, (w1.stored, w2.stored)
    assert w1.stored + w2.stored == per_device * len(devices)
