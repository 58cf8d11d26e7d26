"""The web shell's routes: login and home, the generic registry pages, the map, the audit log,
and every domain's own pages (domains/<name>/web.py exposing `router`), where there are any."""

from __future__ import annotations

import importlib
import importlib.util

from fastapi import APIRouter

from gaswarden.domains import DOMAINS
from gaswarden.web import alarm_stream, alarms, audit, devices_live, pages, quarantine, shell
from gaswarden.web import map as map_pages

router = APIRouter(include_in_schema=False)
router.include_router(shell.router)
router.include_router(map_pages.router)
router.include_router(audit.router)
router.include_router(alarm_stream.router)  # before /alarms/{alarm_id}
router.include_router(alarms.router)
router.include_router(devices_live.router)
router.include_router(quarantine.router)
router.include_router(importlib.import_module("gaswarden.cockpit.web").router)
for _name in DOMAINS:
    _module = f"gaswarden.domains.{_name}.web"
    if importlib.util.find_spec(_module) is not None:
        router.include_router(importlib.import_module(_module).router)
router.include_router(pages.router())
