"""EGalim figures of a canteen: what it bought, how much of it organic, labelled, local.

EGalim asks that, excluding VAT, at least 50 % of a canteen's food purchases be sustainable and
quality products (an EGalim label: organic, Label Rouge, AOC/AOP, IGP, STG, HVE…), of which at
least 20 % organic. Each purchase counts once, under its best label, so organic purchases are
part of the EGalim ones. Pure arithmetic on decimals: no Flask, no database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

TARGET_EGALIM = Decimal("0.50")
TARGET_ORGANIC = Decimal("0.20")
ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class Amounts:
    """Purchases excluding VAT: the total, and the EGalim, organic and local parts of it."""

    total_eur: Decimal = ZERO
    egalim_eur: Decimal = ZERO
    organic_eur: Decimal = ZERO
    local_eur: Decimal = ZERO

    def __add__(self, other: Amounts) -> Amounts:
        """Return the sum of two sets of purchases."""
        return Amounts(
            self.total_eur + other.total_eur,
            self.egalim_eur + other.egalim_eur,
            self.organic_eur + other.organic_eur,
            self.local_eur + other.local_eur,
        )

    def share(self, part_eur: Decimal) -> Decimal | None:
        """Return ``part_eur`` / total, or None when nothing was bought."""
        return part_eur / self.total_eur if self.total_eur else None

    @property
    def egalim_share(self) -> Decimal | None:
        """Return the EGalim share (organic included)."""
        return self.share(self.egalim_eur)

    @property
    def organic_share(self) -> Decimal | None:
        """Return the organic share."""
        return self.share(self.organic_eur)

    @property
    def local_share(self) -> Decimal | None:
        """Return the local share."""
        return self.share(self.local_eur)

    @property
    def egalim_gap_eur(self) -> Decimal:
        """Return the EGalim purchases missing to reach 50 % at the same total (0 if reached)."""
        return max(ZERO, (self.total_eur * TARGET_EGALIM - self.egalim_eur).quantize(ZERO))

    @property
    def organic_gap_eur(self) -> Decimal:
        """Return the organic purchases missing to reach 20 % at the same total (0 if reached)."""
        return max(ZERO, (self.total_eur * TARGET_ORGANIC - self.organic_eur).quantize(ZERO))


@dataclass(frozen=True, slots=True)
class MonthFigures:
    """One month of a canteen: its purchases through PIAL and the others it entered."""

    month: dt.date  # the first day
    pial: Amounts
    other: Amounts
    other_entered: bool  # False: the canteen has not entered its other purchases of the month

    @property
    def whole(self) -> Amounts:
        """Return all the canteen's purchases of the month."""
        return self.pial + self.other


@dataclass(frozen=True, slots=True)
class CanteenYear:
    """A canteen's EGalim figures of a calendar year, month by month, up to ``through``."""

    canteen_id: int
    canteen_name: str
    year: int
    through: dt.date  # the last month counted (the current one for the current year)
    months: list[MonthFigures] = field(default_factory=list)

    @property
    def pial(self) -> Amounts:
        """Return the year's purchases through PIAL, to date."""
        return sum((month.pial for month in self.months), Amounts())

    @property
    def other(self) -> Amounts:
        """Return the year's other purchases, to date."""
        return sum((month.other for month in self.months), Amounts())

    @property
    def whole(self) -> Amounts:
        """Return all the year's purchases, to date."""
        return self.pial + self.other

    @property
    def missing_other_months(self) -> list[dt.date]:
        """Return the months with PIAL purchases but no other purchases entered."""
        return [m.month for m in self.months if not m.other_entered and m.pial.total_eur]

    def cumulative(self) -> list[Amounts]:
        """Return the whole purchases from January to each month, month by month."""
        running, totals = Amounts(), []
        for month in self.months:
            running = running + month.whole
            totals.append(running)
        return totals
