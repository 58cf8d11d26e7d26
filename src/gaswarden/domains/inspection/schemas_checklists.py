"""Checklist templates, versions and items: input and output shapes (API, import, export)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, computed_field, field_validator

from gaswarden.core.schemas import InputModel
from gaswarden.domains.hazard.enums import SystemKind
from gaswarden.domains.inspection.enums import ChecklistTarget
from gaswarden.standards.hazards import DEFAULT_DEADLINE_DAYS, HazardGrade

EXPORT_FORMAT = "gaswarden.checklist/1"


class ChecklistItemIn(InputModel):
    """One item to publish. `code` stays the same across versions (recurrence keys on it)."""

    code: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
    category: str = Field(min_length=1, max_length=60)
    text: str = Field(min_length=1, max_length=500)
    text_en: str | None = Field(default=None, max_length=500)
    standard: str | None = Field(default=None, max_length=200)
    hazard_grade: HazardGrade
    deadline_days: int | None = Field(default=None, ge=1, le=3650)
    system_kind: SystemKind | None = None

    @field_validator("text_en", "standard", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value


def _unique_codes(items: list[ChecklistItemIn]) -> list[ChecklistItemIn]:
    seen: set[str] = set()
    for item in items:
        if item.code in seen:
            raise ValueError(f"item code {item.code!r} appears twice")
        seen.add(item.code)
    return items


Items = Annotated[
    list[ChecklistItemIn], Field(min_length=1, max_length=500), AfterValidator(_unique_codes)
]


class ChecklistCreate(InputModel):
    code: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
    name: str = Field(min_length=1, max_length=150)
    target: ChecklistTarget
    description: str | None = Field(default=None, max_length=1000)
    note: str | None = Field(default=None, max_length=500)
    items: Items


class ChecklistUpdate(InputModel):
    """Template metadata; the items change only by publishing a new version."""

    name: str | None = Field(default=None, min_length=1, max_length=150)
    description: str | None = Field(default=None, max_length=1000)
    active: bool | None = None


class VersionPublish(InputModel):
    note: str | None = Field(default=None, max_length=500)
    items: Items


class ChecklistExport(BaseModel):
    """The JSON a template is exported as and imported from."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    format: str = EXPORT_FORMAT
    code: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
    name: str = Field(min_length=1, max_length=150)
    target: ChecklistTarget
    description: str | None = Field(default=None, max_length=1000)
    version: int | None = None  # informative on export; ignored on import
    note: str | None = Field(default=None, max_length=500)
    items: Items

    @field_validator("format")
    @classmethod
    def _known_format(cls, value: str) -> str:
        if value != EXPORT_FORMAT:
            raise ValueError(f"unknown format {value!r}; expected {EXPORT_FORMAT!r}")
        return value


class ChecklistItemRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    position: int
    category: str
    text: str
    text_en: str | None
    standard: str | None
    hazard_grade: HazardGrade
    deadline_days: int | None
    system_kind: str | None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def effective_deadline_days(self) -> int:
        """The item's own deadline, or the grade's default (standards/hazards.py)."""
        if self.deadline_days is not None:
            return self.deadline_days
        return DEFAULT_DEADLINE_DAYS[self.hazard_grade]


class ChecklistVersionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    template_id: int
    number: int
    published_at: datetime
    published_by: str
    note: str | None
    items: list[ChecklistItemRead]


class ChecklistVersionSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    number: int
    published_at: datetime
    published_by: str
    note: str | None


class ChecklistRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name: str
    target: ChecklistTarget
    description: str | None
    builtin: bool
    active: bool
    current_version_id: int | None
    created_at: datetime | None = None
    updated_at: datetime | None = None


class ChecklistDetail(ChecklistRead):
    current_version: ChecklistVersionRead | None
    versions: list[ChecklistVersionSummary]


class ChecklistPage(BaseModel):
    items: list[ChecklistRead]
    total: int
    page: int
    size: int
