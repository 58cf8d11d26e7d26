"""The BatchConsumers the pipeline hands stored batches to (the rules engine, ...).

Each consumer is named here by the dotted path of a factory taking the Settings.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from gaswarden.ingestion.contract import BatchConsumer
from gaswarden.settings import Settings

# "module:callable", the callable taking the Settings and returning a BatchConsumer
FACTORIES: list[str] = ["gaswarden.rules.engine:from_settings"]


def build(settings: Settings) -> list[BatchConsumer]:
    consumers: list[BatchConsumer] = []
    for path in FACTORIES:
        module_name, _, attr = path.partition(":")
        module = importlib.import_module(module_name)
        factory: Callable[[Settings], BatchConsumer] = getattr(module, attr)
        consumers.append(factory(settings))
    return consumers
