from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import JSON, Date, Float, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gaswarden.db.base import Base, IdMixin, LocatedMixin, TimestampMixin
from gaswarden.db.types import enum_type
from gaswarden.domains.asset.enums import AssetKind, AssetStatus, PipeMaterial
from gaswarden.domains.site.models import Site
from gaswarden.standards.pressure import PressureClass


class Asset(IdMixin, TimestampMixin, LocatedMixin, Base):
    """Regulators, valve wells and pipe segments in one table; kind-specific columns are null
    where they don't apply."""

    __tablename__ = "asset"

    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(150))
    kind: Mapped[AssetKind] = mapped_column(enum_type(AssetKind, 16), index=True)
    status: Mapped[AssetStatus] = mapped_column(
        enum_type(AssetStatus, 16), default=AssetStatus.IN_SERVICE
    )
    site_id: Mapped[int | None] = mapped_column(
        ForeignKey("site.id", ondelete="SET NULL"), index=True
    )
    pressure_class: Mapped[PressureClass | None] = mapped_column(enum_type(PressureClass, 16))
    # Regulators: design pressures, MPa gauge; outlet set point, kPa.
    inlet_design_mpa: Mapped[float | None] = mapped_column(Float)
    outlet_design_mpa: Mapped[float | None] = mapped_column(Float)
    outlet_set_kpa: Mapped[float | None] = mapped_column(Float)
    # Pipe segments and wells.
    design_pressure_mpa: Mapped[float | None] = mapped_column(Float)
    material: Mapped[PipeMaterial | None] = mapped_column(enum_type(PipeMaterial, 24))
    diameter_mm: Mapped[float | None] = mapped_column(Float)
    length_m: Mapped[float | None] = mapped_column(Float)
    depth_m: Mapped[float | None] = mapped_column(Float)
    geometry: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # GeoJSON Point/LineString
    install_date: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(String(1000))

    site: Mapped[Site | None] = relationship(lazy="selectin")

    @property
    def site_name(self) -> str | None:
        return self.site.name if self.site else None

    def __str__(self) -> str:
        return self.name
