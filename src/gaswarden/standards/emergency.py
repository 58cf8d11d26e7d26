"""Emergency plans, drills and reserves: the intervals and warnings, one place each."""

from __future__ import annotations

# A plan is evaluated and revised at least every three years
# (《生产安全事故应急预案管理办法》应急管理部令第2号 第三十五条).
PLAN_REVIEW_YEARS = 3

# A comprehensive or special-plan drill at least once a year, an on-site procedure drill at
# least every half year (应急管理部令第2号 第三十三条).
DRILLS_PER_YEAR_MIN = 1

# Reserves: flag maintenance this many days before it falls due (local practice).
MAINTENANCE_WARNING_DAYS = 30

# Reserves: flag consumables this many days before they expire (local practice).
EXPIRY_WARNING_DAYS = 30
