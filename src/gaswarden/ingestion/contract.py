"""The device contract: topics, metrics with units and physical limits, event kinds, and the
normalised objects every transport (MQTT, HTTP, camera webhook) decodes into.

docs/devices.md describes the same contract for device makers; keep the two in step.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from gaswarden.core.enums import LabeledEnum

TOPIC_PREFIX = "gw/v1/devices"
SHARED_GROUP = "gaswarden"  # $share/<group>/... spreads messages over ingest workers

MAX_PAYLOAD_BYTES = 64 * 1024  # a catch-up array of ~500 readings fits
MAX_BATCH_ITEMS = 1000  # objects in one JSON array
MAX_CLOCK_AHEAD = timedelta(minutes=5)  # device clock ahead of ours
MAX_BACKLOG = timedelta(days=30)  # oldest reading a device may catch up with


class MessageKind(LabeledEnum):
    TELEMETRY = "telemetry", "监测数据", "Telemetry", "blue"
    EVENT = "event", "事件", "Event", "orange"
    STATUS = "status", "状态", "Status", "grey"


def topic_for(serial: str, kind: MessageKind | str) -> str:
    return f"{TOPIC_PREFIX}/{serial}/{MessageKind(kind).value}"


def parse_topic(topic: str) -> tuple[str, MessageKind] | None:
    """`gw/v1/devices/{serial}/{kind}` -> (serial, kind); None for anything else."""
    parts = topic.split("/")
    if len(parts) != 5 or "/".join(parts[:3]) != TOPIC_PREFIX or not parts[3]:
        return None
    try:
        return parts[3], MessageKind(parts[4])
    except ValueError:
        return None


@dataclass(frozen=True)
class Metric:
    name: str
    unit: str
    low: float  # physically possible range; outside it a value is rejected, not alarmed
    high: float
    zh: str
    en: str
    boolean: bool = False


METRICS: dict[str, Metric] = {
    m.name: m
    for m in (
        Metric("pressure_kpa", "kPa", -100.0, 10_000.0, "压力", "Pressure"),
        Metric("methane_lel_pct", "%LEL", 0.0, 100.0, "甲烷浓度", "Methane"),
        Metric("methane_ppm_m", "ppm·m", 0.0, 100_000.0, "甲烷积分浓度", "Methane (path)"),
        Metric("flow_m3h", "m³/h", 0.0, 1_000_000.0, "流量", "Flow"),
        Metric("temperature_c", "°C", -60.0, 150.0, "温度", "Temperature"),
        Metric("battery_pct", "%", 0.0, 100.0, "电量", "Battery"),
        Metric("rssi_dbm", "dBm", -150.0, 0.0, "信号强度", "Signal"),
        Metric("valve_open", "", 0.0, 1.0, "阀门开启", "Valve open", boolean=True),
        Metric("co_ppm", "ppm", 0.0, 10_000.0, "一氧化碳", "Carbon monoxide"),
    )
}


class EventKind(LabeledEnum):
    INTRUSION = "intrusion", "非法闯入", "Intrusion", "red"
    TAMPER = "tamper", "设备被拆/破坏", "Tamper", "red"
    FAULT = "fault", "设备故障", "Device fault", "amber"
    POWER_LOSS = "power_loss", "断电", "Power loss", "amber"
    VALVE_CLOSED = "valve_closed", "切断阀关闭", "Valve closed", "orange"
    SELF_TEST = "self_test", "自检", "Self test", "grey"
    # Camera analytics (燃气站视频监控对接).
    SMOKE = "smoke", "烟雾", "Smoke", "red"
    FIRE = "fire", "火焰/火灾", "Fire", "red"
    OPEN_FLAME = "open_flame", "明火", "Open flame", "red"
    SMOKING = "smoking", "吸烟", "Smoking", "orange"
    RESTRICTED_ZONE = "restricted_zone", "人员闯入禁区", "Person in restricted zone", "orange"
    NO_PPE = "no_ppe", "未穿戴防护装备", "Missing protective equipment", "yellow"


CAMERA_EVENTS = frozenset(
    {
        EventKind.SMOKE,
        EventKind.FIRE,
        EventKind.OPEN_FLAME,
        EventKind.SMOKING,
        EventKind.RESTRICTED_ZONE,
        EventKind.NO_PPE,
    }
)


class RejectReason(LabeledEnum):
    """Why a message (or one item of it) was refused and kept in quarantine."""

    MALFORMED_JSON = "malformed_json", "JSON格式错误", "Malformed JSON", "red"
    BAD_SHAPE = "bad_shape", "结构不符合协议", "Not the documented shape", "red"
    WRONG_TYPE = "wrong_type", "数据类型错误", "Wrong type", "red"
    NOT_FINITE = "not_finite", "非有限数值(NaN/Inf)", "NaN or infinity", "red"
    IMPOSSIBLE_VALUE = "impossible_value", "数值超出物理范围", "Physically impossible", "orange"
    TS_FUTURE = "ts_future", "时间超前", "Timestamp in the future", "orange"
    TS_PAST = "ts_past", "时间过旧", "Timestamp too old", "orange"
    OVERSIZE = "oversize", "报文过大", "Payload too large", "orange"
    UNKNOWN_METRIC = "unknown_metric", "未知指标", "Unknown metric", "amber"
    UNKNOWN_EVENT = "unknown_event", "未知事件", "Unknown event", "amber"
    UNKNOWN_DEVICE = "unknown_device", "未登记设备", "Unknown device", "red"
    BAD_TOKEN = "bad_token", "设备令牌错误", "Wrong device token", "red"
    DECOMMISSIONED = "decommissioned", "设备已停用", "Decommissioned device", "grey"
    BAD_TOPIC = "bad_topic", "主题错误", "Unknown topic", "amber"


class Reading(NamedTuple):
    """One value (a named tuple: the hot path makes millions of them)."""

    device_id: int
    metric: str
    ts: datetime  # aware UTC
    value: float
    seq: int | None = None


@dataclass(frozen=True)
class DeviceEvent:
    device_id: int
    ts: datetime
    event: EventKind
    detail: dict[str, Any] = field(default_factory=dict)
    snapshot_url: str | None = None  # cameras


@dataclass(frozen=True)
class StatusReport:
    device_id: int
    ts: datetime
    online: bool
    battery_pct: float | None = None
    rssi_dbm: float | None = None
    firmware: str | None = None


@dataclass(frozen=True)
class Rejection:
    reason: RejectReason
    detail: str  # human-readable: which field, what was wrong
    transport: str  # "mqtt" | "http" | "webhook"
    topic: str | None
    serial: str | None
    device_id: int | None
    payload: bytes
    received_at: datetime


@dataclass
class StoredBatch:
    """What one pipeline transaction stored: handed to every BatchConsumer (the rules engine)
    inside the same transaction, before it commits and before the messages are acknowledged.

    `readings` holds only readings that were new (duplicates already dropped), in device
    time order per device.
    """

    readings: list[Reading]
    events: list[DeviceEvent]
    statuses: list[StatusReport]
    received_at: datetime


class Ahead:
    """A consumer's batch begun before its storage statement finished (`BatchConsumer.ahead`):
    `work` runs while the database server stores the batch (pure Python: no database), then
    `finish` gets what was really stored."""

    def work(self) -> None:
        raise NotImplementedError

    def finish(self, session: Any, batch: StoredBatch, changed: set[int]) -> None:
        """`batch` as `consume` would get it; `changed`: the devices whose readings differ
        from the batch given to `ahead` (some were duplicates)."""
        raise NotImplementedError


class BatchConsumer:
    """Something that reacts to stored data in the batch's transaction (flush, never commit)."""

    def consume(self, session: Any, batch: StoredBatch) -> None:
        raise NotImplementedError

    def ahead(self, session: Any, batch: StoredBatch) -> Ahead | None:
        """Optional: begin `consume` before the batch is stored, on `batch` as it would be if
        no reading were a duplicate (and no event: batches with events are not begun ahead).
        Only what needs the database may happen here (locks); the pipeline then runs
        `work` while the server stores the batch and `finish` once it has. None: not
        supported, `consume` is called as usual."""
        return None

    def urgent(self, device_id: int, inputs: Iterable[object]) -> bool:
        """Optional: would these decoded inputs of one message (readings, events, statuses)
        need this consumer at once (an alarm)? Asked on the transport's thread, from memory
        only; True puts the message at the head of the ingest worker's queue."""
        return False

    def sweep(self, session: Any, now: datetime) -> None:
        """Periodic work that no message triggers (offline devices, overdue responses)."""

    def warm(self, session: Any) -> None:
        """Before the first batch: load what every batch needs (caches)."""

    def started(self, now: datetime) -> None:
        """The transport began receiving at `now`: silence before it was the platform's own,
        not the devices'."""
