"""The conversion programme's numbers and the quote's arithmetic, each set once here.

None of these numbers comes from a national standard: they are the district's local practice
(the pipeline company's service rules agreed with the regulator), said so where they are set.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

from gaswarden.domains.conversion.enums import QuotaCategory

# Local practice: a household within this distance of a main is connected at the programme's
# prices by a service pipe; farther away the main has to be extended first, which is a
# network project and not a household conversion (refused: too far from a main).
MAX_MAIN_DISTANCE_M = 100.0

# Local practice: a network model is used for the distance only when the household lies
# within its extent grown by this margin; elsewhere the model does not show the mains that
# are there (the company's other, unmodelled networks) and the surveyor's measure is used.
NETWORK_COVERAGE_MARGIN_M = 500.0

# Abuse limits of the public online form (local practice): applications accepted from one
# address within ONLINE_WINDOW_HOURS.
ONLINE_PER_ADDRESS = 5
ONLINE_WINDOW_HOURS = 24

# The standard plan of a household (一户一方案 starts from it, the surveyor edits it): one line
# per category, the table's first item of that category by code. The service pipe is priced
# by the metre, from the surveyed distance rounded up to whole metres; the rest once.
STANDARD_PLAN: tuple[QuotaCategory, ...] = (
    QuotaCategory.SERVICE_PIPE,
    QuotaCategory.RISER,
    QuotaCategory.METER,
    QuotaCategory.VALVE,
)

FEN = Decimal("0.01")


def yuan(value: object) -> Decimal:
    """A money amount as Decimal (floats through their shortest repr, never binary noise)."""
    if isinstance(value, Decimal):
        return value
    return Decimal(str(value))


def to_fen(value: Decimal) -> Decimal:
    """Rounded to the fen (0.01 yuan), half up, as Chinese invoices round."""
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


def pipe_metres(distance_m: float) -> float:
    """The service pipe's length in the standard plan: the distance rounded up to metres."""
    return float(math.ceil(round(distance_m, 6)))
