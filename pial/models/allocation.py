"""Allocation runs (one solve of a week, kept verbatim), their lines, locks and crop failures.

A run is immutable once created: only its publication fields may change afterwards
(``PUBLICATION_FIELDS``); a flush that changes anything else raises ``ImmutableRunError``.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    event,
    inspect,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pial.db import Base
from pial.models.common import Money, Quantity, UTCDateTime, enum_check, enum_type, utcnow

if TYPE_CHECKING:
    from pial.models.canteens import Canteen
    from pial.models.catalogue import Product
    from pial.models.farms import Farm
    from pial.models.users import User
    from pial.models.weeks import DeliveryWeek


class RunStatus(enum.StrEnum):
    """Outcome of a solve: the result's ``status``, or ``error`` if the solver crashed."""

    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    INFEASIBLE = "infeasible"
    INVALID = "invalid"
    ERROR = "error"


class RunTrigger(enum.StrEnum):
    """What started a run."""

    MANUAL = "manual"
    SCHEDULER = "scheduler"
    REPLAN = "replan"
    CROP_FAILURE = "crop_failure"


PUBLICATION_FIELDS = frozenset({"published_dt", "published_by_id", "published_version"})
"""The only columns of an ``AllocationRun`` that may change after it is created."""


class ImmutableRunError(RuntimeError):
    """Raised when a flush would change an allocation run beyond its publication fields."""


class AllocationRun(Base):
    """One solve of a week: the exact instance and result JSON texts, metrics, publication."""

    __tablename__ = "allocation_runs"
    __table_args__ = (
        enum_check("status", RunStatus),
        enum_check("trigger", RunTrigger),
        UniqueConstraint("week_id", "sequence"),
        UniqueConstraint("week_id", "published_version"),
        CheckConstraint("(published_version IS NULL) = (published_dt IS NULL)", name="publication"),
        CheckConstraint("sequence >= 1", name="sequence"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    week_id: Mapped[int] = mapped_column(ForeignKey("delivery_weeks.id", ondelete="CASCADE"))
    sequence: Mapped[int]  # 1, 2, ... within the week
    status: Mapped[RunStatus] = mapped_column(enum_type(RunStatus))
    trigger: Mapped[RunTrigger] = mapped_column(enum_type(RunTrigger))
    # Exact texts as exchanged with the solver (`pial-allocation/1`), never re-serialised.
    instance_json: Mapped[str] = mapped_column(Text)
    result_json: Mapped[str | None] = mapped_column(Text)  # null when the solver crashed
    error_message: Mapped[str | None] = mapped_column(Text)
    # Copied from the result's "metrics" so runs can be listed without parsing JSON.
    ordered_eur: Mapped[Decimal | None] = mapped_column(Money)
    served_eur: Mapped[Decimal | None] = mapped_column(Money)
    fill_rate: Mapped[float | None]
    contract_fill_rate: Mapped[float | None]
    kg_km: Mapped[float | None]
    deliveries: Mapped[int | None]
    share_deviation_eur: Mapped[Decimal | None] = mapped_column(Money)
    moved_from_previous: Mapped[float | None]
    solve_s: Mapped[float | None]
    # The solve passed its time limit and may have been cut short: solved again, the week may
    # get another plan (null: the solver did not say, as before it could).
    time_limit_reached: Mapped[bool | None]
    supersedes_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("allocation_runs.id", ondelete="SET NULL")
    )
    note: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    published_version: Mapped[int | None]  # 1, 2, ... per week, in publication order

    week: Mapped[DeliveryWeek] = relationship(back_populates="allocation_runs")
    lines: Mapped[list[AllocationLine]] = relationship(
        back_populates="run", cascade="all, delete-orphan", passive_deletes=True
    )
    supersedes: Mapped[AllocationRun | None] = relationship(remote_side=[id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    published_by: Mapped[User | None] = relationship(foreign_keys=[published_by_id])

    @property
    def is_published(self) -> bool:
        """Tell whether this run has been published."""
        return self.published_version is not None


@event.listens_for(AllocationRun, "before_update")
def _refuse_run_changes(_mapper: Any, _connection: Any, run: AllocationRun) -> None:
    """Refuse to flush changes to a run other than its publication fields."""
    state = inspect(run)
    changed = {
        attr.key
        for attr in state.attrs
        if attr.key in state.mapper.columns and attr.history.has_changes()
    }
    if changed - PUBLICATION_FIELDS:
        fields = ", ".join(sorted(changed - PUBLICATION_FIELDS))
        raise ImmutableRunError(f"allocation run {run.id} is immutable; tried to change {fields}")


class AllocationLine(Base):
    """A quantity of a product sent by a farm to a canteen on a day, in one run."""

    __tablename__ = "allocation_lines"
    __table_args__ = (
        UniqueConstraint("run_id", "farm_id", "canteen_id", "product_id", "day"),
        Index("ix_allocation_lines_run_id_canteen_id", "run_id", "canteen_id"),
        Index("ix_allocation_lines_farm_id_day", "farm_id", "day"),
        CheckConstraint("quantity > 0", name="quantity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("allocation_runs.id", ondelete="CASCADE"))
    farm_id: Mapped[int] = mapped_column(ForeignKey("farms.id"))
    canteen_id: Mapped[int] = mapped_column(ForeignKey("canteens.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    day: Mapped[date] = mapped_column(Date)
    quantity: Mapped[Decimal] = mapped_column(Quantity)  # in the product's unit
    distance_km: Mapped[float]
    value_eur: Mapped[Decimal] = mapped_column(Money)  # quantity × the group's price
    # Decided once, when the run is published (pial.allocation.pricing): what the canteen pays
    # per unit, and the contract line it is sold under (null: the group's price of the day).
    unit_price_eur: Mapped[Decimal | None] = mapped_column(Money)
    contract_line_id: Mapped[int | None] = mapped_column(
        ForeignKey("contract_lines.id", ondelete="SET NULL"), index=True
    )

    run: Mapped[AllocationRun] = relationship(back_populates="lines")
    farm: Mapped[Farm] = relationship()
    canteen: Mapped[Canteen] = relationship()
    product: Mapped[Product] = relationship()


class ManualLock(Base):
    """A quantity fixed by the week's coordinator that every run must keep (``locked[]``)."""

    __tablename__ = "manual_locks"
    __table_args__ = (
        UniqueConstraint("week_id", "farm_id", "canteen_id", "product_id", "day"),
        CheckConstraint("quantity >= 0", name="quantity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    week_id: Mapped[int] = mapped_column(ForeignKey("delivery_weeks.id", ondelete="CASCADE"))
    farm_id: Mapped[int] = mapped_column(ForeignKey("farms.id"), index=True)
    canteen_id: Mapped[int] = mapped_column(ForeignKey("canteens.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    day: Mapped[date] = mapped_column(Date)
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    note: Mapped[str | None] = mapped_column(String(500))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    week: Mapped[DeliveryWeek] = relationship(back_populates="manual_locks")
    farm: Mapped[Farm] = relationship()
    canteen: Mapped[Canteen] = relationship()
    product: Mapped[Product] = relationship()
    created_by: Mapped[User | None] = relationship()


class CropFailure(Base):
    """A farm's declared loss of a product after publication, and the re-plan it caused."""

    __tablename__ = "crop_failures"
    __table_args__ = (CheckConstraint("quantity_lost > 0", name="quantity_lost"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    week_id: Mapped[int] = mapped_column(
        ForeignKey("delivery_weeks.id", ondelete="CASCADE"), index=True
    )
    farm_id: Mapped[int] = mapped_column(ForeignKey("farms.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    day: Mapped[date | None] = mapped_column(Date)  # null = the whole week
    quantity_lost: Mapped[Decimal] = mapped_column(Quantity)
    # What the loss takes off the farm's offer so that only « planned − lost » remains to
    # allocate (null on losses declared before: the loss itself came off the offer).
    quantity_withdrawn: Mapped[Decimal | None] = mapped_column(Quantity)
    note: Mapped[str | None] = mapped_column(Text)
    declared_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    declared_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    replan_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("allocation_runs.id", ondelete="SET NULL")
    )

    week: Mapped[DeliveryWeek] = relationship(back_populates="crop_failures")
    farm: Mapped[Farm] = relationship()
    product: Mapped[Product] = relationship()
    declared_by: Mapped[User | None] = relationship()
    replan_run: Mapped[AllocationRun | None] = relationship()
