"""What each grower can offer of each product through a season, and how much that varies.

A grower's weekly supply of a product is modelled as

    level × shape(month) × season factor × week factor × (1 − absent) × (1 − failed × size)

- ``level``: the grower's mean weekly offer in the product's peak months, when offering;
- ``shape``: the product's monthly profile (0 out of its season months), pooled over growers;
- the season factor: lognormal, mean 1, a part common to every grower of the product (a bad
  year for tomatoes) and a part of the grower's own, their variances learnt across seasons;
- the week factor: lognormal, mean 1, the product's week-to-week spread of offers;
- ``absent``: the grower offers none of it in a week it is in demand (frequency learnt);
- ``failed``: a crop failure is declared (frequency per offered week, per grower and product,
  shrunk towards the group's), losing a share drawn from the sizes declared (loss / offer).

Only weeks when the product was in demand and in season count: a grower offering nothing in
a week nobody ordered it says nothing about their supply.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from solver.season.history import (
    FloatArray,
    History,
    month_of_week,
    record_array,
    season_mask_array,
    week_months,
)

PRIOR_WEEKS = 8.0
"""How many weeks of evidence the group's rates are worth for one grower and product."""

SIZE_POINTS = 64
"""Quantile points kept of the share lost in a crop failure."""

DEFAULT_FAILURE_SIZE = 0.5
"""Share lost in a failure when none was ever declared."""

MIN_WEEKS_PER_SEASON = 4
"""Offered weeks a season needs before its mean says something about that season."""

SEASON_FIRST_MONTH = 9
"""The group's seasons start in September (a week belongs to the season of its Thursday)."""


def season_year(week: dt.date) -> int:
    """Return the year the season holding ``week`` started in."""
    thursday = week + dt.timedelta(days=3)
    return thursday.year if month_of_week(week) >= SEASON_FIRST_MONTH else thursday.year - 1


@dataclass(frozen=True, slots=True)
class GrowerSupply:
    """One grower's supply of one product, as learnt from the history."""

    grower: str
    product: str
    level: float  # mean weekly offer in a peak month, when offering
    absence: float  # probability of offering none in a week of demand
    failure_rate: float  # probability of a declared failure in an offered week
    max_offer: float  # the largest weekly offer seen
    offered_weeks: int
    failures: int
    seasons: int = 0  # seasons its level was learnt over (0: given, known exactly)


@dataclass(frozen=True, slots=True, eq=False)
class SupplyModel:
    """Every grower-product supply, the products' profiles and the pooled spreads."""

    products: tuple[str, ...]
    entries: tuple[GrowerSupply, ...]
    shape: FloatArray  # products × 12, in [0, 1]
    sigma_common: float  # log-sd of the season factor shared by a product's growers
    sigma_grower: float  # log-sd of a grower's own season factor
    sigma_week: FloatArray  # per product, log-sd of the week factor
    failure_sizes: FloatArray  # SIZE_POINTS quantiles of the share lost in a failure
    pooled_absence: float = 0.0
    pooled_failure_rate: float = 0.0
    history_seasons: int = 0  # seasons the levels were learnt over (0: given, known exactly)
    # Per product: offers follow the week's demand (growers offer what is asked, plus a
    # margin) rather than a harvest of their own; then supply moves with demand.
    tracks_demand: tuple[bool, ...] = ()
    # Per product: the group's week offer (net of losses) / the week's demand, as SIZE_POINTS
    # equally likely values (the middles of equal slices of its demand-weighted distribution).
    offer_ratio: FloatArray = field(default_factory=lambda: np.ones((0, SIZE_POINTS)))
    # Per product: relative standard error of the mean offer ratio learnt from the history's
    # weeks (how far the group's usual margin may be off when few seasons were seen).
    offer_ratio_error: FloatArray = field(default_factory=lambda: np.zeros(0))
    # Per product: what a week's offer adds to its demand before the ratio applies (whole
    # crates rounded up, a crate or two offered unasked): offer = ratio × (demand + extra),
    # so that a small week's high ratio is not lent to the big weeks a lot asks for.
    offer_extra: FloatArray = field(default_factory=lambda: np.zeros(0))
    _by_key: dict[tuple[str, str], GrowerSupply] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_key", {(e.grower, e.product): e for e in self.entries})

    def entry(self, grower: str, product: str) -> GrowerSupply | None:
        """Return the supply of ``grower`` for ``product``, if it ever offered it."""
        return self._by_key.get((grower, product))

    def follows_demand(self, product: str) -> bool:
        """Tell whether the product's offers followed the week's demand in the history."""
        j = self.products.index(product)
        return j < len(self.tracks_demand) and self.tracks_demand[j]

    def entry_or_default(self, grower: str, product: str) -> GrowerSupply:
        """Return the grower's supply, or the group's typical one for a crop never offered."""
        found = self.entry(grower, product)
        if found is not None:
            return found
        levels = [entry.level for entry in self.entries if entry.product == product]
        return GrowerSupply(grower, product, float(np.median(levels)) if levels else 0.0,
                            self.pooled_absence, self.pooled_failure_rate, 0.0, 0, 0)

    def profile(self, product: str, weeks: tuple[dt.date, ...]) -> FloatArray:
        """Return the product's shape in each week (0 out of season)."""
        j = self.products.index(product)
        profile: FloatArray = self.shape[j, week_months(weeks) - 1]
        return profile

    def reliability(self, entry: GrowerSupply) -> float:
        """Return the expected share of a planned volume actually supplied (absence, failures)."""
        return (1.0 - entry.absence) * (1.0 - entry.failure_rate * self.mean_failure_size)

    @property
    def mean_failure_size(self) -> float:
        """Return the mean share lost in a failure."""
        return float(self.failure_sizes.mean())

    def expected(self, entry: GrowerSupply, weeks: tuple[dt.date, ...]) -> FloatArray:
        """Return the grower's expected weekly supply over ``weeks``."""
        expected: FloatArray = entry.level * self.profile(entry.product, weeks) * self.reliability(
            entry)
        return expected


def _demanded_weeks(history: History, products: tuple[str, ...]) -> np.ndarray:
    """Return products × weeks: in season, and ordered by someone when orders are known."""
    canteens = tuple(canteen.id for canteen in history.canteens)
    demand = record_array(history.orders, canteens, products, history.weeks).sum(axis=0)
    months = week_months(history.weeks) - 1
    in_season = season_mask_array(history.products)[:, months]
    known = demand.sum(axis=1) > 0
    return in_season & np.where(known[:, None], demand > 0, True)


def fit_supply(history: History) -> SupplyModel:
    """Fit every grower's supply of every product it offered in the history."""
    growers = tuple(grower.id for grower in history.growers)
    products = tuple(product.id for product in history.products)
    offers = record_array(history.offers, growers, products, history.weeks)
    losses = record_array(history.losses, growers, products, history.weeks)
    demanded = _demanded_weeks(history, products)
    months = week_months(history.weeks) - 1
    seasons = np.array([season_year(week) for week in history.weeks])
    active_from = [int(np.flatnonzero(offers[i].sum(axis=0) > 0)[0])
                   if offers[i].any() else len(history.weeks) for i in range(len(growers))]
    mask = season_mask_array(history.products)

    pairs = [(i, j) for i in range(len(growers)) for j in range(len(products))
             if offers[i, j].any()]
    considered = {
        (i, j): demanded[j] & (np.arange(len(history.weeks)) >= active_from[i])
        for i, j in pairs
    }
    offered = {(i, j): considered[i, j] & (offers[i, j] > 0) for i, j in pairs}

    shape = _shape(offers, offered, months, mask, len(products))
    levels = {}
    for i, j in pairs:
        cells = offered[i, j]
        profile = shape[j, months[cells]]
        ratio = offers[i, j, cells] / np.maximum(profile, 1e-9)
        levels[i, j] = float(ratio.mean()) if cells.any() else float(offers[i, j].max())

    # Season factors: each (grower, product, season) mean against the grower's level.
    residual_logs: dict[int, list[float]] = defaultdict(list)
    tracking_logs: dict[int, list[float]] = defaultdict(list)
    demand = record_array(history.orders, tuple(c.id for c in history.canteens), products,
                          history.weeks).sum(axis=0)
    season_logs: dict[tuple[int, int], dict[int, float]] = defaultdict(dict)
    for i, j in pairs:
        cells = offered[i, j]
        if not cells.any():
            continue
        expected = levels[i, j] * shape[j, months[cells]]
        ratios = offers[i, j, cells] / np.maximum(expected, 1e-9)
        by_season = seasons[cells]
        for year in np.unique(by_season):
            in_year = by_season == year
            if in_year.sum() >= MIN_WEEKS_PER_SEASON:
                season_logs[i, j][int(year)] = float(np.log(ratios[in_year].mean()))
                residual_logs[j] += list(np.log(ratios[in_year] / ratios[in_year].mean()))
                # The same offers against the week's demand, for growers who offer what is asked.
                demanded_cells = demand[j, cells][in_year]
                if (demanded_cells > 0).all():
                    share = offers[i, j, cells][in_year] / demanded_cells
                    tracking_logs[j] += list(np.log(share / share.mean()))
    # Offers that follow the week's demand vary less around it than around their own mean:
    # then their spread around demand is the supply's (the rest is the menus' doing).
    own_sigma = _sigma_week(residual_logs, len(products))
    tracking_sigma = _sigma_week(tracking_logs, len(products), fallback=np.inf)
    tracks_demand = tracking_sigma < own_sigma
    sigma_week = np.minimum(own_sigma, tracking_sigma)
    sigma_common, sigma_grower = _season_sigmas(season_logs, sigma_week, offered)

    sizes: list[float] = []
    absent_total = considered_total = failures_total = offered_total = 0
    counts = {}
    for i, j in pairs:
        cells = offered[i, j]
        lost = losses[i, j] > 0
        failed = int((lost & considered[i, j]).sum())
        num_offered = int(cells.sum())
        num_considered = int(considered[i, j].sum())
        counts[i, j] = (num_considered, num_offered, failed)
        absent_total += num_considered - num_offered
        considered_total += num_considered
        failures_total += failed
        offered_total += num_offered
        for t in np.flatnonzero(lost):
            offer = offers[i, j, t]
            sizes.append(min(1.0, losses[i, j, t] / offer) if offer > 0 else 1.0)
    pooled_absence = absent_total / considered_total if considered_total else 0.0
    pooled_failure = failures_total / offered_total if offered_total else 0.0
    entries = []
    for i, j in pairs:
        num_considered, num_offered, failed = counts[i, j]
        entries.append(GrowerSupply(
            grower=growers[i],
            product=products[j],
            level=levels[i, j],
            absence=(num_considered - num_offered + PRIOR_WEEKS * pooled_absence)
            / (num_considered + PRIOR_WEEKS),
            failure_rate=min(1.0, (failed + PRIOR_WEEKS * pooled_failure)
                             / (num_offered + PRIOR_WEEKS)),
            max_offer=float(offers[i, j].max()),
            offered_weeks=num_offered,
            failures=failed,
            seasons=max(1, len(season_logs.get((i, j), {}))),
        ))
    grid = np.linspace(0.0, 1.0, SIZE_POINTS)
    failure_sizes = (np.quantile(np.array(sizes), grid) if sizes
                     else np.full(SIZE_POINTS, DEFAULT_FAILURE_SIZE))
    return SupplyModel(products, tuple(entries), shape, sigma_common, sigma_grower, sigma_week,
                       failure_sizes, pooled_absence, pooled_failure,
                       max(1, len(set(seasons.tolist()))),
                       tuple(bool(flag) for flag in tracks_demand),
                       *_offer_ratios(offers, losses, demand, demanded))


def _offer_ratios(
    offers: FloatArray, losses: FloatArray, demand: FloatArray, demanded: np.ndarray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Return, per product, how the group's net week offer followed the week's demand.

    A week's net offer is fitted as ratio × (demand + extra): ``extra`` (≥ 0) is what every
    week adds whatever its size (crates rounded up, a crate offered unasked), which makes a
    small week's offer / demand high. Then per product: the ratio's SIZE_POINTS equally likely
    values (the middles of equal slices of its distribution, weeks counting as their offer:
    their mean is the weighted mean, which interpolating between the extremes of a few thin
    weeks would inflate), the relative standard error of that mean (the history's weeks are
    few), and ``extra``.
    """
    net = np.maximum(offers.sum(axis=0) - losses.sum(axis=0), 0.0)  # products × weeks
    grid = (np.arange(SIZE_POINTS) + 0.5) / SIZE_POINTS
    cells = demanded & (demand > 0) & (offers.sum(axis=0) > 0)
    pooled = (np.ones(SIZE_POINTS), 0.0, 0.0)
    if cells.any():
        pooled = _offer_fit(net[cells], demand[cells], grid)
    ratios = np.tile(pooled[0], (demand.shape[0], 1))
    errors = np.full(demand.shape[0], pooled[1])
    extras = np.zeros(demand.shape[0])  # the pooled extra is in no product's units
    for j in range(demand.shape[0]):
        if cells[j].sum() >= 20:
            ratios[j], errors[j], extras[j] = _offer_fit(net[j, cells[j]], demand[j, cells[j]],
                                                         grid)
    return ratios, errors, extras


def _offer_fit(
    net: FloatArray, demand: FloatArray, grid: FloatArray
) -> tuple[FloatArray, float, float]:
    """Fit net ≈ ratio × (demand + extra) over some weeks; return ratio points, error, extra."""
    # Least squares of net on (demand, 1), rows weighted by 1 / demand (an offer's spread
    # grows with its week's demand); the slope is the ratio, the intercept ratio × extra.
    scale = 1.0 / np.sqrt(demand)
    design = np.column_stack([demand * scale, scale])
    (slope, intercept), *_ = np.linalg.lstsq(design, net * scale, rcond=None)
    extra = float(intercept / slope) if slope > 0 and intercept > 0 else 0.0
    base = demand + extra
    values = net / base
    return (_weighted_quantiles(values, base, grid), _weighted_mean_error(values, base),
            extra)


def _weighted_mean_error(values: FloatArray, weights: FloatArray) -> float:
    """Return the relative standard error of the ``weights``-weighted mean of ``values``."""
    total = float(weights.sum())
    mean = float((weights * values).sum()) / total
    if mean <= 0 or values.size < 2:
        return 0.0
    variance = float((weights**2 * (values - mean) ** 2).sum()) / total**2
    return float(np.sqrt(variance * values.size / (values.size - 1))) / mean


def _weighted_quantiles(values: FloatArray, weights: FloatArray, grid: FloatArray) -> FloatArray:
    """Return the quantiles of ``values`` at ``grid`` when each value counts ``weights``.

    The quantile at level u is the smallest value whose cumulative weight reaches u (no
    interpolation: a value holds exactly its weight's share of the distribution).
    """
    order = np.argsort(values)
    cumulative = np.cumsum(weights[order])
    index = np.searchsorted(cumulative / cumulative[-1], grid, side="left")
    result: FloatArray = values[order][np.minimum(index, values.size - 1)]
    return result


def _shape(
    offers: FloatArray,
    offered: dict[tuple[int, int], np.ndarray],
    months: np.ndarray,
    mask: np.ndarray,
    num_products: int,
) -> FloatArray:
    """Return each product's monthly profile: mean offer per month over each grower's mean."""
    sums = np.zeros((num_products, 12))
    counts = np.zeros((num_products, 12))
    for (i, j), cells in offered.items():
        if not cells.any():
            continue
        relative = offers[i, j, cells] / offers[i, j, cells].mean()
        np.add.at(sums[j], months[cells], relative)
        np.add.at(counts[j], months[cells], 1.0)
    shape = np.divide(sums, counts, out=np.ones_like(sums), where=counts > 0)
    shape = np.where(mask, shape, 0.0)
    peak = shape.max(axis=1, keepdims=True)
    result: FloatArray = np.divide(shape, peak, out=np.zeros_like(shape), where=peak > 0)
    return result


def _sigma_week(
    residual_logs: dict[int, list[float]], num_products: int, fallback: float = 0.0
) -> FloatArray:
    """Return each product's week-to-week log-sd (the group's when the product has few weeks)."""
    pooled_values = [value for values in residual_logs.values() for value in values]
    pooled = float(np.std(pooled_values)) if len(pooled_values) > 1 else fallback
    sigma = np.full(num_products, pooled)
    for j, values in residual_logs.items():
        if len(values) >= 30:
            sigma[j] = float(np.std(values))
    return sigma


def _season_sigmas(
    season_logs: dict[tuple[int, int], dict[int, float]],
    sigma_week: FloatArray,
    offered: dict[tuple[int, int], np.ndarray],
) -> tuple[float, float]:
    """Split the season-to-season variance into a part common to a product and a grower's own.

    Each grower-product season mean is centred on the grower's mean over seasons; the mean of
    those deviations over a product's growers is the common part, the rest the grower's own.
    Both variances are corrected for the noise of averaging a few weekly offers.
    """
    by_product_season: dict[tuple[int, int], list[float]] = defaultdict(list)
    grower_deviations: list[tuple[int, int, float, float]] = []
    noise = []
    for (i, j), logs in season_logs.items():
        if len(logs) < 2:
            continue
        centre = float(np.mean(list(logs.values())))
        weeks_per_season = max(1.0, float(offered[i, j].sum()) / len(logs))
        noise.append(sigma_week[j] ** 2 / weeks_per_season)
        # A grower's own part, seen as deviations from its mean of S seasons, shrinks by
        # (S − 1) / S: its residuals are scaled back below (the common part's variance is
        # already divided by its own degrees of freedom).
        unbiased = float(np.sqrt(len(logs) / (len(logs) - 1)))
        for year, value in logs.items():
            by_product_season[j, year].append(value - centre)
            grower_deviations.append((j, year, value - centre, unbiased))
    if not grower_deviations:
        return 0.0, 0.0
    common = {key: float(np.mean(values)) for key, values in by_product_season.items()}
    idio = [(value - common[j, year]) * unbiased for j, year, value, unbiased in grower_deviations
            if len(by_product_season[j, year]) >= 2]
    idio_dof = sum(len(values) - 1 for values in by_product_season.values() if len(values) >= 2)
    measurement = float(np.mean(noise)) if noise else 0.0
    grower_variance = (float(np.sum(np.square(idio))) / idio_dof if idio_dof else 0.0)
    grower_variance = max(0.0, grower_variance - measurement)
    seasons_per_product: dict[int, list[float]] = defaultdict(list)
    for (j, _year), value in common.items():
        seasons_per_product[j].append(value)
    common_sq = sum(float(np.sum(np.square(v))) for v in seasons_per_product.values()
                    if len(v) >= 2)
    common_dof = sum(len(v) - 1 for v in seasons_per_product.values() if len(v) >= 2)
    mean_growers = float(np.mean([len(v) for v in by_product_season.values()]))
    common_variance = common_sq / common_dof if common_dof else 0.0
    common_variance = max(0.0, common_variance - (grower_variance + measurement) / mean_growers)
    return float(np.sqrt(common_variance)), float(np.sqrt(grower_variance))
