"""`gaswarden demo` runs the live platform: the embedded broker, an ingest worker with the rules
engine and the simulator. Within a minute of start the API shows live values and an alarm; a
real MQTT client logged in as a demo device gets a reading stored; Ctrl-C stops it all."""

from __future__ import annotations

import csv
import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import paho.mqtt.client as paho
import pytest

from gaswarden.ingestion.contract import topic_for
from gaswarden.sim.demo_district import DEMO_PASSWORD


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Demo:
    proc: subprocess.Popen[str]
    base: str
    data_dir: Path
    lines: list[str] = field(default_factory=list)

    @property
    def output(self) -> str:
        return "".join(self.lines)


def wait_until(check: Callable[[], Any], *, seconds: float, what: str, demo: Demo) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        assert demo.proc.poll() is None, f"demo exited while waiting for {what}:\n{demo.output}"
        result = check()
        if result:
            return result
        assert time.monotonic() < deadline, f"no {what} within {seconds:g} s:\n{demo.output}"
        time.sleep(0.5)


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Demo]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GASWARDEN_")}
    env["GASWARDEN_SECRET_KEY"] = "demo-live-secret"
    port = free_port()
    data_dir = tmp_path / "data"
    command = ["demo", "--no-history", "--port", str(port), "--data-dir", str(data_dir)]
    proc = subprocess.Popen(
        [sys.executable, "-m", "gaswarden", *command],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    running = Demo(proc, f"http://127.0.0.1:{port}", data_dir)

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            running.lines.append(line)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        yield running
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(10)
        reader.join(5)


def ready(demo: Demo) -> bool:
    try:
        return httpx.get(f"{demo.base}/readyz", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def publish_as_device(port: int, serial: str, token: str, body: dict[str, Any]) -> None:
    client = paho.Client(
        paho.CallbackAPIVersion.VERSION2, client_id=f"test-{serial}", protocol=paho.MQTTv311
    )
    client.username_pw_set(serial, token)
    connected = threading.Event()
    refused: list[str] = []

    def on_connect(c: Any, u: Any, flags: Any, reason: Any, props: Any) -> None:
        if reason.is_failure:
            refused.append(str(reason))
        connected.set()

    client.on_connect = on_connect
    client.connect("127.0.0.1", port)
    client.loop_start()
    try:
        assert connected.wait(10) and not refused, f"device login refused: {refused}"
        info = client.publish(topic_for(serial, "telemetry"), json.dumps(body), qos=1)
        info.wait_for_publish(10)
        assert info.is_published()
    finally:
        client.disconnect()
        client.loop_stop()


def test_demo_shows_live_values_and_an_alarm_within_a_minute(demo: Demo) -> None:
    wait_until(lambda: ready(demo), seconds=90, what="/readyz", demo=demo)
    started = time.monotonic()

    # The embedded broker's real port, the same in the mosquitto_pub line and the CSV.
    found = re.search(r"MQTT broker \(embedded\) on 127\.0\.0\.1:(\d+)", demo.output)
    assert found, demo.output
    mqtt_port = int(found.group(1))
    line = next(x for x in demo.output.splitlines() if x.startswith("mosquitto_pub "))
    args = shlex.split(line)
    assert args[args.index("-p") + 1] == str(mqtt_port)
    with (demo.data_dir / "demo-devices.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert {r["broker"] for r in rows} == {f"mqtt://127.0.0.1:{mqtt_port}"}
    assert "simulating" in demo.output

    token = httpx.post(
        f"{demo.base}/api/v1/auth/token",
        json={"username": "reg_admin", "password": DEMO_PASSWORD},
        timeout=10,
    ).json()["token"]
    api = httpx.Client(
        base_url=f"{demo.base}/api/v1", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )

    def get(path: str, **params: Any) -> Any:
        r = api.get(path, params=params)
        assert r.status_code == 200, r.text
        return r.json()

    monitors = get("/devices", kind="pressure_monitor", status="active", size=20)["items"]
    assert len(monitors) == 20

    def live_monitors() -> int:
        count = sum(1 for d in monitors if get(f"/devices/{d['id']}/latest"))
        return count if count >= 5 else 0

    wait_until(live_monitors, seconds=60, what="live values", demo=demo)

    def incident_alarm() -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = get("/alarms", size=100)["items"]
        return [a for a in items if a["rule"] in ("event_smoke", "methane_lel")]

    remaining = 60 - (time.monotonic() - started)
    alarms = wait_until(incident_alarm, seconds=remaining, what="incident alarm", demo=demo)
    assert alarms[0]["grade"] in ("yellow", "orange", "red")

    # A real MQTT client, logged in as a demo device (hourly reports: the simulator will not
    # report for it in the meantime), gets its reading stored.
    (device,) = get("/devices", kind="household_alarm", status="active", size=1)["items"]
    row = next(r for r in rows if r["serial"] == device["serial"])
    ts = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    publish_as_device(
        mqtt_port, row["serial"], row["token"], {"ts": ts, "values": {"methane_lel_pct": 4.2}}
    )

    def stored() -> bool:
        latest = get(f"/devices/{device['id']}/latest")
        return any(x["metric"] == "methane_lel_pct" and x["value"] == 4.2 for x in latest)

    wait_until(stored, seconds=15, what="the published reading stored", demo=demo)
    api.close()

    demo.proc.send_signal(signal.SIGINT)  # Ctrl-C: uvicorn stops, then the simulator, broker
    assert demo.proc.wait(30) == 0, demo.output
    time.sleep(0.2)
    assert "stopped 已停止" in demo.output, demo.output
    assert "Traceback" not in demo.output, demo.output
