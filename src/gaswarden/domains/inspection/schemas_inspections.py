"""Inspections carried out: what a phone submits, what is read back, amendments."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from gaswarden.core.schemas import InputModel
from gaswarden.domains.inspection.enums import InspectionKind, Outcome
from gaswarden.domains.site.enums import SiteKind
from gaswarden.standards.hazards import HazardGrade


def _photo_ids() -> Any:
    return Field(default_factory=list, max_length=20, description="ids of uploaded photos")


class ResultIn(InputModel):
    item_id: int
    outcome: Outcome
    note: str | None = Field(default=None, max_length=1000)
    photo_ids: list[int] = _photo_ids()


class InspectionCreate(InputModel):
    """One inspection as the form submits it (possibly long after it was filled in offline)."""

    client_id: str = Field(
        min_length=1, max_length=64, description="UUID made when the form was opened"
    )
    site_id: int
    task_id: int | None = None
    kind: InspectionKind | None = Field(
        default=None, description="default: the task's, else by role; enterprises: self"
    )
    version_id: int | None = Field(
        default=None, description="the checklist version the form showed; default: current"
    )
    inspected_at: datetime = Field(description="on site, with its UTC offset")
    lon: float | None = Field(default=None, ge=-180, le=180)
    lat: float | None = Field(default=None, ge=-90, le=90)
    note: str | None = Field(default=None, max_length=4000)
    results: list[ResultIn] = Field(max_length=500)
    photo_ids: list[int] = _photo_ids()


class ResultChange(InputModel):
    item_id: int
    outcome: Outcome | None = None
    note: str | None = Field(default=None, max_length=1000)
    photo_ids: list[int] = _photo_ids()


class AmendmentCreate(InputModel):
    reason: str = Field(min_length=1, max_length=1000)
    results: list[ResultChange] = Field(default_factory=list, max_length=500)
    note: str | None = Field(default=None, max_length=4000)


class AmendmentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    actor_id: int | None
    actor_name: str
    reason: str
    changes: dict[str, list[Any]]


class InspectionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    client_id: str
    task_id: int | None
    site_id: int
    site_name: str
    site_kind: SiteKind
    kind: InspectionKind
    version_id: int
    inspector_id: int | None
    inspector_name: str
    inspector_org_id: int | None
    owner_id: int | None
    area_id: int | None
    inspected_at: datetime
    submitted_at: datetime
    lon: float | None
    lat: float | None
    note: str | None
    n_pass: int
    n_fail: int
    n_na: int
    amended: bool


class InspectionPage(BaseModel):
    items: list[InspectionRead]
    total: int
    page: int
    size: int


class ResultRead(BaseModel):
    id: int
    item_id: int
    item_code: str
    position: int
    category: str
    text: str
    text_en: str | None
    standard: str | None
    hazard_grade: HazardGrade
    outcome: Outcome
    note: str | None
    hazard_id: int | None
    hazard_code: str | None
    photo_ids: list[int]


class InspectionDetail(InspectionRead):
    template_id: int
    template_name: str
    version_number: int
    photo_ids: list[int]
    results: list[ResultRead]
    amendments: list[AmendmentRead]


class SubmitResult(InspectionDetail):
    duplicate: bool = Field(
        description="true: this client_id was submitted before; this is that first inspection, "
        "unchanged, whatever this request carried"
    )
