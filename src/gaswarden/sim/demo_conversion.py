"""PLACEHOLDER: the helper building this part replaces this file."""

from gaswarden.sim.context import Demo


def load_conversions(demo: Demo) -> None:
    pass
