"""`gaswarden bench pipeline` prints storage-only and storage+rules figures and their ratio."""

from __future__ import annotations

import re

from typer.testing import CliRunner

from gaswarden.cli.main import app
from tests.conftest import postgres_or_skip


def test_bench_pipeline_prints_figures_and_ratio() -> None:
    server = postgres_or_skip()
    result = CliRunner().invoke(
        app,
        ["bench", "pipeline", "--database-url", server + "postgres",
         "--devices", "20", "--batches", "3", "--size", "40"],
        env={"COLUMNS": "200"},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "store only (baseline)" in result.output and "store + rules" in result.output
    last = result.output.strip().splitlines()[-1]
    match = re.fullmatch(r"store_only_per_s=(\d+) with_rules_per_s=(\d+) ratio=([\d.]+)", last)
    assert match, last
    assert int(match.group(1)) > 0 and int(match.group(2)) > 0
