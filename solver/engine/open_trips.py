"""Re-solve a plan exactly on the trips it already makes.

Once the search and the exchanges have settled which growers drive to which canteen each day,
the best plan on those trips alone is a much smaller MIP than the week's: each line keeps only
its pairs on an open trip (or already sending), so the MIP may move any quantity between them
and close any trip it empties, but opens none. Canteens are taken a group at a time, nearest
first, each group's lines re-solved with everything else fixed (as in `search.py`), groups of
at most `GROUP_MAX_PAIRS` such pairs; a week that small is one group. Each MIP stops at its node
limit (work, not time) and is kept only when it lowers the week's weighted cost; what each
product serves, so stages 2 and 3, is kept.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import numpy.typing as npt

from solver.engine.clock import now
from solver.engine.index import FloatArray, ProblemIndex
from solver.engine.model import build_weighted_model
from solver.engine.report import evaluate, is_worse
from solver.engine.search import scope_targets
from solver.engine.trips import swap_to_close_trips
from solver.geography import haversine_km

# A group's pairs on open trips, and its MIP's node limit. Groups of 800 pairs take 0.2–0.4
# CPU s each on department and mid weeks; larger groups find more (1,200–1,600 pairs: department
# seed 1 at 10 s, 22,772–22,446 against 23,193) but their MIPs' cost varied 1–5 s a group, too
# close to the time limit's safety net for a plan that must not depend on load.
GROUP_MAX_PAIRS = 800
GROUP_MAX_NODES = 50


def finish_on_trips(index: ProblemIndex, quantities: FloatArray, deadline: float) -> FloatArray:
    """Return the plan after the exchanges across canteens that close small trips
    (`trips.swap_to_close_trips`), then re-solved on the trips it makes."""
    quantities = swap_to_close_trips(index, quantities, deadline)
    return improve_on_open_trips(index, quantities, deadline)


def improve_on_open_trips(
    index: ProblemIndex, quantities: FloatArray, deadline: float
) -> FloatArray:
    """Return the plan re-solved, a group of nearby canteens at a time, on its open trips."""
    if index.problem.settings.weights.deliveries <= 0 or index.num_pairs == 0:
        return quantities
    plan = quantities.copy()
    best = evaluate(index, plan).weighted
    for scope in _groups(index, plan):
        if now() > deadline:
            break
        contract_target, total_target = scope_targets(index, scope, plan)
        model = build_weighted_model(
            index, scope, plan, contract_target, total_target,
            blocked=~on_open_trips(index, plan),
        )
        _, found = model.solve(deadline - now(), max_nodes=GROUP_MAX_NODES, start=plan)
        if found is None:
            continue
        cost = evaluate(index, found).weighted
        if is_worse(best, cost):
            plan, best = found, cost
    return plan


def on_open_trips(index: ProblemIndex, plan: FloatArray) -> npt.NDArray[np.bool_]:
    """Return, per pair, whether its (grower, canteen, day) trip is made by the plan."""
    made: npt.NDArray[np.bool_] = np.isin(index.pair_trip, index.pair_trip[plan > 0])
    return made


def _groups(index: ProblemIndex, plan: FloatArray) -> list[list[int]]:
    """Return the lines of groups of nearby canteens, each with at most `GROUP_MAX_PAIRS`
    pairs on open trips (a canteen alone may have more), every canteen in one group."""
    on_trip = on_open_trips(index, plan)
    lines_of: dict[str, list[int]] = defaultdict(list)
    pairs_of: dict[str, int] = defaultdict(int)
    for li, line in enumerate(index.lines):
        lines_of[line.canteen].append(li)
        pairs_of[line.canteen] += int(on_trip[index.pairs_of_line[li]].sum())
    left = [c for c in index.problem.canteens if c.id in lines_of]
    groups: list[list[int]] = []
    while left:
        seed = left[0]
        nearest = sorted(left, key=lambda c: haversine_km(seed.lat, seed.lon, c.lat, c.lon))
        scope: list[int] = []
        size = 0
        taken: list[str] = []
        for canteen in nearest:
            if taken and size + pairs_of[canteen.id] > GROUP_MAX_PAIRS:
                break
            taken.append(canteen.id)
            scope.extend(lines_of[canteen.id])
            size += pairs_of[canteen.id]
        groups.append(scope)
        left = [c for c in left if c.id not in taken]
    return groups
