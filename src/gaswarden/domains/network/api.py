"""The network's API under /api/v1/networks (the routes live in api_*.py modules)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/networks", tags=["network 管网"])
