"""`gaswarden bench drain` with a tiny backlog: the table, the summary line's format and no
message lost (not speed: tests never assert on wall-clock figures)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import IN_CI, postgres_or_skip

LINE = re.compile(
    r"^messages_per_s=(\d+) worker_us_per_msg=([\d.]+|nan) "
    r"postgres_us_per_msg=([\d.]+|nan) lost=(\d+)$"
)


def test_bench_drain_smoke(request: pytest.FixtureRequest) -> None:
    if request.config.getoption("--db") == "sqlite":
        pytest.skip("the drain benchmark runs on PostgreSQL")
    if shutil.which("mosquitto") is None and not Path("/usr/sbin/mosquitto").exists():
        if IN_CI:
            pytest.fail("mosquitto is not installed")
        pytest.skip("mosquitto is not installed (apt-get install mosquitto)")
    server = postgres_or_skip() + "postgres"
    result = subprocess.run(
        [sys.executable, "-m", "gaswarden", "bench", "drain", "--database-url", server,
         "-n", "3000", "--devices", "30", "--runs", "2", "--processes", "2"],
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "COLUMNS": "200"},
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    match = LINE.match(lines[-1])
    assert match, lines[-1]
    assert match.group(4) == "0", result.stdout  # lost
    assert int(match.group(1)) > 0, result.stdout
    assert float(match.group(2)) > 0, result.stdout
    assert "stored 3000/3000" in result.stdout, result.stdout
    assert result.stdout.count("µs/msg") >= 2, result.stdout
