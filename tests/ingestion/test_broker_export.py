"""`gaswarden broker export` against a real Mosquitto: devices log in with serial and token and
may publish only to their own topics."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from pathlib import Path

import paho.mqtt.client as paho
from typer.testing import CliRunner

from gaswarden.cli.main import app
from gaswarden.ingestion.broker_files import password_hash
from gaswarden.ingestion.contract import topic_for
from tests.ingestion.conftest import MOSQUITTO, Live, need_mosquitto, wait_for
from tests.ingestion.helpers import credentials, free_port


def test_password_hash_is_what_mosquitto_passwd_writes(tmp_path: Path) -> None:
    need_mosquitto()
    pw = tmp_path / "pw"
    pw.write_text("")
    subprocess.run(["mosquitto_passwd", "-b", str(pw), "u", "s3cret"], check=True)
    line = pw.read_text().strip()
    _, _, iterations, salt, _ = line.split(":", 1)[1].split("$")
    import base64

    assert line.split(":", 1)[1] == password_hash("s3cret", base64.b64decode(salt))
    assert iterations == "101"


def connect(port: int, username: str, password: str) -> tuple[paho.Client, object]:
    client = paho.Client(
        paho.CallbackAPIVersion.VERSION2, client_id=f"t-{username}", protocol=paho.MQTTv5
    )
    client.username_pw_set(username, password)
    result: dict[str, object] = {}
    done = threading.Event()

    def on_connect(c, u, flags, reason, props) -> None:  # type: ignore[no-untyped-def]
        result["reason"] = reason
        done.set()

    client.on_connect = on_connect
    client.connect("127.0.0.1", port)
    client.loop_start()
    assert done.wait(5)
    return client, result["reason"]


def test_export_and_a_real_mosquitto_enforce_device_topics(live: Live, tmp_path: Path) -> None:
    need_mosquitto()
    port = free_port()
    out = tmp_path / "broker"
    env = {
        "GASWARDEN_DATABASE_URL": live.db.settings.resolved_database_url,
        "GASWARDEN_SECRET_KEY": "test-secret",
    }
    result = CliRunner().invoke(
        app,
        [
            "broker",
            "export",
            "--out",
            str(out),
            "--port",
            str(port),
            "--ingest-password",
            "ingest-pw",
            "--data-dir",
            str(tmp_path),
        ],
        env=env,
    )
    assert result.exit_code == 0, result.output
    conf = out / "mosquitto.conf"
    text = conf.read_text()
    assert "max_queued_messages 0" in text and "persistence true" in text
    if os.geteuid() == 0:  # mosquitto drops to user "mosquitto", who cannot read a tmp dir
        conf.write_text(text + "user root\n")
    proc = subprocess.Popen([MOSQUITTO, "-c", str(conf)])
    try:
        wait_for(lambda: _listening(port), timeout=10, what="mosquitto")
        with live.session() as s:
            gate, gate_token = credentials(s, live.world.ids["dev_gate"])
            box, _ = credentials(s, live.world.ids["dev_box"])
        got: list[str] = []
        ingest, reason = connect(port, "gaswarden-ingest", "ingest-pw")
        assert not reason.is_failure  # type: ignore[attr-defined]
        ingest.on_message = lambda c, u, m: got.append(m.topic)
        ingest.subscribe("gw/v1/devices/+/+", qos=1)
        time.sleep(0.3)

        _, bad = connect(port, gate, "not-the-token")
        assert bad.is_failure  # type: ignore[attr-defined]

        device, reason = connect(port, gate, gate_token)
        assert not reason.is_failure  # type: ignore[attr-defined]
        own = device.publish(
            topic_for(gate, "telemetry"), b'{"values": {"pressure_kpa": 1}}', qos=1
        )
        other = device.publish(
            topic_for(box, "telemetry"), b'{"values": {"pressure_kpa": 9}}', qos=1
        )
        own.wait_for_publish(5)
        other.wait_for_publish(5)
        wait_for(lambda: topic_for(gate, "telemetry") in got, what="own topic delivered")
        time.sleep(0.5)
        assert topic_for(box, "telemetry") not in got  # refused: not its topic
        for c in (ingest, device):
            c.disconnect()
            c.loop_stop()
    finally:
        proc.terminate()
        proc.wait(10)


def _listening(port: int) -> bool:
    import socket

    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
        return True
    except OSError:
        return False
