"""Declarative base with a naming convention, timestamps and shared mixins."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Float, ForeignKey, MetaData, String, func
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column, relationship

from gaswarden.db.types import UTCDateTime

if TYPE_CHECKING:
    from gaswarden.domains.area.models import Area
    from gaswarden.domains.organization.models import Organization

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# Tables rewritten by every ingest batch keep this share of each page filled (PostgreSQL), so
# that an update finds room in the same page and stays a HOT update (no index write).
HOT_FILLFACTOR = 70


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, server_default=func.current_timestamp()
    )
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow, server_default=func.current_timestamp()
    )


class IdMixin:
    id: Mapped[int] = mapped_column(primary_key=True)


class LocatedMixin:
    """Owned by an organisation and lying in an area (usually a grid), at a point.

    Scope rules key on these columns: an enterprise sees what it owns, a regulator or grid
    supervisor what lies in its areas.
    """

    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("organization.id", ondelete="RESTRICT"), index=True
    )
    area_id: Mapped[int | None] = mapped_column(
        ForeignKey("area.id", ondelete="RESTRICT"), index=True
    )
    address: Mapped[str | None] = mapped_column(String(255))
    lon: Mapped[float | None] = mapped_column(Float)  # WGS84
    lat: Mapped[float | None] = mapped_column(Float)

    @declared_attr
    def owner(cls) -> Mapped[Organization | None]:
        # Named, since a record may point at organisations more than once (who found it ...)
        name = type.__getattribute__(cls, "__name__")
        return relationship("Organization", lazy="joined", foreign_keys=f"{name}.owner_id")

    @declared_attr
    def area(cls) -> Mapped[Area | None]:
        name = type.__getattribute__(cls, "__name__")
        return relationship("Area", lazy="joined", foreign_keys=f"{name}.area_id")

    @property
    def owner_name(self) -> str | None:
        return self.owner.name if self.owner else None

    @property
    def area_name(self) -> str | None:
        return self.area.name if self.area else None
