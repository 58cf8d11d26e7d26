from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gaswarden.db.base import Base, IdMixin, LocatedMixin, TimestampMixin
from gaswarden.db.types import ProtectedText, enum_type
from gaswarden.domains.asset.models import Asset
from gaswarden.domains.device.enums import DeviceKind, DeviceStatus
from gaswarden.domains.site.models import Site


class Device(IdMixin, TimestampMixin, LocatedMixin, Base):
    __tablename__ = "device"

    serial: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[DeviceKind] = mapped_column(enum_type(DeviceKind, 24), index=True)
    status: Mapped[DeviceStatus] = mapped_column(
        enum_type(DeviceStatus, 16), default=DeviceStatus.ACTIVE, index=True
    )
    model: Mapped[str | None] = mapped_column(String(64))
    maker: Mapped[str | None] = mapped_column(String(100))
    site_id: Mapped[int | None] = mapped_column(
        ForeignKey("site.id", ondelete="SET NULL"), index=True
    )
    asset_id: Mapped[int | None] = mapped_column(
        ForeignKey("asset.id", ondelete="SET NULL"), index=True
    )
    install_date: Mapped[date | None] = mapped_column(Date)
    expiry_date: Mapped[date | None] = mapped_column(Date)
    report_interval_s: Mapped[int] = mapped_column(Integer, default=300)
    # The device's secret: a digest to check it fast, and the value encrypted so that a broker
    # password file can be written from it.
    token_digest: Mapped[str | None] = mapped_column(String(64), unique=True)
    token: Mapped[str | None] = mapped_column(ProtectedText)
    notes: Mapped[str | None] = mapped_column(String(1000))

    site: Mapped[Site | None] = relationship(lazy="selectin")
    asset: Mapped[Asset | None] = relationship(lazy="selectin")

    @property
    def site_name(self) -> str | None:
        return self.site.name if self.site else None

    @property
    def asset_name(self) -> str | None:
        return self.asset.name if self.asset else None

    def __str__(self) -> str:
        return self.serial
