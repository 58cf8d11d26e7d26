"""Who sees which networks: like the registry's assets, by owner and area.

An enterprise sees the networks it owns; a regulator or grid supervisor those lying in its
areas; an inspection agency none. Rows hanging off a network (junctions, pipes, feeds,
sensors, valves, leaks) are visible when their network is.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement

from gaswarden.core.auth import Principal
from gaswarden.core.scope import located
from gaswarden.domains.network.models import PipeNetwork


def network_scope(principal: Principal) -> ColumnElement[bool]:
    return located(principal, owner=PipeNetwork.owner_id, area=PipeNetwork.area_id)
