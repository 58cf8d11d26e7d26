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
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gaswarden.db.base import Base, IdMixin, LocatedMixin, TimestampMixin
from gaswarden.db.types import UTCDateTime, code_string, enum_type
from gaswarden.domains.area.models import Area
from gaswarden.domains.cylinder.enums import (
    AnomalyKind,
    CylinderStatus,
    EventKind,
    EventResult,
    RefusalReason,
)
from gaswarden.domains.site.models import Site

BigId = BigInteger().with_variant(Integer(), "sqlite")  # SQLite autoincrements INTEGER only
WITH_USER = "status = 'with_user'"
# The day a cylinder with a user must be back: its next inspection or the end of its life,
# whichever comes first (SQL that both backends index; least() is PostgreSQL's only).
RECOVER_BY = (
    "(CASE WHEN next_inspection_on < life_ends_on THEN next_inspection_on ELSE life_ends_on END)"
)


def _partial(name: str, columns: str | tuple[str, ...], where: str) -> Index:
    """An index of the rows meeting `where` only (both backends); a column, a few columns, or
    one SQL expression (in parentheses)."""
    cols = (columns,) if isinstance(columns, str) else columns
    keys = [text(c) if c.startswith("(") else c for c in cols]
    return Index(name, *keys, postgresql_where=text(where), sqlite_where=text(where))


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
    # Every scan rewrites the row and, since it moves indexed columns (status, site,
    # customer, area), adds an entry to each index whose predicate the new row meets: the
    # partial indexes below take only the rows a query looks for. Free room on each page
    # keeps the new row version on its page.
    __table_args__ = (
        _partial("ix_cylinder_site_id", "site_id", "site_id IS NOT NULL"),
        _partial("ix_cylinder_customer_id", "customer_id", "customer_id IS NOT NULL"),
        # the overdue-with-users list: status = with_user and the recovery day passed, in
        # the order of that day (fleet.recover_by() is the same expression)
        _partial("ix_cylinder_user_recover_by", RECOVER_BY, WITH_USER),
        {"postgresql_with": {"fillfactor": 70}},
    )

    # Owner and area not indexed (LocatedMixin's are), since no query can use them: a city's
    # cylinders belong to a few enterprises (owner_id = X narrows nothing down), and a
    # regulator's scope is `area_id IN (...) OR owner_id IN (subquery)`, a filter on a scan.
    # Every scan would pay for an entry in each (~5 us of PostgreSQL time apiece).
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id", ondelete="RESTRICT"))
    area_id: Mapped[int | None] = mapped_column(Integer)  # see "Where it is now" below
    area: Mapped[Area | None] = relationship(
        "Area", lazy="joined", primaryjoin="Area.id == foreign(Cylinder.area_id)"
    )
    tag_code: Mapped[str] = mapped_column(code_string(40), unique=True)  # QR / RFID code
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

    # Where it is now (one of them), and the gas it holds. These columns and area_id carry
    # no foreign key, as a scan moves one or two of them: a foreign key checks each new value
    # with a locking read of the referenced row (~6 us of the server a scan, and two writers'
    # locks on one station's row become multixacts). The writers check the references
    # instead, the scan service locking each referenced row once a batch
    # (lookups.py), and triggers do what the keys did on delete (migration d1e2f3a4b5c6):
    # deleting a site, vehicle, customer or gas batch clears it here; an area with
    # cylinders cannot be deleted.
    site_id: Mapped[int | None] = mapped_column(Integer)
    vehicle_id: Mapped[int | None] = mapped_column(Integer)
    customer_id: Mapped[int | None] = mapped_column(Integer)
    holds_gas: Mapped[bool] = mapped_column(Boolean, default=False)
    batch_id: Mapped[int | None] = mapped_column(Integer)
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
    # Each index costs every scan an insert: partial where a query looks for a subset only.
    __table_args__ = (
        UniqueConstraint("org_id", "key"),  # the app's idempotency key, per enterprise
        # a cylinder's timeline: its few dozen scans, sorted after; on the cylinder alone the
        # index deduplicates to a third of the size, and it takes an insert at a random place
        # for every scan (cache misses are the cost)
        Index("ix_cylinder_event_timeline", "cylinder_id"),
        # recall: the fills of a batch, then the scans carrying those fills' gas
        _partial("ix_cylinder_event_batch", "batch_id", "kind = 'fill'"),
        _partial("ix_cylinder_event_fill", "fill_event_id", "fill_event_id IS NOT NULL"),
        _partial(
            "ix_cylinder_event_customer",
            ("customer_id", "occurred_at"),
            "customer_id IS NOT NULL",
        ),
        # time windows (statistics): scans arrive about in time order, a BRIN is enough
        Index("ix_cylinder_event_time", "occurred_at", postgresql_using="brin"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    key: Mapped[str] = mapped_column(code_string(80))
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
