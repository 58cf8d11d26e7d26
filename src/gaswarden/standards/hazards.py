"""Hazard grades, rectification deadlines, escalation and inspection frequencies.

Grades follow 城镇燃气经营安全重大隐患判定标准 (建城规〔2023〕4号): a failure that the criteria list
is a major hazard (重大隐患); every other failure is a general hazard (一般隐患). Deadlines and
escalation steps are practice, overridable per checklist item; each is set here once.
"""

from __future__ import annotations

from gaswarden.core.enums import LabeledEnum


class HazardGrade(LabeledEnum):
    MAJOR = "major", "重大隐患", "Major hazard", "red"
    GENERAL = "general", "一般隐患", "General hazard", "amber"


# Default rectification deadline in days from the finding, per grade (practice; a checklist
# item may set its own). Major hazards get a plan within PLAN_DUE_DAYS and longer to rectify.
DEFAULT_DEADLINE_DAYS: dict[HazardGrade, int] = {
    HazardGrade.MAJOR: 30,  # 建城规〔2023〕4号 practice: rectify with a plan, regulator verifies
    HazardGrade.GENERAL: 7,  # general hazards: rectify at once or within a week (local practice)
}
PLAN_DUE_DAYS = 7  # a major hazard's rectification plan (整改方案) is due within a week

# Overdue escalation: (days past the deadline, level). Level 1 notifies the enterprise head,
# level 2 the regulator (practice; 挂牌督办 for overdue major hazards).
ESCALATION_STEPS: tuple[tuple[int, int], ...] = ((0, 1), (7, 2))

# A hazard found again at the same site and item within this many days is recurring.
RECURRENCE_WINDOW_DAYS = 365

# An enterprise whose self-inspections find fewer than this share of the hazards per
# inspection that agencies and regulators find at its sites is flagged (practice).
SELF_INSPECTION_RATIO_FLAG = 0.5


class Frequency(LabeledEnum):
    """How often a plan's sites are inspected; value = months (or weeks) between tasks."""

    WEEKLY = "weekly", "每周", "Weekly", "red"
    MONTHLY = "monthly", "每月", "Monthly", "orange"
    QUARTERLY = "quarterly", "每季度", "Quarterly", "amber"
    HALF_YEARLY = "half_yearly", "每半年", "Half-yearly", "blue"
    YEARLY = "yearly", "每年", "Yearly", "green"
    BIENNIAL = "biennial", "每两年", "Every two years", "grey"


# Months between tasks (weekly plans step by 7 days instead).
FREQUENCY_MONTHS: dict[Frequency, int] = {
    Frequency.MONTHLY: 1,
    Frequency.QUARTERLY: 3,
    Frequency.HALF_YEARLY: 6,
    Frequency.YEARLY: 12,
    Frequency.BIENNIAL: 24,
}
