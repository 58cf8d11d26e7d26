"""Users' pressure fluctuations per area on readings whose answer is worked out by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from gaswarden.network.fluctuation import by_area, excursions


def _readings() -> tuple[pd.DataFrame, pd.DataFrame]:
    ts = pd.date_range("2026-01-05", periods=6, freq="h", tz="UTC")
    rows = []
    # area A, device 1 (band 2.0-3.0 kPa): one excursion below (2 readings), one above
    for t, p in zip(ts, [2.5, 1.8, 1.5, 2.6, 3.3, 2.8], strict=True):
        rows.append(("d1", "A", t, p))
    # area A, device 2: always inside
    for t in ts:
        rows.append(("d2", "A", t, 2.5))
    # area B, device 3 (band 2.0-3.0): inside, then silent 10 h, then low
    for t, p in [(ts[0], 2.5), (ts[1], 2.5), (ts[2], 2.4), (ts[2] + pd.Timedelta(hours=10), 1.0)]:
        rows.append(("d3", "B", t, p))
    readings = pd.DataFrame(rows, columns=["device", "area", "ts", "pressure_kpa"])
    bands = pd.DataFrame(
        {"device": ["d1", "d2", "d3"], "low_kpa": [2.0] * 3, "high_kpa": [3.0] * 3}
    )
    return readings, bands


def test_how_often_how_far_how_long() -> None:
    readings, bands = _readings()
    table = by_area(readings, bands).set_index("area")
    a = table.loc["A"]
    assert a["devices"] == 2 and a["readings"] == 12
    assert a["outside"] == 3 and a["below"] == 2 and a["above"] == 1
    assert a["excursions"] == 2
    assert a["share_outside"] == pytest.approx(3 / 12)
    assert a["max_excursion_kpa"] == pytest.approx(0.5)  # 1.5 under a 2.0 floor
    assert a["mean_excursion_kpa"] == pytest.approx((0.2 + 0.5 + 0.3) / 3)
    assert a["max_excursion_pct"] == pytest.approx(25.0)
    assert a["hours_outside"] == pytest.approx(3.0)
    assert a["hours_observed"] == pytest.approx(12.0)
    b = table.loc["B"]
    assert b["excursions"] == 1 and b["max_excursion_kpa"] == pytest.approx(1.0)
    # the 10 h silence counts as at most 3 usual intervals; the last reading one interval
    assert b["hours_observed"] == pytest.approx(1 + 1 + 3 + 1)
    assert b["hours_outside"] == pytest.approx(1.0)
    # A spent 3 of 12 hours outside, B 1 of 6: the worst comes first
    assert list(table.index) == ["A", "B"]


def test_excursion_numbers_restart_on_a_new_side() -> None:
    readings, bands = _readings()
    frame = excursions(readings, bands)
    d1 = frame[frame["device"] == "d1"]
    assert d1["side"].tolist() == [0, -1, -1, 0, 1, 0]
    assert d1["excursion_no"].tolist() == [0, 1, 1, 0, 2, 0]


def test_bad_bands_are_rejected() -> None:
    readings, bands = _readings()
    bands.loc[0, "low_kpa"] = 5.0
    with pytest.raises(ValueError):
        by_area(readings, bands)
    with pytest.raises(ValueError):
        by_area(readings.drop(columns=["area"]), bands)


def test_no_readings_gives_an_empty_table() -> None:
    _, bands = _readings()
    empty = pd.DataFrame(columns=["device", "area", "ts", "pressure_kpa"])
    assert by_area(empty, bands).empty
