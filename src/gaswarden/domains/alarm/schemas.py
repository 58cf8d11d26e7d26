from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from gaswarden.core.schemas import InputModel
from gaswarden.domains.alarm.enums import (
    AlarmCause,
    AlarmCondition,
    AlarmEventKind,
    AlarmStage,
    ScopeLevel,
)
from gaswarden.domains.device.enums import DeviceKind
from gaswarden.rules.grades import Grade

Note = Field(default=None, max_length=1000)


class AlarmEventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    kind: AlarmEventKind
    actor_id: int | None
    actor_name: str
    grade: Grade | None
    stage: AlarmStage | None
    value: float | None
    note: str | None
    data: dict[str, Any]


class AlarmRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    device_id: int
    serial: str
    rule: str
    device_kind: DeviceKind
    owner_id: int | None
    area_id: int | None
    site_id: int | None
    asset_id: int | None
    grade: Grade
    first_grade: Grade
    level: int
    condition: AlarmCondition
    stage: AlarmStage
    acknowledged: bool
    metric: str | None
    first_value: float | None
    last_value: float | None
    peak_value: float | None
    occurrences: int
    detail: dict[str, Any]
    raised_at: datetime
    opened_at: datetime
    device_first_ts: datetime | None
    device_last_ts: datetime | None
    cleared_at: datetime | None
    acked_at: datetime | None
    assigned_org_id: int | None
    assigned_team_id: int | None
    assigned_at: datetime | None
    on_site_at: datetime | None
    resolved_at: datetime | None
    cause: AlarmCause | None
    resolution_note: str | None
    closed_at: datetime | None
    ack_s: int | None
    on_site_s: int | None
    resolve_s: int | None
    ack_overdue: bool
    on_site_overdue: bool


class AlarmDetail(AlarmRead):
    timeline: list[AlarmEventRead]


class AlarmPage(BaseModel):
    items: list[AlarmRead]
    total: int
    page: int
    size: int


class AlarmNote(InputModel):
    note: str | None = Note


class AlarmAssign(InputModel):
    org_id: int | None = None
    team_id: int | None = None
    note: str | None = Note


class AlarmResolve(InputModel):
    cause: AlarmCause
    note: str | None = Note


class Figures(BaseModel):
    n: int
    mean_s: float | None
    median_s: float | None
    max_s: float | None


class ResponseRow(BaseModel):
    owner_id: int | None
    owner_name: str | None
    grade: Grade
    month: str
    alarms: int
    ack: Figures
    on_site: Figures
    resolve: Figures
    ack_overdue: int
    on_site_overdue: int


class ResponseReport(BaseModel):
    date_from: date | None
    date_to: date | None
    timezone: str
    targets: dict[str, dict[str, int]]
    rows: list[ResponseRow]


class RuleSettingPut(InputModel):
    scope: ScopeLevel
    scope_id: int = 0
    rule: str = Field(max_length=40)
    params: dict[str, Any]
    note: str | None = Field(default=None, max_length=500)


class RuleSettingRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    scope: ScopeLevel
    scope_id: int
    rule: str
    params: dict[str, Any]
    note: str | None
    owner_id: int | None
    area_id: int | None
    site_id: int | None
    updated_at: datetime | None


class EffectiveRules(BaseModel):
    device_id: int
    graded_up: bool
    context: dict[str, Any]
    params: dict[str, dict[str, Any]]
