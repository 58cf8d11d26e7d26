"""The forecast half of `gaswarden bench network`: on the demo's synthetic two-year hourly
history of one feed (sim/demand_history.py), a rolling-origin evaluation of day-ahead daily
and hourly MAPE for the model, seasonal naive (same hour / same day last week) and the
standard load profile sigmoid. Targets: daily ≤ 5 %, hourly ≤ 10 %, and at least 20 % better
than seasonal naive."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from gaswarden.network.forecast.evaluate import backtest, scores
from gaswarden.network.forecast.frames import hourly
from gaswarden.sim.demand_history import demand_history

ANNUAL_M3 = 3_714_267.0  # the Schutterwald sinks' demand_m3_per_a, summed
END = datetime(
    2026, 3, 1, tzinfo=UTC
)  # fixed (tests span Spring Festival 2026), so the figures do not move with the clock
FOLDS, TEST_DAYS = 12, 28  # the history's last 336 days, in 12 blocks
TARGETS = {"daily_mape": 5.0, "hourly_mape": 10.0}
BETTER_THAN_NAIVE = 0.2


def forecast_figures(
    *,
    seed: int = 0,
    echo: Callable[[str], None] = print,
    folds: int = FOLDS,
    test_days: int = TEST_DAYS,
    days: int = 730,
) -> dict[str, float]:
    """Day-ahead MAPE (percent) of the model and both baselines; one line per figure."""
    history = demand_history(annual_m3=ANNUAL_M3, end=END, seed=seed, days=days)
    result = backtest(hourly(history), folds=folds, test_days=test_days, seed=seed)
    figures = scores(result)
    echo(
        f"forecast: {len(history)} hours of history, {folds} rolling-origin blocks of "
        f"{test_days} days, day-ahead with temperature forecast error σ 1.5 °C"
    )
    for level in ("daily", "hourly"):
        model = figures[f"{level}_mape"]
        naive = figures[f"{level}_mape_naive"]
        sig = figures[f"{level}_mape_sigmoid"]
        target = TARGETS[f"{level}_mape"]
        gain = 1 - model / naive if naive else float("nan")
        verdict = "ok" if model <= target and gain >= BETTER_THAN_NAIVE else "MISSED"
        echo(f"  {level} MAPE model      {model:6.2f} %  (target ≤ {target:.0f} %)  {verdict}")
        echo(f"  {level} MAPE naive      {naive:6.2f} %  model/naive {model / naive:.2f}")
        echo(f"  {level} MAPE sigmoid    {sig:6.2f} %  model/sigmoid {model / sig:.2f}")
    return {
        key: figures[key]
        for key in (
            "daily_mape",
            "hourly_mape",
            "daily_mape_naive",
            "hourly_mape_naive",
            "daily_mape_sigmoid",
            "hourly_mape_sigmoid",
        )
    }
