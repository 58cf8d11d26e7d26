"""City gas pipe pressure classes, GB 50028-2006 table 6.1.6 (gauge pressure, MPa)."""

from __future__ import annotations

from gaswarden.core.enums import LabeledEnum


class PressureClass(LabeledEnum):
    HIGH_A = "high_a", "高压A", "High A", "red"
    HIGH_B = "high_b", "高压B", "High B", "red"
    SUB_HIGH_A = "sub_high_a", "次高压A", "Sub-high A", "orange"
    SUB_HIGH_B = "sub_high_b", "次高压B", "Sub-high B", "orange"
    MEDIUM_A = "medium_a", "中压A", "Medium A", "amber"
    MEDIUM_B = "medium_b", "中压B", "Medium B", "amber"
    LOW = "low", "低压", "Low", "green"


# Upper bound (inclusive) of each class, MPa gauge. GB 50028-2006 table 6.1.6.
PRESSURE_CLASS_UPPER_MPA: tuple[tuple[PressureClass, float], ...] = (
    (PressureClass.LOW, 0.01),  # P < 0.01
    (PressureClass.MEDIUM_B, 0.2),  # 0.01 <= P <= 0.2
    (PressureClass.MEDIUM_A, 0.4),
    (PressureClass.SUB_HIGH_B, 0.8),
    (PressureClass.SUB_HIGH_A, 1.6),
    (PressureClass.HIGH_B, 2.5),
    (PressureClass.HIGH_A, 4.0),
)
MAX_CITY_GAS_MPA = 4.0  # GB 50028-2006: city gas pipes up to 4.0 MPa


def pressure_class_for(mpa: float) -> PressureClass:
    """The class a design pressure (MPa gauge) falls in; ValueError outside 0..4.0 MPa."""
    if mpa < 0 or mpa > MAX_CITY_GAS_MPA:
        raise ValueError(f"{mpa} MPa is outside city gas pressures (0 to {MAX_CITY_GAS_MPA} MPa)")
    if mpa < PRESSURE_CLASS_UPPER_MPA[0][1]:
        return PressureClass.LOW
    for klass, upper in PRESSURE_CLASS_UPPER_MPA[1:]:
        if mpa <= upper:
            return klass
    raise AssertionError("unreachable")
