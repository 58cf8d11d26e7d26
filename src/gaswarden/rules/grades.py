"""The four warning grades of Chinese emergency practice (预警级别): red I is the most severe."""

from __future__ import annotations

from gaswarden.core.enums import LabeledEnum


class Grade(LabeledEnum):
    RED = "red", "红色(I级)", "Red (I)", "red"
    ORANGE = "orange", "橙色(II级)", "Orange (II)", "orange"
    YELLOW = "yellow", "黄色(III级)", "Yellow (III)", "yellow"
    BLUE = "blue", "蓝色(IV级)", "Blue (IV)", "blue"

    @property
    def rank(self) -> int:
        """1 for red ... 4 for blue: lower is more severe."""
        return _ORDER.index(self) + 1

    def raised(self, steps: int = 1) -> Grade:
        """The grade `steps` levels more severe, never beyond red."""
        return _ORDER[max(0, _ORDER.index(self) - max(0, steps))]

    def more_severe_than(self, other: Grade) -> bool:
        return self.rank < other.rank


_ORDER: list[Grade] = [Grade.RED, Grade.ORANGE, Grade.YELLOW, Grade.BLUE]
