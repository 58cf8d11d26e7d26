"""Conversion applications with their quote lines and timeline; the package catalogue; the
engineering quota table (定额) with the discount the district grants against it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gaswarden.db.base import Base, IdMixin, LocatedMixin, TimestampMixin, utcnow
from gaswarden.db.types import ProtectedText, UTCDateTime, enum_type
from gaswarden.domains.conversion.enums import (
    ApplicationChannel,
    ConversionEventKind,
    ConversionStatus,
    HouseholdKind,
    RefusalReason,
)
from gaswarden.domains.customer.models import Customer


class QuotaTable(IdMixin, TimestampMixin, Base):
    """A version of the provincial engineering quota (省建设工程计价定额) with the discount
    rate the district applies to connection works priced from it. One is active at a time."""

    __tablename__ = "quota_table"

    name: Mapped[str] = mapped_column(String(150))  # e.g. 山东省安装工程消耗量定额(2016) 燃气分册
    version: Mapped[str] = mapped_column(String(40))
    discount_rate: Mapped[float] = mapped_column(Float)  # 0.30 = households pay 70 %
    effective_on: Mapped[date] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=False, index=True)

    items: Mapped[list[QuotaItem]] = relationship(
        back_populates="table", order_by="QuotaItem.code", lazy="selectin"
    )


class QuotaItem(IdMixin, Base):
    __tablename__ = "quota_item"

    table_id: Mapped[int] = mapped_column(
        ForeignKey("quota_table.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(32))  # 定额编号, e.g. 10-7-12
    name: Mapped[str] = mapped_column(String(150))
    unit: Mapped[str] = mapped_column(String(16))  # m, 个, 户, 套
    unit_price_yuan: Mapped[float] = mapped_column(Numeric(12, 2))
    category: Mapped[str | None] = mapped_column(String(40))  # 管道安装, 表具安装, ...

    table: Mapped[QuotaTable] = relationship(back_populates="items")


class ConversionPackage(IdMixin, TimestampMixin, Base):
    """A package the household chooses (套餐): fixed price for what it includes."""

    __tablename__ = "conversion_package"

    name: Mapped[str] = mapped_column(String(100), unique=True)
    price_yuan: Mapped[float] = mapped_column(Numeric(12, 2))
    includes: Mapped[list[Any]] = mapped_column(JSON, default=list)  # e.g. ["燃气表", "报警器"]
    for_kind: Mapped[HouseholdKind | None] = mapped_column(enum_type(HouseholdKind, 16))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class ConversionApplication(IdMixin, TimestampMixin, LocatedMixin, Base):
    """One household's conversion (一户一方案). `owner_id` is the pipeline company that does
    the works; `customer_id` the household's real-name LPG record, closed when connected."""

    __tablename__ = "conversion_application"

    code: Mapped[str] = mapped_column(String(32), unique=True)  # PG-<year>-<serial>
    channel: Mapped[ApplicationChannel] = mapped_column(enum_type(ApplicationChannel, 16))
    household_kind: Mapped[HouseholdKind] = mapped_column(enum_type(HouseholdKind, 16))
    status: Mapped[ConversionStatus] = mapped_column(
        enum_type(ConversionStatus, 16), default=ConversionStatus.APPLIED, index=True
    )
    applicant_name: Mapped[str] = mapped_column(String(100))
    applicant_phone: Mapped[str | None] = mapped_column(ProtectedText)
    applicant_id_number: Mapped[str | None] = mapped_column(ProtectedText)  # GB 11643
    applicant_id_digest: Mapped[str | None] = mapped_column(String(64), index=True)
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("customer.id", ondelete="SET NULL"), index=True
    )
    village: Mapped[str | None] = mapped_column(String(100))
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    entered_by_name: Mapped[str | None] = mapped_column(String(100))  # counter clerk

    # survey (勘察)
    surveyed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    surveyor_name: Mapped[str | None] = mapped_column(String(100))
    main_distance_m: Mapped[float | None] = mapped_column(Float)  # to the nearest main
    main_distance_source: Mapped[str | None] = mapped_column(String(20))  # "network" | "survey"
    nearest_pipe_ref: Mapped[str | None] = mapped_column(String(60))  # network pipe name
    eligible: Mapped[bool | None] = mapped_column(Boolean)
    survey_note: Mapped[str | None] = mapped_column(Text)

    # quote (报价)
    quota_table_id: Mapped[int | None] = mapped_column(
        ForeignKey("quota_table.id", ondelete="SET NULL")
    )
    package_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversion_package.id", ondelete="SET NULL")
    )
    works_list_yuan: Mapped[float | None] = mapped_column(Numeric(12, 2))  # at quota prices
    discount_rate: Mapped[float | None] = mapped_column(Float)  # as applied
    works_payable_yuan: Mapped[float | None] = mapped_column(Numeric(12, 2))  # after discount
    package_yuan: Mapped[float | None] = mapped_column(Numeric(12, 2))
    total_payable_yuan: Mapped[float | None] = mapped_column(Numeric(12, 2))
    quoted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    contracted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    works_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    connected_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    refusal_reason: Mapped[RefusalReason | None] = mapped_column(enum_type(RefusalReason, 24))
    refusal_note: Mapped[str | None] = mapped_column(String(500))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # refused or cancelled

    customer: Mapped[Customer | None] = relationship(lazy="selectin")
    package: Mapped[ConversionPackage | None] = relationship(lazy="selectin")
    lines: Mapped[list[QuoteLine]] = relationship(
        back_populates="application",
        order_by="QuoteLine.id",
        lazy="selectin",
        cascade="all, delete-orphan",
    )
    events: Mapped[list[ConversionEvent]] = relationship(
        back_populates="application", order_by="ConversionEvent.id", lazy="select"
    )

    def __str__(self) -> str:
        return f"{self.code} {self.applicant_name}"


class QuoteLine(IdMixin, Base):
    """One priced line of the connection works: a quota item times a quantity."""

    __tablename__ = "conversion_quote_line"

    application_id: Mapped[int] = mapped_column(
        ForeignKey("conversion_application.id", ondelete="CASCADE"), index=True
    )
    quota_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("quota_item.id", ondelete="SET NULL")
    )
    code: Mapped[str] = mapped_column(String(32))  # copied: the quote stands if the table moves
    name: Mapped[str] = mapped_column(String(150))
    unit: Mapped[str] = mapped_column(String(16))
    quantity: Mapped[float] = mapped_column(Float)
    unit_price_yuan: Mapped[float] = mapped_column(Numeric(12, 2))
    amount_yuan: Mapped[float] = mapped_column(Numeric(12, 2))

    application: Mapped[ConversionApplication] = relationship(back_populates="lines")


class ConversionEvent(IdMixin, Base):
    __tablename__ = "conversion_event"

    application_id: Mapped[int] = mapped_column(
        ForeignKey("conversion_application.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    kind: Mapped[ConversionEventKind] = mapped_column(enum_type(ConversionEventKind, 16))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    actor_name: Mapped[str] = mapped_column(String(100))
    from_status: Mapped[ConversionStatus | None] = mapped_column(enum_type(ConversionStatus, 16))
    to_status: Mapped[ConversionStatus | None] = mapped_column(enum_type(ConversionStatus, 16))
    note: Mapped[str | None] = mapped_column(String(2000))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    application: Mapped[ConversionApplication] = relationship(back_populates="events")
