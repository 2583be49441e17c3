"""Sampled seasons: demand per product and week, and the share of each planned volume supplied.

Everything is drawn in one vectorised call per product (draws × growers × weeks arrays), in
float32 where the arrays are large, from one ``numpy.random.Generator`` so that a seed gives
the same scenarios every time.
"""

from __future__ import annotations

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
    # The three lognormal factors multiply: their logs add, and one exp (in place) does it.
    factors = rng.standard_normal((draws, num_growers, profile_weeks), dtype=np.float32)
    factors *= np.float32(sigma_week)
    logs = (rng.standard_normal((draws, 1, 1), dtype=np.float32) * np.float32(sigma_common)
            + rng.standard_normal((draws, num_growers, 1), dtype=np.float32)
            * sigma_grower.astype(np.float32)[None, :, None])
    factors += logs - ((sigma_week**2 + sigma_common**2 + sigma_grower**2) / 2).astype(
        np.float32)[None, :, None]
    np.exp(factors, out=factors)
    absence = np.array([entry.absence for entry in entries], dtype=np.float32)
    failure = np.array([entry.failure_rate for entry in entries], dtype=np.float32)
    failure *= 1 - absence
    # One uniform decides absence, failure and the failure's size (its position in the band).
    uniform = rng.random((draws, num_growers, profile_weeks), dtype=np.float32)
    present = uniform >= absence[None, :, None]
    np.multiply(factors, present, out=factors)
    failed = present & (uniform < (absence + failure)[None, :, None])
    rows, growers, weeks = np.nonzero(failed)
    if rows.size:
        position = (uniform[rows, growers, weeks] - absence[growers]) / np.maximum(
            failure[growers], np.float32(1e-12))
        grid = np.linspace(0.0, 1.0, model.failure_sizes.size)
        lost = np.interp(position, grid, model.failure_sizes).astype(np.float32)
        factors[rows, growers, weeks] *= 1.0 - lost
    return factors


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
