"""LPG cylinders: service life, periodic inspection, filling limits and the plausibility bounds
that the traceability chain checks. Each number is set here once, with its source."""

from __future__ import annotations

from datetime import date

# GB 5842-2006 (cylinders made after it took effect): design life 8 years, extendable by 4 on
# a passed inspection, scrapped at 12 years at the latest.
GB5842_EFFECTIVE = date(2007, 2, 1)  # GB 5842-2006 in force
DESIGN_LIFE_YEARS = 8  # GB 5842-2006
LIFE_EXTENSION_YEARS = 4  # GB 5842-2006: once, on a passed periodic inspection
MAX_LIFE_YEARS = 12  # GB 5842-2006: design life + extension
LEGACY_LIFE_YEARS = 15  # cylinders made before GB 5842-2006 (*verify*)

INSPECTION_INTERVAL_YEARS = 4  # GB/T 8334-2022 periodic inspection (*verify* the clause)

RECORD_KEEP_YEARS = 2  # DB4114/T 185-2023: filling and delivery records kept >= 2 years

# Nominal capacities (kg of LPG) of the cylinders in use: YSP5, YSP15, YSP50 (GB 5842-2006).
CAPACITIES_KG: tuple[int, ...] = (5, 15, 50)

# Re-weighing after filling (TSG 23-2021): net mass above nominal + tolerance is an over-fill
# and is refused. Tolerances per nominal capacity (GB 14193-2009 practice, *verify*).
OVERFILL_TOLERANCE_KG: dict[int, float] = {5: 0.2, 15: 0.5, 50: 1.0}

# ---- plausibility (practice, not a standard; overridable per deployment) ----------------------
# Two scans farther apart than this speed allows for the time between are one anomaly.
MAX_TRAVEL_KMH = 120.0
# Scans closer than this in distance are never "too far apart" (GPS noise, one town).
TRAVEL_SLACK_M = 2_000.0
# A residential customer receiving more than this much LPG in HEAVY_USE_DAYS is flagged:
# a household cooks with about one 15 kg cylinder a month.
HEAVY_USE_DAYS = 30
HEAVY_USE_KG_RESIDENTIAL = 60.0
HEAVY_USE_KG_COMMERCIAL = 1_500.0


def service_life_end(made_on: date, *, extended: bool = False) -> date:
    """The last day a cylinder may be in service: design life, or the maximum once extended."""
    if made_on < GB5842_EFFECTIVE:
        years = LEGACY_LIFE_YEARS
    else:
        years = MAX_LIFE_YEARS if extended else DESIGN_LIFE_YEARS
    return add_years(made_on, years)


def next_inspection(after: date) -> date:
    return add_years(after, INSPECTION_INTERVAL_YEARS)


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)
