"""`gaswarden bench cylinders` at a tiny scale: the table, the targets beside the figures, the
server settings and loader count beside them, the summary line's format, and that the
concurrent loaders load every generated scan exactly once (not speed: tests never assert on
wall-clock figures)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from gaswarden.bench.cylinder_load import part_of, split
from gaswarden.bench.cylinders import settings_warning
from gaswarden.domains.cylinder.enums import EventKind
from gaswarden.domains.cylinder.event_schemas import CylinderEventIn
from tests.conftest import postgres_or_skip

LINE = re.compile(
    r"^events_per_s=(\d+) timeline_p99_ms=([\d.]+) recall_p99_ms=([\d.]+) overdue_ms=([\d.]+)$"
)
COUNTS = re.compile(
    r"generated ([\d,]+), submitted ([\d,]+), duplicates ([\d,]+), stored ([\d,]+);"
)
BASELINE = re.compile(
    r"baseline: ([\d,]+) scans parsed by json.loads and COPYed into a copy of the scan table"
    r" with its indexes, no checks: ([\d,]+) scans/s \(([\d.]+) us of CPU a scan\); the load"
    r" at ([\d.]+) of it"
)
SETTINGS = re.compile(
    r"^PostgreSQL shared_buffers=\S+ max_wal_size=\S+ synchronous_commit=\S+ "
    r"checkpoint_timeout=\S+ autovacuum=(?:on|off); (\d+) loaders, (\d+) scans a request$",
    re.MULTILINE,
)


def _bench(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gaswarden", "bench", "cylinders", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "COLUMNS": "200"},
    )


def test_bench_cylinders_smoke(request: pytest.FixtureRequest) -> None:
    loaders = 2  # concurrent loaders: each scan submitted by exactly one of them
    if request.config.getoption("--db") == "sqlite":
        pytest.skip("the cylinder benchmark runs on PostgreSQL")
    server = postgres_or_skip() + "postgres"
    result = _bench("--database-url", server, "--scale", "0.0005", "--batch", "300",
                    "--loaders", str(loaders))  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    match = LINE.match(lines[-1])
    assert match, lines[-1]
    assert all(float(v) > 0 for v in match.groups()), lines[-1]
    assert "500 cylinders, 100 customers, 10,000 scans" in result.stdout, result.stdout
    counts = COUNTS.search(result.stdout)
    assert counts, result.stdout
    generated, submitted, duplicates, stored = (int(g.replace(",", "")) for g in counts.groups())
    # every generated scan submitted by exactly one loader and stored once: none lost or doubled
    assert (generated, submitted, duplicates, stored) == (10_000, 10_000, 0, 10_000)
    # the baseline of the same run: the first tenth of each loader's scans, no checks
    baseline = BASELINE.search(" ".join(result.stdout.split()))
    assert baseline, result.stdout
    bare, per_s, cpu_us, ratio = baseline.groups()
    assert int(bare.replace(",", "")) == 1_000  # 10 % of 10,000, split over the loaders
    assert int(per_s.replace(",", "")) > 0 and float(cpu_us) > 0 and float(ratio) > 0
    found = list(SETTINGS.finditer(result.stdout))
    assert len(found) == 2, result.stdout  # said first (before the setup) and with the figures
    assert all(f.groups() == (str(loaders), "300") for f in found)
    assert found[0].start() < result.stdout.index("registry:"), result.stdout
    assert ">= 20,000" in result.stdout and "< 500" in result.stdout, result.stdout
    assert "scratch database kept" not in result.stdout


def test_bench_cylinders_batch_is_capped_at_the_api_maximum() -> None:
    result = _bench("--database-url", "postgresql+psycopg://nobody@127.0.0.1:1/x",
                    "--batch", "5001", timeout=60)  # fmt: skip
    assert result.returncode == 2, result.stdout + result.stderr
    assert "--batch" in result.stderr and "5000" in result.stderr, result.stderr


def test_split_keeps_each_cylinders_scans_in_one_file_in_order(tmp_path: Path) -> None:
    t0 = datetime(2026, 3, 1, 8, tzinfo=UTC)
    scans = [
        CylinderEventIn(key=f"K{n}", kind=EventKind.FILL, tag_code=f"TAG{n % 7}",
                        occurred_at=t0 + timedelta(minutes=n), site_code="S-1")
        for n in range(60)
    ]  # fmt: skip
    got = split(scans, tmp_path, 3)
    assert got.scans == 60 and len(got.paths) == 3
    read = [
        [CylinderEventIn.model_validate_json(line) for line in path.open(encoding="utf-8")]
        for path in got.paths
    ]
    assert sum(len(r) for r in read) == 60
    for part, loaded in enumerate(read):
        assert all(part_of(s.tag_code, 3) == part for s in loaded)
        # arrival order kept: the same scans, in the same order as the input's subsequence
        assert loaded == [s for s in scans if part_of(s.tag_code, 3) == part]
    assert {len(r) > 0 for r in read} == {True}  # 7 tags spread over all 3 files


def test_a_server_unlike_a_citys_is_pointed_out() -> None:
    """Before half an hour of load on a server with PostgreSQL's own shared_buffers or with
    autovacuum off, the bench says so (and names docs/deploy.md); a deployment's settings get
    no note."""
    city = {"shared_buffers": "4GB", "max_wal_size": "16GB", "autovacuum": "on"}
    assert settings_warning(city) is None
    note = settings_warning({**city, "shared_buffers": "128MB", "max_wal_size": "1GB"})
    assert note is not None and "docs/deploy.md" in note and "128MB" in note
    assert "autovacuum" not in note
    note = settings_warning({**city, "autovacuum": "off"})
    assert note is not None and "docs/deploy.md" in note and "autovacuum off" in note
    assert "128MB" not in note
    both = settings_warning({**city, "shared_buffers": "128MB", "autovacuum": "off"})
    assert both is not None and "128MB" in both and "autovacuum off" in both
