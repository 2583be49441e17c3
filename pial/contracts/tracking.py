"""Contract progress arithmetic: contract years, pro-rata commitment, trend forecast, alerts.

Pure functions over dates and Decimals (no database). The *season calendar* of a product is its
``season_mask``: a day counts towards the pro-rata and the forecast only in a month when the
product is in season, so a summer product is not "behind" in November. A line with periods
commits each period's minimum instead of a yearly one, spread evenly over the period's days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

QUANTITY_STEP = Decimal("0.001")
ALL_YEAR = "1" * 12

TREND_WEEKS = 8
"""The forecast extrapolates the rate of the last weeks of in-season deliveries."""

MIN_TREND_DAYS = 7
"""Fewer in-season days than this behind us give no trend to extrapolate."""

ALERT_TOLERANCE = Decimal("0.05")
"""A line is behind when it lags the pro-rata by more than this share of it."""


@dataclass(frozen=True, slots=True)
class ContractYear:
    """One contract year: ``index`` 1, 2, … from ``start`` to ``end`` (inclusive)."""

    index: int
    start: dt.date
    end: dt.date

    def contains(self, day: dt.date) -> bool:
        """Tell whether ``day`` falls in this year."""
        return self.start <= day <= self.end

    @property
    def days(self) -> int:
        """Return the number of days of the year (fewer for a last, partial year)."""
        return (self.end - self.start).days + 1


@dataclass(frozen=True, slots=True)
class Period:
    """A minimum quantity over a date range (a month, a term…)."""

    start: dt.date
    end: dt.date
    min_quantity: Decimal


def _anniversary(start: dt.date, years: int) -> dt.date:
    """Return ``start`` moved ``years`` years on (29 February becomes 28 February)."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return start.replace(year=start.year + years, day=28)


def contract_years(start: dt.date, end: dt.date) -> list[ContractYear]:
    """Split a contract's dates into years from its anniversaries (the last may be short)."""
    years = []
    index = 1
    year_start = start
    while year_start <= end:
        next_start = _anniversary(start, index)
        years.append(ContractYear(index, year_start, min(next_start - dt.timedelta(days=1), end)))
        year_start = next_start
        index += 1
    return years


def year_of(years: Sequence[ContractYear], day: dt.date) -> ContractYear:
    """Return the year containing ``day``, else the first (before) or last (after) one."""
    for year in years:
        if year.contains(day):
            return year
    return years[0] if day < years[0].start else years[-1]


def season_days(first: dt.date, last: dt.date, season_mask: str = ALL_YEAR) -> int:
    """Count the days from ``first`` to ``last`` (inclusive) in a month of the season."""
    if last < first:
        return 0
    count = 0
    day = first
    while day <= last:
        month_end = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        chunk_end = min(last, month_end - dt.timedelta(days=1))
        if season_mask[day.month - 1] == "1":
            count += (chunk_end - day).days + 1
        day = chunk_end + dt.timedelta(days=1)
    return count


def _weight(first: dt.date, last: dt.date, season_mask: str) -> int:
    """Return the in-season days of a span (all its days for a product never in season)."""
    if "1" not in season_mask:
        return max((last - first).days + 1, 0)
    return season_days(first, last, season_mask)


def _quantity(value: Decimal) -> Decimal:
    return value.quantize(QUANTITY_STEP, rounding=ROUND_HALF_UP)


def year_commitment(
    committed_per_year: Decimal, periods: Sequence[Period], year: ContractYear
) -> Decimal:
    """Return the quantity committed over ``year``.

    With periods: the sum of their minimums, each counted for the share of its days inside the
    year. Without: the yearly minimum, pro-rated when the year is shorter than a full one.
    """
    if periods:
        total = Decimal(0)
        for period in periods:
            overlap = _overlap_days(period.start, period.end, year.start, year.end)
            length = (period.end - period.start).days + 1
            total += period.min_quantity * overlap / length
        return _quantity(total)
    full_days = (_anniversary(year.start, 1) - year.start).days
    if year.days >= full_days:
        return _quantity(committed_per_year)
    return _quantity(committed_per_year * year.days / full_days)


def _overlap_days(a_start: dt.date, a_end: dt.date, b_start: dt.date, b_end: dt.date) -> int:
    return max((min(a_end, b_end) - max(a_start, b_start)).days + 1, 0)


def expected_to_date(
    commitment: Decimal,
    periods: Sequence[Period],
    year: ContractYear,
    as_of: dt.date,
    season_mask: str = ALL_YEAR,
) -> Decimal:
    """Return the pro-rata of the commitment due by the end of ``as_of``.

    Without periods, the year's commitment is spread over its in-season days; with periods,
    each period's minimum over its own days.
    """
    if as_of < year.start:
        return Decimal(0)
    last = min(as_of, year.end)
    if periods:
        due = Decimal(0)
        for period in periods:
            inside_start, inside_end = max(period.start, year.start), min(period.end, year.end)
            if inside_end < inside_start:
                continue
            length = (period.end - period.start).days + 1
            elapsed = _overlap_days(inside_start, inside_end, year.start, last)
            due += period.min_quantity * elapsed / length
        return _quantity(due)
    total = _weight(year.start, year.end, season_mask)
    if total == 0:
        return Decimal(0)
    return _quantity(commitment * _weight(year.start, last, season_mask) / total)


def _in_season(day: dt.date, season_mask: str) -> bool:
    return "1" not in season_mask or season_mask[day.month - 1] == "1"


def forecast_year_end(
    delivered_by_day: dict[dt.date, Decimal],
    year: ContractYear,
    as_of: dt.date,
    season_mask: str = ALL_YEAR,
    commitment: Decimal | None = None,
) -> Decimal:
    """Return the quantity expected by the year's end if the recent trend goes on.

    The trend is what was delivered on in-season days over the last ``TREND_WEEKS`` weeks (or
    since the year started, if the window holds too few in-season days), per in-season day; it
    is applied to the in-season days still to come. Without ``MIN_TREND_DAYS`` in-season days
    behind us there is no trend yet: the rest of ``commitment`` is assumed to come on time.
    """
    last = min(as_of, year.end)
    delivered = sum((q for day, q in delivered_by_day.items() if year.start <= day <= last),
                    Decimal(0))
    if as_of >= year.end:
        return _quantity(delivered)
    if as_of < year.start:
        return Decimal(0)
    remaining = _weight(last + dt.timedelta(days=1), year.end, season_mask)
    window_start = max(year.start, last - dt.timedelta(weeks=TREND_WEEKS) + dt.timedelta(days=1))
    if _weight(window_start, last, season_mask) < MIN_TREND_DAYS:
        window_start = year.start
    window = _weight(window_start, last, season_mask)
    if window < MIN_TREND_DAYS:
        if commitment is None:
            return _quantity(delivered)
        total = _weight(year.start, year.end, season_mask)
        due_later = commitment * remaining / total if total else Decimal(0)
        return _quantity(delivered + due_later)
    recent = sum((q for day, q in delivered_by_day.items()
                  if window_start <= day <= last and _in_season(day, season_mask)), Decimal(0))
    return _quantity(delivered + recent / window * remaining)


@dataclass(frozen=True, slots=True)
class Alert:
    """How far a line is behind its pro-rata, and what the forecast says of the year's end."""

    behind_by: Decimal  # quantity short of the pro-rata today (> 0)
    behind_share: Decimal  # behind_by / expected, 0..1
    forecast_gap: Decimal  # commitment − forecast (> 0: the year will end short)


def alert_for(
    delivered: Decimal, expected: Decimal, commitment: Decimal, forecast: Decimal
) -> Alert | None:
    """Return an alert when a line lags its pro-rata by more than the tolerance, else None."""
    behind_by = expected - delivered
    if expected <= 0 or behind_by <= expected * ALERT_TOLERANCE:
        return None
    share = (behind_by / expected).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    return Alert(_quantity(behind_by), share, _quantity(max(commitment - forecast, Decimal(0))))
