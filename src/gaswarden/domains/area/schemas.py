from __future__ import annotations

from pydantic import Field

from gaswarden.core.schemas import InputModel, MaskedPhone, Phone, PolygonGeometry, ReadModel
from gaswarden.domains.area.enums import AreaLevel


class AreaCreate(InputModel):
    code: str = Field(min_length=1, max_length=32)
    name: str = Field(min_length=1, max_length=100)
    level: AreaLevel
    parent_id: int | None = None
    boundary: PolygonGeometry = None
    supervisor_name: str | None = Field(default=None, max_length=50)
    supervisor_phone: Phone = None
    notes: str | None = Field(default=None, max_length=500)


class AreaUpdate(InputModel):
    code: str | None = Field(default=None, min_length=1, max_length=32)
    name: str | None = Field(default=None, min_length=1, max_length=100)
    parent_id: int | None = None
    boundary: PolygonGeometry = None
    supervisor_name: str | None = Field(default=None, max_length=50)
    supervisor_phone: Phone = None
    notes: str | None = Field(default=None, max_length=500)


class AreaRead(ReadModel):
    code: str
    name: str
    level: AreaLevel
    parent_id: int | None
    path: str
    boundary: dict | None
    supervisor_name: str | None
    supervisor_phone: MaskedPhone
    notes: str | None
