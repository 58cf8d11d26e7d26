"""PLACEHOLDER: the helper building this part replaces this file."""

from gaswarden.sim.context import Demo


def load_coverage(demo: Demo) -> None:
    pass


def load_service_history(demo: Demo) -> None:
    pass
