"""The web shell's routes: every domain's pages (domains/<name>/web.py) plus login and home."""

from __future__ import annotations

from fastapi import APIRouter

from gaswarden.web import shell

router = APIRouter(include_in_schema=False)
router.include_router(shell.router)
