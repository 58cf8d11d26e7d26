"""Column types: timezone-aware UTC datetimes on every backend, protected text, and codes
compared byte by byte."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Dialect, Enum, String, Text
from sqlalchemy.types import TypeDecorator, TypeEngine

from gaswarden.core.protect import Protector


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as UTC; SQLite gives back naive values, which are UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; GasWarden stores timezone-aware UTC only")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def dialect_protector(dialect: Dialect) -> Protector:
    protector = getattr(dialect, "gaswarden_protector", None)
    if protector is None:
        raise RuntimeError("engine was not made by gaswarden.db.session.make_engine")
    return protector


class ProtectedText(TypeDecorator[str]):
    """Plain text in Python, encrypted in the database (key from the engine's settings)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None or value == "":
            return None
        return dialect_protector(dialect).encrypt(str(value))

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return dialect_protector(dialect).decrypt(value)


def enum_type(enum_cls: type[Any], length: int = 24) -> Enum:
    """A LabeledEnum stored as its value in a VARCHAR (no native enum: easy to extend)."""
    return Enum(
        enum_cls,
        native_enum=False,
        length=length,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


def code_string(length: int) -> TypeEngine[str]:
    """A code looked up by the thousand (a cylinder's tag code, a scan's idempotency key, a
    customer's card number): on PostgreSQL `COLLATE "C"`, so that an index probe compares
    bytes (memcmp) rather than going through the database's locale (C.UTF-8 or another:
    strcoll on copies of both strings). Codes are ASCII; their order is the same."""
    return String(length).with_variant(String(length, collation="C"), "postgresql")
