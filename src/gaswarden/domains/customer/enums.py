from __future__ import annotations

from gaswarden.core.enums import LabeledEnum


class CustomerKind(LabeledEnum):
    RESIDENTIAL = "residential", "居民用户", "Residential", "green"
    CATERING = "catering", "餐饮用户", "Catering", "pink"
    COMMERCIAL = "commercial", "其他商业用户", "Other commercial", "purple"

    @property
    def is_commercial(self) -> bool:
        """Commercial and catering users need a gas alarm and a shut-off valve on record."""
        return self is not CustomerKind.RESIDENTIAL


class SafetyStatus(LabeledEnum):
    """The result of the latest safety check of a customer's premises (入户安检)."""

    UNCHECKED = "unchecked", "未安检", "Not checked", "grey"
    PASSED = "passed", "安检合格", "Passed", "green"
    FAILED = "failed", "安检不合格", "Failed", "red"
