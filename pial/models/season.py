"""The coming season: history from before PIAL, crops declared, season plans, tender lots.

- ``HistoryLine``: a weekly quantity from the years before PIAL (the shared spreadsheet),
  kept so that the forecast learns from more than PIAL's own weeks;
- ``CropDeclaration`` and ``FarmWeekOff``: what a grower says it can grow in a season and the
  weeks it cannot deliver;
- ``SeasonPlan`` (with its lines and covers) and ``PlanProposal``: a solved plan, kept as it
  was solved, and a grower's proposed change to it;
- ``TenderLot``, ``TenderLotLine`` and ``TenderShare``: a tender lot the group may answer,
  the answer's committed volumes and prices, and each member's share.
"""

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
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pial.db import Base
from pial.models.common import (
    Money,
    Quantity,
    Rate,
    Timestamped,
    UTCDateTime,
    Versioned,
    enum_check,
    enum_type,
    utcnow,
)

if TYPE_CHECKING:
    from pial.models.canteens import Canteen, CanteenGroup
    from pial.models.catalogue import Product
    from pial.models.contracts import Contract
    from pial.models.farms import Farm
    from pial.models.users import User


class HistoryKind(enum.StrEnum):
    """What a history line records."""

    ORDER = "order"  # ordered by a canteen
    OFFER = "offer"  # offered by a farm
    LOSS = "loss"  # lost by a farm (a crop failure)


class HistoryLine(Base):
    """A weekly quantity from before PIAL: ordered by a canteen, or offered or lost by a farm."""

    __tablename__ = "season_history_lines"
    __table_args__ = (
        enum_check("kind", HistoryKind),
        CheckConstraint("quantity > 0", name="quantity"),
        CheckConstraint("(canteen_id IS NULL) != (farm_id IS NULL)", name="one_owner"),
        CheckConstraint("(kind = 'order') = (canteen_id IS NOT NULL)", name="owner_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[HistoryKind] = mapped_column(enum_type(HistoryKind))
    monday_date: Mapped[date] = mapped_column(Date, index=True)
    canteen_id: Mapped[int | None] = mapped_column(ForeignKey("canteens.id"), index=True)
    farm_id: Mapped[int | None] = mapped_column(ForeignKey("farms.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    quantity: Mapped[Decimal] = mapped_column(Quantity)  # in the product's unit
    source: Mapped[str | None] = mapped_column(String(200))  # e.g. the spreadsheet's name
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CropDeclaration(Timestamped, Versioned, Base):
    """A crop a farm will grow in a season: its weekly maximum, or its area and yield."""

    __tablename__ = "crop_declarations"
    __table_args__ = (
        UniqueConstraint("farm_id", "product_id", "season_year"),
        CheckConstraint(
            "max_weekly_quantity IS NULL OR max_weekly_quantity >= 0", name="max_weekly_quantity"
        ),
        CheckConstraint("area_m2 IS NULL OR area_m2 > 0", name="area_m2"),
        CheckConstraint("yield_per_m2 IS NULL OR yield_per_m2 > 0", name="yield_per_m2"),
        CheckConstraint("(area_m2 IS NULL) = (yield_per_m2 IS NULL)", name="area_and_yield"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    farm_id: Mapped[int] = mapped_column(ForeignKey("farms.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    season_year: Mapped[int] = mapped_column(SmallInteger)  # the season starting that year
    max_weekly_quantity: Mapped[Decimal | None] = mapped_column(Quantity)
    area_m2: Mapped[Decimal | None] = mapped_column(Quantity)
    yield_per_m2: Mapped[Decimal | None] = mapped_column(Quantity)  # per season, product unit
    note: Mapped[str | None] = mapped_column(String(500))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    farm: Mapped[Farm] = relationship()
    product: Mapped[Product] = relationship()

    @property
    def season_quantity(self) -> Decimal | None:
        """Return area × yield: the most the crop gives in the season (None if undeclared)."""
        if self.area_m2 is None or self.yield_per_m2 is None:
            return None
        return self.area_m2 * self.yield_per_m2


class FarmWeekOff(Base):
    """A week a farm cannot deliver (holidays, market, another commitment)."""

    __tablename__ = "farm_weeks_off"
    __table_args__ = (UniqueConstraint("farm_id", "monday_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    farm_id: Mapped[int] = mapped_column(ForeignKey("farms.id"), index=True)
    monday_date: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(String(200))
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    farm: Mapped[Farm] = relationship()


class PlanStatus(enum.StrEnum):
    """How the solve of a season plan ended."""

    OPTIMAL = "optimal"  # every product-week settled at the service level
    FEASIBLE = "feasible"  # stopped by rounds or time: a valid plan, a few weeks unsettled
    INFEASIBLE = "infeasible"  # no plan (locks beyond a capacity)


class SeasonPlan(Base):
    """One solve of a season's plan, kept as solved; growers see it once published."""

    __tablename__ = "season_plans"
    __table_args__ = (
        enum_check("status", PlanStatus),
        UniqueConstraint("season_year", "sequence"),
        CheckConstraint("service_level > 0 AND service_level < 1", name="service_level"),
        CheckConstraint("max_share > 0 AND max_share <= 1", name="max_share"),
        CheckConstraint("advance_share >= 0 AND advance_share <= 1", name="advance_share"),
        CheckConstraint("sequence >= 1", name="sequence"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    season_year: Mapped[int] = mapped_column(SmallInteger)
    sequence: Mapped[int]  # 1, 2, ... within the season
    status: Mapped[PlanStatus] = mapped_column(enum_type(PlanStatus))
    service_level: Mapped[Decimal] = mapped_column(Rate)
    max_share: Mapped[Decimal] = mapped_column(Rate)
    advance_share: Mapped[Decimal] = mapped_column(Rate)
    scenarios: Mapped[int]
    met_share: Mapped[float]  # demand-weighted share of product-weeks met over the scenarios
    demand_eur: Mapped[Decimal] = mapped_column(Money)  # the season's expected demand, valued
    planned_eur: Mapped[Decimal] = mapped_column(Money)
    solve_s: Mapped[float]
    rounds: Mapped[int]
    message: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )

    lines: Mapped[list[SeasonPlanLine]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", passive_deletes=True
    )
    covers: Mapped[list[SeasonPlanCover]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", passive_deletes=True
    )
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    published_by: Mapped[User | None] = relationship(foreign_keys=[published_by_id])


class SeasonPlanLine(Base):
    """A farm's planned volume of a product in a week of the season."""

    __tablename__ = "season_plan_lines"
    __table_args__ = (
        UniqueConstraint("plan_id", "farm_id", "product_id", "monday_date"),
        Index("ix_season_plan_lines_plan_id_farm_id", "plan_id", "farm_id"),
        CheckConstraint("quantity > 0", name="quantity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("season_plans.id", ondelete="CASCADE"))
    farm_id: Mapped[int] = mapped_column(ForeignKey("farms.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    monday_date: Mapped[date] = mapped_column(Date)
    quantity: Mapped[Decimal] = mapped_column(Quantity)

    plan: Mapped[SeasonPlan] = relationship(back_populates="lines")
    farm: Mapped[Farm] = relationship()
    product: Mapped[Product] = relationship()


class SeasonPlanCover(Base):
    """How a product-week fares under a plan: demand expected, planned, met share, gap."""

    __tablename__ = "season_plan_covers"
    __table_args__ = (UniqueConstraint("plan_id", "product_id", "monday_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("season_plans.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    monday_date: Mapped[date] = mapped_column(Date)
    demand_mean: Mapped[Decimal] = mapped_column(Quantity)
    planned: Mapped[Decimal] = mapped_column(Quantity)
    met_share: Mapped[float]
    gap: Mapped[Decimal] = mapped_column(Quantity)  # missing at the service level

    plan: Mapped[SeasonPlan] = relationship(back_populates="covers")
    product: Mapped[Product] = relationship()


class ProposalState(enum.StrEnum):
    """Where a grower's proposed change to the plan stands."""

    PENDING = "pending"
    ACCEPTED = "accepted"  # locked in the next solves of the season
    DECLINED = "declined"


class PlanProposal(Timestamped, Versioned, Base):
    """A grower's proposed weekly volume of a product over some weeks of the season."""

    __tablename__ = "season_plan_proposals"
    __table_args__ = (
        enum_check("state", ProposalState),
        CheckConstraint("weekly_quantity >= 0", name="weekly_quantity"),
        CheckConstraint("last_monday >= first_monday", name="weeks"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    season_year: Mapped[int] = mapped_column(SmallInteger, index=True)
    plan_id: Mapped[int | None] = mapped_column(
        ForeignKey("season_plans.id", ondelete="SET NULL"), index=True
    )
    farm_id: Mapped[int] = mapped_column(ForeignKey("farms.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    first_monday: Mapped[date] = mapped_column(Date)
    last_monday: Mapped[date] = mapped_column(Date)
    weekly_quantity: Mapped[Decimal] = mapped_column(Quantity)
    note: Mapped[str | None] = mapped_column(String(500))
    state: Mapped[ProposalState] = mapped_column(
        enum_type(ProposalState), default=ProposalState.PENDING
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)

    farm: Mapped[Farm] = relationship()
    product: Mapped[Product] = relationship()


class LotStatus(enum.StrEnum):
    """Where a tender lot stands."""

    DRAFT = "draft"  # entered, not answered yet
    ANSWERED = "answered"  # committed volumes computed
    WON = "won"  # awarded: its contract exists
    LOST = "lost"


class TenderLot(Timestamped, Versioned, Base):
    """A lot of a public tender the group may answer jointly."""

    __tablename__ = "tender_lots"
    __table_args__ = (
        enum_check("status", LotStatus),
        CheckConstraint("(canteen_id IS NULL) != (canteen_group_id IS NULL)", name="one_buyer"),
        CheckConstraint("years BETWEEN 1 AND 10", name="years"),
        CheckConstraint("confidence > 0.5 AND confidence < 1", name="confidence"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    tender_reference: Mapped[str | None] = mapped_column(String(100))
    lot_label: Mapped[str | None] = mapped_column(String(100))
    canteen_id: Mapped[int | None] = mapped_column(ForeignKey("canteens.id"), index=True)
    canteen_group_id: Mapped[int | None] = mapped_column(
        ForeignKey("canteen_groups.id"), index=True
    )
    delivery_sites: Mapped[str | None] = mapped_column(Text)
    delivery_weekdays: Mapped[str] = mapped_column(String(20), default="1,4")
    years: Mapped[int] = mapped_column(SmallInteger, default=1)
    start_date: Mapped[date] = mapped_column(Date)
    confidence: Mapped[Decimal] = mapped_column(Rate, default=Decimal("0.95"))
    status: Mapped[LotStatus] = mapped_column(enum_type(LotStatus), default=LotStatus.DRAFT)
    lead_farm_id: Mapped[int | None] = mapped_column(ForeignKey("farms.id"), index=True)
    contract_id: Mapped[int | None] = mapped_column(
        ForeignKey("contracts.id", ondelete="SET NULL"), index=True
    )
    notes: Mapped[str | None] = mapped_column(Text)
    answered_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    draws: Mapped[int | None]
    answer_s: Mapped[float | None]

    canteen: Mapped[Canteen | None] = relationship()
    canteen_group: Mapped[CanteenGroup | None] = relationship()
    lead_farm: Mapped[Farm | None] = relationship()
    contract: Mapped[Contract | None] = relationship()
    lines: Mapped[list[TenderLotLine]] = relationship(
        back_populates="lot", cascade="all, delete-orphan", passive_deletes=True,
        order_by="TenderLotLine.id",
    )


class TenderLotLine(Versioned, Base):
    """A product of a lot: the buyer's yearly estimate, the price, and the committed volume."""

    __tablename__ = "tender_lot_lines"
    __table_args__ = (
        UniqueConstraint("lot_id", "product_id"),
        CheckConstraint("yearly_estimate > 0", name="yearly_estimate"),
        CheckConstraint(
            "production_cost_eur >= 0 AND margin_eur >= 0 AND intermediation_fee_eur >= 0",
            name="non_negative",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("tender_lots.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    yearly_estimate: Mapped[Decimal] = mapped_column(Quantity)
    production_cost_eur: Mapped[Decimal] = mapped_column(Money)
    margin_eur: Mapped[Decimal] = mapped_column(Money)
    intermediation_fee_eur: Mapped[Decimal] = mapped_column(Money)
    # The answer (null until computed): volumes per confidence and the one committed.
    volume_90: Mapped[Decimal | None] = mapped_column(Quantity)
    volume_95: Mapped[Decimal | None] = mapped_column(Quantity)
    volume_99: Mapped[Decimal | None] = mapped_column(Quantity)
    committed_quantity: Mapped[Decimal | None] = mapped_column(Quantity)
    expected_shortfall: Mapped[Decimal | None] = mapped_column(Quantity)
    shortfall_probability: Mapped[float | None]
    expected_deliverable: Mapped[Decimal | None] = mapped_column(Quantity)

    lot: Mapped[TenderLot] = relationship(back_populates="lines")
    product: Mapped[Product] = relationship()
    shares: Mapped[list[TenderShare]] = relationship(
        back_populates="line", cascade="all, delete-orphan", passive_deletes=True,
        order_by="TenderShare.id",
    )

    @hybrid_property
    def price_eur(self) -> Decimal:
        """Return the price per unit: cost + margin + intermediation fee (as a contract line)."""
        return self.production_cost_eur + self.margin_eur + self.intermediation_fee_eur


class TenderShare(Base):
    """A member's share of a lot line in the answer, and the risk it carries."""

    __tablename__ = "tender_shares"
    __table_args__ = (
        UniqueConstraint("lot_line_id", "farm_id"),
        CheckConstraint("volume_share > 0 AND volume_share <= 1", name="volume_share"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lot_line_id: Mapped[int] = mapped_column(
        ForeignKey("tender_lot_lines.id", ondelete="CASCADE")
    )
    farm_id: Mapped[int] = mapped_column(ForeignKey("farms.id"), index=True)
    volume_share: Mapped[Decimal] = mapped_column(Rate)
    quantity: Mapped[Decimal] = mapped_column(Quantity)  # yearly
    own_shortfall: Mapped[Decimal] = mapped_column(Quantity)  # expected, yearly
    covers_for_others: Mapped[Decimal] = mapped_column(Quantity)  # expected, yearly

    line: Mapped[TenderLotLine] = relationship(back_populates="shares")
    farm: Mapped[Farm] = relationship()
