"""Column types, constraint helpers and mixins shared by every PIAL table.

Conventions that other modules rely on:
- money is ``Numeric(12, 2)`` (``Money``), quantities ``Numeric(12, 3)`` (``Quantity``), rates
  ``Numeric(6, 4)`` (``Rate``, a fraction: 0.05 = 5 %); all read back as ``Decimal``;
- timestamps are ``UTCDateTime``: always timezone-aware UTC in Python, on SQLite too;
- states and roles are ``StrEnum`` members stored as their value in a VARCHAR, guarded by a
  named CHECK constraint (``enum_check``), so the schema is the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import CheckConstraint, DateTime, Dialect, Enum, Numeric, text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column
from sqlalchemy.types import TypeDecorator

Money = Numeric(12, 2)
Quantity = Numeric(12, 3)
Rate = Numeric(6, 4)
Share = Numeric(5, 4)


def utcnow() -> datetime:
    """Return the current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A ``DateTime(timezone=True)`` that only accepts aware datetimes and returns them in UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Convert an aware datetime to UTC; refuse naive ones, whose zone is a guess."""
        if value is None:
            return None
        if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
            raise ValueError(f"naive datetime {value!r}: PIAL stores aware datetimes only")
        converted = value.astimezone(UTC)
        # SQLite keeps the text as given; dropping the offset keeps stored values comparable.
        return converted.replace(tzinfo=None) if dialect.name == "sqlite" else converted

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Return the stored instant as an aware UTC datetime."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def enum_type(enum_class: type[enum.StrEnum], length: int = 20) -> Enum:
    """Return a portable VARCHAR column type storing the *values* of ``enum_class``."""
    return Enum(
        enum_class,
        native_enum=False,
        create_constraint=False,  # enum_check() adds an explicitly named constraint instead
        length=length,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


def enum_check(column_name: str, enum_class: type[enum.StrEnum]) -> CheckConstraint:
    """Return the CHECK constraint ``ck_<table>_<column_name>`` listing the enum's values."""
    values = ", ".join(f"'{member.value}'" for member in enum_class)
    return CheckConstraint(f"{column_name} IN ({values})", name=column_name)


class Timestamped:
    """Mixin: ``created_dt`` and ``updated_dt``, both set by the ORM in UTC."""

    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, sort_order=900)
    updated_dt: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow, sort_order=901
    )


class Versioned:
    """Mixin: ``version_id``, bumped on every UPDATE, for optimistic concurrency.

    A stale edit (the row changed since it was read) raises ``sqlalchemy.orm.exc.StaleDataError``
    at flush; forms carry ``version_id`` so the service can compare before writing.
    """

    # The server default lets plain SQL inserts (seeds, imports) start at version 1 too.
    version_id: Mapped[int] = mapped_column(server_default=text("1"), sort_order=902)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        """Declare ``version_id`` as the mapper's version counter."""
        return {"version_id_col": cls.version_id}
