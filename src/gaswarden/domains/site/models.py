from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gaswarden.db.base import Base, IdMixin, LocatedMixin, TimestampMixin
from gaswarden.db.types import ProtectedText, enum_type
from gaswarden.domains.organization.models import Organization
from gaswarden.domains.site.enums import SiteKind, SiteStatus


class Site(IdMixin, TimestampMixin, LocatedMixin, Base):
    __tablename__ = "site"

    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(150))
    kind: Mapped[SiteKind] = mapped_column(enum_type(SiteKind, 24), index=True)
    status: Mapped[SiteStatus] = mapped_column(
        enum_type(SiteStatus, 16), default=SiteStatus.OPERATING
    )
    licence_no: Mapped[str | None] = mapped_column(String(64))
    licence_expiry: Mapped[date | None] = mapped_column(Date)
    contact_name: Mapped[str | None] = mapped_column(String(50))
    contact_phone: Mapped[str | None] = mapped_column(ProtectedText)
    notes: Mapped[str | None] = mapped_column(String(1000))

    def __str__(self) -> str:
        return self.name


class SiteAssignment(IdMixin, TimestampMixin, Base):
    """A site an inspection agency is engaged to inspect (第三方专项巡检)."""

    __tablename__ = "site_assignment"
    __table_args__ = (UniqueConstraint("agency_id", "site_id"),)

    agency_id: Mapped[int] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), index=True
    )
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"), index=True)
    valid_until: Mapped[date | None] = mapped_column(Date)

    agency: Mapped[Organization] = relationship(lazy="joined", innerjoin=True)
    site: Mapped[Site] = relationship(lazy="joined", innerjoin=True)
