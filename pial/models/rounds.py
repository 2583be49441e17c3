"""Delivery rounds: the vehicles, collection points, canteens' delivery windows and roads.

- ``Vehicle``: a grower's van (it starts from its farm) or the logistics partner's truck (from
  its depot), with its capacity, the hours it is free and what it costs;
- ``CollectionPoint``: a farm or the partner's platform where crates change vehicle;
- ``DeliveryWindow``: when a canteen takes deliveries (several per canteen allowed);
- ``RoundPin``: a line the coordinator moved onto a vehicle;
- ``RoadDistance``: a road distance, and its duration when known, entered by the lead for a pair
  of places; it takes precedence over the crow-fly distance × the road factor;
- ``RoundDaySnapshot``, ``RoundRouteCost``, ``RoundCostShare``: a delivery day's rounds kept
  when its week's fees are accrued (rounds are otherwise planned on demand, never stored): the
  routes' costs, each farm's share of them, and the pooled and alone totals.

Times of day are minutes after midnight.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pial.db import Base
from pial.models.common import Money, Quantity, Timestamped, UTCDateTime

if TYPE_CHECKING:
    from pial.models.canteens import Canteen
    from pial.models.farms import Farm

DAY_MIN = 24 * 60


class Vehicle(Timestamped, Base):
    """A grower's van (``farm_id`` set) or the logistics partner's truck (a depot instead)."""

    __tablename__ = "round_vehicles"
    __table_args__ = (
        CheckConstraint("capacity_kg > 0 AND capacity_crates > 0", name="capacity"),
        CheckConstraint(f"0 <= free_from_min AND free_from_min < free_until_min "
                        f"AND free_until_min <= {DAY_MIN}", name="free_hours"),
        CheckConstraint("(farm_id IS NULL) = (depot_lat IS NOT NULL)", name="start"),
        CheckConstraint("cost_per_km_eur >= 0 AND cost_per_hour_eur >= 0", name="costs"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    farm_id: Mapped[int | None] = mapped_column(ForeignKey("farms.id"), index=True)
    depot_lat: Mapped[float | None]
    depot_lon: Mapped[float | None]
    capacity_kg: Mapped[Decimal] = mapped_column(Quantity)
    capacity_crates: Mapped[int]
    free_from_min: Mapped[int] = mapped_column(SmallInteger, default=5 * 60)
    free_until_min: Mapped[int] = mapped_column(SmallInteger, default=13 * 60)
    cost_per_km_eur: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.40"))
    cost_per_hour_eur: Mapped[Decimal] = mapped_column(Money, default=Decimal("15"))
    driver_name: Mapped[str | None] = mapped_column(String(200))
    driver_phone: Mapped[str | None] = mapped_column(String(32))
    # ISO weekdays (1 = Monday) the vehicle does not drive, e.g. "3,5": a grower may refuse a day.
    days_off: Mapped[str] = mapped_column(String(20), default="")
    is_active: Mapped[bool] = mapped_column(default=True)

    farm: Mapped[Farm | None] = relationship()

    @property
    def is_partner_truck(self) -> bool:
        """Tell whether this is the logistics partner's truck."""
        return self.farm_id is None


class CollectionPoint(Timestamped, Base):
    """A place where crates are left before the handover time and taken on after it."""

    __tablename__ = "collection_points"
    __table_args__ = (
        CheckConstraint(f"0 <= opens_min AND opens_min <= handover_min "
                        f"AND handover_min <= closes_min AND closes_min <= {DAY_MIN}",
                        name="hours"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    farm_id: Mapped[int | None] = mapped_column(ForeignKey("farms.id"))  # when on a farm
    lat: Mapped[float]
    lon: Mapped[float]
    opens_min: Mapped[int] = mapped_column(SmallInteger, default=5 * 60)
    handover_min: Mapped[int] = mapped_column(SmallInteger, default=7 * 60)
    closes_min: Mapped[int] = mapped_column(SmallInteger, default=12 * 60)
    handling_min: Mapped[int] = mapped_column(SmallInteger, default=10)
    is_active: Mapped[bool] = mapped_column(default=True)


class DeliveryWindow(Base):
    """A time of day when a canteen takes deliveries, and how long unloading takes there."""

    __tablename__ = "canteen_delivery_windows"
    __table_args__ = (
        CheckConstraint(f"0 <= starts_min AND starts_min < ends_min AND ends_min <= {DAY_MIN}",
                        name="window"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    canteen_id: Mapped[int] = mapped_column(
        ForeignKey("canteens.id", ondelete="CASCADE"), index=True
    )
    starts_min: Mapped[int] = mapped_column(SmallInteger)
    ends_min: Mapped[int] = mapped_column(SmallInteger)
    unloading_min: Mapped[int] = mapped_column(SmallInteger, default=10)
    instructions: Mapped[str | None] = mapped_column(Text)  # for the driver: dock, code, …

    canteen: Mapped[Canteen] = relationship()


class RoundPin(Timestamped, Base):
    """A published line the coordinator put on a vehicle; the rest of the day is re-planned.

    A pin belongs to its allocation line: a re-plan's new lines start without pins.
    """

    __tablename__ = "round_pins"

    id: Mapped[int] = mapped_column(primary_key=True)
    allocation_line_id: Mapped[int] = mapped_column(
        ForeignKey("allocation_lines.id", ondelete="CASCADE"), unique=True
    )
    vehicle_id: Mapped[int] = mapped_column(ForeignKey("round_vehicles.id", ondelete="CASCADE"),
                                            index=True)


class RoadDistance(Base):
    """A road distance between two places (``farm:ID``, ``canteen:ID``, ``point:ID``)."""

    __tablename__ = "road_distances"
    __table_args__ = (
        UniqueConstraint("place_a", "place_b"),
        CheckConstraint("distance_km >= 0", name="distance"),
        CheckConstraint("duration_min IS NULL OR duration_min >= 0", name="duration"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    place_a: Mapped[str] = mapped_column(String(40))
    place_b: Mapped[str] = mapped_column(String(40))
    distance_km: Mapped[float]
    duration_min: Mapped[float | None]


class RoundDaySnapshot(Base):
    """A delivery day's rounds as they were when the week's fees were accrued: its history.

    The pooled and « each grower alone » totals are kept as computed then, so that editing a
    vehicle's costs later changes neither the statements nor the season's savings.
    """

    __tablename__ = "round_day_snapshots"
    __table_args__ = (
        CheckConstraint("pooled_km >= 0 AND alone_km >= 0", name="km"),
        CheckConstraint("pooled_min >= 0 AND alone_min >= 0", name="minutes"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    week_id: Mapped[int] = mapped_column(ForeignKey("delivery_weeks.id", ondelete="CASCADE"),
                                         index=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    plan_version: Mapped[int]
    pooled_km: Mapped[float]
    pooled_min: Mapped[int]
    pooled_co2_kg: Mapped[float]
    pooled_cost_eur: Mapped[Decimal] = mapped_column(Money)
    alone_km: Mapped[float]
    alone_min: Mapped[int]
    alone_co2_kg: Mapped[float]
    alone_cost_eur: Mapped[Decimal] = mapped_column(Money)
    unserved_lines: Mapped[int] = mapped_column(default=0)
    taken_dt: Mapped[datetime] = mapped_column(UTCDateTime)

    routes: Mapped[list[RoundRouteCost]] = relationship(
        back_populates="day_snapshot", cascade="all, delete-orphan",
        order_by="RoundRouteCost.id")


class RoundRouteCost(Base):
    """One vehicle's round of a snapshotted day: what it drove and what it cost.

    ``driver_farm_id`` is the farm whose van drove it (credited the cost); None for the
    logistics partner's truck, whose cost is owed to the partner.
    """

    __tablename__ = "round_route_costs"
    __table_args__ = (
        CheckConstraint("distance_km >= 0 AND duration_min >= 0 AND cost_eur >= 0",
                        name="route"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    day_snapshot_id: Mapped[int] = mapped_column(
        ForeignKey("round_day_snapshots.id", ondelete="CASCADE"), index=True)
    vehicle_name: Mapped[str] = mapped_column(String(200))
    driver_farm_id: Mapped[int | None] = mapped_column(ForeignKey("farms.id"), index=True)
    distance_km: Mapped[float]
    duration_min: Mapped[int]
    cost_eur: Mapped[Decimal] = mapped_column(Money)
    co2_kg: Mapped[float]
    carried_kg_km: Mapped[float]

    day_snapshot: Mapped[RoundDaySnapshot] = relationship(back_populates="routes")
    shares: Mapped[list[RoundCostShare]] = relationship(
        back_populates="route", cascade="all, delete-orphan", order_by="RoundCostShare.id")


class RoundCostShare(Base):
    """A farm's part of a route's cost: route cost × the farm's kg·km ÷ the route's kg·km."""

    __tablename__ = "round_cost_shares"
    __table_args__ = (
        UniqueConstraint("route_id", "farm_id"),
        CheckConstraint("kg_km >= 0 AND share_eur >= 0", name="share"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    route_id: Mapped[int] = mapped_column(
        ForeignKey("round_route_costs.id", ondelete="CASCADE"), index=True)
    farm_id: Mapped[int] = mapped_column(ForeignKey("farms.id"), index=True)
    kg_km: Mapped[float]
    share_eur: Mapped[Decimal] = mapped_column(Money)

    route: Mapped[RoundRouteCost] = relationship(back_populates="shares")
