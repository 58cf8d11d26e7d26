"""Import every domain's models so that Base.metadata knows all tables."""

from __future__ import annotations

import importlib

from gaswarden.db.base import Base
from gaswarden.domains import DOMAINS


def load_all() -> type[Base]:
    for name in DOMAINS:
        importlib.import_module(f"gaswarden.domains.{name}.models")
    return Base
