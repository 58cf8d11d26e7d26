"""One batch of messages -> decoded, checked, deduplicated, stored, handed to the consumers.

Every transport calls `Pipeline.ingest(session, messages)` inside a transaction it owns: the
MQTT worker (worker.py, which commits or spools and then acknowledges) and the HTTP endpoints
(one batch per request). A bad message becomes quarantine rows; it never raises.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from gaswarden.ingestion import store
from gaswarden.ingestion.contract import (
    BatchConsumer,
    DeviceEvent,
    Reading,
    Rejection,
    RejectReason,
    StatusReport,
    StoredBatch,
    parse_topic,
)
from gaswarden.ingestion.decoders import DECODERS, Context
from gaswarden.ingestion.decoders.common import Decoded
from gaswarden.ingestion.devices import DeviceCache, DeviceRef

SEQ_MEMORY = 64  # recent message seqs remembered per device to drop repeats
TOPIC_MEMORY = 100_000  # parsed topics kept (devices × 3 kinds, with room)
_UNKNOWN = object()


@dataclass(slots=True)
class Message:
    transport: str  # "mqtt" | "http" | "webhook"
    topic: str | None
    payload: bytes
    received_at: datetime
    serial: str | None = None  # HTTP: from the path; MQTT: from the topic
    kind: str | None = None  # HTTP: telemetry | event | status | camera
    token: str | None = None  # HTTP: the device token to check
    handle: Any = None  # the transport's own (MQTT: message id to acknowledge)
    decoded: tuple[int, Decoded] | None = None  # (device id, result) of `Pipeline.predecode`
    urgent: bool = False  # predecode: a consumer wants it at once (an alarm), see worker.py
    receipt: int = -1  # worker.py: its number in the order of arrival


@dataclass(slots=True)
class ItemOutcome:
    index: int
    status: str  # accepted | duplicate | rejected
    metric: str | None = None
    reason: RejectReason | None = None
    detail: str | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"index": self.index, "status": self.status}
        if self.metric:
            out["metric"] = self.metric
        if self.reason is not None:
            out.update(reason=self.reason.value, reason_zh=self.reason.zh, detail=self.detail)
        return out


@dataclass
class Outcome:
    messages: list[list[ItemOutcome]]
    stored: StoredBatch
    seqs: list[tuple[int, int]] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for items in self.messages for i in items if i.status == status)


def _rejected(r: Rejection, index: int = 0, metric: str | None = None) -> ItemOutcome:
    return ItemOutcome(index, "rejected", metric, r.reason, r.detail)


def _scope(ref: DeviceRef | None) -> store.Scope:
    return store.Scope(ref.owner_id, ref.area_id) if ref else store.Scope(None, None)


def _refuse(
    msg: Message,
    reason: RejectReason,
    detail: str,
    serial: str | None,
    ref: DeviceRef | None = None,
) -> Rejection:
    return Rejection(
        reason=reason,
        detail=detail,
        transport=msg.transport,
        topic=msg.topic,
        serial=serial,
        device_id=ref.id if ref else None,
        payload=msg.payload,
        received_at=msg.received_at,
    )


class Pipeline:
    def __init__(
        self, *, cache: DeviceCache | None = None, consumers: Sequence[BatchConsumer] = ()
    ) -> None:
        self.cache = cache or DeviceCache()
        self.consumers = list(consumers)
        self._seqs: dict[int, deque[int]] = {}
        self._topics: dict[str, tuple[str, str] | None] = {}  # topic -> (serial, kind)

    def _parse_topic(self, topic: str) -> tuple[str, str] | None:
        known = self._topics.get(topic, _UNKNOWN)
        if known is not _UNKNOWN:
            return known  # type: ignore[return-value]
        parsed = parse_topic(topic)
        found = (parsed[0], parsed[1].value) if parsed is not None else None
        if len(self._topics) >= TOPIC_MEMORY:
            self._topics.clear()
        self._topics[topic] = found
        return found

    # -- ahead of the batch (on the transport's thread) ---------------------------------------
    def predecode(self, msg: Message) -> None:
        """Decode a message as it arrives, on the transport's thread, while the worker's
        thread waits for the database: the batch then only checks that the sender is still
        the same device. Uses only what is in memory; a sender the cache does not hold, a
        token to check or a decommissioned device is left to the batch. Marks the message
        urgent when a consumer says so (a reading past an alarm level, an alarm event)."""
        if msg.token is not None or msg.topic is None or msg.serial is not None:
            return
        parsed = self._parse_topic(msg.topic)
        if parsed is None:
            return
        serial, kind = parsed
        ref = self.cache.peek(serial)
        if ref is None or ref.decommissioned:
            return
        ctx = Context(msg.transport, msg.topic, ref.serial, ref.id, msg.received_at)
        decoded = DECODERS[kind](msg.payload, ctx)
        msg.decoded = (ref.id, decoded)
        for consumer in self.consumers:
            if consumer.urgent(ref.id, [item.result for item in decoded.items]):
                msg.urgent = True
                break

    # -- resolving the sender ---------------------------------------------------------------
    def _resolve(
        self, session: Session, msg: Message
    ) -> tuple[DeviceRef | None, str, Rejection | None]:
        refuse = _refuse
        serial, kind = msg.serial, msg.kind
        if serial is None or kind is None:
            parsed = self._parse_topic(msg.topic or "")
            if parsed is None:
                return (
                    None,
                    "",
                    refuse(
                        msg,
                        RejectReason.BAD_TOPIC,
                        f"topic {str(msg.topic)[:120]!r} is not gw/v1/devices/<serial>/"
                        "telemetry|event|status",
                        None,
                    ),
                )
            serial, kind = parsed
        ref = self.cache.lookup(session, serial)
        if ref is None:
            return (
                None,
                kind,
                refuse(
                    msg,
                    RejectReason.UNKNOWN_DEVICE,
                    f"no device {serial[:64]!r} is registered",
                    serial,
                ),
            )
        if msg.token is not None and not ref.token_matches(msg.token):
            ref = self.cache.reload(session, serial)  # the token may have been rotated
            if ref is None:
                return (
                    None,
                    kind,
                    refuse(msg, RejectReason.UNKNOWN_DEVICE, f"no device {serial[:64]!r}", serial),
                )
            if not ref.token_matches(msg.token):
                return (
                    ref,
                    kind,
                    refuse(
                        msg, RejectReason.BAD_TOKEN, "the device token does not match", serial, ref
                    ),
                )
        if ref.decommissioned:
            ref = self.cache.reload(session, serial) or ref
            if ref.decommissioned:
                return (
                    ref,
                    kind,
                    refuse(
                        msg,
                        RejectReason.DECOMMISSIONED,
                        f"device {serial} is decommissioned",
                        serial,
                        ref,
                    ),
                )
        return ref, kind, None

    # -- the batch --------------------------------------------------------------------------
    def ingest(
        self, session: Session, messages: Sequence[Message], *, fresh: bool = False
    ) -> Outcome:
        """Store a batch; `fresh` re-reads the senders from the registry first (HTTP)."""
        if fresh:
            self.cache.refresh(session, {m.serial for m in messages if m.serial})
        now = max((m.received_at for m in messages), default=datetime.now(UTC))
        write = store.BatchWrite()
        outcomes: list[list[ItemOutcome]] = []
        # per message: (index in outcomes, item index, the reading or event) to settle later
        pending_readings: list[tuple[list[ItemOutcome], int, Reading]] = []
        pending_events: list[tuple[list[ItemOutcome], int, DeviceEvent]] = []
        seen_readings: set[store.ReadingKey] = set()
        seen_events: set[store.EventKey] = set()
        seen_seq: dict[tuple[int, int], int] = {}
        statuses: list[StatusReport] = []
        seqs: list[tuple[int, int]] = []

        for m_index, msg in enumerate(messages):
            items: list[ItemOutcome] = []
            outcomes.append(items)
            ref, kind, refusal = self._resolve(session, msg)
            activity = self._activity(write, ref, msg) if ref else None
            if refusal is not None:
                write.rejections.append((refusal, _scope(ref)))
                items.append(_rejected(refusal))
                if activity is not None:
                    activity.rejections += 1
                    activity.last_rejection_at = msg.received_at
                continue
            assert ref is not None and activity is not None
            activity.messages += 1
            activity.last_seen = max(activity.last_seen or msg.received_at, msg.received_at)
            activity.online = True
            pre = msg.decoded
            if pre is not None and pre[0] == ref.id:
                decoded = pre[1]
            else:
                ctx = Context(msg.transport, msg.topic, ref.serial, ref.id, msg.received_at)
                decoded = DECODERS[kind](msg.payload, ctx)
            for item in decoded.items:
                result = item.result
                if isinstance(result, Rejection):
                    write.rejections.append((result, _scope(ref)))
                    items.append(_rejected(result, item.index, item.metric))
                    activity.rejections += 1
                    activity.last_rejection_at = msg.received_at
                elif isinstance(result, Reading):
                    key = (result.device_id, result.metric, result.ts)
                    dup_seq = False
                    if result.seq is not None:
                        first = seen_seq.setdefault((ref.id, result.seq), m_index)
                        dup_seq = first != m_index or result.seq in self._seqs.get(ref.id, ())
                    if key in seen_readings or dup_seq:
                        items.append(ItemOutcome(item.index, "duplicate", item.metric))
                        continue
                    seen_readings.add(key)
                    write.readings.append(result)
                    items.append(ItemOutcome(item.index, "accepted", item.metric))
                    pending_readings.append((items, len(items) - 1, result))
                    if result.metric == "battery_pct":
                        activity.battery_pct = result.value
                    elif result.metric == "rssi_dbm":
                        activity.rssi_dbm = result.value
                    if result.seq is not None:
                        activity.last_seq = result.seq
                        seqs.append((ref.id, result.seq))
                elif isinstance(result, DeviceEvent):
                    ekey = (result.device_id, result.ts, result.event.value)
                    if ekey in seen_events:
                        items.append(ItemOutcome(item.index, "duplicate"))
                        continue
                    seen_events.add(ekey)
                    write.events.append(result)
                    items.append(ItemOutcome(item.index, "accepted"))
                    pending_events.append((items, len(items) - 1, result))
                else:
                    statuses.append(result)
                    activity.online = result.online
                    if result.battery_pct is not None:
                        activity.battery_pct = result.battery_pct
                    if result.rssi_dbm is not None:
                        activity.rssi_dbm = result.rssi_dbm
                    if result.firmware is not None:
                        activity.firmware = result.firmware
                    items.append(ItemOutcome(item.index, "accepted"))

        if self.consumers and store.can_send_ahead(session, write):
            return self._ingest_ahead(
                session, write, outcomes, pending_readings, statuses, seqs, now
            )
        duplicates, new_events = store.write(session, write, now)
        for n in duplicates:  # pending_readings is in the order of write.readings
            items, i, _r = pending_readings[n]
            items[i].status = "duplicate"
        for items, i, e in pending_events:
            if (e.device_id, e.ts, e.event.value) not in new_events:
                items[i].status = "duplicate"
        stored = StoredBatch(
            readings=store.fresh_readings(write, duplicates),
            events=[e for e in write.events if (e.device_id, e.ts, e.event.value) in new_events],
            statuses=statuses,
            received_at=now,
        )
        for consumer in self.consumers:
            consumer.consume(session, stored)
        return Outcome(outcomes, stored, seqs)

    def _ingest_ahead(
        self,
        session: Session,
        write: store.BatchWrite,
        outcomes: list[list[ItemOutcome]],
        pending_readings: list[tuple[list[ItemOutcome], int, Reading]],
        statuses: list[StatusReport],
        seqs: list[tuple[int, int]],
        now: datetime,
    ) -> Outcome:
        """The end of `ingest` with the consumers' work overlapping the storage statement:
        each consumer begins on the batch as if no reading were a duplicate (taking its locks),
        works while the server stores the readings, and finishes on what was really stored."""
        readings = store.fresh_readings(write, set())
        guess = StoredBatch(readings=readings, events=[], statuses=statuses, received_at=now)
        begun = [(c, c.ahead(session, guess)) for c in self.consumers]
        with store.sending(session, write, now) as sent:
            for _consumer, ahead in begun:
                if ahead is not None:
                    ahead.work()
        duplicates = sent.duplicates
        changed: set[int] = set()
        if duplicates:
            for n in duplicates:  # pending_readings is in the order of write.readings
                items, i, r = pending_readings[n]
                items[i].status = "duplicate"
                changed.add(r.device_id)
            readings = store.fresh_readings(write, duplicates)
        stored = StoredBatch(readings=readings, events=[], statuses=statuses, received_at=now)
        for consumer, ahead in begun:
            if ahead is None:
                consumer.consume(session, stored)
            else:
                ahead.finish(session, stored, changed)
        return Outcome(outcomes, stored, seqs)

    @staticmethod
    def _activity(write: store.BatchWrite, ref: DeviceRef, msg: Message) -> store.DeviceActivity:
        activity = write.activity.get(ref.id)
        if activity is None:
            activity = write.activity[ref.id] = store.DeviceActivity(last_seen=None, online=False)
        return activity

    def committed(self, outcome: Outcome) -> None:
        """After the batch's commit: remember its seqs so that a repeat is dropped later."""
        for device_id, seq in outcome.seqs:
            recent = self._seqs.get(device_id)
            if recent is None:
                recent = self._seqs[device_id] = deque(maxlen=SEQ_MEMORY)
            if seq not in recent:
                recent.append(seq)

    def sweep(self, session: Session, now: datetime) -> None:
        for consumer in self.consumers:
            consumer.sweep(session, now)

    def warm(self, session: Session) -> None:
        """Before the first batch: the registry's devices and the consumers' caches."""
        self.cache.load_all(session)
        for consumer in self.consumers:
            consumer.warm(session)

    def started(self, now: datetime) -> None:
        for consumer in self.consumers:
            consumer.started(now)
