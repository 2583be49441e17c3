"""Synthetic group histories with a known truth: department scale for the benchmark, or smaller.

A ``Truth`` holds the real demand and supply processes of a made-up group (canteens with meal
counts and school holidays, growers with capacities, season profiles, yearly and weekly
variation, absences and crop failures); ``generate_history`` plays past seasons of it into the
records the models learn from, and ``true_deliverable`` simulates fresh seasons to check what
a commitment computed from that history would really have delivered.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from solver.season.history import (
    CanteenInfo,
    FloatArray,
    GrowerInfo,
    History,
    ProductInfo,
    Record,
    season_weeks,
    week_months,
)

SCHOOL_HOLIDAY_WEEKS = frozenset({43, 44, 52, 53, 1, 7, 8, 15, 16, *range(28, 36)})
"""ISO weeks without school meals (roughly the académie de Toulouse's holidays)."""

SUMMER_BREAK_WEEKS = frozenset({31, 32, 33})
"""ISO weeks no canteen orders (the platform's summer break)."""

MASKS = (
    "111111111111",  # stored or all-year crops
    "111000001111",  # winter: October to March
    "000001111000",  # summer: June to September
    "001111110000",  # spring to early summer
    "110000011111",  # autumn and winter, stored
)


@dataclass(frozen=True, slots=True)
class Scale:
    """How big a generated group is."""

    growers: int = 50
    products: int = 60
    canteens: int = 40
    seasons: int = 3
    first_year: int = 2023
    seed: int = 7


DEPARTMENT = Scale()
"""The benchmark's department: 50 growers, 60 products, 40 canteens, 3 past seasons."""


@dataclass(frozen=True, slots=True, eq=False)
class Truth:
    """The real processes behind a generated history."""

    scale: Scale
    products: tuple[ProductInfo, ...]
    canteens: tuple[CanteenInfo, ...]
    growers: tuple[GrowerInfo, ...]
    school: np.ndarray  # canteens: closed in school holidays
    order_probability: FloatArray  # canteens × products (in season, open week)
    order_size: FloatArray  # canteens × products, mean size when ordered
    size_sigma: float
    level: FloatArray  # growers × products, mean weekly offer in season (0: not grown)
    sigma_common: float
    sigma_grower: float
    sigma_week: float
    absence: FloatArray  # growers × products
    failure_rate: FloatArray  # growers × products
    failure_beta: tuple[float, float]

    def season(self, year: int) -> tuple[dt.date, ...]:
        """Return the weeks of the season starting in September of ``year``."""
        start = dt.date(year, 9, 1)
        return season_weeks(start, dt.date(year + 1, 8, 31))


def make_truth(scale: Scale = DEPARTMENT) -> Truth:
    """Draw a group of the given scale."""
    rng = np.random.default_rng(scale.seed)
    products = tuple(
        ProductInfo(f"p{j:02d}", MASKS[j % len(MASKS)], round(float(rng.uniform(1.0, 6.0)), 2),
                    1.0)
        for j in range(scale.products)
    )
    canteens = tuple(
        CanteenInfo(f"c{i:02d}", float(rng.integers(30, 600)),
                    43.0 + float(rng.uniform(0, 0.6)), 0.4 + float(rng.uniform(0, 0.8)))
        for i in range(scale.canteens)
    )
    shares = rng.dirichlet(np.ones(scale.growers) * 4)
    growers = tuple(
        GrowerInfo(f"g{g:02d}", 43.0 + float(rng.uniform(0, 0.6)),
                   0.4 + float(rng.uniform(0, 0.8)), round(float(shares[g]), 4))
        for g in range(scale.growers)
    )
    school = rng.random(scale.canteens) < 0.75
    popularity = rng.uniform(0.1, 0.7, scale.products)
    appetite = rng.uniform(0.5, 1.5, (scale.canteens, scale.products))
    order_probability = np.clip(popularity[None, :] * appetite, 0.02, 0.95)
    per_meal = rng.uniform(0.01, 0.06, scale.products)
    meals = np.array([canteen.meals_per_day for canteen in canteens])
    order_size = meals[:, None] * per_meal[None, :] * rng.uniform(0.7, 1.3, order_probability.shape)
    weekly_demand = (order_probability * order_size).sum(axis=0)  # per product, all canteens
    grows = rng.random((scale.growers, scale.products)) < 0.33
    for j in range(scale.products):  # every product has at least two growers
        if grows[:, j].sum() < 2:
            grows[rng.choice(scale.growers, 2, replace=False), j] = True
    weight = grows * rng.uniform(0.3, 1.7, grows.shape)
    level = 1.7 * weekly_demand[None, :] * weight / weight.sum(axis=0, keepdims=True)
    return Truth(
        scale=scale, products=products, canteens=canteens, growers=growers, school=school,
        order_probability=order_probability, order_size=order_size, size_sigma=0.35,
        level=level, sigma_common=0.12, sigma_grower=0.15, sigma_week=0.25,
        absence=np.where(grows, rng.uniform(0.02, 0.12, grows.shape), 0.0),
        failure_rate=np.where(grows, rng.uniform(0.01, 0.08, grows.shape), 0.0),
        failure_beta=(2.0, 3.0),
    )


def _open(truth: Truth, weeks: tuple[dt.date, ...]) -> np.ndarray:
    """Return canteens × weeks: serving meals (not a holiday for schools, not summer break)."""
    numbers = np.array([week.isocalendar()[1] for week in weeks])
    holiday = np.isin(numbers, sorted(SCHOOL_HOLIDAY_WEEKS))
    summer = np.isin(numbers, sorted(SUMMER_BREAK_WEEKS))
    return ~summer[None, :] & ~(truth.school[:, None] & holiday[None, :])


def _in_season(truth: Truth, weeks: tuple[dt.date, ...]) -> np.ndarray:
    """Return products × weeks: in season."""
    months = week_months(weeks) - 1
    return np.array([[product.season_mask[m] == "1" for m in months]
                     for product in truth.products]).reshape(len(truth.products), len(weeks))


def simulate_orders(
    truth: Truth, weeks: tuple[dt.date, ...], draws: int, rng: np.random.Generator,
    canteens: np.ndarray | None = None, products: np.ndarray | None = None,
) -> FloatArray:
    """Draw orders: draws × canteens × products × weeks (masks keep some canteens, products)."""
    chosen = np.ones(len(truth.canteens), dtype=bool) if canteens is None else canteens
    kept = np.ones(len(truth.products), dtype=bool) if products is None else products
    is_open = _open(truth, weeks)[chosen]
    in_season = _in_season(truth, weeks)[kept]
    probability = (truth.order_probability[np.ix_(chosen, kept)][:, :, None]
                   * is_open[:, None, :] * in_season)
    shape = (draws, *probability.shape)
    ordered = rng.random(shape) < probability[None]
    sizes = truth.order_size[np.ix_(chosen, kept)][None, :, :, None] * np.exp(
        rng.standard_normal(shape) * truth.size_sigma - truth.size_sigma**2 / 2)
    orders: FloatArray = np.where(ordered, np.round(sizes, 1), 0.0)
    return orders


def simulate_supply(
    truth: Truth, weeks: tuple[dt.date, ...], draws: int, rng: np.random.Generator,
    products: np.ndarray | None = None,
) -> tuple[FloatArray, FloatArray]:
    """Draw offers and losses: each draws × growers × products × weeks."""
    chosen = np.ones(len(truth.products), dtype=bool) if products is None else products
    level = truth.level[:, chosen]
    in_season = _in_season(truth, weeks)[chosen]
    shape = (draws, *level.shape, len(weeks))

    def lognormal(sigma: float, size: tuple[int, ...]) -> FloatArray:
        values: FloatArray = np.exp(rng.standard_normal(size) * sigma - sigma**2 / 2)
        return values

    common = lognormal(truth.sigma_common, (draws, 1, level.shape[1], 1))
    own = lognormal(truth.sigma_grower, (draws, *level.shape, 1))
    week = lognormal(truth.sigma_week, shape)
    absent = rng.random(shape) < truth.absence[:, chosen][None, :, :, None]
    offers = level[None, :, :, None] * in_season[None, None] * common * own * week
    offers = np.where(absent, 0.0, np.round(offers, 1))
    failed = rng.random(shape) < truth.failure_rate[:, chosen][None, :, :, None]
    lost = np.round(offers * rng.beta(*truth.failure_beta, size=shape), 1)
    losses = np.where(failed & (offers > 0), np.minimum(lost, offers), 0.0)
    return offers, losses


def generate_history(truth: Truth) -> History:
    """Play the scale's past seasons of the truth into a history of records."""
    rng = np.random.default_rng(truth.scale.seed + 1)
    weeks: list[dt.date] = []
    orders: list[Record] = []
    offers: list[Record] = []
    losses: list[Record] = []
    canteen_ids = [canteen.id for canteen in truth.canteens]
    grower_ids = [grower.id for grower in truth.growers]
    product_ids = [product.id for product in truth.products]
    for year in range(truth.scale.first_year, truth.scale.first_year + truth.scale.seasons):
        season = truth.season(year)
        weeks += season
        ordered = simulate_orders(truth, season, 1, rng)[0]
        offered, lost = simulate_supply(truth, season, 1, rng)
        for c, j, t in zip(*np.nonzero(ordered), strict=True):
            orders.append(Record(canteen_ids[c], product_ids[j], season[t],
                                 float(ordered[c, j, t])))
        for g, j, t in zip(*np.nonzero(offered[0]), strict=True):
            offers.append(Record(grower_ids[g], product_ids[j], season[t],
                                 float(offered[0, g, j, t])))
        for g, j, t in zip(*np.nonzero(lost[0]), strict=True):
            losses.append(Record(grower_ids[g], product_ids[j], season[t],
                                 float(lost[0, g, j, t])))
    return History(tuple(weeks), truth.canteens, truth.products, truth.growers, tuple(orders),
                   tuple(offers), tuple(losses))


def true_deliverable(
    truth: Truth,
    year: int,
    lines: list[tuple[int, float, FloatArray]],
    buyers: np.ndarray,
    draws: int,
    seed: int,
) -> FloatArray:
    """Simulate ``draws`` fresh seasons; return draws × lines of the lot's yearly deliveries.

    ``lines`` are (product index, yearly need, weekly share); ``buyers`` masks the canteens of
    the lot, whose own orders the lot replaces. Supply is every grower's offer minus losses;
    the other canteens' orders are served first.
    """
    rng = np.random.default_rng(seed)
    weeks = truth.season(year)
    result = np.zeros((draws, len(lines)))
    for column, (j, yearly, share) in enumerate(lines):
        only = np.zeros(len(truth.products), dtype=bool)
        only[j] = True
        offers, losses = simulate_supply(truth, weeks, draws, rng, only)
        supply = (offers - losses)[:, :, 0, :].sum(axis=1)
        other = simulate_orders(truth, weeks, draws, rng, ~buyers, only)[:, :, 0, :].sum(axis=1)
        left = np.maximum(supply - other, 0.0)
        result[:, column] = np.minimum(left, yearly * share[None, :]).sum(axis=1)
    return result
