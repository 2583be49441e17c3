"""Large integer weeks: improve a complete plan by re-solving neighbourhoods of canteens.

Each step frees the order lines of a few neighbouring canteens, keeps everything else fixed,
and solves that small MIP exactly (lots, trips, grower limits, fairness gaps against the
growers' sales elsewhere). A step keeps the served quantities of its lines per product, so
stages 2 and 3 stay optimal; it is accepted only when the week's weighted cost falls.

The search is deterministic: its effort is counted in work, not in seconds. Each step's MIP
stops after `STEP_MAX_NODES` nodes; a step solved to optimality grows the next neighbourhood,
one stopped by its node limit shrinks it; the search ends when the pairs of all its steps add
up to its work budget, or when a whole pass of seeds improves nothing. The deadline is only a
safety net against a machine far slower than the one the budget was calibrated on.
"""

from __future__ import annotations

import random
from collections import defaultdict

import numpy as np

from solver.engine.clock import now
from solver.engine.index import FloatArray, ProblemIndex
from solver.engine.model import build_weighted_model
from solver.engine.report import evaluate, served_eur, sold_eur_by_grower
from solver.geography import haversine_km
from solver.problem import Canteen

FIRST_NEIGHBOURHOOD_PAIRS = 300
MIN_NEIGHBOURHOOD_PAIRS = 60
MAX_NEIGHBOURHOOD_PAIRS = 600
STEP_MAX_NODES = 50


def improve_by_neighbourhoods(
    index: ProblemIndex,
    first: FloatArray,
    deadline: float,
    seed: int = 0,
    max_steps: int | None = None,
    max_work: float = float("inf"),
) -> FloatArray:
    """Return the plan improved until its work budget (pairs over all steps) is spent or until
    no neighbourhood improves it; the deadline is a safety net.

    A neighbourhood is the canteens nearest a seed place: every canteen in turn, and the
    growers furthest from their fairness target, whose sales it lets move between canteens.
    """
    rng = random.Random(seed)
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
    failures = steps = 0
    work = 0.0
    while (
        failures < len(canteens)
        and (max_steps is None or steps < max_steps)
        and work < max_work
    ):
        left_s = deadline - now()
        if left_s <= 0.01:
            break
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
        steps += 1
        work += size
        contract_target, total_target = _scope_targets(index, scope, quantities)
        model = build_weighted_model(index, scope, quantities, contract_target, total_target)
        solution, plan = model.solve(left_s, max_nodes=STEP_MAX_NODES)
        if solution.outcome == "optimal":
            target_pairs = min(MAX_NEIGHBOURHOOD_PAIRS, target_pairs * 1.25)
        else:
            target_pairs = max(MIN_NEIGHBOURHOOD_PAIRS, target_pairs * 0.7)
        if plan is not None:
            cost = evaluate(index, plan).weighted
            if cost < best - 1e-9 * (1 + abs(best)):
                quantities, best = plan, cost
                failures = 0
                continue
        if len(scope) == num_lines:
            break  # the whole week was re-solved in vain: every other seed gives the same step
        failures += 1
    return quantities


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


def _scope_targets(
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
