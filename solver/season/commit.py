"""Can we commit? The yearly volume of each product of a tender lot the group can promise.

For every line of the lot, ``draws`` seasons are simulated at once (numpy arrays of draws ×
growers × weeks): each member's potential supply (its weekly capacity × the sampled share
supplied: season and week factors, absence, crop failures), minus the demand of the group's
other canteens (sampled too), gives what is left for the lot each week; the lot takes at most
its buyer's weekly need (the yearly estimate spread over the weeks). The yearly deliverable
volume's distribution answers the question: the volume committable at confidence c is the
largest V with P(deliverable ≥ V) ≥ c, capped at the buyer's estimate.

The draw is predictive: the levels learnt from a few seasons (the demand forecast's, month by
month; the offer ratio's where offers follow demand; the season factors where supply is a
harvest) are drawn around their estimates, by their estimation error, once per simulated
season — a plug-in draw, sure of them, commits too much.

At the lead's chosen confidence the volume is split between members in proportion to their
expected supply, no member above ``max_share`` where two or more can grow the product; each
member's expected own shortfall, and what it would cover for the others from its spare
supply in the same weeks, say who carries the risk.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from solver.season.forecast import fit_demand, forecast_demand, predicted_closures
from solver.season.history import FloatArray, History, record_array, week_months
from solver.season.plan import CropCapacity
from solver.season.scenarios import sample_demand, sample_supply_factors
from solver.season.supply import GrowerSupply, SupplyModel, season_year

CONFIDENCES = (0.90, 0.95, 0.99)


@dataclass(frozen=True, slots=True)
class LotLine:
    """A product of the lot: the buyer's yearly estimate and its share in each week."""

    product: str
    yearly_quantity: float
    weekly_share: tuple[float, ...]  # one per week of the season, summing to 1


@dataclass(frozen=True, slots=True, eq=False)
class CommitProblem:
    """A lot to answer: its lines, the members, their supply and the group's other demand."""

    weeks: tuple[dt.date, ...]
    lines: tuple[LotLine, ...]
    supply: SupplyModel
    members: tuple[str, ...] = ()  # growers who may take part (empty: every known grower)
    capacities: tuple[CropCapacity, ...] = ()
    other_mean: FloatArray = field(default_factory=lambda: np.zeros((0, 0)))  # lines × weeks
    other_variance: FloatArray = field(default_factory=lambda: np.zeros((0, 0)))
    # The lot's buyers' own usual demand (lines × weeks): what growers who offer what is
    # ordered have been offering them.
    buyer_mean: FloatArray = field(default_factory=lambda: np.zeros((0, 0)))
    buyer_variance: FloatArray = field(default_factory=lambda: np.zeros((0, 0)))
    # The chance that none of the other canteens (of the buyers) orders the line in a week:
    # a few canteens' demand is often nothing, then a lot (lines × weeks; empty: a gamma).
    other_zero: FloatArray = field(default_factory=lambda: np.zeros((0, 0)))
    buyer_zero: FloatArray = field(default_factory=lambda: np.zeros((0, 0)))
    # Seasons of order history the demand forecast was learnt from (0: the means are known
    # exactly). A month's rate learnt from S seasons is off by about its total's spread / √S,
    # in the same direction every week of the month: each simulated season draws that error.
    demand_seasons: float = 0.0
    # How much more the forecast's season totals erred, out of sample, than that sampling
    # error (``level_error_scale``, at least 1): the excess is drawn once per season.
    demand_level_scale: float = 1.0
    confidences: tuple[float, ...] = CONFIDENCES
    confidence: float = 0.95  # the level at which members' shares and risks are reported
    draws: int = 10_000
    seed: int = 1
    max_share: float = 0.6


@dataclass(frozen=True, slots=True)
class LevelVolume:
    """The yearly volume committable at a confidence, and its risk."""

    confidence: float
    volume: float
    expected_shortfall: float  # E[(volume − deliverable)⁺] per year
    shortfall_probability: float


@dataclass(frozen=True, slots=True)
class MemberShare:
    """A member's part of a line at the chosen confidence."""

    grower: str
    volume_share: float  # of the committed volume, 0..1
    volume: float
    own_shortfall: float  # expected yearly quantity it would miss of its part
    covers_for_others: float  # expected yearly quantity it would supply in others' place


@dataclass(frozen=True, slots=True)
class LineCommitment:
    """The answer for one product of the lot."""

    product: str
    yearly_quantity: float
    expected_deliverable: float
    levels: tuple[LevelVolume, ...]
    members: tuple[MemberShare, ...]
    chosen_volume: float

    def level(self, confidence: float) -> LevelVolume:
        """Return the volume at ``confidence`` (one of the computed levels)."""
        return next(level for level in self.levels if math.isclose(level.confidence, confidence))


@dataclass(frozen=True, slots=True)
class Commitment:
    """The answer for the whole lot."""

    lines: tuple[LineCommitment, ...]
    draws: int
    solve_s: float


def level_error_scale(history: History, minimum_weeks: int = 40) -> float:
    """Return how much the forecast's season levels erred beyond their monthly sampling error.

    The last complete season of the history is forecast from the seasons before it (S of
    them). For each canteen and product, the season's actual total A misses the forecast's M
    by the season's own noise (variance V, the forecast's) plus the level's error: a mean of
    S seasons, learnt month by month, would put it at V / S. The scale is
    Σ((A − M)² − V) / Σ(V / S) over every canteen and product, at least 1: above 1, the
    months erred together (they borrow from the canteen's yearly level; a calendar, a menu
    moves them all), and the excess is drawn once per simulated season. 1 when no season can
    be held out.
    """
    if not history.orders:
        return 1.0
    years = np.array([season_year(week) for week in history.weeks])
    complete = [year for year in np.unique(years)
                if (years == year).sum() >= minimum_weeks and (years < year).any()]
    if not complete:
        return 1.0
    holdout = tuple(week for week, year in zip(history.weeks, years, strict=True)
                    if year == complete[-1])
    train = history.before(holdout[0])
    seasons = train.order_seasons
    if seasons <= 0:
        return 1.0
    model = fit_demand(train)
    known = {item for item in history.closures if item[1] in set(holdout)}
    forecast = forecast_demand(model, holdout, predicted_closures(train, holdout) | known)
    actual = record_array(history.orders, model.canteens, model.products, holdout).sum(axis=2)
    mean = forecast.mean.sum(axis=2)
    variance = forecast.variance().sum(axis=2)
    cells = (mean > 0) & (variance > 0)
    if not cells.any():
        return 1.0
    excess = float(((actual - mean)[cells] ** 2 - variance[cells]).sum())
    return max(1.0, excess / float(variance[cells].sum() / seasons))


def committable_volume(deliverable: FloatArray, confidence: float) -> float:
    """Return the largest V such that at least ``confidence`` of the draws deliver ≥ V."""
    ordered = np.sort(deliverable)
    index = math.floor(len(ordered) * (1.0 - confidence) + 1e-9)
    return float(ordered[min(index, len(ordered) - 1)])


def _weekly_capacity(
    problem: CommitProblem, entry: GrowerSupply, capacity: CropCapacity | None
) -> FloatArray:
    """Return a member's weekly potential of a product: declared, else its history's level."""
    profile = problem.supply.profile(entry.product, problem.weeks)
    if capacity is not None and capacity.max_weekly is not None:
        weekly: FloatArray = np.where(profile > 0, float(capacity.max_weekly), 0.0)
        return weekly
    if capacity is not None and capacity.max_season is not None and profile.sum() > 0:
        spread: FloatArray = capacity.max_season * profile / profile.sum()
        return spread
    typical: FloatArray = entry.level * profile
    return typical


def _split(expected: FloatArray, max_share: float) -> FloatArray:
    """Split 1 in proportion to ``expected``, no part above ``max_share`` (water-filling)."""
    count = int((expected > 0).sum())
    if count == 0:
        return np.zeros_like(expected)
    cap = max(max_share, 1.0 / count) if count >= 2 else 1.0
    shares = np.zeros_like(expected)
    free = expected > 0
    remaining = 1.0
    while True:
        weights = np.where(free, expected, 0.0)
        proposal = remaining * weights / weights.sum()
        over = free & (proposal > cap + 1e-12)
        if not over.any():
            shares[free] = proposal[free]
            return shares
        shares[over] = cap
        remaining -= cap * over.sum()
        free &= ~over


def commit_lot(problem: CommitProblem) -> Commitment:
    """Answer the lot: committable volumes per confidence, members' shares and risks."""
    started = time.perf_counter()
    rng = np.random.default_rng(problem.seed)
    declared = {(c.grower, c.product): c for c in problem.capacities}
    growers_declaring = {c.grower for c in problem.capacities}
    members = problem.members or tuple(sorted({e.grower for e in problem.supply.entries}))
    lines = []
    for index, line in enumerate(problem.lines):
        entries = []
        for grower in members:
            capacity = declared.get((grower, line.product))
            if grower in growers_declaring and capacity is None:
                continue  # a grower who declared its crops grows only those
            if capacity is None and problem.supply.entry(grower, line.product) is None:
                continue
            entries.append((problem.supply.entry_or_default(grower, line.product), capacity))
        lines.append(_commit_line(problem, index, line, entries, rng))
    return Commitment(tuple(lines), problem.draws, time.perf_counter() - started)


def _commit_line(
    problem: CommitProblem,
    index: int,
    line: LotLine,
    entries: Sequence[tuple[GrowerSupply, CropCapacity | None]],
    rng: np.random.Generator,
) -> LineCommitment:
    """Simulate one product's seasons and read its committable volumes."""
    draws = problem.draws
    need_all = line.yearly_quantity * np.asarray(line.weekly_share, dtype=np.float64)
    # Only the weeks the buyer needs the product matter: the others are not simulated.
    active = np.flatnonzero(need_all > 0)
    need = need_all[active]
    months = week_months(problem.weeks)[active]
    if problem.other_mean.size and active.size:
        other = _sample_season_demand(problem.other_mean[index, active],
                                      problem.other_variance[index, active],
                                      _cells(problem.other_zero, index, active), months,
                                      problem.demand_seasons, problem.demand_level_scale,
                                      draws, rng)
    else:
        other = np.zeros((draws, active.size))
    supply = problem.supply
    known = line.product in supply.products and bool(entries) and bool(active.size)
    if (known and supply.follows_demand(line.product) and problem.buyer_mean.size
            and all(capacity is None for _entry, capacity in entries)):
        # The growers' offers followed the canteens' orders (what is ordered, plus a margin):
        # the group offers the week's demand (the other canteens' and the buyers', plus the
        # few crates any week adds) times an offer ratio drawn from its history, shared as its
        # growers usually share it.
        j = supply.products.index(line.product)
        buyers = _sample_season_demand(problem.buyer_mean[index, active],
                                       problem.buyer_variance[index, active],
                                       _cells(problem.buyer_zero, index, active), months,
                                       problem.demand_seasons, problem.demand_level_scale,
                                       draws, rng)
        # A week's ratio is one of the history's equally likely points; the season's margin
        # is off by the error of its mean, learnt from the history's weeks.
        ratio = supply.offer_ratio[j][rng.integers(0, supply.offer_ratio.shape[1],
                                                   size=(draws, active.size))]
        if j < len(supply.offer_ratio_error):
            ratio *= _level_factor(float(supply.offer_ratio_error[j]) ** 2, draws, rng)
        weights = np.array([entry.level * (1 - entry.absence) for entry, _ in entries])
        weights = weights / weights.sum() if weights.sum() > 0 else np.full(len(entries),
                                                                             1 / len(entries))
        # Nothing is offered out of the product's months (a forecast may still show a few
        # orders there, from weeks straddling the season's end), and the extra crates of a
        # week come only with its orders.
        demand = other + buyers
        extra = float(supply.offer_extra[j]) if j < len(supply.offer_extra) else 0.0
        demand += np.where(demand > 0, extra, 0.0)
        demand *= supply.profile(line.product, problem.weeks)[active] > 0
        potential = ((demand * ratio)[:, None, :] * weights[None, :, None]).astype(np.float32)
    elif known:
        capacity = np.array([_weekly_capacity(problem, entry, cap)[active]
                             for entry, cap in entries], dtype=np.float32)
        potential = sample_supply_factors(supply, [entry for entry, _ in entries],
                                          active.size, draws, rng)
        potential *= capacity[None, :, :]  # draws × members × weeks
    else:
        potential = np.zeros((draws, 0, active.size), dtype=np.float32)
    total = potential.sum(axis=1, dtype=np.float64)  # draws × weeks
    left = np.maximum(total - other, 0.0)
    deliverable = np.minimum(left, need[None, :]).sum(axis=1)
    levels = []
    for confidence in problem.confidences:
        volume = min(line.yearly_quantity, committable_volume(deliverable, confidence))
        missing = np.maximum(volume - deliverable, 0.0)
        levels.append(LevelVolume(confidence, volume, float(missing.mean()),
                                  float((missing > 1e-9).mean())))
    chosen = min(line.yearly_quantity, committable_volume(deliverable, problem.confidence))
    members = _members(problem, entries, potential, total, left, need, line, chosen)
    return LineCommitment(line.product, line.yearly_quantity, float(deliverable.mean()),
                          tuple(levels), members, chosen)


def _level_factor(relative_variance: float, draws: int, rng: np.random.Generator) -> FloatArray:
    """Draw draws × 1 lognormal factors of mean 1 and the given relative variance."""
    if relative_variance <= 0:
        return np.ones((draws, 1))
    sigma = math.sqrt(math.log1p(relative_variance))
    factor: FloatArray = np.exp(sigma * rng.standard_normal((draws, 1)) - sigma**2 / 2)
    return factor


def _cells(array: FloatArray, index: int, active: np.ndarray) -> FloatArray | None:
    """Return a line's active weeks of a lines × weeks array, None if it is not given."""
    return array[index, active] if array.size else None


def _sample_season_demand(
    mean: FloatArray, variance: FloatArray, zero: FloatArray | None, months: np.ndarray,
    seasons: float, scale: float, draws: int, rng: np.random.Generator,
) -> FloatArray:
    """Draw draws × weeks demand around a forecast learnt from ``seasons`` of history.

    Weeks are drawn independently around the forecast's means, and each month's weeks are
    scaled by one level per simulated season: the forecast learns a rate per month, from that
    month's weeks of S seasons. A month's total varies by √(Σ variance) from season to
    season, the mean of S of them by that / √S, so its level's relative variance is
    Σ variance / (S × (Σ mean)²); months are learnt apart, their errors drawn apart. When
    the forecast's season totals erred ``scale`` times more than that out of sample, the
    excess ((scale − 1) × the season's Σ variance / (S × (Σ mean)²)) is one more level, drawn
    once for the whole season.
    """
    weekly = sample_demand(mean, variance, draws, rng, zero)
    if seasons <= 0 or not mean.size:
        return weekly
    _, position = np.unique(months, return_inverse=True)
    totals = np.bincount(position, weights=mean)
    spreads = np.bincount(position, weights=variance)
    relative = np.divide(spreads, seasons * totals**2, out=np.zeros_like(totals),
                         where=totals > 0)
    sigma = np.sqrt(np.log1p(relative))
    levels = np.exp(sigma * rng.standard_normal((draws, sigma.size)) - sigma**2 / 2)
    weekly *= levels[:, position]
    total = float(mean.sum())
    if scale > 1 and total > 0:
        weekly *= _level_factor((scale - 1) * float(variance.sum()) / (seasons * total**2),
                                draws, rng)
    return weekly


def _members(
    problem: CommitProblem,
    entries: Sequence[tuple[GrowerSupply, CropCapacity | None]],
    potential: np.ndarray,
    total: FloatArray,
    left: FloatArray,
    need: FloatArray,
    line: LotLine,
    chosen: float,
) -> tuple[MemberShare, ...]:
    """Split the chosen volume between members and measure each one's risk and cover.

    ``potential`` is overwritten (it becomes what each member has left for the lot).
    """
    if not entries:
        return ()
    draws = potential.shape[0]
    expected = potential.sum(axis=(0, 2), dtype=np.float64) / draws
    shares = _split(expected, problem.max_share)
    # The lot's weekly deliveries at the chosen volume, and what each member has left for it.
    duty_total = need * (chosen / line.yearly_quantity) if line.yearly_quantity > 0 else need
    ratio = np.divide(left, total, out=np.zeros_like(left), where=total > 0)
    own = np.multiply(potential, ratio[:, None, :].astype(np.float32), out=potential)
    duty = (shares[:, None] * duty_total[None, :]).astype(np.float32)[None, :, :]
    short = np.subtract(duty, own)
    np.maximum(short, 0.0, out=short)
    own_shortfall = short.sum(axis=(0, 2), dtype=np.float64) / draws
    short_total = short.sum(axis=1, dtype=np.float64)
    spare = np.subtract(own, duty, out=short)
    np.maximum(spare, 0.0, out=spare)
    spare_total = spare.sum(axis=1, dtype=np.float64)
    # Spare supply covers others' shortfalls in the same week, shared by what each has spare.
    covered = np.minimum(short_total, spare_total)
    fraction = np.divide(covered, spare_total, out=np.zeros_like(covered),
                         where=spare_total > 0).astype(np.float32)
    covers = np.einsum("sgw,sw->g", spare, fraction, dtype=np.float64) / draws
    return tuple(
        MemberShare(
            grower=entry.grower,
            volume_share=float(shares[g]),
            volume=float(shares[g] * chosen),
            own_shortfall=float(own_shortfall[g]),
            covers_for_others=float(covers[g]),
        )
        for g, (entry, _capacity) in enumerate(entries)
        if shares[g] > 0
    )
