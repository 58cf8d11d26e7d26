"""`gaswarden ingest` as a process: stores what devices publish, and keeps its spool under a
directory of its own client id, so that workers sharing a data directory never share a spool."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import timedelta

from sqlalchemy import func, select

from gaswarden.domains.telemetry.models import Reading
from gaswarden.ingestion.contract import topic_for
from gaswarden.ingestion.spool import spool_dir
from tests.ingestion.conftest import Broker, Live, publisher, wait_for, worker_session
from tests.ingestion.helpers import ago, credentials, telemetry


def test_ingest_process_stores_and_spools_per_client(live: Live, broker: Broker) -> None:
    settings = live.db.settings
    env = {
        **os.environ,
        "GASWARDEN_MQTT_URL": broker.url,
        "GASWARDEN_DATA_DIR": str(settings.data_dir),
        "GASWARDEN_DATABASE_URL": settings.resolved_database_url,
        "GASWARDEN_SECRET_KEY": settings.secret_key,
    }
    # The worker's persistent session first: readings wait for it however slow its start.
    worker_session(broker.url, "gw-cli/a")
    proc = subprocess.Popen(
        [sys.executable, "-m", "gaswarden", "ingest", "--client-id", "gw-cli/a"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        device = live.world.ids["dev_box"]
        with live.session() as s:
            serial, _ = credentials(s, device)
        base = ago(minutes=3)

        def stored() -> int:
            with live.session() as s:
                stmt = select(func.count()).where(
                    Reading.device_id == device, Reading.metric == "temperature_c",
                    Reading.ts >= base,
                )  # fmt: skip
                return int(s.scalar(stmt) or 0)

        with publisher(broker.url, client_id="pub-cli") as pub:
            for i in range(3):
                pub.publish(
                    topic_for(serial, "telemetry"),
                    telemetry(base + timedelta(seconds=i), temperature_c=20.0),
                    qos=1,
                ).wait_for_publish(10)
            wait_for(
                lambda: stored() == 3, timeout=60, what="readings stored by the ingest process"
            )
        assert spool_dir(settings, "gw-cli/a").is_dir()
        assert spool_dir(settings, "gw-cli/a") != spool_dir(settings, "gw-cli-b")
        assert spool_dir(settings, "gw-cli/a").parent == settings.data_dir / "spool"
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=20)
    assert proc.returncode == 0, out.decode(errors="replace")[-2000:]
    assert b"Traceback" not in out, out.decode(errors="replace")[-2000:]
