"""Cylinders, gas-source batches, scanned events and anomalies.

A cylinder's row holds its archive and its state after its newest accepted event (by the
scanning device's time): `status`, where it is (site, vehicle or customer), whether it holds
gas and from which fill and batch. Events are never changed but for `batch_id`/`fill_event_id`,
which a late fill re-links, so that a recall reads the gas each delivery carried.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gaswarden.db.base import Base, IdMixin, LocatedMixin, TimestampMixin
from gaswarden.db.types import UTCDateTime, enum_type
from gaswarden.domains.cylinder.enums import (
    AnomalyKind,
    CylinderStatus,
    EventKind,
    EventResult,
    RefusalReason,
)
from gaswarden.domains.site.models import Site

BigId = BigInteger().with_variant(Integer(), "sqlite")  # SQLite autoincrements INTEGER only


class GasBatch(IdMixin, TimestampMixin, Base):
    """A purchase of LPG from a supplier (气源采购), received at a filling station."""

    __tablename__ = "gas_batch"
    __table_args__ = (UniqueConstraint("owner_id", "code"),)

    code: Mapped[str] = mapped_column(String(40), index=True)  # the batch number
    owner_id: Mapped[int] = mapped_column(
        ForeignKey("organization.id", ondelete="RESTRICT"), index=True
    )
    site_id: Mapped[int | None] = mapped_column(ForeignKey("site.id", ondelete="SET NULL"))
    supplier: Mapped[str] = mapped_column(String(150))
    quantity_t: Mapped[float] = mapped_column(Float)  # tonnes
    certificate_no: Mapped[str | None] = mapped_column(String(64))  # quality certificate
    arrived_on: Mapped[date] = mapped_column(Date, index=True)
    note: Mapped[str | None] = mapped_column(String(500))

    owner = relationship("Organization", lazy="joined", innerjoin=True)
    site: Mapped[Site | None] = relationship(lazy="selectin")

    def __str__(self) -> str:
        return self.code


class Cylinder(IdMixin, TimestampMixin, LocatedMixin, Base):
    """One cylinder, one code (一瓶一码): `tag_code` is unique forever; scrapping revokes it."""

    __tablename__ = "cylinder"
    __table_args__ = (
        Index("ix_cylinder_status_due", "status", "next_inspection_on"),
        Index("ix_cylinder_status_life", "status", "life_ends_on"),
    )

    tag_code: Mapped[str] = mapped_column(String(40), unique=True)  # QR / RFID code
    stamp_serial: Mapped[str] = mapped_column(String(40))  # steel stamp (钢印号)
    maker: Mapped[str | None] = mapped_column(String(100))
    made_on: Mapped[date] = mapped_column(Date)
    capacity_kg: Mapped[int] = mapped_column(Integer)  # nominal: 5 / 15 / 50
    tare_kg: Mapped[float] = mapped_column(Float)
    design_life_years: Mapped[int] = mapped_column(Integer)
    life_extended: Mapped[bool] = mapped_column(Boolean, default=False)
    life_ends_on: Mapped[date] = mapped_column(Date)  # scrap by this day
    last_inspected_on: Mapped[date | None] = mapped_column(Date)
    next_inspection_on: Mapped[date] = mapped_column(Date)
    status: Mapped[CylinderStatus] = mapped_column(
        enum_type(CylinderStatus, 16), default=CylinderStatus.IN_STOCK
    )
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)  # the code, at scrapping
    scrapped_on: Mapped[date | None] = mapped_column(Date)

    # Where it is now (one of them), and the gas it holds.
    site_id: Mapped[int | None] = mapped_column(
        ForeignKey("site.id", ondelete="SET NULL"), index=True
    )
    vehicle_id: Mapped[int | None] = mapped_column(ForeignKey("vehicle.id", ondelete="SET NULL"))
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("customer.id", ondelete="SET NULL"), index=True
    )
    holds_gas: Mapped[bool] = mapped_column(Boolean, default=False)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("gas_batch.id", ondelete="SET NULL"))
    fill_event_id: Mapped[int | None] = mapped_column(BigId)
    last_event_id: Mapped[int | None] = mapped_column(BigId)
    last_event_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __str__(self) -> str:
        return self.tag_code


class CylinderEvent(Base):
    """One scan, as the scanning app sent it, with its result. Refused scans are kept too.

    Append-only and the busiest table: no foreign keys (each costs a lookup per row); the
    service checks every reference against what the caller may name before it writes."""

    __tablename__ = "cylinder_event"
    __table_args__ = (
        UniqueConstraint("org_id", "key"),  # the app's idempotency key, per enterprise
        Index("ix_cylinder_event_timeline", "cylinder_id", "occurred_at"),
        Index("ix_cylinder_event_fill", "fill_event_id"),
        Index("ix_cylinder_event_batch", "batch_id", "kind"),
        Index("ix_cylinder_event_customer", "customer_id", "occurred_at"),
        Index("ix_cylinder_event_org_time", "org_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    key: Mapped[str] = mapped_column(String(80))
    org_id: Mapped[int] = mapped_column(Integer)
    kind: Mapped[EventKind] = mapped_column(enum_type(EventKind, 16))
    result: Mapped[EventResult] = mapped_column(enum_type(EventResult, 8))
    reason: Mapped[RefusalReason | None] = mapped_column(enum_type(RefusalReason, 24))
    reason_text: Mapped[str | None] = mapped_column(String(300))
    tag_code: Mapped[str] = mapped_column(String(40))  # as scanned
    cylinder_id: Mapped[int | None] = mapped_column(Integer)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)  # the scanning device's time
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)

    # Who and where.
    user_id: Mapped[int | None] = mapped_column(Integer)
    username: Mapped[str] = mapped_column(String(100))
    person_id: Mapped[int | None] = mapped_column(Integer)
    site_id: Mapped[int | None] = mapped_column(Integer)
    vehicle_id: Mapped[int | None] = mapped_column(Integer)
    customer_id: Mapped[int | None] = mapped_column(Integer)
    area_id: Mapped[int | None] = mapped_column(Integer)
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    device: Mapped[str | None] = mapped_column(String(64))  # the scanning app's device id

    # What: the fill's batch and weight, an inspection's verdict.
    batch_id: Mapped[int | None] = mapped_column(Integer)
    fill_event_id: Mapped[int | None] = mapped_column(BigId)  # the fill whose gas it carries
    gross_kg: Mapped[float | None] = mapped_column(Float)
    net_kg: Mapped[float | None] = mapped_column(Float)
    passed: Mapped[bool | None] = mapped_column(Boolean)
    next_inspection_on: Mapped[date | None] = mapped_column(Date)
    status_after: Mapped[CylinderStatus | None] = mapped_column(enum_type(CylinderStatus, 16))
    anomalies: Mapped[list[str] | None] = mapped_column(JSON)  # AnomalyKind values
    note: Mapped[str | None] = mapped_column(String(500))


class CylinderAnomaly(IdMixin, TimestampMixin, LocatedMixin, Base):
    """A break of the chain or a suspicious scan, for the enterprise (`owner_id`) to explain
    and the regulator to review; nothing that raised it is dropped."""

    __tablename__ = "cylinder_anomaly"
    __table_args__ = (Index("ix_cylinder_anomaly_open", "reviewed", "found_at"),)

    kind: Mapped[AnomalyKind] = mapped_column(enum_type(AnomalyKind, 24), index=True)
    event_id: Mapped[int | None] = mapped_column(BigId, index=True)
    cylinder_id: Mapped[int | None] = mapped_column(
        ForeignKey("cylinder.id", ondelete="CASCADE"), index=True
    )
    tag_code: Mapped[str | None] = mapped_column(String(40))
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("customer.id", ondelete="SET NULL"), index=True
    )
    site_id: Mapped[int | None] = mapped_column(ForeignKey("site.id", ondelete="SET NULL"))
    found_at: Mapped[datetime] = mapped_column(UTCDateTime)
    detail: Mapped[str] = mapped_column(String(500))
    reviewed: Mapped[bool] = mapped_column(Boolean, default=False)
    review_note: Mapped[str | None] = mapped_column(String(1000))
    reviewed_by_name: Mapped[str | None] = mapped_column(String(100))
