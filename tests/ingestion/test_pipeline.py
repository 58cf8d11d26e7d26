"""The pipeline on the real databases: storage, dedup, quarantine, health, the consumer hook."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gaswarden.core.auth import SYSTEM
from gaswarden.domains.alarm.enums import AlarmCondition
from gaswarden.domains.device.service import service as devices
from gaswarden.domains.telemetry.models import (
    DeviceEventRecord,
    DeviceHealth,
    HourlyRollup,
    LatestValue,
    QuarantineRecord,
    Reading,
)
from gaswarden.ingestion.contract import BatchConsumer, RejectReason, StoredBatch
from gaswarden.ingestion.pipeline import Message, Pipeline
from gaswarden.rules.engine import AlarmEngine
from tests.alarm.helpers import alarms
from tests.factories import World
from tests.ingestion.helpers import ago, credentials, iso, now, telemetry


def mqtt(serial: str, payload: bytes, kind: str = "telemetry") -> Message:
    return Message("mqtt", f"gw/v1/devices/{serial}/{kind}", payload, now())


class Recorder(BatchConsumer):
    def __init__(self) -> None:
        self.batches: list[StoredBatch] = []
        self.sweeps: list[datetime] = []

    def consume(self, session: Session, batch: StoredBatch) -> None:
        self.batches.append(batch)

    def sweep(self, session: Session, now: datetime) -> None:
        self.sweeps.append(now)


def readings(session: Session, device_id: int) -> list[tuple[str, float]]:
    rows = session.execute(
        select(Reading.metric, Reading.value)
        .where(Reading.device_id == device_id)
        .order_by(Reading.ts, Reading.metric)
    )
    return [tuple(r) for r in rows]  # type: ignore[misc]


def test_telemetry_is_stored_with_latest_rollup_health_and_consumers(
    session: Session, world: World
) -> None:
    serial, _ = credentials(session, world.ids["dev_gate"])
    dev = world.ids["dev_gate"]
    recorder = Recorder()
    pipeline = Pipeline(consumers=[recorder])
    t0 = ago(minutes=30).replace(minute=0) if ago(minutes=30).minute > 10 else ago(minutes=30)
    batch = [
        mqtt(serial, telemetry(t0, seq=1, pressure_kpa=230.0, battery_pct=80)),
        mqtt(serial, telemetry(t0 + timedelta(minutes=1), seq=2, pressure_kpa=240.0)),
        mqtt(serial, json.dumps({"event": "tamper", "ts": iso(t0)}).encode(), "event"),
        mqtt(serial, b'{"online": true, "rssi_dbm": -80, "firmware": "v2"}', "status"),
    ]
    outcome = pipeline.ingest(session, batch)
    assert outcome.count("accepted") == 5 and outcome.count("rejected") == 0
    assert readings(session, dev) == [
        ("battery_pct", 80.0),
        ("pressure_kpa", 230.0),
        ("pressure_kpa", 240.0),
    ]
    latest = session.get(LatestValue, (dev, "pressure_kpa"))
    assert latest is not None and latest.value == 240.0 and latest.seq == 2
    hour = t0.replace(minute=0, second=0)
    rollup = session.get(HourlyRollup, (dev, "pressure_kpa", hour))
    if t0.minute < 59:  # both readings fell in one hour
        assert rollup is not None and (rollup.min, rollup.max, rollup.count) == (230, 240, 2)
        assert rollup.sum == 470.0
    health = session.get(DeviceHealth, dev)
    assert health is not None and health.online and health.messages == 4
    assert (health.battery_pct, health.rssi_dbm, health.firmware) == (80.0, -80.0, "v2")
    assert health.last_seq == 2
    assert session.scalar(select(func.count()).select_from(DeviceEventRecord)) == 1
    (stored,) = recorder.batches
    assert [r.value for r in stored.readings if r.metric == "pressure_kpa"] == [230.0, 240.0]
    assert [e.event.value for e in stored.events] == ["tamper"]
    assert stored.statuses[0].firmware == "v2"
    pipeline.sweep(session, now())
    assert len(recorder.sweeps) == 1

    # the Last Will marks it offline
    pipeline.ingest(session, [mqtt(serial, b'{"online": false}', "status")])
    session.expire_all()
    assert session.get(DeviceHealth, dev).online is False  # type: ignore[union-attr]


def test_duplicates_are_stored_once(session: Session, world: World) -> None:
    serial, _ = credentials(session, world.ids["dev_box"])
    dev = world.ids["dev_box"]
    recorder = Recorder()
    pipeline = Pipeline(consumers=[recorder])
    t0 = ago(minutes=5)
    same = telemetry(t0, seq=7, pressure_kpa=101.0)
    first = pipeline.ingest(session, [mqtt(serial, same), mqtt(serial, same)])
    assert [i.status for m in first.messages for i in m] == ["accepted", "duplicate"]
    pipeline.committed(first)
    # redelivered later (QoS 1): same key in the database
    again = pipeline.ingest(session, [mqtt(serial, same)])
    assert again.messages[0][0].status == "duplicate"
    # the same seq re-stamped with another time: a repeat, dropped
    restamped = pipeline.ingest(
        session, [mqtt(serial, telemetry(t0 + timedelta(seconds=9), seq=7, pressure_kpa=101.0))]
    )
    assert restamped.messages[0][0].status == "duplicate"
    # and within one batch
    pair = pipeline.ingest(
        session,
        [
            mqtt(serial, telemetry(t0 + timedelta(seconds=20), seq=8, pressure_kpa=102.0)),
            mqtt(serial, telemetry(t0 + timedelta(seconds=21), seq=8, pressure_kpa=102.0)),
        ],
    )
    assert [i.status for m in pair.messages for i in m] == ["accepted", "duplicate"]
    assert readings(session, dev) == [("pressure_kpa", 101.0), ("pressure_kpa", 102.0)]
    assert sum(len(b.readings) for b in recorder.batches) == 2
    # a late catch-up never moves the latest value back
    pipeline.ingest(session, [mqtt(serial, telemetry(t0 - timedelta(hours=2), pressure_kpa=1.0))])
    latest = session.get(LatestValue, (dev, "pressure_kpa"))
    assert latest is not None and latest.value == 102.0


def test_every_bad_input_is_quarantined_and_good_messages_survive(
    session: Session, world: World
) -> None:
    serial, token = credentials(session, world.ids["dev_fill"])
    dev = world.ids["dev_fill"]
    retired = devices.create(
        session=session,
        principal=SYSTEM,
        data={"serial": "SN-RETIRED-1", "kind": "pressure_monitor", "site_id": world.ids["gate"]},
    )
    devices.update(
        session=session, principal=SYSTEM, id=retired.id, data={"status": "decommissioned"}
    )
    t = ago(minutes=3)
    good = [
        mqtt(serial, telemetry(t + timedelta(seconds=i), pressure_kpa=200.0 + i)) for i in range(3)
    ]
    bad = {
        RejectReason.MALFORMED_JSON: mqtt(serial, b'{"values": {"pressure_kpa": 2'),
        RejectReason.BAD_SHAPE: mqtt(serial, b"[1]"),
        RejectReason.WRONG_TYPE: mqtt(serial, b'{"values": {"pressure_kpa": "high"}}'),
        RejectReason.NOT_FINITE: mqtt(serial, b'{"values": {"pressure_kpa": NaN}}'),
        RejectReason.IMPOSSIBLE_VALUE: mqtt(serial, telemetry(t, methane_lel_pct=180)),
        RejectReason.TS_FUTURE: mqtt(serial, telemetry(now() + timedelta(hours=2), co_ppm=1)),
        RejectReason.TS_PAST: mqtt(serial, telemetry(now() - timedelta(days=90), co_ppm=1)),
        RejectReason.OVERSIZE: mqtt(serial, b" " * 70_000 + b"{}"),
        RejectReason.UNKNOWN_METRIC: mqtt(serial, telemetry(t, pressure_bar=2)),
        RejectReason.UNKNOWN_EVENT: mqtt(serial, b'{"event": "meteor"}', "event"),
        RejectReason.UNKNOWN_DEVICE: mqtt("SN-NOBODY", telemetry(t, co_ppm=1)),
        RejectReason.BAD_TOKEN: Message(
            "http", None, telemetry(t, co_ppm=1), now(), serial, "telemetry", "wrong-token"
        ),
        RejectReason.DECOMMISSIONED: mqtt("SN-RETIRED-1", telemetry(t, co_ppm=1)),
        RejectReason.BAD_TOPIC: Message("mqtt", "gw/v1/devices/x/firmware", b"{}", now()),
    }
    batch = [good[0], *bad.values(), good[1], good[2]]
    outcome = pipeline_outcome = Pipeline().ingest(session, batch)
    assert outcome.count("accepted") == 3
    assert [i.status for i in pipeline_outcome.messages[0]] == ["accepted"]
    stored = [v for _, v in readings(session, dev)]
    assert stored == [200.0, 201.0, 202.0]
    rows = session.execute(
        select(QuarantineRecord.reason, QuarantineRecord.serial, QuarantineRecord.detail)
    ).all()
    assert {r.reason for r in rows} == set(bad)
    by_reason = {r.reason: r for r in rows}
    assert by_reason[RejectReason.UNKNOWN_DEVICE].serial == "SN-NOBODY"
    assert "pressure_bar" in by_reason[RejectReason.UNKNOWN_METRIC].detail
    assert by_reason[RejectReason.BAD_TOPIC].serial is None
    fill_rows = (
        session.execute(select(QuarantineRecord).where(QuarantineRecord.device_id == dev))
        .scalars()
        .all()
    )
    assert fill_rows and all(r.owner_id is not None and r.area_id is not None for r in fill_rows)
    health = session.get(DeviceHealth, dev)
    assert health is not None
    # 10 refusals of its own messages, plus the wrong-token one
    assert health.rejections == 11 and health.messages == 13
    # a good token is accepted over HTTP
    ok = Pipeline().ingest(
        session, [Message("http", None, telemetry(t, co_ppm=2), now(), serial, "telemetry", token)]
    )
    assert ok.count("accepted") == 1


def test_retention_drops_old_partitions_or_rows(session: Session, world: World) -> None:
    from gaswarden.ingestion import partitions

    serial, _ = credentials(session, world.ids["dev_sup"])
    Pipeline().ingest(session, [mqtt(serial, telemetry(ago(days=20), co_ppm=4.0))])
    conn = session.connection()
    later = now() + timedelta(days=120)
    dropped = partitions.maintain(conn, retention_days=30, now=later)
    assert dropped  # the month of that reading, or its rows
    left = session.scalar(
        select(func.count()).select_from(Reading).where(Reading.device_id == world.ids["dev_sup"])
    )
    assert left == 0
    if conn.dialect.name == "postgresql":
        have = partitions.existing(conn)
        assert partitions.month_of(later + timedelta(days=31)) in have  # made ahead
        assert partitions.month_of(ago(days=20)) not in have


def test_messages_decoded_ahead_are_stored_and_a_changed_sender_is_checked_again(
    session: Session, world: World
) -> None:
    """The MQTT thread decodes ahead from memory; the batch still checks the sender."""
    dev = world.ids["dev_gate"]
    serial, _ = credentials(session, dev)
    pipeline = Pipeline()
    pipeline.cache.load_all(session)
    ahead = mqtt(serial, telemetry(ago(seconds=5), methane_lel_pct=3.0))
    pipeline.predecode(ahead)
    assert ahead.decoded is not None and ahead.decoded[0] == dev
    unknown = mqtt("NO-SUCH-SERIAL", telemetry(ago(seconds=5), methane_lel_pct=3.0))
    pipeline.predecode(unknown)
    assert unknown.decoded is None  # not in memory: left to the batch
    outcome = pipeline.ingest(session, [ahead, unknown])
    assert [i.status for i in outcome.messages[0]] == ["accepted"]
    assert outcome.messages[1][0].reason is RejectReason.UNKNOWN_DEVICE
    assert readings(session, dev) == [("methane_lel_pct", 3.0)]

    # Decommissioned after the message was decoded ahead: the batch refuses it.
    later = mqtt(serial, telemetry(ago(seconds=2), methane_lel_pct=4.0))
    pipeline.predecode(later)
    assert later.decoded is not None
    devices.update(session=session, principal=SYSTEM, id=dev, data={"status": "decommissioned"})
    pipeline.cache.load_all(session)
    outcome = pipeline.ingest(session, [later])
    assert outcome.messages[0][0].reason is RejectReason.DECOMMISSIONED
    assert readings(session, dev) == [("methane_lel_pct", 3.0)]


def test_rules_begun_ahead_of_storage_see_only_new_readings(session: Session, world: World) -> None:
    """On PostgreSQL the rules are evaluated while the server stores the batch, as if no
    reading were a duplicate; a device with a duplicate is evaluated again on what was new.
    An offline alarm is cleared by any new input: a redelivered reading must not clear it."""
    serial, _ = credentials(session, world.ids["dev_gate"])
    dev = world.ids["dev_gate"]
    pipeline = Pipeline(consumers=[AlarmEngine()])
    t0 = ago(minutes=5)
    first = telemetry(t0, pressure_kpa=230.0)
    pipeline.ingest(session, [mqtt(serial, first)])
    pipeline.ingest(session, [mqtt(serial, b'{"online": false}', "status")])
    [offline] = alarms(session, dev, "offline")
    assert offline.condition is AlarmCondition.ACTIVE

    # only a redelivered reading, received later: nothing new heard, the alarm stays
    topic = f"gw/v1/devices/{serial}/telemetry"
    again = pipeline.ingest(session, [Message("mqtt", topic, first, now() + timedelta(seconds=3))])
    assert again.messages[0][0].status == "duplicate" and again.stored.readings == []
    [offline] = alarms(session, dev, "offline")
    assert offline.condition is AlarmCondition.ACTIVE

    # a redelivered reading with a new one, received later: the new one clears it
    later = now() + timedelta(seconds=5)
    fresh = telemetry(t0 + timedelta(seconds=30), pressure_kpa=231)
    mixed = pipeline.ingest(
        session, [Message("mqtt", topic, first, later), Message("mqtt", topic, fresh, later)]
    )
    assert [m[0].status for m in mixed.messages] == ["duplicate", "accepted"]
    assert [r.value for r in mixed.stored.readings] == [231.0]
    [offline] = alarms(session, dev, "offline")
    assert offline.condition is AlarmCondition.CLEARED
