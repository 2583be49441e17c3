"""Demand per canteen, product and week of a season: expected quantity and quantiles.

The model is a shrunk seasonal rate. For each canteen, product and month it estimates the
quantity ordered per *open* week (weeks the canteen is closed are not zeros of demand, they
are closures) and how often the product is ordered at all. Thin cells borrow from priors,
each a few weeks strong: the canteen's own level for the product across the year times the
product's seasonal profile, itself pooled over canteens per meal served (so that a canteen
with little history is forecast from its meal count). A week's quantity is then zero with
probability 1 − p, else the mean size times a multiplier drawn from the product's observed
sizes (relative to their cell's mean): its quantiles come from that mixture. Contract
minimums raise a canteen group's forecast to the committed yearly volume when below it.

The backtest forecasts held-out weeks season-ahead from the weeks before them, and reports
the weighted absolute percentage error next to two naive forecasts: the same week a year
earlier, and the mean of the four weeks just before each week (which sees the held-out
season's actuals up to the week before: a stronger baseline than season-ahead).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from solver.season.history import (
    ContractVolume,
    FloatArray,
    History,
    record_array,
    week_months,
)

PRIOR_WEEKS = 4.0
"""How many open weeks of evidence each prior is worth."""

MULTIPLIER_POINTS = 256
"""Quantile points kept of each product's size multipliers."""

MIN_MULTIPLIERS = 40
"""Below this many observed sizes, a product uses every product's pooled multipliers."""

WEEKS_PER_YEAR = 365.25 / 7

BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True, eq=False)
class DemandModel:
    """Fitted demand rates: canteens × products × 12 months, and each product's size spread."""

    canteens: tuple[str, ...]
    products: tuple[str, ...]
    rate: FloatArray  # expected quantity per open week
    order_probability: FloatArray  # probability of ordering at all in an open week
    multipliers: FloatArray  # products × MULTIPLIER_POINTS, quantiles of size / mean size
    history_weeks: int


@dataclass(frozen=True, slots=True, eq=False)
class DemandForecast:
    """The forecast of a season: canteens × products × weeks, with its quantile mixture."""

    canteens: tuple[str, ...]
    products: tuple[str, ...]
    weeks: tuple[dt.date, ...]
    mean: FloatArray
    order_probability: FloatArray
    multipliers: FloatArray  # products × MULTIPLIER_POINTS

    def quantile(self, level: float) -> FloatArray:
        """Return the ``level`` quantile (0..1) of every canteen, product and week."""
        probability = self.order_probability
        size = np.divide(self.mean, probability, out=np.zeros_like(self.mean),
                         where=probability > 0)
        # Within the ordering branch, the level maps to (level − (1 − p)) / p.
        inner = np.divide(level - (1.0 - probability), probability,
                          out=np.full_like(self.mean, -1.0), where=probability > 0)
        grid = np.linspace(0.0, 1.0, self.multipliers.shape[1])
        values = np.zeros_like(self.mean)
        for j in range(len(self.products)):
            inside = inner[:, j, :] > 0
            if inside.any():
                factor = np.interp(inner[:, j, :][inside], grid, self.multipliers[j])
                values[:, j, :][inside] = size[:, j, :][inside] * factor
        return values

    def variance(self) -> FloatArray:
        """Return the variance of every canteen, product and week."""
        second = np.mean(self.multipliers**2, axis=1)  # E[M²] per product
        probability = self.order_probability
        size = np.divide(self.mean, probability, out=np.zeros_like(self.mean),
                         where=probability > 0)
        moment = probability * size**2 * second[None, :, None]
        variance: FloatArray = np.maximum(moment - self.mean**2, 0.0)
        return variance

    def aggregate(self, canteens: Iterable[str] | None = None) -> tuple[FloatArray, FloatArray]:
        """Return the mean and variance of the products × weeks demand of some canteens (all)."""
        mask = self._canteen_mask(canteens)
        mean: FloatArray = self.mean[mask].sum(axis=0)
        variance: FloatArray = self.variance()[mask].sum(axis=0)
        return mean, variance

    def nobody_orders(self, canteens: Iterable[str] | None = None) -> FloatArray:
        """Return the products × weeks chance that none of some canteens (all) orders."""
        mask = self._canteen_mask(canteens)
        chance: FloatArray = np.prod(1.0 - self.order_probability[mask], axis=0)
        return chance

    def _canteen_mask(self, canteens: Iterable[str] | None) -> BoolArray:
        if canteens is None:
            return np.ones(len(self.canteens), dtype=bool)
        chosen = set(canteens)
        return np.array([canteen in chosen for canteen in self.canteens], dtype=bool)


@dataclass(frozen=True, slots=True)
class BacktestReport:
    """Errors of the model and of two naive forecasts on held-out weeks (WAPE, 0.25 = 25 %)."""

    weeks: int
    cells: int
    actual_total: float
    wape_model: float  # the model's median as point forecast (what an absolute error rewards)
    wape_model_mean: float  # the model's mean as point forecast
    wape_same_week_last_year: float
    wape_last_four_weeks: float
    wape_model_product_week: float  # summed over canteens (the model's means), as the plan sees
    wape_same_week_last_year_product_week: float
    wape_last_four_weeks_product_week: float
    above_q90: float  # share of cells whose actual exceeds the 90 % quantile
    below_q10: float  # share of cells whose actual is under the 10 % quantile

    @property
    def beats_naive(self) -> bool:
        """Tell whether the model's error is below both naive forecasts'."""
        return self.wape_model < min(self.wape_same_week_last_year, self.wape_last_four_weeks)


def _month_matrix(weeks: Sequence[dt.date]) -> FloatArray:
    """Return a weeks × 12 one-hot matrix of each week's month."""
    months = week_months(weeks)
    matrix = np.zeros((len(weeks), 12))
    matrix[np.arange(len(weeks)), months - 1] = 1.0
    return matrix


def open_weeks(history: History, quantities: FloatArray) -> BoolArray:
    """Return canteens × weeks: open when it ordered something and no closure is known."""
    ordered: BoolArray = quantities.sum(axis=1) > 0
    for i, canteen in enumerate(history.canteens):
        for t, week in enumerate(history.weeks):
            if (canteen.id, week) in history.closures:
                ordered[i, t] = False
    return ordered


def _meals(history: History) -> FloatArray:
    """Return each canteen's meals per day, an unknown count taken as the others' median."""
    meals = np.array([canteen.meals_per_day for canteen in history.canteens], dtype=float)
    known = meals[meals > 0]
    fallback = float(np.median(known)) if known.size else 1.0
    return np.where(meals > 0, meals, fallback)


def fit_demand(history: History) -> DemandModel:
    """Fit the seasonal rates of every canteen and product on the history."""
    canteens = tuple(canteen.id for canteen in history.canteens)
    products = tuple(product.id for product in history.products)
    quantities = record_array(history.orders, canteens, products, history.weeks)
    is_open = open_weeks(history, quantities)
    months = _month_matrix(history.weeks)
    meals = _meals(history)
    open_per_month = is_open.astype(float) @ months  # C × 12
    open_quantities = quantities * is_open[:, None, :]
    total = open_quantities @ months  # C × P × 12
    ordered = (open_quantities > 0).astype(float) @ months  # C × P × 12

    # The product's seasonal profile per meal, pooled over canteens.
    meal_weeks = (open_per_month * meals[:, None]).sum(axis=0)  # 12
    pooled = np.divide(total.sum(axis=0), meal_weeks[None, :],
                       out=np.zeros((len(products), 12)), where=meal_weeks[None, :] > 0)
    expected = meals[:, None, None] * pooled[None, :, :] * open_per_month[:, None, :]
    # The canteen's own level against that profile, shrunk towards 1.
    observed_sum = total.sum(axis=2)
    expected_sum = expected.sum(axis=2)
    open_sum = np.maximum(open_per_month.sum(axis=1), 1.0)[:, None]
    per_week = expected_sum / open_sum
    level = (observed_sum + PRIOR_WEEKS * per_week) / np.maximum(
        expected_sum + PRIOR_WEEKS * per_week, 1e-12)
    # A canteen with no open week in the history is the pooled canteen of its meal count.
    level = np.where((open_per_month.sum(axis=1) > 0)[:, None], level, 1.0)
    prior_rate = level[:, :, None] * meals[:, None, None] * pooled[None, :, :]
    rate = (total + PRIOR_WEEKS * prior_rate) / (open_per_month[:, None, :] + PRIOR_WEEKS)

    # How often the product is ordered: the same shrinkage on the ordering frequency.
    pooled_frequency = np.divide(ordered.sum(axis=0), open_per_month.sum(axis=0)[None, :],
                                 out=np.zeros((len(products), 12)),
                                 where=open_per_month.sum(axis=0)[None, :] > 0)
    own_frequency = (ordered.sum(axis=2) + PRIOR_WEEKS * pooled_frequency.mean(axis=1)[None, :]) / (
        open_per_month.sum(axis=1)[:, None] + PRIOR_WEEKS)
    mean_frequency = np.maximum(pooled_frequency.mean(axis=1), 1e-12)[None, :]
    prior_frequency = np.clip(
        pooled_frequency[None, :, :] * (own_frequency / mean_frequency)[:, :, None], 0.0, 1.0)
    probability = (ordered + PRIOR_WEEKS * prior_frequency) / (
        open_per_month[:, None, :] + PRIOR_WEEKS)
    probability = np.where(rate > 0, np.clip(probability, 0.02, 1.0), 0.0)

    multipliers = _size_multipliers(open_quantities, total, ordered, history.weeks)
    return DemandModel(canteens, products, rate, probability, multipliers, len(history.weeks))


def _size_multipliers(
    quantities: FloatArray, total: FloatArray, ordered: FloatArray, weeks: Sequence[dt.date]
) -> FloatArray:
    """Return, per product, quantiles of the observed sizes relative to their cell's mean."""
    months = week_months(weeks) - 1
    mean_size = np.divide(total, ordered, out=np.zeros_like(total), where=ordered > 0)
    cell_mean = mean_size[:, :, months]  # C × P × T
    positive = (quantities > 0) & (cell_mean > 0)
    grid = np.linspace(0.0, 1.0, MULTIPLIER_POINTS)
    ratios_all = (quantities[positive] / cell_mean[positive]) if positive.any() else np.ones(1)
    pooled = np.quantile(ratios_all / ratios_all.mean(), grid)
    result = np.tile(pooled, (quantities.shape[1], 1))
    for j in range(quantities.shape[1]):
        mask = positive[:, j, :]
        if mask.sum() >= MIN_MULTIPLIERS:
            ratios = quantities[:, j, :][mask] / cell_mean[:, j, :][mask]
            result[j] = np.quantile(ratios / ratios.mean(), grid)
    return result


def predicted_closures(
    history: History, weeks: Sequence[dt.date], *, share: float = 0.5
) -> frozenset[tuple[str, dt.date]]:
    """Return the canteen-weeks to treat as closed: weeks closed in most past seasons.

    A week of the season is matched with the past weeks of the same ISO week number after the
    canteen's first order; the canteen is predicted closed when it was closed in more than
    ``share`` of them. This stands in for a canteen calendar until one is known.
    """
    canteens = tuple(canteen.id for canteen in history.canteens)
    products = tuple(product.id for product in history.products)
    quantities = record_array(history.orders, canteens, products, history.weeks)
    is_open = open_weeks(history, quantities)
    numbers = np.array([week.isocalendar()[1] for week in history.weeks], dtype=np.int64)
    closed: set[tuple[str, dt.date]] = set()
    for i, canteen in enumerate(canteens):
        opened = np.flatnonzero(is_open[i])
        if not opened.size:
            continue
        since = np.arange(len(history.weeks)) >= opened[0]
        for week in weeks:
            same = since & (numbers == week.isocalendar()[1])
            if same.any() and 1.0 - is_open[i, same].mean() > share:
                closed.add((canteen, week))
    return frozenset(closed)


def forecast_demand(
    model: DemandModel,
    weeks: Sequence[dt.date],
    closures: Iterable[tuple[str, dt.date]] = (),
    contracts: Sequence[ContractVolume] = (),
    meals_per_day: dict[str, float] | None = None,
) -> DemandForecast:
    """Forecast every canteen, product and week of ``weeks``.

    ``closures`` are the canteen-weeks known or predicted closed (nothing ordered);
    ``contracts`` raise a group's yearly total to its committed minimum; ``meals_per_day``
    rescales a canteen whose meal count changed since the history (new count / old count).
    """
    closed = set(closures)
    months = week_months(weeks) - 1
    is_open = np.array([[(canteen, week) not in closed for week in weeks]
                        for canteen in model.canteens], dtype=float).reshape(
        len(model.canteens), len(weeks))
    mean = model.rate[:, :, months] * is_open[:, None, :]
    probability = model.order_probability[:, :, months] * is_open[:, None, :]
    if meals_per_day:
        scale = np.array([meals_per_day.get(canteen, 1.0) for canteen in model.canteens])
        mean = mean * scale[:, None, None]
    probability = np.where(mean > 0, probability, 0.0)
    for contract in contracts:
        _raise_to_contract(contract, model, mean, probability, is_open, len(weeks))
    return DemandForecast(model.canteens, model.products, tuple(weeks), mean, probability,
                          model.multipliers)


def _raise_to_contract(
    contract: ContractVolume,
    model: DemandModel,
    mean: FloatArray,
    probability: FloatArray,
    is_open: FloatArray,
    num_weeks: int,
) -> None:
    """Scale a contract's canteens up to their committed minimum for the product, in place."""
    if contract.product not in model.products:
        return
    j = model.products.index(contract.product)
    rows = [i for i, canteen in enumerate(model.canteens) if canteen in contract.canteens]
    if not rows:
        return
    target = contract.yearly_quantity * min(1.0, num_weeks / WEEKS_PER_YEAR)
    current = float(mean[rows, j, :].sum())
    if current >= target or target <= 0:
        return
    if current > 0:
        mean[rows, j, :] *= target / current
        return
    # No history of the product there: spread the minimum over the weeks the canteens are open.
    cells = is_open[rows] > 0
    if cells.any():
        block = mean[rows, j, :]
        block[cells] = target / cells.sum()
        mean[rows, j, :] = block
        chance = probability[rows, j, :]
        chance[cells] = 1.0
        probability[rows, j, :] = chance


def _wape(actual: FloatArray, forecast: FloatArray) -> float:
    total = float(actual.sum())
    return float(np.abs(actual - forecast).sum()) / total if total > 0 else 0.0


def backtest_forecast(history: History, holdout: Sequence[dt.date]) -> BacktestReport:
    """Forecast ``holdout`` from the weeks before it and compare with two naive forecasts."""
    holdout = tuple(sorted(holdout))
    train = history.before(holdout[0])
    model = fit_demand(train)
    known = {item for item in history.closures if item[1] in set(holdout)}
    closures = predicted_closures(train, holdout) | known
    forecast = forecast_demand(model, holdout, closures)
    canteens = model.canteens
    products = model.products
    actual = record_array(history.orders, canteens, products, holdout)
    every_week = record_array(history.orders, canteens, products, history.weeks)
    position = {week: t for t, week in enumerate(history.weeks)}
    last_year = np.zeros_like(actual)
    last_four = np.zeros_like(actual)
    for t, week in enumerate(holdout):
        year_before = position.get(week - dt.timedelta(weeks=52))
        if year_before is not None:
            last_year[:, :, t] = every_week[:, :, year_before]
        before = [position[w] for w in (week - dt.timedelta(weeks=k) for k in range(1, 5))
                  if w in position]
        if before:
            last_four[:, :, t] = every_week[:, :, before].mean(axis=2)
    q10 = forecast.quantile(0.1)
    q90 = forecast.quantile(0.9)
    cells = actual.size
    return BacktestReport(
        weeks=len(holdout),
        cells=cells,
        actual_total=float(actual.sum()),
        wape_model=_wape(actual, forecast.quantile(0.5)),
        wape_model_mean=_wape(actual, forecast.mean),
        wape_same_week_last_year=_wape(actual, last_year),
        wape_last_four_weeks=_wape(actual, last_four),
        wape_model_product_week=_wape(actual.sum(axis=0), forecast.mean.sum(axis=0)),
        wape_same_week_last_year_product_week=_wape(actual.sum(axis=0), last_year.sum(axis=0)),
        wape_last_four_weeks_product_week=_wape(actual.sum(axis=0), last_four.sum(axis=0)),
        above_q90=float((actual > q90 + 1e-9).mean()) if cells else 0.0,
        below_q10=float((actual < q10 - 1e-9).mean()) if cells else 0.0,
    )
