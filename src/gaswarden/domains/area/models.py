from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gaswarden.db.base import Base, IdMixin, TimestampMixin
from gaswarden.db.types import ProtectedText, enum_type
from gaswarden.domains.area.enums import AreaLevel


class Area(IdMixin, TimestampMixin, Base):
    """区 > 镇/街道 > 网格. `path` ("/1/4/17/") makes a whole subtree one prefix match."""

    __tablename__ = "area"

    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[AreaLevel] = mapped_column(enum_type(AreaLevel, 16))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("area.id", ondelete="RESTRICT"))
    path: Mapped[str] = mapped_column(String(255), index=True, default="")
    boundary: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # GeoJSON Polygon, WGS84
    supervisor_name: Mapped[str | None] = mapped_column(String(50))
    supervisor_phone: Mapped[str | None] = mapped_column(ProtectedText)
    notes: Mapped[str | None] = mapped_column(String(500))

    parent: Mapped[Area | None] = relationship(remote_side="Area.id", lazy="raise")

    def __str__(self) -> str:
        return self.name
