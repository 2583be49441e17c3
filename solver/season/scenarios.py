"""Sampled seasons: demand per product and week, and the share of each planned volume supplied.

Everything is drawn in one vectorised call per product (draws × growers × weeks arrays), in
float32 where the arrays are large, from one ``numpy.random.Generator`` so that a seed gives
the same scenarios every time.
"""

from __future__ import annotations

import functools
import statistics
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from solver.season.history import FloatArray
from solver.season.supply import GrowerSupply, SupplyModel

Float32Array = npt.NDArray[np.float32]


def sample_supply_factors(
    model: SupplyModel,
    entries: Sequence[GrowerSupply],
    profile_weeks: int,
    draws: int,
    rng: np.random.Generator,
) -> Float32Array:
    """Draw, for growers of ONE product, the share of a planned volume supplied each week.

    The result is draws × growers × weeks: season factor (common to the product, then the
    grower's own) × week factor × (0 if absent) × (1 − share lost if a failure is declared).
    """
    if not entries:
        return np.zeros((draws, 0, profile_weeks), dtype=np.float32)
    product = entries[0].product
    j = model.products.index(product)
    num_growers = len(entries)
    # The season factors carry the process's spread and the uncertainty of levels learnt over
    # a few seasons (a mean of S seasons is off by σ/√S): a predictive, not a plug-in, draw.
    seasons = model.history_seasons
    sigma_common = model.sigma_common * (np.sqrt(1 + 1 / seasons) if seasons else 1.0)
    learnt = np.array([entry.seasons for entry in entries], dtype=float)
    sigma_grower = model.sigma_grower * np.where(
        learnt > 0, np.sqrt(1 + 1 / np.maximum(learnt, 1)), 1.0)
    sigma_week = float(model.sigma_week[j])
    # The season factors are few (draws × growers): drawn as they are, one exp.
    season = (rng.standard_normal((draws, 1)) * sigma_common
              + rng.standard_normal((draws, num_growers)) * sigma_grower[None, :]
              - (sigma_common**2 + sigma_grower**2)[None, :] / 2)
    season_factors = np.exp(season).astype(np.float32)[:, :, None]
    # The week factors and the uniforms are many: 32 random bits per cell give both, the low
    # 16 bits picking the week factor among 65 536 equally likely lognormal values (no normal
    # draw, no exp per cell), the high 16 bits a uniform (a 1/65 536 grid is fine for
    # absence and failure chances). This halves the draw's time against two generator calls.
    shape = (draws, num_growers, profile_weeks)
    factors = _week_factors(sigma_week)[_random_uint16(rng, shape)]
    factors *= season_factors
    high = _random_uint16(rng, shape)  # uniform × 65 536
    absence = np.array([entry.absence for entry in entries])
    failure = np.array([entry.failure_rate for entry in entries]) * (1 - absence)
    # One uniform decides absence, failure and the failure's size (its position in the band).
    absent_below = np.minimum(np.round(absence * UNIFORM_POINTS), UNIFORM_POINTS - 1).astype(
        np.uint16)
    failed_below = np.minimum(np.round((absence + failure) * UNIFORM_POINTS),
                              UNIFORM_POINTS - 1).astype(np.uint16)
    present = high >= absent_below[None, :, None]
    np.multiply(factors, present, out=factors)
    failed = np.flatnonzero(present & (high < failed_below[None, :, None]))
    if failed.size:
        growers = (failed // profile_weeks) % num_growers
        uniform = (high.reshape(-1)[failed] + 0.5) / UNIFORM_POINTS
        position = (uniform - absence[growers]) / np.maximum(failure[growers], 1e-12)
        grid = np.linspace(0.0, 1.0, model.failure_sizes.size)
        lost = np.interp(position, grid, model.failure_sizes)
        flat = factors.reshape(-1)
        flat[failed] *= (1.0 - lost).astype(np.float32)
    return factors


UNIFORM_POINTS = 1 << 16
"""Equally likely values of a cell's uniform, and of its week factor (16 random bits each)."""


def _random_uint16(rng: np.random.Generator, shape: tuple[int, ...]) -> npt.NDArray[np.uint16]:
    """Return uniform 16-bit integers: the generator's raw 64-bit words, four cells each."""
    cells = int(np.prod(shape))
    words = rng.bit_generator.random_raw(-(-cells // 4))
    values: npt.NDArray[np.uint16] = words.view(np.uint16)[:cells].reshape(shape)
    return values


@functools.cache
def _normal_points() -> FloatArray:
    """Return the UNIFORM_POINTS standard normal quantiles at the middles of equal slices."""
    normal = statistics.NormalDist()
    return np.array([normal.inv_cdf((k + 0.5) / UNIFORM_POINTS) for k in range(UNIFORM_POINTS)])


@functools.cache
def _week_factors(sigma: float) -> Float32Array:
    """Return UNIFORM_POINTS equally likely lognormal week factors of mean 1, log-sd ``sigma``."""
    points = np.exp(sigma * _normal_points())
    result: Float32Array = (points / points.mean()).astype(np.float32)
    return result


def sample_demand(
    mean: FloatArray, variance: FloatArray, draws: int, rng: np.random.Generator,
    zero: FloatArray | None = None,
) -> FloatArray:
    """Draw aggregated demand (any shape of cells) from gammas of the same mean and variance.

    With ``zero`` (the chance nobody orders, per cell), a cell is 0 with that chance, else a
    gamma of the mean and variance left to the weeks somebody orders: the same mean and
    variance, and the weeks without orders a few canteens' sporadic demand really has.
    """
    if zero is not None:
        nobody = np.clip(zero, 0.0, 0.99) * (mean > 0)
        inside = 1.0 - nobody
        mean_inside = mean / inside
        variance_inside = np.maximum((variance + mean**2) / inside - mean_inside**2, 0.0)
        ordered = sample_demand(mean_inside, variance_inside, draws, rng)
        result: FloatArray = np.where(rng.random((draws, *mean.shape)) < nobody, 0.0, ordered)
        return result
    positive = (mean > 0) & (variance > 0)
    shape = np.divide(mean**2, variance, out=np.ones_like(mean), where=positive)
    scale = np.divide(variance, mean, out=np.zeros_like(mean), where=positive)
    values: FloatArray = rng.gamma(shape, scale, size=(draws, *mean.shape))
    # A cell known exactly (no variance) keeps its mean in every draw.
    return np.where(positive, values, np.maximum(mean, 0.0))
