"""A proven lower bound on stage 4 of an integer week, cheap enough for department weeks.

The weighted value is a sum of terms, so its minimum over the plans that serve the served
optima is at least the sum of each term's own minimum over the same plans:

- kg·km, fairness gaps and moves: the LP without the integer rules (lots, grower limit and
  trips relaxed away) — the LP that also guides the rounding of the heuristic path;
- trips: per (canteen, day), the fewest growers that can carry what its lines must receive.
  Once each product's total (and contract) quantity is fixed, a line must receive at least
  what the product's other lines cannot take; the growers driving to the canteen that day
  must be able to carry it. That covering problem is a small MIP per (canteen, day), solved
  with a node limit; its dual bound, rounded up, counts.

Both parts are relaxations, so their sum never exceeds any such plan's weighted value. The
trip part needs every product's served optimum (stages 2 and 3 proven); otherwise only the
week's contract and total values are known, and the bound is the LP's alone.
"""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np

from solver.engine.clock import now
from solver.engine.index import FloatArray, ProblemIndex
from solver.engine.linear import LinearModel

# Each (canteen, day)'s covering MIP stops after this many nodes (work, not seconds).
COVER_MAX_NODES = 200
# Quantities a line must receive are lowered by this share, against float noise.
MUST_TOLERANCE = 1e-7


def must_receive(index: ProblemIndex, contract_target: dict[str, float],
                 total_target: dict[str, float]) -> FloatArray:
    """Return, per line, the least quantity every plan serving each product's contract and
    total targets gives it: what the product's other lines cannot take (at most their order,
    and at most what their pairs can carry), and at least what its locked rows send."""
    num_lines = len(index.lines)
    upper = _pair_upper(index)
    reach = np.bincount(index.pair_line, weights=upper, minlength=num_lines)
    cap = np.minimum(index.line_qty, reach)
    contract_cap = np.minimum(index.line_contract_qty, cap)
    products = [p.id for p in index.problem.products]
    total = np.array([total_target.get(p, 0.0) for p in products])
    contract = np.array([contract_target.get(p, 0.0) for p in products])
    num_products = len(products)
    cap_of_product = np.bincount(index.line_product, weights=cap, minlength=num_products)
    contract_of_product = np.bincount(
        index.line_product, weights=contract_cap, minlength=num_products
    )
    k = index.line_product
    by_total = total[k] - (cap_of_product[k] - cap)
    by_contract = contract[k] - (contract_of_product[k] - contract_cap)
    must = np.maximum(by_total, by_contract)
    must -= MUST_TOLERANCE * (1.0 + np.abs(must))
    locked = np.nan_to_num(index.pair_locked, nan=0.0)
    locked_of_line = np.bincount(index.pair_line, weights=locked, minlength=num_lines)
    return np.maximum(np.maximum(must, 0.0), locked_of_line)


def trips_lower_bound(
    index: ProblemIndex,
    contract_target: dict[str, float],
    total_target: dict[str, float],
    deadline: float,
) -> int:
    """Return a lower bound on the number of trips of every plan serving the targets."""
    must = must_receive(index, contract_target, total_target)
    upper = _pair_upper(index)
    locked_on = np.nan_to_num(index.pair_locked, nan=0.0) > 0
    pairs_of_place: dict[tuple[str, str], list[int]] = defaultdict(list)
    for p, li in enumerate(index.pair_line.tolist()):
        if must[li] > 0 or locked_on[p]:
            line = index.lines[li]
            pairs_of_place[(line.canteen, line.day)].append(p)
    total = 0
    for place in sorted(pairs_of_place):
        left_s = deadline - now()
        if left_s <= 0:
            return 0  # safety net: no bound is better than a half-counted one
        total += _fewest_trips(index, pairs_of_place[place], must, upper, locked_on, left_s)
    return total


def _fewest_trips(
    index: ProblemIndex,
    pairs: list[int],
    must: FloatArray,
    upper: FloatArray,
    locked_on: np.ndarray,
    time_limit_s: float,
) -> int:
    """Return the fewest trips to one (canteen, day) that can carry what its lines must
    receive (a proven lower bound on it when the MIP stops at its node limit)."""
    grower_of = index.pair_grower[pairs]
    growers = sorted(set(grower_of.tolist()))
    column = {g: c for c, g in enumerate(growers)}
    forced = np.zeros(len(growers))
    for p, g in zip(pairs, grower_of.tolist(), strict=True):
        if locked_on[p]:
            forced[column[g]] = 1.0
    rows: dict[int, list[int]] = defaultdict(list)
    for p in pairs:
        if must[index.pair_line[p]] > 0:
            rows[int(index.pair_line[p])].append(p)
    lp = LinearModel()
    trips = lp.add_variables(forced, np.ones(len(growers)), True, cost=np.ones(len(growers)))
    for li, line_pairs in sorted(rows.items()):
        carried = upper[line_pairs]
        if carried.sum() < must[li]:
            # Only possible with float noise at the limit: the flow served this much.
            continue
        lp.add_row(
            [int(trips[column[int(index.pair_grower[p])]]) for p in line_pairs],
            carried.tolist(), lower=float(must[li]),
        )
    if lp.num_rows == 0:
        return int(forced.sum())
    solution = lp.solve(time_limit_s, max_nodes=COVER_MAX_NODES)
    if not np.isfinite(solution.bound):
        return int(forced.sum())
    return max(int(forced.sum()), math.ceil(solution.bound - 1e-6))


def _pair_upper(index: ProblemIndex) -> FloatArray:
    """Return the most each pair can send: its upper bound in whole steps, or its lock."""
    step = index.pair_step
    upper = np.where(
        index.pair_integral, np.floor(index.pair_upper / step + 1e-9) * step, index.pair_upper
    )
    locked = index.pair_locked
    result: FloatArray = np.where(np.isnan(locked), upper, locked)
    return result
