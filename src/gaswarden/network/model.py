"""Reading and writing pandapipes nets, and the demo's network."""

from __future__ import annotations

import copy
import warnings

import pandapipes
from pandapipes import pandapipesNet as Net

__all__ = ["Net", "copy_net", "from_json", "schutterwald", "to_json"]


def from_json(text: str) -> Net:
    """A net from pandapipes' own JSON (as written by `to_json`)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pandapipes warns on version differences
        return pandapipes.from_json_string(text)


def to_json(net: Net) -> str:
    return str(pandapipes.to_json(net))


def copy_net(net: Net) -> Net:
    return copy.deepcopy(net)


def schutterwald() -> Net:
    """pandapipes' Schutterwald gas network: ~2,559 junctions, ~101 km, one feed, 1,506 sinks.

    A planned low-pressure network along the streets of Schutterwald (Baden), shipped inside
    pandapipes; coordinates are Gauss-Krüger zone 3 metres (EPSG:31467).
    """
    from pandapipes import networks

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return networks.schutterwald_gas()
