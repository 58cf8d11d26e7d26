"""Every default number of the alarm rules, set once here with its source.

All of them are defaults: a deployment changes them per site, asset or device through rule
settings (RuleSetting). Items marked *verify* come from secondary sources or common practice;
the UI says so where they are shown (see VERIFY).
"""

from __future__ import annotations

from gaswarden.rules.grades import Grade

# ---- combustible gas (methane), %LEL. Methane LEL = 5 % vol: 1 %LEL = 500 ppm. ------------
# Stations and industrial sites: GB/T 50493-2019 — level-1 alarm <= 25 %LEL, level-2 <= 50 %LEL.
STATION_LEL_LEVEL1 = 25.0  # GB/T 50493-2019
STATION_LEL_LEVEL2 = 50.0  # GB/T 50493-2019
# Utility-tunnel gas compartments and like buried spaces (valve wells): GB 50838-2015 alarm
# <= 20 %LEL, emergency cut-off <= 35 %LEL.
BURIED_LEL_ALARM = 20.0  # GB 50838-2015
BURIED_LEL_CUTOFF = 35.0  # GB 50838-2015
# Household detectors: GB 15322.2-2019 bounds the set point; common practice alarms at
# 20 %LEL. *verify*
HOUSEHOLD_LEL_ALARM = 20.0  # GB 15322.2-2019 practice, *verify*
HOUSEHOLD_LEL_HIGH = 50.0  # second level by analogy with GB/T 50493-2019, *verify*
LEL_HYSTERESIS = 5.0  # %LEL below the first level before an alarm clears (practice)

# ---- laser methane (TDLAS), ppm·m: deployment settings, no standard sets them. -------------
LASER_PPM_M_LEVELS = ((1000.0, Grade.YELLOW), (5000.0, Grade.ORANGE))  # deployment, *verify*
LASER_HYSTERESIS = 200.0

# ---- carbon monoxide, ppm (household CO alarms, GB/T 34004-2017 / EN 50291). *verify* -------
CO_LEVELS = ((50.0, Grade.YELLOW), (150.0, Grade.ORANGE), (300.0, Grade.RED))  # *verify*
CO_HYSTERESIS = 10.0

# ---- pressure bands (kPa) around a regulator's outlet set point. ----------------------------
# GB 50028-2006 sets the pressure classes (gaswarden.standards.pressure); the alarm margins
# around a set point are regulator settings in practice (切断/放散 above, 欠压 below). *verify*
OVER_PRESSURE_FACTORS = ((1.15, Grade.YELLOW), (1.30, Grade.ORANGE))  # x set point, practice
UNDER_PRESSURE_FACTORS = ((0.85, Grade.YELLOW), (0.70, Grade.ORANGE))  # x set point, practice
# Without a set point: the design pressure (or the pressure class's upper bound, GB 50028-2006
# table 6.1.6) is the ceiling.
DESIGN_PRESSURE_FACTORS = ((0.95, Grade.YELLOW), (1.0, Grade.ORANGE))  # x design, practice
PRESSURE_HYSTERESIS_FRACTION = 0.03  # of the nominal pressure
# Sudden drop (rate of change): kPa per minute as a fraction of the nominal pressure, with a
# floor for low-pressure outlets (2 kPa nominal). Deployment settings. *verify*
PRESSURE_DROP_FRACTION_PER_MIN = 0.10
PRESSURE_DROP_MIN_KPA_PER_MIN = 0.2
PRESSURE_DROP_FALLBACK_KPA_PER_MIN = 5.0  # when nothing about the asset is known
RATE_MAX_GAP_S = 900  # two readings further apart than this say nothing about a sudden drop
# The fall is measured over at least this much device time (practice, *verify*): the threshold
# is per minute, so one minute is its own unit. Pressure transmitters of accuracy class 0.5
# (±0.5 % of span) jitter by that much between readings; over seconds that reads as tens of
# per cent a minute, over a minute it stays far under the 10 %/min above.
RATE_WINDOW_S = 60.0

# ---- device health ---------------------------------------------------------------------------
BATTERY_LEVELS = ((20.0, Grade.BLUE), (10.0, Grade.YELLOW))  # %, below; practice
BATTERY_HYSTERESIS = 5.0
OFFLINE_INTERVAL_MULTIPLE = 3  # offline after 3 missed reports (practice, configurable)
OFFLINE_GRADE = Grade.BLUE
EXPIRY_WARN_DAYS = 30  # warn this many days before a device's expiry date (practice)
EXPIRY_WARN_GRADE = Grade.BLUE
EXPIRED_GRADE = Grade.YELLOW

# ---- events: grade per event kind (practice) ------------------------------------------------
EVENT_GRADES: dict[str, Grade] = {
    "intrusion": Grade.ORANGE,  # somebody opened a valve well (第三方破坏 risk)
    "tamper": Grade.ORANGE,
    "fault": Grade.BLUE,
    "power_loss": Grade.BLUE,
    "valve_closed": Grade.YELLOW,
    # Camera analytics at stations (燃气场站视频监控): fire and open flame are the worst.
    "fire": Grade.RED,
    "open_flame": Grade.RED,
    "smoke": Grade.ORANGE,
    "smoking": Grade.ORANGE,
    "restricted_zone": Grade.YELLOW,
    "no_ppe": Grade.BLUE,
}
# self_test raises nothing.

# ---- persistence and nuisance grouping ------------------------------------------------------
ESCALATE_AFTER_S = 1800  # an active condition rises one grade per 30 min of device time
NUISANCE_WINDOW_S = 3600  # a recurrence within 1 h reopens the recent alarm (cooking vapour)
CONTEXT_GRADE_STEPS = 1  # valve well next to other buried spaces: one grade higher (Hefei)

# ---- response-time targets per grade, seconds (to acknowledge, to be on site) ---------------
# On site within 30 min of a user's leak report (local rule); report to government within
# 0.5 h verbally and 1 h in writing (Shanghai plan). Configurable: rule "response" settings.
RESPONSE_TARGETS_S: dict[Grade, tuple[int, int]] = {
    Grade.RED: (5 * 60, 30 * 60),  # 30 min on site: local rule for leak reports
    Grade.ORANGE: (15 * 60, 60 * 60),  # practice
    Grade.YELLOW: (60 * 60, 4 * 3600),  # practice
    Grade.BLUE: (24 * 3600, 72 * 3600),  # practice
}
GOVERNMENT_REPORT_VERBAL_S = 30 * 60  # Shanghai gas emergency plan: verbal within 0.5 h
GOVERNMENT_REPORT_WRITTEN_S = 60 * 60  # written within 1 h

# Numbers whose source is practice or a secondary source: shown with a "verify" mark.
VERIFY = frozenset(
    {"household_lel", "laser_ppm_m", "co", "pressure_high", "pressure_low", "pressure_drop"}
)
