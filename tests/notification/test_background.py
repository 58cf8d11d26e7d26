"""The sender runs in the background of `gaswarden serve` and `gaswarden ingest`: an alarm
raised through the HTTP ingest API or over MQTT reaches a webhook without `notify run`;
GASWARDEN_NOTIFY_SENDER_ENABLED=false leaves the delivery to `notify run`.

Each command runs as a real process against a database of this module's own (the processes
commit), on both backends."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker

from gaswarden.core.auth import SYSTEM
from gaswarden.domains.notification.channels import verify
from gaswarden.domains.notification.service import subscriptions
from gaswarden.ingestion.contract import topic_for
from tests.alarm.helpers import device
from tests.conftest import Database, world_database
from tests.factories import World
from tests.ingestion.conftest import Broker, need_mosquitto, publisher, wait_for, worker_session
from tests.ingestion.helpers import ago, credentials, free_port, iso, telemetry
from tests.notification.conftest import HttpReceiver

SECRET = "background-sender-test-secret"


@dataclass
class Env:
    db: Database
    world: World

    def session(self) -> Session:
        return sessionmaker(bind=self.db.engine, expire_on_commit=False)()

    def process_env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("GASWARDEN_")}
        settings = self.db.settings
        env.update(
            GASWARDEN_DATA_DIR=str(settings.data_dir),
            GASWARDEN_DATABASE_URL=settings.resolved_database_url,
            GASWARDEN_SECRET_KEY=settings.secret_key,
            GASWARDEN_NOTIFY_POLL_S="0.2",
            **extra,
        )
        return env


@pytest.fixture(scope="module")
def env(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    db, world = world_database(backend, tmp_path_factory.mktemp(f"notify-bg-{backend}"))
    yield Env(db, world)
    db.cleanup()


def methane_device(env: Env, serial: str) -> tuple[str, str]:
    with env.session() as s:
        dev = device(s, serial, "well_methane", site_id=env.world.ids["gate"])
        s.commit()
        return credentials(s, dev)


def webhook(env: Env, url: str, name: str) -> int:
    with env.session() as s:
        sub = subscriptions.create(
            session=s,
            principal=SYSTEM,
            data={
                "name": name,
                "channel": "webhook",
                "target": url,
                "audience": "enterprise",
                "owner_id": env.world.ids["ent_a"],
                "secret": SECRET,
            },
        )
        s.commit()
        return int(sub.id)


def start(args: list[str], environ: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "gaswarden", *args],
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def stop(proc: subprocess.Popen[str]) -> str:
    """SIGTERM, as a service manager stops it; the process must end cleanly."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    try:
        out, _ = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
        raise AssertionError(f"the process did not stop on SIGTERM:\n{out[-3000:]}") from None
    assert proc.returncode == 0, out[-3000:]
    assert "Traceback" not in out, out[-3000:]
    return out


def wait_ready(proc: subprocess.Popen[str], base: str) -> None:
    def ready() -> bool:
        assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
        try:
            return httpx.get(f"{base}/readyz", timeout=2).status_code == 200
        except httpx.TransportError:
            return False

    wait_for(ready, timeout=60, what="the server to be ready")


def serve(env: Env, port: int, **extra: str) -> subprocess.Popen[str]:
    args = ["serve", "--port", str(port), "--no-broker", "--no-migrate"]
    return start(args, env.process_env(**extra))


def post_methane(base: str, serial: str, token: str, value: float) -> None:
    body = {"ts": iso(ago(seconds=30)), "seq": 1, "values": {"methane_lel_pct": value}}
    r = httpx.post(
        f"{base}/api/v1/ingest/{serial}/telemetry",
        json=body,
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert r.status_code == 200 and r.json()["accepted"] == 1, r.text


def deliveries(base: str, env: Env, alarm_id: int | None = None) -> list[dict[str, Any]]:
    headers = env.world.headers("ent_a_admin")
    params: dict[str, Any] = {"size": 100}
    if alarm_id is not None:
        params["alarm_id"] = alarm_id
    r = httpx.get(f"{base}/api/v1/notifications", params=params, headers=headers, timeout=10)
    assert r.status_code == 200, r.text
    return list(r.json()["items"])


def test_serve_delivers_an_alarm_raised_through_its_api(
    env: Env, receiver: HttpReceiver, tmp_path: Path
) -> None:
    serial, token = methane_device(env, "SN-BG-SERVE")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = serve(env, port)
    try:
        wait_ready(proc, base)
        # Subscribed through the API of the running server, as an enterprise admin does.
        created = httpx.post(
            f"{base}/api/v1/notification-subscriptions",
            json={
                "channel": "webhook",
                "target": f"{receiver.url}/serve",
                "audience": "enterprise",
                "name": "serve hook",
            },
            headers=env.world.headers("ent_a_admin"),
            timeout=10,
        )
        assert created.status_code == 201, created.text
        secret = created.json()["secret"]
        post_methane(base, serial, token, 32.5)

        def arrived() -> bool:
            return any(r.path == "/serve" for r in receiver.requests)

        wait_for(arrived, timeout=30, what="the webhook to be delivered by serve")
        [req] = [r for r in receiver.requests if r.path == "/serve"]
        assert verify(req.body, secret, req.headers["X-GasWarden-Signature"])
        doc = req.json()
        assert doc["serial"] == serial and doc["values"]["last"] == 32.5

        def recorded_sent() -> bool:
            rows = deliveries(base, env, doc["alarm_id"])
            return [(r["subscription_id"], r["status"]) for r in rows] == [
                (created.json()["id"], "sent")
            ]

        wait_for(recorded_sent, timeout=30, what="the delivery to be recorded as sent")
    finally:
        out = stop(proc)
    assert "报警通知发送已启动" in out


def test_serve_with_the_sender_off_leaves_delivery_to_notify_run(
    env: Env, receiver: HttpReceiver
) -> None:
    serial, token = methane_device(env, "SN-BG-OFF")
    sub_id = webhook(env, f"{receiver.url}/off", "off hook")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = serve(env, port, GASWARDEN_NOTIFY_SENDER_ENABLED="false")
    try:
        wait_ready(proc, base)
        post_methane(base, serial, token, 33.0)
        # (subscriptions of the module's earlier tests are told too; only this one matters)
        mine = [r for r in deliveries(base, env) if r["subscription_id"] == sub_id]
        assert [(r["status"], r["payload"]["serial"]) for r in mine] == [("pending", serial)]
        assert not [r for r in receiver.requests if r.path == "/off"]
        # `notify run` delivers it.
        once = subprocess.run(
            [sys.executable, "-m", "gaswarden", "notify", "run", "--once"],
            env=env.process_env(),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert once.returncode == 0, once.stdout + once.stderr
        [req] = [r for r in receiver.requests if r.path == "/off"]
        assert req.json()["serial"] == serial
        rows = deliveries(base, env, mine[0]["alarm_id"])
        assert [r["status"] for r in rows if r["subscription_id"] == sub_id] == ["sent"]
    finally:
        out = stop(proc)
    assert "GASWARDEN_NOTIFY_SENDER_ENABLED=false" in out


def test_ingest_worker_delivers_an_alarm_published_over_mqtt(
    env: Env, receiver: HttpReceiver, tmp_path: Path
) -> None:
    need_mosquitto()
    broker = Broker(tmp_path)
    broker.start()
    serial, _ = methane_device(env, "SN-BG-MQTT")
    webhook(env, f"{receiver.url}/mqtt", "mqtt hook")
    # The worker's persistent session first: the readings wait in the broker for the worker,
    # however long a busy machine takes to start it.
    worker_session(broker.url, "gw-notify-bg")
    proc = start(
        ["ingest", "--client-id", "gw-notify-bg"],
        env.process_env(GASWARDEN_MQTT_URL=broker.url),
    )
    try:
        with publisher(broker.url, client_id="pub-notify-bg") as pub:
            base = ago(minutes=2)
            sent = [
                pub.publish(
                    topic_for(serial, "telemetry"),
                    telemetry(base + timedelta(seconds=i), methane_lel_pct=34.0),
                    qos=1,
                )
                for i in range(30)  # 30 s above 25 %LEL
            ]
            for info in sent:
                info.wait_for_publish(10)

            def delivered() -> bool:
                assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
                return any(r.path == "/mqtt" for r in receiver.requests)

            wait_for(delivered, timeout=60, what="the webhook to be delivered by ingest")
        [req] = [r for r in receiver.requests if r.path == "/mqtt"]
        assert verify(req.body, SECRET, req.headers["X-GasWarden-Signature"])
        assert req.json()["serial"] == serial and req.json()["rule"] == "methane_lel"
    finally:
        out = stop(proc)
        broker.stop()
    assert "报警通知发送已启动" in out
