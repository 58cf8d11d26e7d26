"""Real-name customers and the safety checks of their premises; ID number and phone are
encrypted at rest, found by keyed digest, shown masked."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from gaswarden.core.protect import mask_phone
from gaswarden.db.base import Base, IdMixin, LocatedMixin, TimestampMixin
from gaswarden.db.types import ProtectedText, UTCDateTime, code_string, enum_type
from gaswarden.domains.customer.enums import CustomerKind, SafetyStatus
from gaswarden.domains.site.models import Site


class Customer(IdMixin, TimestampMixin, LocatedMixin, Base):
    """A user who buys bottled gas under a real name, registered with the LPG enterprise that
    supplies them (`owner_id`), living or trading in a grid (`area_id`)."""

    __tablename__ = "customer"
    __table_args__ = (Index("ix_customer_owner_code", "owner_id", "code"),)

    code: Mapped[str] = mapped_column(code_string(32), unique=True)  # the user card number
    kind: Mapped[CustomerKind] = mapped_column(enum_type(CustomerKind, 16), index=True)
    name: Mapped[str] = mapped_column(String(100))  # person, or the business's name
    contact_name: Mapped[str | None] = mapped_column(String(50))  # businesses: who answers
    id_number: Mapped[str | None] = mapped_column(ProtectedText)  # GB 11643, checked on input
    id_number_digest: Mapped[str | None] = mapped_column(String(64), index=True)
    credit_code: Mapped[str | None] = mapped_column(String(18))  # businesses: 统一社会信用代码
    phone: Mapped[str | None] = mapped_column(ProtectedText)
    # The phone as every page shows it (138****5678), set with the phone: a list or a recall
    # of thousands of customers shows it without decrypting each (~35 us apiece).
    phone_masked: Mapped[str | None] = mapped_column(String(24))
    site_id: Mapped[int | None] = mapped_column(
        ForeignKey("site.id", ondelete="SET NULL"), index=True
    )  # the premises, when registered as a site (restaurants)
    # Commercial and catering users: a gas alarm and a shut-off valve must be on record.
    has_gas_alarm: Mapped[bool] = mapped_column(Boolean, default=False)
    has_shutoff_valve: Mapped[bool] = mapped_column(Boolean, default=False)
    alarm_device_id: Mapped[int | None] = mapped_column(
        ForeignKey("device.id", ondelete="SET NULL")
    )
    safety_status: Mapped[SafetyStatus] = mapped_column(
        enum_type(SafetyStatus, 16), default=SafetyStatus.UNCHECKED, index=True
    )
    last_checked_on: Mapped[date | None] = mapped_column(Date)
    registered_on: Mapped[date | None] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    site: Mapped[Site | None] = relationship(lazy="selectin")

    @validates("phone")
    def _mask_phone(self, _key: str, value: str | None) -> str | None:
        self.phone_masked = mask_phone(value or None)
        return value

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class SafetyCheck(IdMixin, TimestampMixin, Base):
    """One safety check of a customer's premises (入户安检): what was looked at and the verdict.
    Any failed item, or LPG used in a basement, fails the check."""

    __tablename__ = "customer_safety_check"

    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customer.id", ondelete="CASCADE"), index=True
    )
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    checker_name: Mapped[str] = mapped_column(String(50))
    checker_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    hose_ok: Mapped[bool] = mapped_column(Boolean)  # hose within age, clamped, no cracks
    valve_ok: Mapped[bool] = mapped_column(Boolean)  # cylinder valve and regulator
    alarm_ok: Mapped[bool | None] = mapped_column(Boolean)  # None: no alarm required
    ventilation_ok: Mapped[bool] = mapped_column(Boolean)
    basement: Mapped[bool] = mapped_column(Boolean, default=False)  # LPG below ground: forbidden
    passed: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str | None] = mapped_column(String(1000))

    customer: Mapped[Customer] = relationship(lazy="joined", innerjoin=True)

    @property
    def owner_id(self) -> int | None:
        return self.customer.owner_id
