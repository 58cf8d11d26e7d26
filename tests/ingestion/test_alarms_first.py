"""Alarms first: a reading that would raise an alarm goes into the next batch with its
device's earlier messages, ahead of the routine backlog queued before it; acknowledgements
still leave in the order the messages arrived."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from gaswarden.db.session import unit_of_work
from gaswarden.domains.alarm.models import Alarm
from gaswarden.domains.telemetry.models import Reading
from gaswarden.ingestion.contract import MessageKind, topic_for
from gaswarden.ingestion.mqtt import AckOrder
from gaswarden.ingestion.pipeline import Message
from gaswarden.ingestion.spool import Spool
from gaswarden.ingestion.worker import Worker
from gaswarden.rules.engine import AlarmEngine
from tests.ingestion.conftest import Broker, Live, publisher, wait_for, worker_session
from tests.ingestion.helpers import ago, now, serials, telemetry


def _message(serial: str, payload: bytes) -> Message:
    return Message("mqtt", topic_for(serial, MessageKind.TELEMETRY), payload, now())


def _count(live: Live, model: type[Alarm] | type[Reading], device_id: int) -> int:
    with live.session() as session:
        rows = select(func.count()).select_from(model).where(model.device_id == device_id)
        return int(session.scalar(rows) or 0)


def _alarms(live: Live, device_id: int) -> int:
    return _count(live, Alarm, device_id)


def _readings(live: Live, device_id: int) -> int:
    return _count(live, Reading, device_id)


def test_an_alarm_reading_is_stored_before_the_backlog_ahead_of_it(
    live: Live, tmp_path: Path
) -> None:
    routine_id, alarm_id = live.world.ids["dev_sup"], live.world.ids["dev_gate"]
    with live.session() as session:
        routine, alarming = serials(session, routine_id, alarm_id)
    worker = Worker(
        live.db.settings,
        engine=live.db.engine,
        consumers=[AlarmEngine()],
        batch_size=50,
        spool=Spool(tmp_path / "spool", 1 << 20),
    )
    with unit_of_work(worker.factory) as session:
        worker.pipeline.warm(session)  # as `run` does: devices and rules in memory
    done: list[list[Message]] = []
    worker.on_done = done.append
    base = ago(minutes=10)
    backlog = [
        _message(routine, telemetry(base + timedelta(seconds=i), co_ppm=1.0)) for i in range(120)
    ]
    earlier = _message(alarming, telemetry(base, co_ppm=2.0))  # its device's earlier message
    alarm = _message(alarming, telemetry(base + timedelta(seconds=1), co_ppm=400.0))
    later = _message(routine, telemetry(base + timedelta(seconds=500), co_ppm=1.0))
    queue = [*backlog[:60], earlier, *backlog[60:], alarm, later]
    for m in queue:
        worker.pipeline.predecode(m)  # on the transport's thread, as MqttIngest does
        worker.submit(m)
    assert alarm.urgent and not earlier.urgent and not any(m.urgent for m in backlog)

    worker.step()  # one batch
    assert done == [[earlier, alarm]], "the alarm's batch: its device's messages, in order"
    assert _alarms(live, alarm_id) == 1
    assert _readings(live, routine_id) == 0, "the backlog waits for the alarm"

    while worker.stored < len(queue):
        worker.step()
    assert [m for batch in done[1:] for m in batch] == [*backlog, later]  # in order
    assert _readings(live, routine_id) == 121
    assert [m.receipt for m in queue] == list(range(len(queue)))


def test_acknowledgements_leave_in_order_of_arrival() -> None:
    def message(n: int) -> Message:
        m = _message("SN", b"{}")
        m.receipt, m.handle = n, (1, 100 + n, 1)
        return m

    order = AckOrder()
    msgs = [message(n) for n in range(6)]
    assert order.settle([msgs[3], msgs[4]], ack=True) == []  # 0-2 still out
    assert order.settle([msgs[0]], ack=True) == [(1, 100, 1)]
    assert order.settle([msgs[2]], ack=False) == []  # given up; 1 still out
    assert order.settle([msgs[1]], ack=True) == [(1, 101, 1), (1, 103, 1), (1, 104, 1)]
    order.restart(10)  # a new session: 5 is delivered again under a new id, never waited for
    assert order.settle([msgs[5]], ack=True) == []
    assert order.settle([message(10)], ack=True) == [(1, 110, 1)]


def test_a_backlog_with_an_alarm_is_all_acknowledged(  # type: ignore[no-untyped-def]
    live: Live, broker: Broker, start_worker
) -> None:
    """Published while no worker runs, then taken out of order (the alarm first): the broker
    gets every acknowledgement, so a worker that reconnects is sent nothing again."""
    routine_id, alarm_id = live.world.ids["dev_sup"], live.world.ids["dev_gate"]
    with live.session() as session:
        routine, alarming = serials(session, routine_id, alarm_id)
    worker_session(broker.url, "gw-first")
    base = ago(minutes=10)
    with publisher(broker.url, client_id="pub-first") as pub:
        infos = [
            pub.publish(
                topic_for(routine, "telemetry"),
                telemetry(base + timedelta(seconds=i), co_ppm=1.0),
                qos=1,
            )
            for i in range(400)
        ]
        infos.append(
            pub.publish(topic_for(alarming, "telemetry"), telemetry(base, co_ppm=400.0), qos=1)
        )
        wait_for(lambda: all(i.is_published() for i in infos), what="published")
    transport, worker = start_worker(broker.url, client_id="gw-first", consumers=(AlarmEngine(),))
    wait_for(lambda: worker.stored >= 401, what="all stored")
    wait_for(lambda: _alarms(live, alarm_id) == 1, what="the alarm")
    transport.stop()
    again, _ = start_worker(broker.url, client_id="gw-first")
    time.sleep(1.0)  # what the broker still held would be delivered at once
    assert again.received == 0, f"{again.received} messages were not acknowledged"
