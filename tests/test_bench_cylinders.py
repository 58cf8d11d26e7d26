"""`gaswarden bench cylinders` at a tiny scale: the table, the targets beside the figures and
the summary line's format (not speed: tests never assert on wall-clock figures)."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from tests.conftest import postgres_or_skip

LINE = re.compile(
    r"^events_per_s=(\d+) timeline_p99_ms=([\d.]+) recall_p99_ms=([\d.]+) overdue_ms=([\d.]+)$"
)


def test_bench_cylinders_smoke(request: pytest.FixtureRequest) -> None:
    if request.config.getoption("--db") == "sqlite":
        pytest.skip("the cylinder benchmark runs on PostgreSQL")
    server = postgres_or_skip() + "postgres"
    result = subprocess.run(
        [sys.executable, "-m", "gaswarden", "bench", "cylinders", "--database-url", server,
         "--scale", "0.0005", "--batch", "300"],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "COLUMNS": "200"},
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    match = LINE.match(lines[-1])
    assert match, lines[-1]
    assert all(float(v) > 0 for v in match.groups()), lines[-1]
    assert "500 cylinders, 100 customers, 10,000 scans" in result.stdout, result.stdout
    assert ">= 20,000" in result.stdout and "< 500" in result.stdout, result.stdout
    assert "scratch database kept" not in result.stdout
