"""The weekly rotation of the coordinator role among farms, and swap requests."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pial.db import Base
from pial.models.common import UTCDateTime, enum_check, enum_type, utcnow

if TYPE_CHECKING:
    from pial.models.farms import Farm
    from pial.models.users import User
    from pial.models.weeks import DeliveryWeek


class CoordinatorAssignment(Base):
    """The farm that coordinates a delivery week (one per week)."""

    __tablename__ = "coordinator_assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    week_id: Mapped[int] = mapped_column(
        ForeignKey("delivery_weeks.id", ondelete="CASCADE"), unique=True
    )
    farm_id: Mapped[int] = mapped_column(ForeignKey("farms.id"), index=True)
    # The farm that stands in when the coordinating farm cannot (it may then plan the week).
    backup_farm_id: Mapped[int | None] = mapped_column(ForeignKey("farms.id"))
    # When a grower of the coordinating (or backup) farm confirmed they take the week on.
    confirmed_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    note: Mapped[str | None] = mapped_column(Text)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    week: Mapped[DeliveryWeek] = relationship(back_populates="coordinator_assignment")
    farm: Mapped[Farm] = relationship(foreign_keys=[farm_id])
    backup_farm: Mapped[Farm | None] = relationship(foreign_keys=[backup_farm_id])
    confirmed_by: Mapped[User | None] = relationship()


class SwapState(enum.StrEnum):
    """Where a swap request stands."""

    REQUESTED = "requested"
    ACCEPTED = "accepted"
    REFUSED = "refused"
    CANCELLED = "cancelled"


class CoordinatorSwap(Base):
    """A request to exchange one week's coordination with another week's, or hand it to a farm."""

    __tablename__ = "coordinator_swaps"
    __table_args__ = (
        enum_check("state", SwapState),
        CheckConstraint(
            "other_assignment_id IS NOT NULL OR requested_farm_id IS NOT NULL", name="target"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("coordinator_assignments.id", ondelete="CASCADE"), index=True
    )
    # Either a swap with another week's assignment, or a hand-over to a farm.
    other_assignment_id: Mapped[int | None] = mapped_column(
        ForeignKey("coordinator_assignments.id", ondelete="CASCADE"), index=True
    )
    requested_farm_id: Mapped[int | None] = mapped_column(ForeignKey("farms.id"))
    state: Mapped[SwapState] = mapped_column(
        enum_type(SwapState), default=SwapState.REQUESTED, index=True
    )
    note: Mapped[str | None] = mapped_column(Text)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    requested_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)

    assignment: Mapped[CoordinatorAssignment] = relationship(foreign_keys=[assignment_id])
    other_assignment: Mapped[CoordinatorAssignment | None] = relationship(
        foreign_keys=[other_assignment_id]
    )
    requested_farm: Mapped[Farm | None] = relationship()
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
