"""Heating-demand constants: degree days and the standard load profile's sigmoid."""

from __future__ import annotations

# Base temperature of heating degree days (采暖度日数 HDD18), °C. GB 50176-2016 (terms: HDD18).
HDD_BASE_C = 18.0

# Reference temperature θ0 of the standard load profile sigmoid h(T) = A / (1 + (B/(T-θ0))^C) + D,
# °C. BDEW/VKU/GEODE Leitfaden "Abwicklung von Standardlastprofilen Gas".
SLP_SIGMOID_T0_C = 40.0

# Weights of the allocation temperature (today, yesterday, two and three days ago): the geometric
# series of the same guideline (divided by their sum, 1.875).
SLP_ALLOCATION_WEIGHTS = (1.0, 0.5, 0.25, 0.125)
