"""Large integer weeks: improve a complete plan by re-solving neighbourhoods.

Each step frees the order lines of a few neighbouring canteens, or the pairs of a few
neighbouring growers on every line they can serve, keeps everything else fixed, and solves
that small MIP exactly (lots, trips, grower limits, fairness gaps against the growers' sales
elsewhere). A step keeps the served quantities of its lines per product, so stages 2 and 3
stay optimal; it is accepted only when the week's weighted cost falls. Later steps free a
product's lines everywhere (`improve_by_products`), or the products a grower's small trips
carry (`improve_by_small_trips`).

The search is deterministic: its effort is counted in work, not in seconds. Each step's MIP
stops after `STEP_MAX_NODES` nodes; a canteen step solved to optimality grows the next
neighbourhood, one stopped by its node limit shrinks it; each kind of step ends when the work
of all steps adds up to its budget, when the steps have re-solved `max_passes` times the
week's pairs, or when a whole pass of its seeds improves nothing. The deadline is only a
safety net against a machine far slower than the one the budget was calibrated on.

A step's work (`step_work`) is counted in pairs: its free pairs, plus HiGHS's own count of
its simplex iterations times the rows of its presolved MIP, read from HiGHS's log
(`LinearSolution.row_iterations`); both are the same on every run whatever the load. Pairs
alone cost 4–5 times more CPU on random dense weeks than on department (0.5–0.8 against
0.12–0.16 ms a pair): a step's MIP has as many integer variables and nonzeros per pair on
either, but department's presolve to a tenth of their rows, dense weeks' to three quarters,
and these take far more iterations. Counted so, a unit of work costs 0.09–0.12 ms on all five
weeks measured (`benchmarks/search_work.py`, see `ROW_ITERATIONS_PER_PAIR`).
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Callable

import numpy as np
import numpy.typing as npt
from ortools.graph.python import max_flow

from solver.engine.clock import now
from solver.engine.index import FloatArray, ProblemIndex
from solver.engine.linear import LinearSolution
from solver.engine.model import build_weighted_model
from solver.engine.report import evaluate, is_worse, served_eur, sold_eur_by_grower
from solver.geography import haversine_km
from solver.problem import Canteen

FIRST_NEIGHBOURHOOD_PAIRS = 300
MIN_NEIGHBOURHOOD_PAIRS = 60
MAX_NEIGHBOURHOOD_PAIRS = 600
STEP_MAX_NODES = 50
# A group of growers re-solved together: a grower and its nearest others.
GROWER_GROUP_SIZE = 3
# The share of the search's work budget its first groups of growers may spend (the canteens'
# neighbourhoods get the rest, then groups again what the canteens leave). Measured at a 10 s
# limit on mid and department (docs/benchmarks.md): groups first with half the budget gave
# plans 0.2–1.4 % cheaper than canteens alone, with the whole budget 0.5 % dearer on mid seed 2.
GROWER_GROUPS_WORK_SHARE = 0.5
# Product steps take first the products whose pairs travel most on trips carrying at most this
# many pairs: these steps can close such trips. Small-trip steps re-solve what such trips carry.
SMALL_TRIP_PAIRS = 2
# A small-trip step re-solves its products on every line when they hold at most this many
# pairs, else only where its grower drives. Mid and department seeds 1–4 at 10 s, weighted in
# all (products 500, small trips 2,000 units a second): 117,511.5 with 600; 117,952.6 with 0
# (always where it drives); 117,643.8 with 1,000, its steps dearer (department up to 8.1 CPU s
# of the solving thread).
SMALL_TRIP_SCOPE_PAIRS = 600
# Trips carrying at most this many pairs are tried for closing by re-solving their products on
# the other trips the plan makes (`improve_by_closing_trips`).
CLOSING_MAX_PAIRS = 5
# ... and they stop after this many MIPs in a row that closed none. At 10 s department and
# mid seeds 1–4 give the same plans with 15 as with 1,000; region seed 1 at 60 s closes
# trips after up to 16 such MIPs in a row (119,780.40 with 1,000, 120,806.43 with 15); a
# random dense week (30 × 30 × 10, seed 3, the tests' `random_week`) closes one trip in its
# first 17 MIPs, then none in 75: 25 cut its solving thread from 6.4 to 5.0 CPU s (15: 4.4).
CLOSING_MAX_FAILURES = 25
# A step's work: its pairs, plus HiGHS's row-iterations (simplex iterations times the rows of
# the presolved MIP), this many counting as one pair. Least squares of a step's CPU on the two
# (`PYTHONPATH=. python benchmarks/search_work.py --time-limit 30`, five weeks, 201 steps, 2
# cores, load 3–4): 0.115 ms a pair and 0.265 ms per 1,000 row-iterations, one pair ≈ 430
# (≈ 420 over 279 steps of a first run, work still counted in pairs). Each week's CPU lies
# within 0.90–1.10 of the fit; its CPU per unit of work varies 1.2× between weeks, per pair 4.4×.
ROW_ITERATIONS_PER_PAIR = 400.0
# When HiGHS's counts are unknown (`LinearSolution.row_iterations` is -1: no usable log file),
# a step counts this many times its pairs, about a dense week's average (5–7; department 1.2–1.3),
# so that the search still stops on its budget, if early, rather than on the safety net.
UNCOUNTED_WORK_PER_PAIR = 6.0


def improve_by_neighbourhoods(
    index: ProblemIndex,
    first: FloatArray,
    deadline: float,
    seed: int = 0,
    max_steps: int | None = None,
    max_work: float = float("inf"),
    max_passes: float = float("inf"),
) -> FloatArray:
    """Return the plan improved until its work budget (`step_work` over all steps) is spent,
    its steps have re-solved `max_passes` times the week's pairs, or no neighbourhood
    improves it; the deadline is a safety net.

    Two kinds of neighbourhood take turns: groups of nearby growers across every canteen they
    serve (`_improve_by_grower_groups`), with `GROWER_GROUPS_WORK_SHARE` of the budget; then
    the canteens nearest a seed place (`_improve_by_canteens`); then groups of growers again
    with whatever work the canteens left.
    """
    effort = _Effort(deadline, max_steps, max_work, max_passes * index.num_pairs)
    quantities = _improve_by_grower_groups(
        index, first, effort, GROWER_GROUPS_WORK_SHARE * max_work
    )
    quantities = _improve_by_canteens(index, quantities, effort, random.Random(seed))
    return _improve_by_grower_groups(index, quantities, effort, max_work)


class _Effort:
    """The search's steps, each a MIP from the current plan, and what they have cost."""

    def __init__(
        self, deadline: float, max_steps: int | None, max_work: float, max_pairs: float
    ) -> None:
        self.deadline = deadline
        self.max_steps = max_steps
        self.max_work = max_work
        self.max_pairs = max_pairs
        self.steps = 0
        self.pairs_solved = 0
        self.work = 0.0

    def left(self) -> bool:
        """Return whether another step may start."""
        return (
            (self.max_steps is None or self.steps < self.max_steps)
            and self.work < self.max_work
            and self.pairs_solved < self.max_pairs
            and self.deadline - now() > 0.01
        )

    def step(
        self,
        index: ProblemIndex,
        scope: list[int],
        size: int,
        quantities: FloatArray,
        kept: npt.NDArray[np.bool_] | None = None,
        restarts: bool = True,
        blocked: npt.NDArray[np.bool_] | None = None,
    ) -> tuple[LinearSolution, FloatArray | None]:
        """Re-solve the scope's lines (`size` pairs, `kept` ones staying as they are), keeping
        what they serve of each product; return the MIP's solution and plan. Without
        `restarts`, HiGHS does not restart the MIP (`LinearModel.solve`). With `blocked`
        pairs (sending nothing), the current plan may not fit the MIP, which then starts from
        none and may be infeasible."""
        self.steps += 1
        self.pairs_solved += size
        contract_target, total_target = scope_targets(index, scope, quantities)
        model = build_weighted_model(
            index, scope, quantities, contract_target, total_target, kept=kept, blocked=blocked
        )
        solution, plan = model.solve(
            self.deadline - now(), max_nodes=STEP_MAX_NODES, count_work=True,
            start=quantities if blocked is None else None, restarts=restarts,
            may_be_infeasible=blocked is not None,
        )
        self.work += step_work(size, solution)
        return solution, plan


def _improve_by_canteens(
    index: ProblemIndex, first: FloatArray, effort: _Effort, rng: random.Random
) -> FloatArray:
    """Return the plan improved by neighbourhoods of canteens, grown while their MIPs are
    solved to optimality and shrunk when they stop at their node limit."""
    quantities = first.copy()
    best = evaluate(index, quantities).weighted
    lines_of_canteen: dict[str, list[int]] = defaultdict(list)
    for li, line in enumerate(index.lines):
        if index.pairs_of_line[li]:
            lines_of_canteen[line.canteen].append(li)
    canteens = [c for c in index.problem.canteens if c.id in lines_of_canteen]
    num_lines = sum(len(lines) for lines in lines_of_canteen.values())
    num_pairs_of_canteen = {
        c: sum(len(index.pairs_of_line[li]) for li in lines)
        for c, lines in lines_of_canteen.items()
    }
    places = {("canteen", c.id): (c.lat, c.lon) for c in canteens}
    places.update({("grower", g.id): (g.lat, g.lon) for g in index.problem.growers})
    nearest: dict[tuple[str, str], list[Canteen]] = {}
    target_pairs = float(FIRST_NEIGHBOURHOOD_PAIRS)
    seeds: list[tuple[str, str]] = []
    failures = 0
    while failures < len(canteens) and effort.left():
        if not seeds:
            seeds = _next_seeds(index, quantities, canteens, rng)
        place = seeds.pop()
        if place not in nearest:
            lat, lon = places[place]
            nearest[place] = sorted(
                canteens, key=lambda c: haversine_km(lat, lon, c.lat, c.lon)
            )
        scope: list[int] = []
        size = 0
        for canteen in nearest[place]:
            scope.extend(lines_of_canteen[canteen.id])
            size += num_pairs_of_canteen[canteen.id]
            if size >= target_pairs:
                break
        solution, plan = effort.step(index, scope, size, quantities)
        if solution.outcome == "optimal":
            target_pairs = min(MAX_NEIGHBOURHOOD_PAIRS, target_pairs * 1.25)
        else:
            target_pairs = max(MIN_NEIGHBOURHOOD_PAIRS, target_pairs * 0.7)
        cheaper = _cheaper(index, plan, best)
        if cheaper is not None:
            (quantities, best), failures = cheaper, 0
            continue
        if len(scope) == num_lines:
            break  # the whole week was re-solved in vain: every other seed gives the same step
        failures += 1
    return quantities


def _improve_by_grower_groups(
    index: ProblemIndex, first: FloatArray, effort: _Effort, max_work: float
) -> FloatArray:
    """Return the plan improved by groups of nearby growers until the search's work reaches
    `max_work` or a whole pass of groups improves nothing.

    A group is each grower in turn with its nearest `GROWER_GROUP_SIZE - 1`: their pairs are
    free across every line they can serve, the other growers' pairs on these lines kept. Such
    a step can trade whole canteens between growers far apart, which neighbourhoods of a few
    canteens cannot. Its work counts its free pairs only: HiGHS's presolve removes the kept
    ones, and its simplex work is counted apart (`step_work`).
    """
    quantities = first
    best = evaluate(index, quantities).weighted
    growers = index.problem.growers
    failures = turn = 0
    while failures < len(growers) and effort.left() and effort.work < max_work:
        grower = growers[turn % len(growers)]
        turn += 1
        group = sorted(
            range(len(growers)),
            key=lambda g: (haversine_km(grower.lat, grower.lon, growers[g].lat, growers[g].lon), g),
        )[:GROWER_GROUP_SIZE]
        in_group = np.isin(index.pair_grower, group)
        line_in_scope = np.zeros(len(index.lines), dtype=bool)
        line_in_scope[index.pair_line[in_group]] = True
        in_scope = line_in_scope[index.pair_line]
        failures += 1
        if not in_group.any():
            continue
        _, plan = effort.step(
            index, np.flatnonzero(line_in_scope).tolist(), int(in_group.sum()), quantities,
            kept=in_scope & ~in_group,
        )
        cheaper = _cheaper(index, plan, best)
        if cheaper is not None:
            (quantities, best), failures = cheaper, 0
    return quantities


def _cheaper(
    index: ProblemIndex, plan: FloatArray | None, best: float
) -> tuple[FloatArray, float] | None:
    """Return a step's plan and its weighted cost if it is cheaper than `best`, else None."""
    if plan is None:
        return None
    cost = evaluate(index, plan).weighted
    return (plan, cost) if is_worse(best, cost) else None


def step_work(num_pairs: int, solution: LinearSolution) -> float:
    """Return the work of one step, in pairs: its free pairs plus HiGHS's simplex work on
    its MIP (`ROW_ITERATIONS_PER_PAIR`), the same on every run whatever the machine's load."""
    if solution.row_iterations < 0:
        return UNCOUNTED_WORK_PER_PAIR * num_pairs
    return num_pairs + solution.row_iterations / ROW_ITERATIONS_PER_PAIR


def _next_seeds(
    index: ProblemIndex, quantities: FloatArray, canteens: list[Canteen], rng: random.Random
) -> list[tuple[str, str]]:
    """Return the seed places of one pass: every canteen, and the growers furthest from
    their target (one for every other canteen), in random order."""
    seeds = [("canteen", c.id) for c in canteens]
    if index.problem.settings.weights.fairness > 0:
        gap = np.abs(
            sold_eur_by_grower(index, quantities)
            - index.targets_eur(served_eur(index, quantities))
        )
        worst = np.argsort(-gap)[: len(canteens) // 2]
        seeds += [("grower", index.grower_ids[int(g)]) for g in worst if gap[g] > 0]
    rng.shuffle(seeds)
    return seeds


def scope_targets(
    index: ProblemIndex, scope: list[int], quantities: FloatArray
) -> tuple[dict[str, float], dict[str, float]]:
    """Return what the scope's lines serve now, per product: contract part and total."""
    contract: dict[str, float] = defaultdict(float)
    total: dict[str, float] = defaultdict(float)
    for li in scope:
        line = index.lines[li]
        served = float(np.sum(quantities[index.pairs_of_line[li]]))
        contract[line.product] += min(served, line.contract_qty)
        total[line.product] += served
    return dict(contract), dict(total)


def improve_by_products(
    index: ProblemIndex, first: FloatArray, deadline: float, max_work: float = float("inf")
) -> FloatArray:
    """Return the plan improved by re-solving each product's lines across every canteen, the
    other products' quantities kept, pass after pass over the products while a pass improves
    the plan, until the steps' work reaches `max_work`. Each pass takes first the products
    carried most on the plan's smallest trips.

    A product's step sees which trips the other products already make (their cost is paid):
    it can move the product's kg onto them, closing a trip that carried it alone — across
    canteens far apart, which neither a few nearby canteens nor a few nearby growers reach.
    A pass that closes trips opens moves to the products stepped before it, hence the passes.
    """
    lines_of_product = _servable_lines_by_product(index)

    def scopes(quantities: FloatArray) -> list[list[int]]:
        products = _products_on_small_trips_first(index, quantities, list(lines_of_product))
        return [lines_of_product[product] for product in products]

    return _improve_in_passes(index, first, deadline, max_work, scopes)


def _servable_lines_by_product(index: ProblemIndex) -> dict[int, list[int]]:
    """Return each product's lines that some grower may serve, by catalogue position (products
    without such lines left out)."""
    lines_of_product = {
        index.product_position[product]: [li for li in lines if index.pairs_of_line[li]]
        for product, lines in index.lines_by_product.items()
    }
    return {product: lines for product, lines in lines_of_product.items() if lines}


def improve_by_small_trips(
    index: ProblemIndex, first: FloatArray, deadline: float, max_work: float = float("inf")
) -> FloatArray:
    """Return the plan improved by re-solving, grower by grower, the products its small trips
    carry (`_small_trip_scopes`), every grower free on those lines, pass after pass while a
    pass improves the plan, until the steps' work reaches `max_work`.

    Such a step moves several products at once: the grower can bring what a small trip
    carried on another of its trips, while other growers take over what it brought there; a
    product step, one product at a time, leaves the trip made by the others.
    """
    return _improve_in_passes(
        index, first, deadline, max_work, lambda quantities: _small_trip_scopes(index, quantities)
    )


def improve_by_closing_trips(
    index: ProblemIndex, first: FloatArray, deadline: float, max_work: float = float("inf")
) -> FloatArray:
    """Return the plan with its small trips closed where the products they carry, re-solved
    across every canteen on the other trips the plan makes, can do without them; trips of at
    most `CLOSING_MAX_PAIRS` pairs, lightest first, until the steps' work reaches `max_work` or
    `CLOSING_MAX_FAILURES` MIPs in a row have closed none.

    Such a step can move a product's kg along a chain (a grower nearer another canteen takes
    over there, which frees its offer for this one) and all of the trip's products at once:
    the exchanges move one line at a time, a product step one product while the trip stays
    open for the others. A maximum flow first checks that the products' pairs on the other
    trips can carry what they serve (offers, pairs, lines); most trips cannot be closed, and
    their MIPs are skipped. A step's MIP starts from no plan and keeps what each product serves.
    """
    if index.problem.settings.weights.deliveries <= 0:
        return first
    quantities = first
    best = evaluate(index, quantities).weighted
    effort = _Effort(deadline, None, max_work, float("inf"))
    lines_of_product = _servable_lines_by_product(index)
    locked = ~np.isnan(index.pair_locked)
    failures = 0
    for trip in _small_trips_lightest_first(index, quantities):
        if not effort.left() or failures >= CLOSING_MAX_FAILURES:
            break
        sending = quantities > 0
        on_trip = index.pair_trip == trip
        if not sending[on_trip].any() or locked[on_trip & sending].any():
            continue
        carried_on = np.bincount(index.pair_trip[sending], minlength=index.trip_id_bound)
        blocked = (carried_on[index.pair_trip] == 0) | on_trip
        products = np.unique(index.pair_product[on_trip & sending]).tolist()
        if not all(_can_carry_without(index, quantities, product, blocked) for product in products):
            continue
        scope = sorted(li for product in products for li in lines_of_product[product])
        size = int((np.isin(index.pair_product, products) & ~blocked).sum())
        _, plan = effort.step(index, scope, size, quantities, restarts=False, blocked=blocked)
        failures += 1
        cheaper = _cheaper(index, plan, best)
        if cheaper is not None:
            (quantities, best), failures = cheaper, 0
    return quantities


def _small_trips_lightest_first(index: ProblemIndex, quantities: FloatArray) -> list[int]:
    """Return the trips of a plan carrying at most `CLOSING_MAX_PAIRS` pairs, by the kg they
    carry, lightest first (then by number)."""
    sending = quantities > 0
    pairs_on = np.bincount(index.pair_trip[sending], minlength=index.trip_id_bound)
    kg_on = np.bincount(
        index.pair_trip, weights=quantities * index.pair_unit_kg, minlength=index.trip_id_bound
    )
    small = np.flatnonzero((pairs_on > 0) & (pairs_on <= CLOSING_MAX_PAIRS))
    lightest_first: list[int] = small[np.argsort(kg_on[small], kind="stable")].tolist()
    return lightest_first


def _can_carry_without(
    index: ProblemIndex, quantities: FloatArray, product: int, blocked: npt.NDArray[np.bool_]
) -> bool:
    """Return False when the product's pairs that are not blocked surely cannot carry what
    the plan serves of it: the maximum flow from its offers (each offer's whole quantity, then
    each day's: its own and the any-day quantity) through those pairs to its lines (their
    ordered quantities) falls short. Counted in whole lots where every quantity of the product
    is whole lots (none locked otherwise), else in steps rounded up."""
    of_product = index.pair_product == product
    free = np.flatnonzero(of_product & ~blocked)
    step = float(index.pair_step[of_product][0])
    served = float(quantities[of_product].sum()) / step
    whole_lots = bool(index.pair_integral[of_product].all()) and bool(
        np.isnan(index.pair_locked[of_product]).all()
    )
    served_steps = round(served) if whole_lots else math.ceil(served - 1e-6)
    if len(free) == 0:
        return served_steps <= 0
    num_days = len(index.days)
    groups = np.unique(index.pair_group[free])
    group_days, group_day_of = np.unique(
        index.pair_group[free] * num_days + index.pair_day[free], return_inverse=True
    )
    lines, line_of = np.unique(index.pair_line[free], return_inverse=True)
    any_day = index.group_any_day_qty
    day_group, day = np.divmod(group_days, num_days)
    first_group_day = 1 + len(groups)
    first_line = first_group_day + len(group_days)
    source, sink = 0, first_line + len(lines)
    tails = np.concatenate((
        np.full(len(groups), source),
        1 + np.searchsorted(groups, day_group),
        first_group_day + group_day_of,
        first_line + np.arange(len(lines)),
    ))
    heads = np.concatenate((
        1 + np.arange(len(groups)),
        first_group_day + np.arange(len(group_days)),
        first_line + line_of,
        np.full(len(lines), sink),
    ))
    capacities = np.concatenate((
        any_day[groups] + index.group_day_qty[groups].sum(axis=1),
        any_day[day_group] + index.group_day_qty[day_group, day],
        index.pair_upper[free],
        index.line_qty[lines],
    )) / step
    solver = max_flow.SimpleMaxFlow()
    solver.add_arcs_with_capacity(
        tails.astype(np.int32), heads.astype(np.int32),
        (np.floor(capacities + 1e-9) if whole_lots else np.ceil(capacities - 1e-9)).astype(
            np.int64
        ),
    )
    if solver.solve(source, sink) != solver.OPTIMAL:
        return True  # no proof that it cannot: let the MIP tell
    return int(solver.optimal_flow()) >= served_steps


def _improve_in_passes(
    index: ProblemIndex,
    first: FloatArray,
    deadline: float,
    max_work: float,
    scopes_of: Callable[[FloatArray], list[list[int]]],
) -> FloatArray:
    """Return the plan improved by re-solving each scope (lines) that `scopes_of(plan)` gives,
    pass after pass while a pass improves it, until the steps' work reaches `max_work`."""
    quantities = first
    best = evaluate(index, quantities).weighted
    effort = _Effort(deadline, None, max_work, float("inf"))
    improved = True
    while improved and effort.left():
        improved = False
        for scope in scopes_of(quantities):
            if not effort.left():
                break
            size = sum(len(index.pairs_of_line[li]) for li in scope)
            # Without restarts these MIPs cost a third less CPU, for the same plans on the
            # department week's first product steps (restarting, HiGHS solves its root again).
            _, plan = effort.step(index, scope, size, quantities, restarts=False)
            cheaper = _cheaper(index, plan, best)
            if cheaper is not None:
                (quantities, best), improved = cheaper, True
    return quantities


def _small_trip_scopes(index: ProblemIndex, quantities: FloatArray) -> list[list[int]]:
    """Return, grower by grower (most pairs on small trips first), the lines to re-solve: those
    of the products its small trips carry, all of them if they hold at most
    `SMALL_TRIP_SCOPE_PAIRS` pairs, else those at the canteens and days the grower drives to."""
    small = _on_small_trips(index, quantities)
    pairs_on_small = np.bincount(index.pair_grower[small], minlength=len(index.grower_ids))
    product_of_pair = index.pair_product
    scopes = []
    for grower in sorted(
        np.flatnonzero(pairs_on_small).tolist(), key=lambda g: (-pairs_on_small[g], g)
    ):
        mine = index.pair_grower == grower
        of_products = np.isin(product_of_pair, product_of_pair[small & mine])
        if of_products.sum() > SMALL_TRIP_SCOPE_PAIRS:
            driven = np.zeros(index.trip_id_bound, dtype=bool)
            driven[index.pair_trip[mine & (quantities > 0)]] = True
            of_products &= mine & driven[index.pair_trip]
        scopes.append(np.unique(index.pair_line[of_products]).tolist())
    return scopes


def _on_small_trips(index: ProblemIndex, quantities: FloatArray) -> npt.NDArray[np.bool_]:
    """Return which pairs send on a trip of the plan carrying at most `SMALL_TRIP_PAIRS`."""
    sending = quantities > 0
    pairs_on_trip = np.bincount(index.pair_trip[sending], minlength=index.trip_id_bound)
    on_small: npt.NDArray[np.bool_] = sending & (pairs_on_trip[index.pair_trip] <= SMALL_TRIP_PAIRS)
    return on_small


def _products_on_small_trips_first(
    index: ProblemIndex, quantities: FloatArray, products: list[int]
) -> list[int]:
    """Return the products (catalogue positions) by the share of their pairs that travel on
    small trips of the plan, largest first, then in the catalogue's order.

    A share, not a count: large products first cost more work for less (department seeds
    1–4, 12,000 units: 79,810 by count, 79,737 by share, 79,974 in the catalogue's order, in
    all).
    """
    small = _on_small_trips(index, quantities)
    num_products = len(index.problem.products)
    product_of_pair = index.pair_product
    on_small = np.bincount(product_of_pair[small], minlength=num_products)
    pairs = np.bincount(product_of_pair, minlength=num_products)
    share = on_small / np.maximum(pairs, 1)
    return sorted(products, key=lambda k: (-float(share[k]), k))
