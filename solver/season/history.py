"""What the season models learn from: the catalogue, the places and the weekly records.

Weeks are identified by their Monday (``datetime.date``); a week belongs to the month of its
Thursday, as ISO weeks belong to the year of theirs. Quantities are in each product's unit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class ProductInfo:
    """A product: its months in season (12 characters, January first) and its price per unit."""

    id: str
    season_mask: str = "1" * 12
    price_eur: float = 1.0
    unit_kg: float = 1.0

    def in_season(self, month: int) -> bool:
        """Tell whether the product is in season in ``month`` (1 = January)."""
        return self.season_mask[month - 1] == "1"


@dataclass(frozen=True, slots=True)
class CanteenInfo:
    """A canteen: its meals per day (the scale of its demand) and where it is."""

    id: str
    meals_per_day: float = 0.0
    lat: float = 0.0
    lon: float = 0.0


@dataclass(frozen=True, slots=True)
class GrowerInfo:
    """A grower: where the farm is and its agreed share of the group's sales (0..1)."""

    id: str
    lat: float = 0.0
    lon: float = 0.0
    target_share: float | None = None


@dataclass(frozen=True, slots=True)
class Record:
    """One weekly quantity: ordered by a canteen, or offered or lost by a grower (``owner``)."""

    owner: str
    product: str
    week: dt.date
    quantity: float


@dataclass(frozen=True, slots=True)
class ContractVolume:
    """A yearly minimum a group of canteens committed to buy of a product (a contract line)."""

    canteens: tuple[str, ...]
    product: str
    yearly_quantity: float


@dataclass(frozen=True, slots=True)
class History:
    """The weeks the group has records for, and what was ordered, offered and lost in them.

    ``closures`` are canteen-weeks known to be closed (a calendar); a canteen that ordered
    nothing at all in a week is counted closed that week too.
    """

    weeks: tuple[dt.date, ...]
    canteens: tuple[CanteenInfo, ...]
    products: tuple[ProductInfo, ...]
    growers: tuple[GrowerInfo, ...] = ()
    orders: tuple[Record, ...] = ()
    offers: tuple[Record, ...] = ()
    losses: tuple[Record, ...] = ()
    closures: frozenset[tuple[str, dt.date]] = field(default_factory=frozenset)

    def before(self, first_week: dt.date) -> History:
        """Return the history of the weeks before ``first_week`` only."""

        def keep(records: tuple[Record, ...]) -> tuple[Record, ...]:
            return tuple(record for record in records if record.week < first_week)

        return History(
            weeks=tuple(week for week in self.weeks if week < first_week),
            canteens=self.canteens,
            products=self.products,
            growers=self.growers,
            orders=keep(self.orders),
            offers=keep(self.offers),
            losses=keep(self.losses),
            closures=frozenset(item for item in self.closures if item[1] < first_week),
        )

    @property
    def order_seasons(self) -> float:
        """Return how many seasons of orders the history holds (weeks with orders / 52.18)."""
        return len({record.week for record in self.orders}) / (365.25 / 7)


def month_of_week(monday: dt.date) -> int:
    """Return the month a week belongs to: its Thursday's."""
    return (monday + dt.timedelta(days=3)).month


def season_weeks(first_day: dt.date, last_day: dt.date) -> tuple[dt.date, ...]:
    """Return the Mondays of the weeks from ``first_day``'s week to ``last_day``'s, in order."""
    monday = first_day - dt.timedelta(days=first_day.weekday())
    weeks = []
    while monday <= last_day:
        weeks.append(monday)
        monday += dt.timedelta(weeks=1)
    return tuple(weeks)


def week_months(weeks: Sequence[dt.date]) -> npt.NDArray[np.int64]:
    """Return the month (1..12) of each week, as an array."""
    return np.array([month_of_week(week) for week in weeks], dtype=np.int64)


def season_mask_array(products: Sequence[ProductInfo]) -> npt.NDArray[np.bool_]:
    """Return a products × 12 array telling which months each product is in season."""
    return np.array(
        [[char == "1" for char in product.season_mask] for product in products], dtype=bool
    ).reshape(len(products), 12)


def record_array(
    records: Sequence[Record],
    owners: Sequence[str],
    products: Sequence[str],
    weeks: Sequence[dt.date],
) -> FloatArray:
    """Sum records into an owners × products × weeks array (records outside are ignored)."""
    owner_pos = {owner: i for i, owner in enumerate(owners)}
    product_pos = {product: j for j, product in enumerate(products)}
    week_pos = {week: t for t, week in enumerate(weeks)}
    array = np.zeros((len(owners), len(products), len(weeks)))
    rows, cols, times, values = [], [], [], []
    for record in records:
        i = owner_pos.get(record.owner)
        j = product_pos.get(record.product)
        t = week_pos.get(record.week)
        if i is None or j is None or t is None:
            continue
        rows.append(i)
        cols.append(j)
        times.append(t)
        values.append(record.quantity)
    if values:
        np.add.at(array, (np.array(rows), np.array(cols), np.array(times)), np.array(values))
    return array
