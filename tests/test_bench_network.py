"""`gaswarden bench network` with tiny parameters: figures printed, last line well formed."""

from __future__ import annotations

import math
import re

import pytest
from typer.testing import CliRunner

from gaswarden.cli.common import console
from gaswarden.cli.main import app

LINE = re.compile(
    r"solve_s=(\S+) matrix_s=(\S+) median_m=(\S+) within200=(\S+) within300=(\S+) "
    r"top10=(\S+) daily_mape=(\S+) hourly_mape=(\S+)"
)


def test_bench_network_prints_figures_and_the_summary_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The console took its width when first imported (80 in a worker without a terminal):
    # wide enough for the tables' rows not to wrap, whichever test imported it first.
    monkeypatch.setattr(console, "width", 200)
    result = CliRunner().invoke(
        app, ["bench", "network", "--leaks", "4", "--sensors", "2", "--no-forecast"],
        env={"COLUMNS": "200"},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "cosine (baseline" in result.output and "ours" in result.output
    last = result.output.strip().splitlines()[-1]
    match = LINE.fullmatch(last)
    assert match, last
    solve_s, matrix_s, median_m, w200, w300, top10 = (float(g) for g in match.groups()[:6])
    assert 0 < solve_s < 5 and 0 < matrix_s < 60
    assert 0 <= median_m < 3000  # the town is ~3 km across
    assert 0 <= w200 <= w300 <= 1 and 0 <= top10 <= 1
    assert all(math.isnan(float(g)) for g in match.groups()[6:])  # forecast skipped
