"""The network's API under /api/v1/networks (the routes live in api_*.py modules, each with
the /networks prefix: a prefixed router cannot hold the bare list route of another)."""

from __future__ import annotations

from fastapi import APIRouter

from gaswarden.domains.network import api_demand, api_leaks, api_networks

router = APIRouter()
router.include_router(api_demand.router)  # /networks/user-pressure beside /networks/{id:int}
router.include_router(api_leaks.router)  # /networks/leaks/{id} beside /networks/{id:int}
router.include_router(api_networks.router)
