"""Money: the farms' fairness ledger, fees and fund accruals, the fund, cash advances."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pial.db import Base
from pial.models.common import Money, Rate, UTCDateTime, Versioned, enum_check, enum_type, utcnow

if TYPE_CHECKING:
    from pial.models.allocation import AllocationLine, AllocationRun
    from pial.models.canteens import Canteen
    from pial.models.catalogue import Season
    from pial.models.deliveries import Receipt
    from pial.models.farms import Farm
    from pial.models.users import User
    from pial.models.weeks import DeliveryWeek


class LedgerKind(enum.StrEnum):
    """Why a farm's fairness ledger moved."""

    ALLOCATION = "allocation"  # a published run: value sold minus value targeted
    RECEIPT_CORRECTION = "receipt_correction"  # what was received differs from the plan
    MANUAL = "manual"  # the lead's adjustment


class LedgerEntry(Base):
    """A movement of a farm's fairness ledger (value sold − value targeted; + = ahead).

    The farm's current ``ledger_eur`` is the ``balance_after_eur`` of its latest entry (by id).
    """

    __tablename__ = "ledger_entries"
    __table_args__ = (
        enum_check("kind", LedgerKind),
        Index("ix_ledger_entries_farm_id_id", "farm_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    farm_id: Mapped[int] = mapped_column(ForeignKey("farms.id"))
    week_id: Mapped[int | None] = mapped_column(ForeignKey("delivery_weeks.id"), index=True)
    kind: Mapped[LedgerKind] = mapped_column(enum_type(LedgerKind))
    amount_eur: Mapped[Decimal] = mapped_column(Money)
    balance_after_eur: Mapped[Decimal] = mapped_column(Money)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("allocation_runs.id"), index=True)
    note: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    farm: Mapped[Farm] = relationship()
    week: Mapped[DeliveryWeek | None] = relationship()
    run: Mapped[AllocationRun | None] = relationship()
    created_by: Mapped[User | None] = relationship()


class FeeAccrual(Base):
    """The service fee and fund contribution owed on one sale (a receipt or an allocation line).

    ``fee_eur`` = ``base_value_eur`` × ``fee_rate`` and ``fund_eur`` = ``base_value_eur`` ×
    ``fund_rate``, both rounded to the cent by the service that writes the row.
    """

    __tablename__ = "fee_accruals"
    __table_args__ = (
        CheckConstraint("receipt_id IS NOT NULL OR allocation_line_id IS NOT NULL", name="source"),
        CheckConstraint("fee_rate BETWEEN 0 AND 1 AND fund_rate BETWEEN 0 AND 1", name="rates"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    receipt_id: Mapped[int | None] = mapped_column(ForeignKey("receipts.id"), unique=True)
    allocation_line_id: Mapped[int | None] = mapped_column(
        ForeignKey("allocation_lines.id"), unique=True
    )
    farm_id: Mapped[int] = mapped_column(ForeignKey("farms.id"), index=True)
    canteen_id: Mapped[int] = mapped_column(ForeignKey("canteens.id"), index=True)
    week_id: Mapped[int] = mapped_column(ForeignKey("delivery_weeks.id"), index=True)
    base_value_eur: Mapped[Decimal] = mapped_column(Money)
    fee_rate: Mapped[Decimal] = mapped_column(Rate)
    fee_eur: Mapped[Decimal] = mapped_column(Money)
    fund_rate: Mapped[Decimal] = mapped_column(Rate)
    fund_eur: Mapped[Decimal] = mapped_column(Money)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    receipt: Mapped[Receipt | None] = relationship()
    allocation_line: Mapped[AllocationLine | None] = relationship()
    farm: Mapped[Farm] = relationship()
    canteen: Mapped[Canteen] = relationship()
    week: Mapped[DeliveryWeek] = relationship()


class FundMovement(Base):
    """A movement of the development fund: + a contribution, − a spending."""

    __tablename__ = "fund_movements"

    id: Mapped[int] = mapped_column(primary_key=True)
    movement_date: Mapped[date] = mapped_column(Date, index=True)
    amount_eur: Mapped[Decimal] = mapped_column(Money)
    label: Mapped[str] = mapped_column(String(200))
    fee_accrual_id: Mapped[int | None] = mapped_column(
        ForeignKey("fee_accruals.id", ondelete="SET NULL"), index=True
    )
    note: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    fee_accrual: Mapped[FeeAccrual | None] = relationship()
    created_by: Mapped[User | None] = relationship()


class CashAdvance(Versioned, Base):
    """Cash advanced to a farm (e.g. for a season's seeds), recovered from its later sales.

    ``recovery_rate`` is the share of each sale withheld until the advance is repaid; null
    means recoveries are entered by hand (a schedule can be written in ``note``).
    """

    __tablename__ = "cash_advances"
    __table_args__ = (
        CheckConstraint("amount_eur > 0", name="amount_eur"),
        CheckConstraint(
            "recovery_rate IS NULL OR recovery_rate BETWEEN 0 AND 1", name="recovery_rate"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    farm_id: Mapped[int] = mapped_column(ForeignKey("farms.id"), index=True)
    season_id: Mapped[int | None] = mapped_column(ForeignKey("seasons.id"))
    amount_eur: Mapped[Decimal] = mapped_column(Money)
    granted_date: Mapped[date] = mapped_column(Date)
    recovery_rate: Mapped[Decimal | None] = mapped_column(Rate)
    closed_date: Mapped[date | None] = mapped_column(Date)  # fully recovered or written off
    note: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    farm: Mapped[Farm] = relationship()
    season: Mapped[Season | None] = relationship()
    recoveries: Mapped[list[AdvanceRecovery]] = relationship(
        back_populates="advance",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="AdvanceRecovery.recovery_date",
    )


class AdvanceRecovery(Base):
    """An amount recovered on a cash advance, from a sale's accrual or entered by hand."""

    __tablename__ = "advance_recoveries"
    __table_args__ = (CheckConstraint("amount_eur > 0", name="amount_eur"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    advance_id: Mapped[int] = mapped_column(
        ForeignKey("cash_advances.id", ondelete="CASCADE"), index=True
    )
    recovery_date: Mapped[date] = mapped_column(Date)
    amount_eur: Mapped[Decimal] = mapped_column(Money)
    fee_accrual_id: Mapped[int | None] = mapped_column(
        ForeignKey("fee_accruals.id", ondelete="SET NULL"), index=True
    )
    note: Mapped[str | None] = mapped_column(Text)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    advance: Mapped[CashAdvance] = relationship(back_populates="recoveries")
    fee_accrual: Mapped[FeeAccrual | None] = relationship()
