"""The platform's single settings row and the fee and fund rates in force over time."""

from __future__ import annotations

import enum
from datetime import date, datetime, time
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    Time,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from pial.db import Base
from pial.models.common import (
    Rate,
    Timestamped,
    UTCDateTime,
    Versioned,
    enum_check,
    enum_type,
    utcnow,
)

if TYPE_CHECKING:
    from pial.models.contracts import Contract

PLATFORM_ID = 1
"""Primary key of the only ``Platform`` row."""


def find_platform(session: Session) -> Platform | None:
    """Return the settings row (None before it is first saved), read once per session."""
    platform = session.get(Platform, PLATFORM_ID)
    if platform is not None:
        # The session holds its rows weakly: kept here, the row is not read again for every
        # date or rate a request computes.
        session.info["platform"] = platform
    return platform


def parse_weekdays(text: str) -> list[int]:
    """Return the ISO weekday numbers (1 = Monday) of a ``"1,4"`` style list."""
    return sorted({int(part) for part in text.split(",") if part.strip()})


class Platform(Timestamped, Versioned, Base):
    """The single row of territory-wide settings: calendar, deadlines, solver, fees, locale.

    Deadlines are a weekday (ISO, 1 = Monday) and a local time (``timezone``) in the week that
    is ``deadline_weeks_before`` weeks before the delivery week (1 = the week before).
    ``delivery_weekdays`` is a comma-separated list of ISO weekday numbers, e.g. ``"1,4"``.
    """

    __tablename__ = "platform"
    __table_args__ = (
        CheckConstraint(f"id = {PLATFORM_ID}", name="single_row"),
        CheckConstraint(
            "availability_deadline_weekday BETWEEN 1 AND 7", name="availability_deadline_weekday"
        ),
        CheckConstraint("order_deadline_weekday BETWEEN 1 AND 7", name="order_deadline_weekday"),
        CheckConstraint(
            "publish_fallback_weekday BETWEEN 1 AND 7", name="publish_fallback_weekday"
        ),
        CheckConstraint("deadline_weeks_before >= 0", name="deadline_weeks_before"),
        CheckConstraint("max_km IS NULL OR max_km > 0", name="max_km"),
        CheckConstraint("road_factor >= 1", name="road_factor"),
        CheckConstraint(
            "max_growers_per_line IS NULL OR max_growers_per_line >= 1", name="max_growers_per_line"
        ),
        CheckConstraint("time_limit_s > 0", name="time_limit_s"),
        CheckConstraint("local_radius_km BETWEEN 1 AND 1000", name="local_radius_km"),
        CheckConstraint("default_fee_rate BETWEEN 0 AND 1", name="default_fee_rate"),
        CheckConstraint("default_fund_rate BETWEEN 0 AND 1", name="default_fund_rate"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, default=PLATFORM_ID)
    territory_name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Paris")
    default_locale: Mapped[str] = mapped_column(String(8), default="fr")

    # The group as a seller: what its invoices and purchase exports name.
    legal_name: Mapped[str | None] = mapped_column(String(200))
    siret: Mapped[str | None] = mapped_column(String(14))  # 14 digits, Luhn-checked on save
    address: Mapped[str | None] = mapped_column(Text)
    vat_number: Mapped[str | None] = mapped_column(String(20))  # intra-EU VAT number
    organic_body: Mapped[str | None] = mapped_column(String(100))  # the group's own certificate
    organic_number: Mapped[str | None] = mapped_column(String(64))

    # Weekly calendar.
    delivery_weekdays: Mapped[str] = mapped_column(String(20), default="1,4")
    deadline_weeks_before: Mapped[int] = mapped_column(default=1)
    availability_deadline_weekday: Mapped[int] = mapped_column(default=4)
    availability_deadline_time: Mapped[time] = mapped_column(Time, default=time(12, 0))
    order_deadline_weekday: Mapped[int] = mapped_column(default=5)
    order_deadline_time: Mapped[time] = mapped_column(Time, default=time(12, 0))
    publish_fallback_weekday: Mapped[int] = mapped_column(default=6)
    publish_fallback_time: Mapped[time] = mapped_column(Time, default=time(12, 0))

    # Solver settings, named as in the `pial-allocation/1` "settings" object.
    max_km: Mapped[float | None] = mapped_column(default=80.0)
    road_factor: Mapped[float] = mapped_column(default=1.3)
    max_growers_per_line: Mapped[int | None]
    ledger_catch_up: Mapped[float] = mapped_column(default=0.5)
    weight_distance: Mapped[float] = mapped_column(default=1.0)
    weight_fairness: Mapped[float] = mapped_column(default=1.0)
    weight_deliveries: Mapped[float] = mapped_column(default=0.0)
    weight_stability: Mapped[float] = mapped_column(default=0.0)
    time_limit_s: Mapped[float] = mapped_column(default=10.0)

    # Defaults when no FeeRate row applies; fractions (0.05 = 5 %).
    default_fee_rate: Mapped[Decimal] = mapped_column(Rate, default=Decimal("0.0500"))
    default_fund_rate: Mapped[Decimal] = mapped_column(Rate, default=Decimal("0.0100"))

    # EGalim: a purchase is « local » (ma-cantine's definition KM) within this road distance.
    local_radius_km: Mapped[int] = mapped_column(default=100, server_default=text("100"))

class FeeKind(enum.StrEnum):
    """What a rate is levied for."""

    FEE = "fee"  # the platform's service (intermediation) fee
    FUND = "fund"  # the development fund contribution


class FeeRate(Base):
    """A fee or fund rate in force from ``valid_from``, platform-wide or for one contract.

    The rate in force on a date is the row with the latest ``valid_from`` on or before it,
    preferring the contract's own rows over the platform-wide ones (``contract_id`` null).
    """

    __tablename__ = "fee_rates"
    __table_args__ = (
        enum_check("kind", FeeKind),
        CheckConstraint("rate BETWEEN 0 AND 1", name="rate"),
        UniqueConstraint("kind", "contract_id", "valid_from"),
        # NULLs are distinct in UNIQUE constraints, so platform-wide rows need their own index.
        Index(
            "uq_fee_rates_platform_kind_valid_from",
            "kind",
            "valid_from",
            unique=True,
            sqlite_where=text("contract_id IS NULL"),
            postgresql_where=text("contract_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[FeeKind] = mapped_column(enum_type(FeeKind))
    rate: Mapped[Decimal] = mapped_column(Rate)
    valid_from: Mapped[date] = mapped_column(Date)
    contract_id: Mapped[int | None] = mapped_column(
        ForeignKey("contracts.id", ondelete="CASCADE"), index=True
    )
    note: Mapped[str | None] = mapped_column(Text)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    contract: Mapped[Contract | None] = relationship(back_populates="fee_rates")
