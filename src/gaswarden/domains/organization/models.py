from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gaswarden.db.base import Base, IdMixin, TimestampMixin
from gaswarden.db.types import ProtectedText, enum_type
from gaswarden.domains.area.models import Area
from gaswarden.domains.organization.enums import OrgKind


class Organization(IdMixin, TimestampMixin, Base):
    __tablename__ = "organization"

    name: Mapped[str] = mapped_column(String(150), unique=True)
    short_name: Mapped[str | None] = mapped_column(String(50))
    kind: Mapped[OrgKind] = mapped_column(enum_type(OrgKind, 16), index=True)
    credit_code: Mapped[str | None] = mapped_column(String(18), unique=True)  # 统一社会信用代码
    # A regulator's jurisdiction; for the others, where they are registered.
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id", ondelete="RESTRICT"), index=True)
    address: Mapped[str | None] = mapped_column(String(255))
    contact_name: Mapped[str | None] = mapped_column(String(50))
    contact_phone: Mapped[str | None] = mapped_column(ProtectedText)
    licence_no: Mapped[str | None] = mapped_column(String(64))  # 燃气经营许可证
    licence_expiry: Mapped[date | None] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    area: Mapped[Area] = relationship(lazy="joined", innerjoin=True)

    @property
    def area_name(self) -> str:
        return self.area.name

    def __str__(self) -> str:
        return self.name
