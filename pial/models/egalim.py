"""EGalim: the log of ma-cantine purchase exports and the canteens' purchases outside PIAL."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pial.db import Base
from pial.models.common import Money, Timestamped, UTCDateTime, utcnow

if TYPE_CHECKING:
    from pial.models.canteens import Canteen
    from pial.models.users import User


class MacantineExport(Base):
    """One ma-cantine purchase file written for a canteen and a period (inclusive).

    ma-cantine refuses only a byte-identical file: a second export of an overlapping period
    would be imported again, so the app warns before writing one (``sha256`` names the bytes).
    """

    __tablename__ = "macantine_exports"
    __table_args__ = (
        CheckConstraint("last_day >= first_day", name="period"),
        CheckConstraint("rows >= 0", name="rows"),
        Index("ix_macantine_exports_canteen_period", "canteen_id", "first_day", "last_day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    canteen_id: Mapped[int] = mapped_column(ForeignKey("canteens.id", ondelete="CASCADE"))
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
    rows: Mapped[int]
    total_eur: Mapped[Decimal] = mapped_column(Money)  # the sum of the file's prix_ht
    sha256: Mapped[str] = mapped_column(String(64))
    exported_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    exported_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    canteen: Mapped[Canteen] = relationship()
    exported_by: Mapped[User | None] = relationship()


class OtherPurchases(Timestamped, Base):
    """A canteen's purchases of one month from outside PIAL, as totals excluding VAT.

    ``egalim_eur`` counts every purchase with an EGalim label, organic ones included, so that
    ``organic_eur <= egalim_eur <= total_eur``; ``local_eur`` is counted apart.
    """

    __tablename__ = "other_purchases"
    __table_args__ = (
        UniqueConstraint("canteen_id", "month"),
        CheckConstraint("organic_eur >= 0 AND local_eur >= 0", name="non_negative"),
        CheckConstraint("organic_eur <= egalim_eur AND egalim_eur <= total_eur", name="nested"),
        CheckConstraint("local_eur <= total_eur", name="local"),
        CheckConstraint("source IN ('form', 'import')", name="source"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    canteen_id: Mapped[int] = mapped_column(ForeignKey("canteens.id", ondelete="CASCADE"))
    month: Mapped[date] = mapped_column(Date)  # the first day of the month
    total_eur: Mapped[Decimal] = mapped_column(Money)
    egalim_eur: Mapped[Decimal] = mapped_column(Money)
    organic_eur: Mapped[Decimal] = mapped_column(Money)
    local_eur: Mapped[Decimal] = mapped_column(Money)
    note: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(20), default="form")  # "form" or "import"
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    canteen: Mapped[Canteen] = relationship()
