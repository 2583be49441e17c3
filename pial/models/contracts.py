"""Public-procurement contracts: buyer, committed quantities and prices, growers involved."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pial.db import Base
from pial.models.common import Money, Quantity, Timestamped, Versioned

if TYPE_CHECKING:
    from pial.models.canteens import Canteen, CanteenGroup
    from pial.models.catalogue import Product
    from pial.models.farms import Farm
    from pial.models.platform import FeeRate


contract_growers = Table(
    "contract_growers",
    Base.metadata,
    Column("contract_id", ForeignKey("contracts.id", ondelete="CASCADE"), primary_key=True),
    Column("farm_id", ForeignKey("farms.id"), primary_key=True, index=True),
)
"""Association: the farms that supply under a contract."""


class Contract(Timestamped, Versioned, Base):
    """A contract (e.g. a lot of a public tender) with one canteen or one group of canteens."""

    __tablename__ = "contracts"
    __table_args__ = (
        CheckConstraint("(canteen_id IS NULL) != (canteen_group_id IS NULL)", name="one_buyer"),
        CheckConstraint("end_date >= start_date", name="dates"),
        CheckConstraint("invoiced_by IN ('group', 'grower')", name="invoiced_by"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    tender_reference: Mapped[str | None] = mapped_column(String(100))
    lot_label: Mapped[str | None] = mapped_column(String(100))  # e.g. "lot 22"
    canteen_id: Mapped[int | None] = mapped_column(ForeignKey("canteens.id"), index=True)
    canteen_group_id: Mapped[int | None] = mapped_column(
        ForeignKey("canteen_groups.id"), index=True
    )
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)  # inclusive
    renewal_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("contracts.id", ondelete="SET NULL")
    )
    delivery_frequency: Mapped[str | None] = mapped_column(String(200))
    notes: Mapped[str | None] = mapped_column(Text)
    is_active: Mapped[bool] = mapped_column(default=True)
    # Who invoices its lines: "group" (the platform) or "grower" (each farm its own lines).
    invoiced_by: Mapped[str] = mapped_column(String(10), default="group",
                                             server_default="group")

    canteen: Mapped[Canteen | None] = relationship()
    canteen_group: Mapped[CanteenGroup | None] = relationship()
    renewal_of: Mapped[Contract | None] = relationship(remote_side=[id])
    lines: Mapped[list[ContractLine]] = relationship(
        back_populates="contract", cascade="all, delete-orphan", passive_deletes=True
    )
    growers: Mapped[list[Farm]] = relationship(secondary=contract_growers, passive_deletes=True)
    fee_rates: Mapped[list[FeeRate]] = relationship(
        back_populates="contract", cascade="all, delete-orphan", passive_deletes=True
    )


class ContractLine(Versioned, Base):
    """A product under a contract: committed yearly minimum and contract price per unit."""

    __tablename__ = "contract_lines"
    __table_args__ = (
        UniqueConstraint("contract_id", "product_id"),
        CheckConstraint(
            "committed_min_quantity_per_year >= 0", name="committed_min_quantity_per_year"
        ),
        CheckConstraint(
            "production_cost_eur >= 0 AND margin_eur >= 0 AND intermediation_fee_eur >= 0",
            name="non_negative",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    committed_min_quantity_per_year: Mapped[Decimal] = mapped_column(Quantity)
    production_cost_eur: Mapped[Decimal] = mapped_column(Money)
    margin_eur: Mapped[Decimal] = mapped_column(Money)
    intermediation_fee_eur: Mapped[Decimal] = mapped_column(Money)

    contract: Mapped[Contract] = relationship(back_populates="lines")
    product: Mapped[Product] = relationship()
    periods: Mapped[list[ContractLinePeriod]] = relationship(
        back_populates="contract_line",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="ContractLinePeriod.start_date",
    )

    @hybrid_property
    def price_eur(self) -> Decimal:
        """Return the contract price per unit: cost + margin + intermediation fee."""
        return self.production_cost_eur + self.margin_eur + self.intermediation_fee_eur


class ContractLinePeriod(Base):
    """A minimum quantity over a date range of a contract line (a month is a range too)."""

    __tablename__ = "contract_line_periods"
    __table_args__ = (
        CheckConstraint("end_date >= start_date", name="dates"),
        CheckConstraint("min_quantity >= 0", name="min_quantity"),
        UniqueConstraint("contract_line_id", "start_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_line_id: Mapped[int] = mapped_column(
        ForeignKey("contract_lines.id", ondelete="CASCADE")
    )
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)  # inclusive
    min_quantity: Mapped[Decimal] = mapped_column(Quantity)

    contract_line: Mapped[ContractLine] = relationship(back_populates="periods")
