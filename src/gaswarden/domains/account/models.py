from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gaswarden.core.enums import Role
from gaswarden.db.base import Base, IdMixin, TimestampMixin
from gaswarden.db.types import ProtectedText, UTCDateTime, enum_type
from gaswarden.domains.area.models import Area
from gaswarden.domains.organization.models import Organization


class User(IdMixin, TimestampMixin, Base):
    __tablename__ = "app_user"

    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(enum_type(Role, 24))
    org_id: Mapped[int] = mapped_column(
        ForeignKey("organization.id", ondelete="RESTRICT"), index=True
    )
    phone: Mapped[str | None] = mapped_column(ProtectedText)
    email: Mapped[str | None] = mapped_column(String(255))
    lang: Mapped[str] = mapped_column(String(2), default="zh")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    org: Mapped[Organization] = relationship(lazy="joined", innerjoin=True)
    grids: Mapped[list[Area]] = relationship(secondary="user_grid", lazy="selectin")

    @property
    def org_name(self) -> str:
        return self.org.name

    @property
    def grid_ids(self) -> list[int]:
        return [g.id for g in self.grids]

    @property
    def owner_id(self) -> int:
        return self.org_id

    def __str__(self) -> str:
        return self.username


class UserGrid(Base):
    """The grids (or towns) a grid supervisor is responsible for."""

    __tablename__ = "user_grid"
    __table_args__ = (UniqueConstraint("user_id", "area_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id", ondelete="CASCADE"), index=True)


class ApiToken(IdMixin, TimestampMixin, Base):
    """A bearer token for scripts. Only its SHA-256 digest is stored."""

    __tablename__ = "api_token"

    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(12))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(lazy="joined", innerjoin=True)
