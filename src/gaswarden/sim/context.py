"""What the demo loader's steps share: the session, the seeded randomness, the map so far."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from gaswarden.core.auth import SYSTEM
from gaswarden.domains.organization.models import Organization
from gaswarden.domains.site.models import Site
from gaswarden.sim.geography import Grid, Town, grid_for


@dataclass
class Demo:
    session: Session
    rng: random.Random
    today: date
    towns: list[Town]
    area_ids: dict[str, int] = field(default_factory=dict)  # area code -> id
    orgs: dict[str, Organization] = field(default_factory=dict)  # short key -> organisation
    sites: list[Site] = field(default_factory=list)
    site_grid: dict[str, Grid] = field(default_factory=dict)  # site code -> grid
    counts: Counter[str] = field(default_factory=Counter)

    def make(self, service: Any, **data: Any) -> Any:
        """Create through the service as the system: the schema, rules and audit all apply."""
        obj = service.create(session=self.session, principal=SYSTEM, data=data)
        self.counts[service.entity] += 1
        return obj

    def grid_id(self, grid: Grid) -> int:
        return self.area_ids[grid.code]

    def grid_at(self, lon: float, lat: float) -> Grid:
        return grid_for(self.towns, lon, lat)

    def town(self, name: str) -> Town:
        return next(t for t in self.towns if t.name == name)

    def days(self, low: int, high: int) -> date:
        """A date `low` to `high` days from today (negative: in the past)."""
        return self.today + timedelta(days=self.rng.randint(low, high))

    def sites_of(self, *kinds: str, owner: str | None = None) -> list[Site]:
        owner_id = self.orgs[owner].id if owner else None
        return [
            s
            for s in self.sites
            if s.kind.value in kinds and (owner_id is None or s.owner_id == owner_id)
        ]
