"""`gaswarden bench api` measures list latency against a /healthz baseline in the same run."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from gaswarden.cli.main import app
from tests.conftest import world_database
from tests.factories import PASSWORD


def test_bench_api_prints_figures_and_ratios(tmp_path: Path) -> None:
    db, _ = world_database("sqlite", tmp_path)
    db.cleanup()
    result = CliRunner().invoke(
        app,
        ["bench", "api", "--data-dir", str(tmp_path), "--password", PASSWORD, "--repeat", "3"],
        env={"COLUMNS": "200", "GASWARDEN_SECRET_KEY": "test-secret"},
    )
    assert result.exit_code == 0, result.output
    assert "/healthz (baseline)" in result.output
    assert "/api/v1/devices?size=50" in result.output
    rows = [line for line in result.output.splitlines() if "/api/v1/" in line]
    assert len(rows) >= 5
    bad = CliRunner().invoke(
        app,
        ["bench", "api", "--data-dir", str(tmp_path), "--password", "wrong", "--repeat", "3"],
        env={"GASWARDEN_SECRET_KEY": "test-secret"},
    )
    assert bad.exit_code != 0
