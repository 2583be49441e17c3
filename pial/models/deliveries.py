"""Delivery trips of a published week and the receipts canteens record per allocation line."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Date, ForeignKey, SmallInteger, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pial.db import Base
from pial.models.common import Quantity, UTCDateTime, Versioned, enum_check, enum_type, utcnow

if TYPE_CHECKING:
    from pial.models.allocation import AllocationLine
    from pial.models.canteens import Canteen
    from pial.models.farms import Farm
    from pial.models.users import User
    from pial.models.weeks import DeliveryWeek


class Delivery(Base):
    """One trip of a farm to a canteen on a day of a week, with its place in the farm's round."""

    __tablename__ = "deliveries"
    __table_args__ = (UniqueConstraint("week_id", "farm_id", "canteen_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    week_id: Mapped[int] = mapped_column(ForeignKey("delivery_weeks.id", ondelete="CASCADE"))
    farm_id: Mapped[int] = mapped_column(ForeignKey("farms.id"), index=True)
    canteen_id: Mapped[int] = mapped_column(ForeignKey("canteens.id"), index=True)
    day: Mapped[date] = mapped_column(Date)
    route_order: Mapped[int | None] = mapped_column(SmallInteger)  # 1 = first stop
    delivered_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str | None] = mapped_column(Text)

    week: Mapped[DeliveryWeek] = relationship(back_populates="deliveries")
    farm: Mapped[Farm] = relationship()
    canteen: Mapped[Canteen] = relationship()


class QualityRating(enum.StrEnum):
    """How the canteen judged what it received."""

    OK = "ok"
    MINOR = "minor"  # accepted with a remark
    REJECTED = "rejected"


class Receipt(Versioned, Base):
    """What a canteen actually received for one line of a published allocation."""

    __tablename__ = "receipts"
    __table_args__ = (
        enum_check("quality_rating", QualityRating),
        CheckConstraint("received_quantity >= 0", name="received_quantity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # RESTRICT: a run with receipts cannot be deleted.
    allocation_line_id: Mapped[int] = mapped_column(ForeignKey("allocation_lines.id"), unique=True)
    received_quantity: Mapped[Decimal] = mapped_column(Quantity)
    quality_rating: Mapped[QualityRating] = mapped_column(
        enum_type(QualityRating), default=QualityRating.OK
    )
    quality_note: Mapped[str | None] = mapped_column(Text)
    shortfall_reason: Mapped[str | None] = mapped_column(Text)  # why less came than planned
    received_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    received_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    allocation_line: Mapped[AllocationLine] = relationship()
    received_by: Mapped[User | None] = relationship()

    @property
    def shortfall_quantity(self) -> Decimal:
        """Return how much less than planned came (0 when all of it, or more, came)."""
        return max(self.allocation_line.quantity - self.received_quantity, Decimal(0))
