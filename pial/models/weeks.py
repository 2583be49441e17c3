"""Delivery weeks and what is offered and ordered in them, plus canteens' standing orders."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pial.db import Base
from pial.models.common import Quantity, Timestamped, UTCDateTime, Versioned, enum_check, enum_type

if TYPE_CHECKING:
    from pial.models.allocation import AllocationRun, CropFailure, ManualLock
    from pial.models.canteens import Canteen
    from pial.models.catalogue import Product
    from pial.models.contracts import ContractLine
    from pial.models.deliveries import Delivery
    from pial.models.farms import Farm
    from pial.models.rotation import CoordinatorAssignment
    from pial.models.users import User


class WeekState(enum.StrEnum):
    """The life of a delivery week, in this order."""

    DRAFT = "draft"  # created, not visible to growers and canteens
    OPEN = "open"  # growers enter availability, canteens orders
    CLOSED = "closed"  # deadlines passed, nothing more is entered
    ALLOCATED = "allocated"  # at least one allocation run exists
    PUBLISHED = "published"  # a run is published: delivery notes are out
    DELIVERED = "delivered"  # receipts recorded, the week is settled


WEEK_STATE_ORDER: tuple[WeekState, ...] = tuple(WeekState)
"""States in their normal order, for comparisons such as "at least closed"."""


class OrderPriority(enum.StrEnum):
    """Whether an order line is under a signed commitment (served first) or not."""

    CONTRACT = "contract"
    REGULAR = "regular"


class DeliveryWeek(Timestamped, Versioned, Base):
    """One ISO week of deliveries (``iso_week`` = ``"2026-W48"``) and its deadlines."""

    __tablename__ = "delivery_weeks"
    __table_args__ = (
        enum_check("state", WeekState),
        CheckConstraint("week_number BETWEEN 1 AND 53", name="week_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    iso_week: Mapped[str] = mapped_column(String(8), unique=True)
    year: Mapped[int] = mapped_column(SmallInteger)  # ISO year, may differ from monday_date.year
    week_number: Mapped[int] = mapped_column(SmallInteger)
    monday_date: Mapped[date] = mapped_column(Date, unique=True)
    state: Mapped[WeekState] = mapped_column(
        enum_type(WeekState), default=WeekState.DRAFT, index=True
    )
    availability_deadline_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    order_deadline_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    publish_fallback_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    opened_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    allocated_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str | None] = mapped_column(Text)

    availability_lines: Mapped[list[AvailabilityLine]] = relationship(
        back_populates="week", cascade="all, delete-orphan", passive_deletes=True
    )
    order_lines: Mapped[list[OrderLine]] = relationship(
        back_populates="week", cascade="all, delete-orphan", passive_deletes=True
    )
    allocation_runs: Mapped[list[AllocationRun]] = relationship(
        back_populates="week",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="AllocationRun.sequence",
    )
    manual_locks: Mapped[list[ManualLock]] = relationship(
        back_populates="week", cascade="all, delete-orphan", passive_deletes=True
    )
    crop_failures: Mapped[list[CropFailure]] = relationship(
        back_populates="week", cascade="all, delete-orphan", passive_deletes=True
    )
    deliveries: Mapped[list[Delivery]] = relationship(
        back_populates="week", cascade="all, delete-orphan", passive_deletes=True
    )
    coordinator_assignment: Mapped[CoordinatorAssignment | None] = relationship(
        back_populates="week", cascade="all, delete-orphan", passive_deletes=True
    )


class AvailabilityLine(Timestamped, Versioned, Base):
    """What a farm can supply of a product in a week; ``day`` null = any delivery day.

    At most one line per (week, farm, product, day), a null day counting as one value.
    """

    __tablename__ = "availability_lines"
    __table_args__ = (
        CheckConstraint("quantity >= 0", name="quantity"),
        # Two partial unique indexes because NULL days are distinct in a UNIQUE constraint.
        Index(
            "uq_availability_lines_week_farm_product_day",
            "week_id",
            "farm_id",
            "product_id",
            "day",
            unique=True,
            sqlite_where=text("day IS NOT NULL"),
            postgresql_where=text("day IS NOT NULL"),
        ),
        Index(
            "uq_availability_lines_week_farm_product_anyday",
            "week_id",
            "farm_id",
            "product_id",
            unique=True,
            sqlite_where=text("day IS NULL"),
            postgresql_where=text("day IS NULL"),
        ),
        Index("ix_availability_lines_farm_id_week_id", "farm_id", "week_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    week_id: Mapped[int] = mapped_column(ForeignKey("delivery_weeks.id", ondelete="CASCADE"))
    farm_id: Mapped[int] = mapped_column(ForeignKey("farms.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    day: Mapped[date | None] = mapped_column(Date)
    quantity: Mapped[Decimal] = mapped_column(Quantity)  # in the product's unit
    note: Mapped[str | None] = mapped_column(String(500))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    week: Mapped[DeliveryWeek] = relationship(back_populates="availability_lines")
    farm: Mapped[Farm] = relationship()
    product: Mapped[Product] = relationship()
    updated_by: Mapped[User | None] = relationship()


class OrderLine(Timestamped, Versioned, Base):
    """What a canteen orders of a product for one delivery day of a week."""

    __tablename__ = "order_lines"
    __table_args__ = (
        enum_check("priority", OrderPriority),
        CheckConstraint("quantity >= 0", name="quantity"),
        UniqueConstraint("week_id", "canteen_id", "product_id", "day"),
        Index("ix_order_lines_canteen_id_week_id", "canteen_id", "week_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    week_id: Mapped[int] = mapped_column(ForeignKey("delivery_weeks.id", ondelete="CASCADE"))
    canteen_id: Mapped[int] = mapped_column(ForeignKey("canteens.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    day: Mapped[date] = mapped_column(Date)
    quantity: Mapped[Decimal] = mapped_column(Quantity)  # in the product's unit
    priority: Mapped[OrderPriority] = mapped_column(
        enum_type(OrderPriority), default=OrderPriority.REGULAR
    )
    contract_line_id: Mapped[int | None] = mapped_column(
        ForeignKey("contract_lines.id", ondelete="SET NULL"), index=True
    )
    note: Mapped[str | None] = mapped_column(String(500))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    week: Mapped[DeliveryWeek] = relationship(back_populates="order_lines")
    canteen: Mapped[Canteen] = relationship()
    product: Mapped[Product] = relationship()
    contract_line: Mapped[ContractLine | None] = relationship()
    updated_by: Mapped[User | None] = relationship()


class StandingOrderLine(Timestamped, Versioned, Base):
    """A canteen's usual order of a product on a weekday, copied into each new week."""

    __tablename__ = "standing_order_lines"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 1 AND 7", name="weekday"),
        CheckConstraint("quantity >= 0", name="quantity"),
        UniqueConstraint("canteen_id", "product_id", "weekday"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    canteen_id: Mapped[int] = mapped_column(ForeignKey("canteens.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    weekday: Mapped[int] = mapped_column(SmallInteger)  # ISO: 1 = Monday
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    is_active: Mapped[bool] = mapped_column(default=True)
    note: Mapped[str | None] = mapped_column(String(500))

    canteen: Mapped[Canteen] = relationship()
    product: Mapped[Product] = relationship()
