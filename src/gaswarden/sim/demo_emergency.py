"""PLACEHOLDER: the helper building this part replaces this file."""

from gaswarden.sim.context import Demo


def load_emergency(demo: Demo) -> None:
    pass


def load_emergency_history(demo: Demo) -> None:
    pass
