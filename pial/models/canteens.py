"""Canteens that order and receive, and the groups of canteens that buy under one contract."""

from __future__ import annotations

import enum
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Column, Date, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pial.db import Base
from pial.models.common import Timestamped, Versioned, enum_check, enum_type

if TYPE_CHECKING:
    from pial.models.users import User


class CanteenKind(enum.StrEnum):
    """The kind of establishment a canteen feeds."""

    SCHOOL = "school"
    SECONDARY_SCHOOL = "secondary_school"
    NURSING_HOME = "nursing_home"
    CRECHE = "creche"
    RESTAURANT = "restaurant"


canteen_group_members = Table(
    "canteen_group_members",
    Base.metadata,
    Column(
        "canteen_group_id",
        ForeignKey("canteen_groups.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("canteen_id", ForeignKey("canteens.id", ondelete="CASCADE"), primary_key=True),
)
"""Association: which canteens belong to which group (both sides cascade on delete)."""


class Canteen(Timestamped, Versioned, Base):
    """A kitchen that orders and receives deliveries.

    ``delivery_weekdays`` lists the ISO weekdays it can receive (``"1,4"``); null means the
    platform's delivery days.
    """

    __tablename__ = "canteens"
    __table_args__ = (
        enum_check("kind", CanteenKind),
        CheckConstraint(
            "school_zone IS NULL OR school_zone IN ('A', 'B', 'C')", name="school_zone"
        ),
        CheckConstraint("meals_per_day IS NULL OR meals_per_day >= 0", name="meals_per_day"),
        CheckConstraint("lat BETWEEN -90 AND 90", name="lat"),
        CheckConstraint("lon BETWEEN -180 AND 180", name="lon"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[CanteenKind] = mapped_column(enum_type(CanteenKind))
    siret: Mapped[str | None] = mapped_column(String(14))
    commune: Mapped[str] = mapped_column(String(200))
    insee_code: Mapped[str | None] = mapped_column(String(5))
    address: Mapped[str | None] = mapped_column(Text)
    lat: Mapped[float]
    lon: Mapped[float]
    meals_per_day: Mapped[int | None]
    delivery_weekdays: Mapped[str | None] = mapped_column(String(20))
    delivery_note: Mapped[str | None] = mapped_column(Text)  # access, opening hours
    # The school-holiday zone (A, B or C) whose holidays close the canteen; null: none.
    school_zone: Mapped[str | None] = mapped_column(String(1))
    contact_phone: Mapped[str | None] = mapped_column(String(32))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    is_active: Mapped[bool] = mapped_column(default=True)
    # The buyer invoiced for this canteen's deliveries when it is not the canteen itself (a
    # municipality paying for its schools): one invoice a month for all its canteens.
    invoiced_group_id: Mapped[int | None] = mapped_column(
        ForeignKey("canteen_groups.id", ondelete="SET NULL"), index=True
    )

    users: Mapped[list[User]] = relationship(back_populates="canteen")
    groups: Mapped[list[CanteenGroup]] = relationship(
        secondary=canteen_group_members, back_populates="canteens", passive_deletes=True
    )
    invoiced_group: Mapped[CanteenGroup | None] = relationship(foreign_keys=[invoiced_group_id])
    closures: Mapped[list[CanteenClosure]] = relationship(
        back_populates="canteen",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="CanteenClosure.start_date",
    )


class CanteenClosure(Timestamped, Base):
    """Days a canteen declares itself closed (a trip, works, a strike), both ends included."""

    __tablename__ = "canteen_closures"
    __table_args__ = (CheckConstraint("end_date >= start_date", name="dates"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    canteen_id: Mapped[int] = mapped_column(
        ForeignKey("canteens.id", ondelete="CASCADE"), index=True
    )
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(200))

    canteen: Mapped[Canteen] = relationship(back_populates="closures")


class CanteenGroup(Timestamped, Base):
    """A named set of canteens buying together (e.g. a municipality's schools)."""

    __tablename__ = "canteen_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    note: Mapped[str | None] = mapped_column(Text)
    # As a buyer invoiced for its canteens (Canteen.invoiced_group_id).
    siret: Mapped[str | None] = mapped_column(String(14))
    address: Mapped[str | None] = mapped_column(Text)

    canteens: Mapped[list[Canteen]] = relationship(
        secondary=canteen_group_members, back_populates="groups", passive_deletes=True
    )
