from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from gaswarden.core.enums import Role
from gaswarden.core.schemas import InputModel, MaskedPhone, Phone, ReadModel

Password = Field(min_length=8, max_length=128, description="at least 8 characters")


class UserCreate(InputModel):
    username: str = Field(min_length=3, max_length=64, pattern=r"^[A-Za-z0-9_.@-]+$")
    display_name: str = Field(min_length=1, max_length=100)
    password: str = Password
    role: Role
    org_id: int | None = None
    phone: Phone = None
    email: str | None = Field(default=None, max_length=255, pattern=r"^[^@\s]+@[^@\s]+$")
    lang: Literal["zh", "en"] = "zh"
    active: bool = True
    grid_ids: list[int] = Field(default_factory=list, description="grids of a grid supervisor")


class UserUpdate(InputModel):
    display_name: str | None = Field(default=None, min_length=1, max_length=100)
    password: str | None = Field(default=None, min_length=8, max_length=128)
    role: Role | None = None
    phone: Phone = None
    email: str | None = Field(default=None, max_length=255, pattern=r"^[^@\s]+@[^@\s]+$")
    lang: Literal["zh", "en"] | None = None
    active: bool | None = None
    grid_ids: list[int] | None = None


class UserRead(ReadModel):
    username: str
    display_name: str
    role: Role
    org_id: int
    org_name: str
    phone: MaskedPhone
    email: str | None
    lang: str
    active: bool
    grid_ids: list[int]
    last_login_at: datetime | None


class Me(BaseModel):
    user_id: int | None
    username: str
    display_name: str
    role: Role | None
    org_id: int | None
    scope: str
    lang: str


class TokenRequest(BaseModel):
    username: str
    password: str
    name: str = Field(default="script", max_length=100)
    expires_days: int | None = Field(default=90, ge=1, le=3650)


class TokenCreate(BaseModel):
    name: str = Field(default="script", max_length=100)
    expires_days: int | None = Field(default=90, ge=1, le=3650)


class TokenIssued(BaseModel):
    id: int
    name: str
    token: str = Field(description="shown once; send as Authorization: Bearer <token>")
    expires_at: datetime | None


class TokenRead(BaseModel):
    model_config = {"from_attributes": True}

    id: int
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


class PasswordChange(BaseModel):
    current_password: str
    new_password: str = Password
