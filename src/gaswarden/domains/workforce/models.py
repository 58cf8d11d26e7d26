from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gaswarden.db.base import Base, IdMixin, TimestampMixin
from gaswarden.db.types import ProtectedText, enum_type
from gaswarden.domains.organization.models import Organization
from gaswarden.domains.site.models import Site
from gaswarden.domains.workforce.enums import (
    CertificateKind,
    DutyStatus,
    Position,
    TeamKind,
    VehicleKind,
    VehicleStatus,
)


class Team(IdMixin, TimestampMixin, Base):
    __tablename__ = "team"

    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[TeamKind] = mapped_column(enum_type(TeamKind, 16))
    owner_id: Mapped[int] = mapped_column(
        ForeignKey("organization.id", ondelete="RESTRICT"), index=True
    )
    base_site_id: Mapped[int | None] = mapped_column(ForeignKey("site.id", ondelete="SET NULL"))
    leader_name: Mapped[str | None] = mapped_column(String(50))
    duty_phone: Mapped[str | None] = mapped_column(ProtectedText)
    equipment_sets: Mapped[int] = mapped_column(Integer, default=0)  # 器材装备(台/套)
    # Emergency readiness: whether the team can be sent, what it can do, where it waits.
    duty_status: Mapped[DutyStatus] = mapped_column(
        enum_type(DutyStatus, 16), default=DutyStatus.ON_DUTY
    )
    skills: Mapped[list[Any]] = mapped_column(JSON, default=list)  # e.g. ["带压堵漏", ...]
    base_lon: Mapped[float | None] = mapped_column(Float)  # WGS84; else the base site's point
    base_lat: Mapped[float | None] = mapped_column(Float)

    owner: Mapped[Organization] = relationship(lazy="joined", innerjoin=True)
    base_site: Mapped[Site | None] = relationship(lazy="selectin")

    @property
    def owner_name(self) -> str:
        return self.owner.name

    def __str__(self) -> str:
        return self.name


class Person(IdMixin, TimestampMixin, Base):
    """Staff of an organisation; ID number and phone are encrypted at rest."""

    __tablename__ = "person"

    name: Mapped[str] = mapped_column(String(50))
    owner_id: Mapped[int] = mapped_column(
        ForeignKey("organization.id", ondelete="RESTRICT"), index=True
    )
    position: Mapped[Position] = mapped_column(enum_type(Position, 24))
    id_number: Mapped[str | None] = mapped_column(ProtectedText)
    id_number_digest: Mapped[str | None] = mapped_column(String(64), index=True)
    phone: Mapped[str | None] = mapped_column(ProtectedText)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id", ondelete="SET NULL"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    owner: Mapped[Organization] = relationship(lazy="joined", innerjoin=True)
    certificates: Mapped[list[Certificate]] = relationship(
        back_populates="person", lazy="selectin", cascade="all, delete-orphan"
    )

    @property
    def owner_name(self) -> str:
        return self.owner.name

    def __str__(self) -> str:
        return self.name


class Certificate(IdMixin, TimestampMixin, Base):
    __tablename__ = "certificate"

    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    kind: Mapped[CertificateKind] = mapped_column(enum_type(CertificateKind, 24))
    number: Mapped[str] = mapped_column(String(64))
    issued_on: Mapped[date | None] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)

    person: Mapped[Person] = relationship(back_populates="certificates", lazy="joined")

    @property
    def owner_id(self) -> int:
        return self.person.owner_id


class Vehicle(IdMixin, TimestampMixin, Base):
    __tablename__ = "vehicle"

    plate: Mapped[str] = mapped_column(String(16), unique=True)
    kind: Mapped[VehicleKind] = mapped_column(enum_type(VehicleKind, 24))
    status: Mapped[VehicleStatus] = mapped_column(
        enum_type(VehicleStatus, 16), default=VehicleStatus.IN_SERVICE
    )
    owner_id: Mapped[int] = mapped_column(
        ForeignKey("organization.id", ondelete="RESTRICT"), index=True
    )
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id", ondelete="SET NULL"))
    licence_no: Mapped[str | None] = mapped_column(String(64))  # 道路运输证
    licence_expiry: Mapped[date | None] = mapped_column(Date)

    owner: Mapped[Organization] = relationship(lazy="joined", innerjoin=True)

    @property
    def owner_name(self) -> str:
        return self.owner.name

    def __str__(self) -> str:
        return self.plate
