"""The simulator over the real broker: payloads, cadence, offline devices, seeds, incidents."""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest

from gaswarden.ingestion.contract import MessageKind
from gaswarden.sim.incidents import IncidentKind
from gaswarden.sim.runner import Simulator, SimulatorHandle, start_simulator
from tests.sim.conftest import Listener, SimWorld, parse_ts

# What is under test is what the simulator publishes and when; the database only lists the
# devices (their registry is tested on both backends elsewhere), and these tests run in
# real time: once is enough.
pytestmark = pytest.mark.one_backend

CLOCK = datetime(2024, 6, 3, 10, 0, tzinfo=UTC)  # 18:00 in Shanghai: the evening peak


def run(
    world: SimWorld, broker: str, roles: list[str] | None = None, **options: Any
) -> SimulatorHandle:
    serials = [world.serials[r] for r in roles] if roles else world.active
    options.setdefault("rate_limit", None)
    handle = start_simulator(world.settings, broker, serials=serials, **options)
    assert handle.join(timeout=60), "the simulator did not stop at its duration"
    assert handle.error is None and not handle.stats.errors, handle.stats.errors
    return handle


def received_all(listener: Listener, handle: SimulatorHandle) -> None:
    """Everything sent was acknowledged by the broker and reached the subscriber, intact."""
    stats = handle.stats
    assert stats.acked == stats.sent > 0
    assert listener.wait_for(lambda: len(listener.messages) >= stats.sent)
    assert not listener.problems, listener.problems[:3]
    assert len(listener.messages) == stats.sent


def telemetry(listener: Listener, serial: str) -> list[dict[str, Any]]:
    return [i for m in listener.of(serial, MessageKind.TELEMETRY) for i in m.items]


def test_every_kind_publishes_valid_payloads_on_schedule(
    sim_world: SimWorld, broker: str, listen: Callable[..., Listener]
) -> None:
    listener = listen(list(sim_world.serials.values()))
    speed = 600.0
    handle = run(sim_world, broker, speed=speed, duration=3.0, offline_share=0.0)
    received_all(listener, handle)
    s = sim_world.serials
    assert not listener.of(s["idle"]), "a device under maintenance does not report"
    for role in ("pm_reg", "pm_site", "wm", "ha", "lm", "fm"):
        assert telemetry(listener, s[role]), role
    assert listener.of(s["cam"], MessageKind.STATUS)
    assert not listener.of(s["cam"], MessageKind.TELEMETRY)
    # Pressure around the set point of each monitor's regulator (6 kPa) or the default (2 kPa).
    for role in ("pm_reg", "pm_site"):
        values = [i["values"]["pressure_kpa"] for i in telemetry(listener, s[role])]
        assert all(0.85 < v / sim_world.set_kpa[role] < 1.1 for v in values), (role, values)
    # Cadence: report_interval_s / speed apart, seq counting up; never more than the schedule.
    for role, interval in (("lm", 60), ("pm_reg", 300), ("cam", 60)):
        kind = MessageKind.STATUS if role == "cam" else MessageKind.TELEMETRY
        items = [i for m in listener.of(s[role], kind) for i in m.items]
        times = [parse_ts(i["ts"]).timestamp() for i in items]
        gaps = [b - a for a, b in itertools.pairwise(times)]
        assert gaps and all(abs(g - interval / speed) < 0.002 for g in gaps), (role, gaps)
        assert len(items) <= 3.0 * speed / interval + 1
        if kind is MessageKind.TELEMETRY:
            assert [i["seq"] for i in items] == list(range(1, len(items) + 1))
    # Heartbeats: battery, signal and firmware; mains-powered kinds send no battery.
    first = listener.of(s["wm"], MessageKind.STATUS)[0].body
    assert first["online"] is True and {"battery_pct", "rssi_dbm", "firmware"} <= set(first)
    assert "battery_pct" not in listener.of(s["lm"], MessageKind.STATUS)[0].body
    # Two timestamp forms: household alarms send epoch ms, the others RFC 3339.
    assert isinstance(telemetry(listener, s["ha"])[0]["ts"], int)
    assert isinstance(telemetry(listener, s["wm"])[0]["ts"], str)


def test_offline_devices_go_quiet_then_catch_up_with_an_array(
    sim_world: SimWorld, broker: str, listen: Callable[..., Listener]
) -> None:
    serial = sim_world.serials["lm"]
    listener = listen([serial])
    # Every device flaky; a laser reports every 0.05 s at x1200: it drops within 20 reports
    # and is back within 15 more.
    handle = run(sim_world, broker, ["lm"], speed=1200, duration=3.0, offline_share=1.0)
    received_all(listener, handle)
    stream = listener.of(serial)
    statuses = [m.body["online"] for m in stream if m.kind is MessageKind.STATUS]
    assert False in statuses and True in statuses[statuses.index(False) :]
    arrays = [m for m in stream if m.kind is MessageKind.TELEMETRY and isinstance(m.body, list)]
    assert arrays and len(arrays[0].body) >= 4 and handle.stats.catch_up >= 1
    back = stream.index(arrays[0])
    assert stream[back - 1].kind is MessageKind.STATUS and stream[back - 1].body["online"]
    # Nothing lost or repeated across the outage: the seq runs on without a gap.
    seqs = [i["seq"] for i in telemetry(listener, serial)]
    assert seqs == list(range(1, len(seqs) + 1))


def test_same_seed_same_signals(
    sim_world: SimWorld, broker: str, listen: Callable[..., Listener]
) -> None:
    roles = ["pm_reg", "wm", "fm"]

    def signals(seed: int) -> dict[str, list[Any]]:
        listener = listen([sim_world.serials[r] for r in roles])
        handle = run(
            sim_world, broker, roles, speed=1200, duration=1.5, seed=seed, clock_start=CLOCK
        )
        received_all(listener, handle)
        listener.stop()
        return {
            r: [(i["seq"], i["values"]) for i in telemetry(listener, sim_world.serials[r])]
            for r in roles
        }

    first, again, other = signals(11), signals(11), signals(12)
    for role in roles:
        n = min(len(first[role]), len(again[role]))
        assert n >= 3
        assert first[role][:n] == again[role][:n], role
        assert first[role][:n] != other[role][:n], role


class Receiver(BaseHTTPRequestHandler):
    posts: list[tuple[str, str, dict[str, Any]]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.posts.append((self.path, self.headers["Authorization"], body))
        self.send_response(202)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def webhook() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), Receiver)
    Receiver.posts = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_each_incident_shows_its_signature(
    sim_world: SimWorld, broker: str, listen: Callable[..., Listener], webhook: str
) -> None:
    listener = listen(sim_world.active)
    # The network leak needs a modelled network: tests/network/test_network_sim.py plays it.
    kinds = [k.value + "@0.3" for k in IncidentKind if k is not IncidentKind.NETWORK_LEAK]
    # Played 20 times faster: the 160 s leak takes 8 s.
    handle = run(
        sim_world,
        broker,
        speed=60,
        duration=8.8,
        incidents=kinds,
        incident_pace=20,
        offline_share=0.0,
        http_url=webhook,
    )
    received_all(listener, handle)
    target = {run.spec.kind: run.serial for run in handle.simulator.runs}
    s = sim_world.serials
    assert target[IncidentKind.LEAK] == s["wm"] and target[IncidentKind.COOKING] == s["ha"]
    assert {target[IncidentKind.OVERPRESSURE], target[IncidentKind.PRESSURE_DROP]} == {
        s["pm_reg"],
        s["pm_site"],
    }

    def series(kind: IncidentKind, metric: str) -> list[tuple[float, float]]:
        return [
            (parse_ts(i["ts"]).timestamp(), i["values"][metric])
            for i in telemetry(listener, target[kind])
            if metric in i["values"]
        ]

    leak_series = series(IncidentKind.LEAK, "methane_lel_pct")
    leak = [v for _, v in leak_series]
    over_25 = next(n for n, v in enumerate(leak) if v > 25)
    over_50 = next(n for n, v in enumerate(leak) if v > 50)
    above_50 = [t for t, v in leak_series if v > 50]
    # The readings carry their scheduled times and a late run still sends its whole schedule:
    # above 50 %LEL from scenario second ~68 to ~124, 2.8 s here, whatever the machine's load.
    assert over_25 < over_50 and 2.5 < above_50[-1] - above_50[0] < 3.1 and leak[-1] < 5

    set_kpa = {s[r]: sim_world.set_kpa[r] for r in ("pm_reg", "pm_site")}
    serial = target[IncidentKind.OVERPRESSURE]
    over = [v for _, v in series(IncidentKind.OVERPRESSURE, "pressure_kpa")]
    assert max(over) > 1.5 * set_kpa[serial] and abs(over[-1] / set_kpa[serial] - 1) < 0.1

    serial = target[IncidentKind.PRESSURE_DROP]
    drop = series(IncidentKind.PRESSURE_DROP, "pressure_kpa")
    low = next(n for n, (_, v) in enumerate(drop) if v < 0.2 * set_kpa[serial])
    # The last sample still near the set point (-1: a late first tick came after the fall began)
    fell_from = max(
        (n for n, (_, v) in enumerate(drop[:low]) if v > 0.9 * set_kpa[serial]), default=-1
    )
    # The fall takes about 10 s of the scenario (0.5 s here, a sample every 0.05 s): at most
    # ten samples apart (a busy machine's late tick only makes them fewer).
    assert 0 < low - fell_from <= 10, (fell_from, low)

    cooking = [v for _, v in series(IncidentKind.COOKING, "methane_lel_pct")]
    assert max(cooking) > 20 and cooking[-1] < 2

    intrusions = [m.body for m in listener.of(s["wi"], MessageKind.EVENT)]
    assert [e["event"] for e in intrusions] == ["intrusion", "intrusion"]
    smoke = [m.body for m in listener.of(s["cam"], MessageKind.EVENT)]
    assert smoke and all(e["event"] == "smoke" and e["snapshot_url"] for e in smoke)
    # The camera's webhook form: the same event, with the device's token.
    assert [p[0] for p in Receiver.posts] == [f"/api/v1/ingest/camera/{s['cam']}"] * len(smoke)
    assert Receiver.posts[0][1] == f"Bearer {sim_world.tokens['cam']}"
    flat = {**smoke[0]["detail"], **{k: v for k, v in smoke[0].items() if k != "detail"}}
    assert Receiver.posts[0][2] == flat and flat["event"] == "smoke" and flat["snapshot_url"]

    notes = handle.stats.incidents
    assert len(handle.stats.incidents_started) == len(kinds)
    assert any("leak" in n and "ended" in n for n in notes)


def test_a_late_run_still_sends_its_whole_schedule(
    sim_world: SimWorld,
    broker: str,
    listen: Callable[..., Listener],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A machine too busy to keep up: the run stalls past its end on its first report, yet it
    ends only when its schedule has passed the duration, having sent every report planned."""
    serial = sim_world.serials["pm_reg"]
    listener = listen([serial])
    report = Simulator._report
    stalled: list[float] = []

    def stall_once(self: Simulator, offset: float, state: Any) -> None:
        if not stalled:
            stalled.append(offset)
            time.sleep(1.5)
        report(self, offset, state)

    monkeypatch.setattr(Simulator, "_report", stall_once)
    # A report every 300 s of the model, 0.1 s here, for 1 s.
    handle = run(sim_world, broker, ["pm_reg"], speed=3000, duration=1.0, offline_share=0.0)
    received_all(listener, handle)
    times = [parse_ts(i["ts"]).timestamp() for i in telemetry(listener, serial)]
    assert stalled and stalled[0] < 0.1
    # Every 0.1 s from the first offset to the end: 9 or 10 of them, spaced on the schedule.
    assert len(times) == int((1.0 - stalled[0]) / 0.1) + 1 >= 9, (stalled, times)
    assert all(abs(b - a - 0.1) < 0.002 for a, b in itertools.pairwise(times))
