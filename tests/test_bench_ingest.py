"""`gaswarden bench ingest` with a tiny load: the table, the summary line's format and no
message lost (not speed: tests never assert on wall-clock figures)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import IN_CI, postgres_or_skip

LINE = re.compile(
    r"^messages_per_s=(\d+) readings_per_s=(\d+) ratio=([\d.]+) two_workers_per_s=(\d+) "
    r"p99_ms=(\d+) lost=(\d+)$"
)


def test_bench_ingest_smoke(request: pytest.FixtureRequest) -> None:
    if request.config.getoption("--db") == "sqlite":
        pytest.skip("the ingest benchmark runs on PostgreSQL")
    if shutil.which("mosquitto") is None and not Path("/usr/sbin/mosquitto").exists():
        if IN_CI:
            pytest.fail("mosquitto is not installed")
        pytest.skip("mosquitto is not installed (apt-get install mosquitto)")
    server = postgres_or_skip() + "postgres"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "gaswarden",
            "bench",
            "ingest",
            "--database-url",
            server,
            "-n",
            "600",
            "--devices",
            "30",
            "--processes",
            "2",
            "--rate",
            "300",
            "--duration",
            "2",
            "--alarms",
            "4",
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    match = LINE.match(lines[-1])
    assert match, lines[-1]
    assert match.group(6) == "0", result.stdout  # lost
    assert int(match.group(1)) > 0 and int(match.group(4)) > 0
    assert "baseline" in result.stdout and "two_workers" in result.stdout
    assert "4/4 alarms" in result.stdout, result.stdout


def test_publishers_exit_only_after_the_phase(tmp_path: Path) -> None:
    """The load generator's processes stay alive (idle) after their last PUBACK until
    `join()`: their exit tears down the whole imported CLI, a second of CPU each, which must
    not land inside the phase being measured."""
    if shutil.which("mosquitto") is None and not Path("/usr/sbin/mosquitto").exists():
        if IN_CI:
            pytest.fail("mosquitto is not installed")
        pytest.skip("mosquitto is not installed (apt-get install mosquitto)")
    from gaswarden.bench.load import Plan, Publishers, now_utc, private_mosquitto

    plan = Plan([f"PUB{i:03d}" for i in range(10)], 200, now_utc())
    with private_mosquitto() as url:
        pubs = Publishers(url, plan, 2)
        pubs.go()
        done = [pubs.done.get(timeout=60) for _ in pubs.procs]
        assert sum(acked for _, acked, _ in done) == plan.messages
        pubs.procs[0].join(5)  # a process let go would have exited well within this
        assert all(proc.is_alive() for proc in pubs.procs)  # held back after the last ack
        for item in done:
            pubs.done.put(item)  # join() reads them again
        assert pubs.join() == plan.messages
        assert not any(proc.is_alive() for proc in pubs.procs)
