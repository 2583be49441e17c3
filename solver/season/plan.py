"""The season plan: each grower's planned weekly volume of each product, over sampled seasons.

A linear programme (GLOP) reads demand and supply scenarios, then:

- variables: the planned volume of every grower, product and week it may deliver (declared
  crop or one it offered before, in season, not a week off), bounded by its weekly capacity;
- coverage at the service level α, a chance constraint over the sampled seasons: for every
  product and week, supply (planned volumes × the share each grower delivers in that
  scenario: season and week factors, absence, crop failure) must meet demand in at least α
  of the scenarios. The programme holds it as expected supply ≥ expected demand + a buffer,
  and the buffers are set round by round: solve, evaluate every product-week over all
  scenarios, raise the buffer by the shortfall still missing at the α quantile (lower it
  where the plan covers more than asked), solve again from the previous basis, until the
  product-weeks settle. The expected supply counts each grower by its reliability, and the
  buffer of a product-week grows when its plan leans on few or unreliable growers, so the
  spread of risk is priced in. A gap variable, heavily priced, keeps demand the group cannot
  cover from making the plan infeasible: what is missing at the service level is reported;
- season capacity (area × yield, or a maximum volume) per grower and product;
- risk spreading: no grower carries more than ``max_share`` of a product over the season
  where two or more can grow it (raised to 1/n when only n can);
- the agreed value shares: the deviation of each grower's planned value from its share of
  the total is minimised;
- proximity: each planned kilogram costs its distance to the canteens that order the product;
- locks: volumes a grower proposed and the lead accepted are fixed.

The plan never exceeds a declared capacity: capacities are bounds and constraints, only
coverage and shares are soft.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from solver.season.history import FloatArray, GrowerInfo, ProductInfo, week_months
from solver.season.program import LinearProgram
from solver.season.scenarios import Float32Array, sample_demand, sample_supply_factors
from solver.season.supply import GrowerSupply, SupplyModel

GOOD_WEEK_Z = 1.2816
"""z of the 90 % quantile: an undeclared weekly capacity is at least the grower's good week."""

MIN_DEMAND = 1e-6

TOLERANCE = 0.02
"""A product-week is settled when its shortfall quantile is within 2 % of its demand's."""

RAISE = 1.1
"""A buffer grows by this many times the shortfall still missing at the service level."""

LOWER = 0.5
"""A buffer shrinks by this share of the cover beyond the service level..."""

SLACK = 3.0
"""...once that cover exceeds this many tolerances (a little over is settled: no see-saw)."""

STUBBORN_RAISES = 4
"""At this many raises of one product-week, a cut over its worst scenarios is added."""

SETTLED_SHARE = 0.005
MIN_ROUNDS = 8
"""Rounds stop once at most this share of product-weeks still move, after this many rounds."""


@dataclass(frozen=True, slots=True)
class CropCapacity:
    """A crop a grower declares: at most ``max_weekly`` a week, ``max_season`` in the season."""

    grower: str
    product: str
    max_weekly: float | None = None
    max_season: float | None = None


@dataclass(frozen=True, slots=True)
class PlanLock:
    """A planned weekly volume fixed before solving (a grower's accepted proposal)."""

    grower: str
    product: str
    week: dt.date
    quantity: float


@dataclass(frozen=True, slots=True)
class PlanSettings:
    """The lead's choices and the objective's weights (all costs in € of planned value)."""

    service_level: float = 0.95
    max_share: float = 0.6
    scenarios: int = 500
    seed: int = 1
    weight_share: float = 0.5  # per € a grower's planned value is off its agreed share
    weight_distance: float = 0.05  # per kg·km between grower and the product's canteens
    # Per € planned: what planting beyond need wastes. Above weight_share, so that planting
    # produce nobody will eat never pays for bringing a grower closer to its share.
    surplus_cost: float = 1.0
    shortfall_cost: float = 10.0  # per € of demand left uncovered at the service level
    share_excess_cost: float = 2.0  # per € a grower carries beyond its max share
    max_rounds: int = 50
    time_limit_s: float = 60.0


@dataclass(frozen=True, slots=True, eq=False)
class PlanProblem:
    """A season to plan: demand per product and week, growers, their supply and capacities."""

    weeks: tuple[dt.date, ...]
    products: tuple[ProductInfo, ...]
    growers: tuple[GrowerInfo, ...]
    demand_mean: FloatArray  # products × weeks
    demand_variance: FloatArray  # products × weeks
    supply: SupplyModel
    capacities: tuple[CropCapacity, ...] = ()
    weeks_off: frozenset[tuple[str, dt.date]] = frozenset()
    distance_km: Mapping[tuple[str, str], float] = field(default_factory=dict)
    locks: tuple[PlanLock, ...] = ()
    settings: PlanSettings = field(default_factory=PlanSettings)


@dataclass(frozen=True, slots=True)
class PlannedVolume:
    """A grower's planned volume of a product in a week."""

    grower: str
    product: str
    week: dt.date
    quantity: float


@dataclass(frozen=True, slots=True)
class ProductWeekCover:
    """How a product-week fares over the scenarios under the plan."""

    product: str
    week: dt.date
    demand_mean: float
    planned: float
    met_share: float  # share of scenarios where supply covers demand
    gap: float  # shortfall at the service level: what the plan misses in (1 − α) of seasons


@dataclass(frozen=True, slots=True)
class PlanResult:
    """The plan, how it covers demand over the scenarios, and what solving it took."""

    status: str  # "optimal", "feasible" (stopped by rounds or time), "infeasible"
    volumes: tuple[PlannedVolume, ...]
    covers: tuple[ProductWeekCover, ...]
    planned_value_eur: Mapping[str, float]  # by grower
    target_value_eur: Mapping[str, float]  # by grower: its agreed share of the total
    met_share: float  # demand-weighted share of product-weeks met, over the scenarios
    rounds: int
    product_weeks: int  # coverage rows, one per product-week in demand
    scenarios: int
    solve_s: float
    message: str = ""


@dataclass(frozen=True, slots=True)
class AdvanceProposal:
    """The cash advance a grower's plan justifies, within the fund's limits."""

    grower: str
    planned_value_eur: float
    proposed_eur: float


@dataclass(slots=True)
class _Crop:
    """One (grower, product) the plan may use, and its variables by week index."""

    grower: int
    product: int
    supply: GrowerSupply
    weekly_cap: FloatArray  # per week of the season (inf: none)
    season_cap: float | None
    variables: dict[int, int] = field(default_factory=dict)  # week index → variable


def _crops(problem: PlanProblem) -> list[_Crop]:
    """Return the (grower, product) pairs the plan may use, with their capacities."""
    declared: dict[str, dict[str, CropCapacity]] = defaultdict(dict)
    for capacity in problem.capacities:
        declared[capacity.grower][capacity.product] = capacity
    supply = problem.supply
    spread = math.sqrt(supply.sigma_common**2 + supply.sigma_grower**2)
    product_ids = [product.id for product in problem.products]
    crops = []
    for i, grower in enumerate(problem.growers):
        for j, product_id in enumerate(product_ids):
            found: CropCapacity | None = CropCapacity(grower.id, product_id)
            if declared.get(grower.id):
                found = declared[grower.id].get(product_id)  # declared crops only
            elif supply.entry(grower.id, product_id) is None:
                found = None
            if found is None:
                continue
            capacity = found
            entry = supply.entry_or_default(grower.id, product_id)
            if capacity.max_weekly is not None:
                weekly = np.full(len(problem.weeks), float(capacity.max_weekly))
            elif entry.level > 0 and product_id in supply.products:
                # A good week of theirs, or the most they ever offered in a week: they can.
                sigma_week = float(supply.sigma_week[supply.products.index(product_id)])
                good_week = math.exp(GOOD_WEEK_Z * math.sqrt(spread**2 + sigma_week**2))
                weekly = supply.profile(product_id, problem.weeks) * max(
                    entry.level * good_week, entry.max_offer)
            else:
                weekly = np.full(len(problem.weeks), np.inf)
            crops.append(_Crop(i, j, entry, weekly, capacity.max_season))
    return crops


def solve_plan(problem: PlanProblem) -> PlanResult:
    """Plan the season: see the module docstring for the model."""
    started = time.perf_counter()
    settings = problem.settings
    rng = np.random.default_rng(settings.seed)
    num_scenarios = settings.scenarios
    products = problem.products
    weeks = problem.weeks
    months = week_months(weeks) - 1
    off = problem.weeks_off
    locks = {(lock.grower, lock.product, lock.week): lock.quantity for lock in problem.locks}
    program = LinearProgram()
    crops = _crops(problem)
    by_product: dict[int, list[_Crop]] = defaultdict(list)
    for crop in crops:
        by_product[crop.product].append(crop)

    # Variables: a planned volume per crop and week it may deliver, within its weekly capacity.
    demanded = problem.demand_mean > MIN_DEMAND
    for crop in crops:
        grower = problem.growers[crop.grower]
        product = products[crop.product]
        km = problem.distance_km.get((grower.id, product.id), 0.0)
        cost = (settings.surplus_cost * product.price_eur
                + settings.weight_distance * product.unit_kg * km)
        for t, week in enumerate(weeks):
            locked = locks.get((grower.id, product.id, week))
            if locked is not None:
                crop.variables[t] = program.add_variable(locked, locked, cost)
            elif (demanded[crop.product, t] and (grower.id, week) not in off
                  and product.in_season(int(months[t]) + 1) and crop.weekly_cap[t] > 0):
                crop.variables[t] = program.add_variable(0.0, float(crop.weekly_cap[t]), cost)

    # Each crop's season volume: an auxiliary variable that keeps the rows below sparse.
    season_volume: dict[int, int] = {}
    for index, crop in enumerate(crops):
        if not crop.variables:
            continue
        fixed = sum(locks.get((problem.growers[crop.grower].id, products[crop.product].id,
                               weeks[t]), 0.0) for t in crop.variables)
        # Season capacity per crop (area × yield, or a declared season volume).
        cap = np.inf if crop.season_cap is None else max(crop.season_cap, fixed)
        total = program.add_variable(0.0, cap)
        members = list(crop.variables.values())
        program.add_row([*members, total], [1.0] * len(members) + [-1.0], 0.0, 0.0)
        season_volume[index] = total

    # Risk spreading: no grower above its max share of a product two or more can grow.
    for j in by_product:
        growing = [index for index, crop in enumerate(crops)
                   if crop.product == j and index in season_volume]
        if len(growing) < 2:
            continue
        share = max(settings.max_share, 1.0 / len(growing))
        product_total = program.add_variable(0.0)
        program.add_row([season_volume[i] for i in growing] + [product_total],
                        [1.0] * len(growing) + [-1.0], 0.0, 0.0)
        for index in growing:
            excess = program.add_variable(0.0, np.inf,
                                          settings.share_excess_cost * products[j].price_eur)
            program.add_row([season_volume[index], product_total, excess], [1.0, -share, -1.0],
                            upper=0.0)

    # Agreed value shares: |planned value − share × total planned value| is minimised.
    shares = {i: grower.target_share for i, grower in enumerate(problem.growers)
              if grower.target_share}
    total_share = sum(shares.values())
    if total_share > 0 and settings.weight_share > 0:
        value_total = program.add_variable(0.0)
        grower_value = {}
        for i in range(len(problem.growers)):
            grower_value[i] = program.add_variable(0.0)
            own = [index for index, crop in enumerate(crops)
                   if crop.grower == i and index in season_volume]
            program.add_row([season_volume[index] for index in own] + [grower_value[i]],
                            [products[crops[index].product].price_eur for index in own] + [-1.0],
                            0.0, 0.0)
        program.add_row([*grower_value.values(), value_total],
                        [1.0] * len(grower_value) + [-1.0], 0.0, 0.0)
        for i, share in shares.items():
            above = program.add_variable(0.0, np.inf, settings.weight_share)
            below = program.add_variable(0.0, np.inf, settings.weight_share)
            program.add_row([grower_value[i], value_total, above, below],
                            [1.0, -share / total_share, -1.0, 1.0], 0.0, 0.0)

    # Scenarios, then coverage rows whose buffers are set round by round.
    demand = sample_demand(problem.demand_mean, problem.demand_variance, num_scenarios, rng)
    factors: dict[int, Float32Array] = {
        j: sample_supply_factors(problem.supply, [crop.supply for crop in group], len(weeks),
                                 num_scenarios, rng)
        for j, group in by_product.items()
    }
    gaps: dict[tuple[int, int], int] = {}
    rows: dict[tuple[int, int], int] = {}
    expected_demand = demand.mean(axis=0)
    # A product-week is settled within a share of the demand to cover at the service level
    # (or of the product's usual week, for the weeks it is hardly ever ordered).
    usual = np.array([row[row > MIN_DEMAND].mean() if (row > MIN_DEMAND).any() else 0.0
                      for row in expected_demand])
    tolerances = TOLERANCE * np.maximum(
        np.quantile(demand, settings.service_level, axis=0), usual[:, None]) + 1e-6
    buffers = np.zeros_like(expected_demand)
    for j in range(len(products)):
        group = by_product.get(j, [])
        reliability = factors[j].mean(axis=0) if j in factors else np.zeros((0, len(weeks)))
        for t in np.flatnonzero(demanded[j]).tolist():
            # Expected supply + gap ≥ expected demand + buffer (the buffer sets the level).
            gaps[j, t] = program.add_variable(0.0, np.inf,
                                              settings.shortfall_cost * products[j].price_eur)
            variables, coefs = [gaps[j, t]], [1.0]
            for g, crop in enumerate(group):
                if t in crop.variables:
                    variables.append(crop.variables[t])
                    coefs.append(float(reliability[g, t]))
            rows[j, t] = program.add_row(variables, coefs, lower=float(expected_demand[j, t]))

    def add_tail_cut(j: int, t: int, tail: np.ndarray) -> None:
        """Add: mean supply + gap ≥ mean demand over the worst scenarios (a CVaR cut)."""
        coefficients = factors[j][tail, :, t].mean(axis=0) if j in factors else []
        variables, coefs = [gaps[j, t]], [1.0]
        for crop, coefficient in zip(by_product.get(j, []), coefficients, strict=True):
            if t in crop.variables:
                variables.append(crop.variables[t])
                coefs.append(float(coefficient))
        program.add_row(variables, coefs, lower=float(demand[tail, j, t].mean()))

    level = settings.service_level
    worst = max(1, math.ceil((1.0 - level) * num_scenarios))
    raises: dict[tuple[int, int], int] = defaultdict(int)
    status = "optimal"
    message = ""
    rounds = 0
    planned: list[FloatArray] = []
    gap_values: dict[tuple[int, int], float] = {}
    while True:
        rounds += 1
        left_s = settings.time_limit_s - (time.perf_counter() - started)
        values = program.solve(max(1.0, left_s))
        if values is None:
            if planned:  # the time ran out on a later round: keep the previous plan
                status, message = "feasible", "stopped by the time limit"
                break
            return PlanResult("infeasible", (), (), {}, {}, 0.0, rounds, 0, num_scenarios,
                              time.perf_counter() - started,
                              "no plan found (locks beyond a capacity, or no time left)")
        planned = _planned(crops, by_product, len(products), len(weeks), values)
        gap_values = {key: float(values[index]) for key, index in gaps.items()}
        moved = 0
        for j in range(len(products)):
            candidates = np.flatnonzero(demanded[j])
            if not candidates.size:
                continue
            supplied = _supplied(factors.get(j), planned[j], num_scenarios, len(weeks))
            shortfall = demand[:, j, candidates] - supplied[:, candidates]
            # The shortfall not exceeded in a share `level` of the scenarios, beyond the gap.
            quantile = np.quantile(shortfall, level, axis=0, method="higher")
            tails = np.argpartition(shortfall, num_scenarios - worst, axis=0)[-worst:]
            for column, t in enumerate(candidates.tolist()):
                missing = float(quantile[column]) - gap_values[j, t]
                tolerance = float(tolerances[j, t])
                # Raise the buffer where demand is missed too often, lower it where the plan
                # covers clearly more than asked (by halves, so that the rounds settle).
                if gap_values[j, t] > tolerance and missing > 0:
                    continue  # no capacity left: a higher buffer would only grow the gap
                step = 0.0
                if missing > tolerance:
                    step = missing * RAISE
                    raises[j, t] += 1
                    if raises[j, t] == STUBBORN_RAISES:
                        # Raised again and again to little avail: the plan leans on a grower
                        # absent or failing in the bad scenarios. A cut over those scenarios
                        # (the CVaR's) makes spreading the volume pay.
                        add_tail_cut(j, t, tails[:, column])
                elif missing < -SLACK * tolerance and buffers[j, t] > 0:
                    step = missing * LOWER
                if step:
                    step = max(step, -float(buffers[j, t]))
                    buffers[j, t] += step
                    program.set_row_lower(rows[j, t],
                                          float(expected_demand[j, t] + buffers[j, t]))
                    moved += 1
        if not moved:
            break
        if moved <= SETTLED_SHARE * len(rows) and rounds >= MIN_ROUNDS:
            status = "feasible"
            message = f"{moved} product-weeks still moving when the rounds stopped"
            break
        if rounds >= settings.max_rounds:
            status, message = "feasible", "stopped after the maximum number of rounds"
            break
        if time.perf_counter() - started > settings.time_limit_s:
            status, message = "feasible", "stopped by the time limit"
            break
    product_weeks = len(rows)
    return _result(problem, by_product, planned, demand, factors, status,
                   rounds, product_weeks, time.perf_counter() - started, message)


def _planned(
    crops: Sequence[_Crop], by_product: Mapping[int, list[_Crop]], num_products: int,
    num_weeks: int, values: FloatArray,
) -> list[FloatArray]:
    """Return, per product, the growers × weeks planned volumes of a solution."""
    planned = []
    for j in range(num_products):
        group = by_product.get(j, [])
        array = np.zeros((len(group), num_weeks))
        for row, crop in enumerate(group):
            if crop.variables:
                weeks = list(crop.variables)
                array[row, weeks] = np.maximum(values[list(crop.variables.values())], 0.0)
        planned.append(array)
    return planned


def _supplied(
    factors: Float32Array | None, planned: FloatArray, num_scenarios: int, num_weeks: int
) -> FloatArray:
    """Return scenarios × weeks supply of a product: Σ growers planned × factor."""
    if factors is None or not planned.size:
        return np.zeros((num_scenarios, num_weeks))
    supplied: FloatArray = np.einsum("sgw,gw->sw", factors, planned.astype(np.float32),
                                     optimize=False).astype(np.float64)
    return supplied


def _result(
    problem: PlanProblem,
    by_product: Mapping[int, list[_Crop]],
    planned: list[FloatArray],
    demand: FloatArray,
    factors: Mapping[int, Float32Array],
    status: str,
    rounds: int,
    product_weeks: int,
    solve_s: float,
    message: str,
) -> PlanResult:
    """Gather the plan's volumes, covers and values."""
    products = problem.products
    volumes = []
    value: dict[str, float] = defaultdict(float)
    for j, group in by_product.items():
        for row, crop in enumerate(group):
            grower = problem.growers[crop.grower].id
            for t in crop.variables:
                # Rounded down to the gram (or thousandth): never above a capacity.
                quantity = math.floor(float(planned[j][row, t]) * 1000 + 1e-6) / 1000
                if quantity > 0:
                    volumes.append(PlannedVolume(grower, products[j].id, problem.weeks[t],
                                                 quantity))
                    value[grower] += quantity * products[j].price_eur
    covers = []
    met_weighted = weight = 0.0
    for j, product in enumerate(products):
        supplied = _supplied(factors.get(j), planned[j], demand.shape[0], len(problem.weeks))
        for t, week in enumerate(problem.weeks):
            mean = float(problem.demand_mean[j, t])
            if mean <= MIN_DEMAND:
                continue
            shortfall = demand[:, j, t] - supplied[:, t]
            met = float((shortfall <= 1e-6).mean())
            missing = float(np.quantile(shortfall, problem.settings.service_level,
                                        method="higher"))
            covers.append(ProductWeekCover(product.id, week, mean, float(planned[j][:, t].sum()),
                                           met, max(0.0, missing)))
            met_weighted += met * mean * product.price_eur
            weight += mean * product.price_eur
    total = sum(value.values())
    shares = {grower.id: grower.target_share for grower in problem.growers if grower.target_share}
    total_share = sum(shares.values())
    targets = {grower: total * share / total_share for grower, share in shares.items()}
    return PlanResult(
        status=status,
        volumes=tuple(volumes),
        covers=tuple(covers),
        planned_value_eur=dict(value),
        target_value_eur=targets,
        met_share=met_weighted / weight if weight else 1.0,
        rounds=rounds,
        product_weeks=product_weeks,
        scenarios=problem.settings.scenarios,
        solve_s=solve_s,
        message=message,
    )


def propose_advances(
    planned_value_eur: Mapping[str, float],
    share_of_value: float,
    fund_available_eur: float,
    *,
    minimum_eur: float = 0.0,
) -> list[AdvanceProposal]:
    """Propose each grower's advance: a share of its planned value, scaled to fit the fund.

    Amounts are whole euros rounded down, so that their sum never exceeds what the fund holds;
    a grower whose proposal falls under ``minimum_eur`` gets none.
    """
    wanted = {grower: max(0.0, value) * share_of_value
              for grower, value in planned_value_eur.items()}
    total = sum(wanted.values())
    available = max(0.0, fund_available_eur)
    scale = min(1.0, available / total) if total > 0 else 0.0
    proposals = []
    for grower in sorted(wanted):
        amount = math.floor(wanted[grower] * scale)
        if amount < minimum_eur:
            amount = 0
        proposals.append(AdvanceProposal(grower, planned_value_eur[grower], float(amount)))
    return proposals
