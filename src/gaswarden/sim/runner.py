"""The simulator: schedules every device's reports and the incidents, and publishes them.

`start_simulator(settings, mqtt_url, speed=60, incidents=[...])` reads the registry and runs
in a background thread until `handle.stop()` or its duration; `gaswarden simulate` drives it
from the command line.
"""

from __future__ import annotations

import heapq
import json
import math
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from gaswarden.core.localtime import DEFAULT_TZ
from gaswarden.domains.device.enums import DeviceKind
from gaswarden.ingestion.contract import MAX_BATCH_ITEMS, MAX_PAYLOAD_BYTES, MessageKind
from gaswarden.settings import Settings
from gaswarden.sim.incidents import IncidentKind, IncidentRun, IncidentSpec, choose_targets
from gaswarden.sim.publisher import Publisher
from gaswarden.sim.registry import load_devices, load_twins
from gaswarden.sim.telemetry import OFFLINE_SHARE, DeviceState, SimDevice

if TYPE_CHECKING:
    from gaswarden.sim.network_twin import Twins

DEFAULT_MQTT_URL = "mqtt://127.0.0.1:1883"
DEFAULT_SEED = 20240601
DEFAULT_RATE_LIMIT = 1000.0  # messages per second


@dataclass
class SimStats:
    telemetry: int = 0
    events: int = 0
    status: int = 0
    catch_up: int = 0  # JSON arrays sent by devices coming back online
    offline_now: int = 0
    acked: int = 0
    lag_s: float = 0.0  # how far behind schedule the last message went out
    incidents: list[str] = field(default_factory=list)  # human-readable notes, in order
    errors: list[str] = field(default_factory=list)

    @property
    def sent(self) -> int:
        return self.telemetry + self.events + self.status

    def line(self) -> str:
        return (
            f"sent={self.sent} telemetry={self.telemetry} events={self.events} "
            f"status={self.status} catch_up={self.catch_up} acked={self.acked} "
            f"offline={self.offline_now} incidents={len(self.incidents_started)}"
        )

    @property
    def incidents_started(self) -> list[str]:
        return [note for note in self.incidents if " started " in note]


@dataclass(frozen=True)
class SimOptions:
    speed: float = 60.0
    rate_limit: float | None = DEFAULT_RATE_LIMIT
    duration: float | None = None  # wall seconds
    seed: int = DEFAULT_SEED
    per_device_auth: bool = False
    clock_start: datetime | None = None  # the model clock's start (default: now)
    http_url: str | None = None  # base URL of GasWarden, for camera events by HTTP as well
    timezone: str = DEFAULT_TZ
    offline_share: float = OFFLINE_SHARE  # devices that drop off the network now and then
    incident_pace: float = 1.0  # > 1 plays incidents faster than the wall clock (tests)


@dataclass(frozen=True)
class Sent:
    """One message of a replay: when (wall seconds after the start), from whom, what."""

    offset: float
    serial: str
    kind: MessageKind
    body: Any


class Simulator:
    """Runs in one thread: the schedule, the models and the MQTT connections all live here."""

    def __init__(
        self,
        devices: Sequence[SimDevice],
        mqtt_url: str,
        incidents: Sequence[IncidentSpec] = (),
        options: SimOptions | None = None,
        twins: Twins | None = None,
    ) -> None:
        self.options = options or SimOptions()
        if self.options.speed <= 0:
            raise ValueError("speed must be positive")
        self.tz = ZoneInfo(self.options.timezone)
        self.states = [
            DeviceState.create(d, self.options.seed, self.options.offline_share) for d in devices
        ]
        by_serial = {s.device.serial: s for s in self.states}
        self.twins = twins
        targets = choose_targets(
            list(incidents),
            {d.serial: d.kind for d in devices},
            self.options.seed,
            {IncidentKind.NETWORK_LEAK: twins.flow_meters if twins else set()},
        )
        self.runs = [
            IncidentRun(
                spec, serial, spec.at, by_serial[serial].rng, pace=self.options.incident_pace
            )
            for spec, serial in targets
        ]
        for run in self.runs:
            by_serial[run.serial].flaky = False  # the incident's device stays on the air
        self.by_serial = by_serial
        logins = (
            {d.serial: d.token or "" for d in devices} if self.options.per_device_auth else None
        )
        self.publisher = Publisher(mqtt_url, logins=logins)
        self.stats = SimStats()
        self._heap: list[tuple[float, int, tuple[Any, ...]]] = []
        self._order = 0
        self._tokens = 0.0
        self._last_refill = 0.0
        self._outbox: list[Sent] | None = None  # set by replay(): collect instead of publish
        self._offset = 0.0

    # ---- schedule ----------------------------------------------------------------------------

    def _at(self, offset: float, *action: Any) -> None:
        self._order += 1
        heapq.heappush(self._heap, (offset, self._order, action))

    def _plan(self) -> None:
        speed = self.options.speed
        for index, state in enumerate(self.states):
            interval = state.device.report_interval_s / speed
            self._at(state.rng.uniform(0, interval), "report", index)
        for r, run in enumerate(self.runs):
            self._at(run.start, "incident", r, "start")
            for offset in run.report_offsets():
                self._at(offset, "incident", r, "report")
            for e, offset in enumerate(run.event_offsets()):
                self._at(offset, "incident", r, "event", e)
            self._at(run.end, "incident", r, "end")

    def open(self) -> None:
        self.publisher.open()

    def _begin(self, wall0: datetime) -> None:
        self._plan()
        self._wall0 = wall0
        self._clock0 = self.options.clock_start or wall0

    def replay(self, seconds: float, start: datetime) -> Iterator[Sent]:
        """The messages a run started at `start` would publish in its first `seconds`, in
        order, at once: no broker, no waiting (to hold the models to the rules)."""
        self._begin(start)
        self._outbox = []
        while self._heap and self._heap[0][0] <= seconds:
            offset, _, action = heapq.heappop(self._heap)
            self._offset = offset
            self._do(offset, action)
            yield from self._outbox
            self._outbox.clear()

    def run(self, stop: threading.Event) -> None:
        self._m0 = time.monotonic()
        self._begin(datetime.now(UTC))
        self._last_refill = self._m0
        self._tokens = self.options.rate_limit or 0.0
        end = math.inf if self.options.duration is None else self.options.duration
        done = 0
        try:
            while not stop.is_set():
                now = time.monotonic() - self._m0
                # A run with a duration sends everything it scheduled before its end, even when
                # a busy machine made it late: it ends when the schedule has passed `duration`.
                if self._heap and self._heap[0][0] <= min(now, end):
                    offset, _, action = heapq.heappop(self._heap)
                    self._do(offset, action)
                    self.stats.lag_s = max(0.0, time.monotonic() - self._m0 - offset)
                    done += 1
                    if done % 100 == 0:
                        self.publisher.pump(0.0)
                        self.stats.acked = self.publisher.acked
                    continue
                if now >= end:
                    break
                wait = min(self._heap[0][0] - now if self._heap else 0.2, end - now)
                self.publisher.pump(min(max(wait, 0.0), 0.2))
                self.stats.acked = self.publisher.acked
        finally:
            self.publisher.flush(timeout=5.0)
            self.stats.acked = self.publisher.acked
            self.stats.errors.extend(self.publisher.errors)
            self.publisher.close()

    # ---- actions -------------------------------------------------------------------------------

    def _do(self, offset: float, action: tuple[Any, ...]) -> None:
        if action[0] == "report":
            self._report(offset, self.states[action[1]])
            interval = self.states[action[1]].device.report_interval_s / self.options.speed
            self._at(offset + interval, *action)
        else:
            self._incident(offset, self.runs[action[1]], action[2], *action[3:])

    def _moments(self, offset: float) -> tuple[datetime, datetime, float]:
        """Wall timestamp, model clock and model hours elapsed at a schedule offset."""
        model_s = offset * self.options.speed
        return (
            self._wall0 + timedelta(seconds=offset),
            self._clock0 + timedelta(seconds=model_s),
            model_s / 3600,
        )

    def _send(self, state: DeviceState, kind: MessageKind, body: Any) -> None:
        if self._outbox is not None:
            self._outbox.append(Sent(self._offset, state.device.serial, kind, body))
        else:
            self._take_token()
            self.publisher.publish(state.device.serial, kind, body)
        if kind is MessageKind.TELEMETRY:
            self.stats.telemetry += 1
        elif kind is MessageKind.EVENT:
            self.stats.events += 1
        else:
            self.stats.status += 1

    def _report(self, offset: float, state: DeviceState) -> None:
        ts, clock, elapsed_h = self._moments(offset)
        state.reports += 1
        state.wander_rssi()
        in_incident = any(
            r.serial == state.device.serial and r.active(offset) and r.scenario.metric
            for r in self.runs
        )
        change = state.offline_step()
        body = None
        if state.sends_telemetry() and not in_incident:
            body = state.telemetry(ts, self._values(state, clock, elapsed_h))
        if change == "drop":
            self._send(state, MessageKind.STATUS, state.status(ts, elapsed_h, online=False))
            self.stats.offline_now += 1
        if not state.online:
            if body is not None:
                state.backlog.append(body)
            return
        if change == "return" or state.status_due():
            self._send(state, MessageKind.STATUS, state.status(ts, elapsed_h))
        if change == "return":
            self.stats.offline_now -= 1
            backlog, state.backlog = [*state.backlog, *([body] if body else [])], []
            for chunk in catch_up_chunks(backlog):
                self._send(state, MessageKind.TELEMETRY, chunk)
                self.stats.catch_up += 1
        elif body is not None:
            self._send(state, MessageKind.TELEMETRY, body)

    def _values(self, state: DeviceState, clock: datetime, elapsed_h: float) -> dict[str, float]:
        values = state.values(clock, self.tz, elapsed_h)
        if self.twins and state.device.serial in self.twins:  # a modelled network's sensor
            values.update(self.twins.reading(state.device.serial, clock, state.rng))
        return values

    def _incident(self, offset: float, run: IncidentRun, what: str, *args: Any) -> None:
        state = self.by_serial[run.serial]
        ts, clock, elapsed_h = self._moments(offset)
        label = f"{run.spec.kind.value} ({run.spec.kind.zh}) on {run.serial}"
        if what == "start":
            run.started = True
            where = ""
            if run.spec.kind is IncidentKind.NETWORK_LEAK and self.twins:
                leak = self.twins.by_serial[run.serial].start_leak(run.rng, clock)
                where = f": {leak.describe()}"
            self.stats.incidents.append(f"{label} started at {offset:.0f} s{where}")
        elif what == "end":
            run.finished = True
            if run.spec.kind is IncidentKind.NETWORK_LEAK and self.twins:
                self.twins.by_serial[run.serial].stop_leak()
            metric = run.scenario.metric
            seen = f", {metric} {run.low}..{run.high}" if run.low is not None else ""
            self.stats.incidents.append(f"{label} ended at {offset:.0f} s{seen}")
        elif what == "report":
            values = self._values(state, clock, elapsed_h)
            values.update(run.override(offset, state.device.set_kpa))
            self._send(state, MessageKind.TELEMETRY, state.telemetry(ts, values))
        elif what == "event":
            _, body = run.event_body(args[0], ts, state.ts(ts))
            self._send(state, MessageKind.EVENT, body)
            if (
                run.spec.kind is IncidentKind.SMOKE
                and self.options.http_url
                and self._outbox is None
            ):
                self._post_event(state.device, body)

    def _post_event(self, device: SimDevice, body: dict[str, Any]) -> None:
        """The camera-analytics webhook form of the same event (POST /api/v1/ingest/camera/
        {serial}: the detail's fields sit beside ts, event and snapshot_url)."""
        base = (self.options.http_url or "").rstrip("/")
        flat = {**body.get("detail", {}), **{k: v for k, v in body.items() if k != "detail"}}
        request = urllib.request.Request(
            f"{base}/api/v1/ingest/camera/{device.serial}",
            data=json.dumps(flat, ensure_ascii=False).encode(),
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {device.token or ''}",
            },
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                note = f"HTTP {response.status}"
        except urllib.error.HTTPError as exc:
            note = f"HTTP {exc.code}" + (" (no ingest endpoint there)" if exc.code == 404 else "")
        except OSError as exc:
            note = f"unreachable ({exc})"
        self.stats.incidents.append(f"smoke on {device.serial} also posted by webhook: {note}")

    def _take_token(self) -> None:
        """Token bucket: at most `rate_limit` messages a second (bursts up to one second's
        worth), serving the sockets while waiting."""
        rate = self.options.rate_limit
        if not rate:
            return
        while True:
            now = time.monotonic()
            self._tokens = min(rate, self._tokens + (now - self._last_refill) * rate)
            self._last_refill = now
            if self._tokens >= 1:
                self._tokens -= 1
                return
            self.publisher.pump((1 - self._tokens) / rate)


def catch_up_chunks(items: list[dict[str, Any]]) -> Iterable[list[dict[str, Any]]]:
    """Split a backlog into JSON arrays within the contract's item and size limits."""
    chunk: list[dict[str, Any]] = []
    size = 2
    for item in items:
        item_size = len(json.dumps(item, ensure_ascii=False, separators=(",", ":")).encode()) + 1
        if chunk and (len(chunk) >= MAX_BATCH_ITEMS or size + item_size > MAX_PAYLOAD_BYTES):
            yield chunk
            chunk, size = [], 2
        chunk.append(item)
        size += item_size
    if chunk:
        yield chunk


class SimulatorHandle:
    """A simulator running in a background thread."""

    def __init__(self, simulator: Simulator) -> None:
        self.simulator = simulator
        self._stop = threading.Event()
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._main, name="gaswarden-sim", daemon=True)
        self._thread.start()

    def _main(self) -> None:
        try:
            self.simulator.run(self._stop)
        except BaseException as exc:
            self.error = exc
            self.simulator.stats.errors.append(f"simulator stopped: {exc!r}")

    @property
    def stats(self) -> SimStats:
        return self.simulator.stats

    @property
    def done(self) -> bool:
        return not self._thread.is_alive()

    def join(self, timeout: float | None = None) -> bool:
        self._thread.join(timeout)
        return self.done

    def stop(self, timeout: float = 10.0) -> SimStats:
        """Stop publishing, wait for the broker's acknowledgements, disconnect."""
        self._stop.set()
        self._thread.join(timeout)
        return self.stats


def start_simulator(
    settings: Settings,
    mqtt_url: str | None = None,
    *,
    speed: float = 60.0,
    incidents: Sequence[IncidentSpec | str] = (),
    devices: int | None = None,
    kinds: Sequence[DeviceKind | str] | None = None,
    serials: Sequence[str] | None = None,
    **options: Any,
) -> SimulatorHandle:
    """Read the registry's active devices and simulate them in a background thread.

    Raises BrokerUnavailable at once when the broker cannot be reached and ValueError when
    an incident has no device to play on. `options` are the other SimOptions fields.
    """
    specs = [IncidentSpec.parse(i) if isinstance(i, str) else i for i in incidents]
    chosen = load_devices(
        settings,
        kinds=kinds,
        limit=devices,
        serials=serials,
        need=[s.serial for s in specs if s.serial],
        need_kinds=[s.kind for s in specs],
    )
    options.setdefault("timezone", settings.timezone)
    sim_options = SimOptions(speed=speed, **options)
    simulator = Simulator(
        chosen,
        mqtt_url or settings.mqtt_url or DEFAULT_MQTT_URL,
        specs,
        sim_options,
        twins=load_twins(settings, sim_options.seed),
    )
    simulator.open()
    return SimulatorHandle(simulator)
