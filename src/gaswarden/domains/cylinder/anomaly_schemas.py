"""What the anomaly list and its review read and send."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from gaswarden.core.schemas import InputModel, ReadModel
from gaswarden.domains.cylinder.enums import AnomalyKind


class AnomalyRead(ReadModel):
    kind: AnomalyKind
    event_id: int | None = None
    cylinder_id: int | None = None
    tag_code: str | None = None
    customer_id: int | None = None
    site_id: int | None = None
    owner_id: int | None = None
    owner_name: str | None = None
    area_id: int | None = None
    area_name: str | None = None
    lon: float | None = None
    lat: float | None = None
    found_at: datetime
    detail: str
    reviewed: bool
    review_note: str | None = None
    reviewed_by_name: str | None = None


class AnomalyPage(BaseModel):
    items: list[AnomalyRead]
    total: int
    page: int
    size: int


class AnomalyReview(InputModel):
    note: str = Field(min_length=1, max_length=1000)
