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

The two parts do not see each other: the LP sends kg wherever they are cheapest, however many
trips that takes. `add_trip_relaxation` joins them in one LP: each (grower, canteen, day)
trip gets a variable in [0, 1] that is at least each of its pairs' quantity over the most
that pair can send (a trip carries nothing unless it is made), costed per trip, with the trip
counts above as valid rows (per canteen and day, per line) and the grower limit as Σ share ≤
limit per line. Every plan serving the targets gives a point of that LP of the same weighted
value (its trips at 0 or 1), so the LP's optimum is a bound too, and at least the sum above.
That LP takes seconds on a department week: `start_trip_bounds` counts the fewest trips, then
solves it, in a thread of its own while the plan is searched, on the machine's other core.
Lagrangian relaxations of it (blocks per canteen-day, grower-day or grower, each a MIP) raise
it by at most 0.6 % on the bench's weeks (`benchmarks/lagrangian_bound.py`,
docs/benchmarks.md).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from solver.engine.clock import now
from solver.engine.index import FloatArray, IntArray, ProblemIndex
from solver.engine.linear import LinearModel
from solver.engine.model import AllocationModel

# Per (canteen, day) with something it must receive: its pairs, and the fewest trips to it.
FewestTrips = list[tuple[list[int], int]]
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
    fewest = fewest_trips_by_place(index, contract_target, total_target, deadline)
    return 0 if fewest is None else sum(count for _, count in fewest)


def fewest_trips_by_place(
    index: ProblemIndex,
    contract_target: dict[str, float],
    total_target: dict[str, float],
    deadline: float,
) -> FewestTrips | None:
    """Return, per (canteen, day) with something it must receive, its pairs and a lower bound
    on the trips to it of every plan serving the targets (None if the safety net struck)."""
    must = must_receive(index, contract_target, total_target)
    upper = _pair_upper(index)
    locked_on = np.nan_to_num(index.pair_locked, nan=0.0) > 0
    pairs_of_place: dict[tuple[str, str], list[int]] = defaultdict(list)
    for p, li in enumerate(index.pair_line.tolist()):
        if must[li] > 0 or locked_on[p]:
            line = index.lines[li]
            pairs_of_place[(line.canteen, line.day)].append(p)
    fewest: FewestTrips = []
    for place in sorted(pairs_of_place):
        left_s = deadline - now()
        if left_s <= 0:
            return None  # safety net: no bound is better than a half-counted one
        pairs = pairs_of_place[place]
        fewest.append((pairs, _fewest_trips(index, pairs, must, upper, locked_on, left_s)))
    return fewest


@dataclass(frozen=True, slots=True)
class JointRelaxation:
    """The LP of trips and quantities together, solved: its optimum (a bound on stage 4) and
    the fractional quantities that reach it."""

    bound: float
    quantities: FloatArray


class PendingTripBounds:
    """The trips' part of the bound, computed in a thread of its own (`start_trip_bounds`):
    the fewest trips per (canteen, day) first, then the LP of trips and quantities together."""

    def __init__(
        self, fewest: Future[FewestTrips | None], joint: Future[JointRelaxation | None]
    ) -> None:
        self._fewest = fewest
        self._joint = joint

    def fewest(self) -> FewestTrips | None:
        """Wait for the fewest trips per (canteen, day) (`fewest_trips_by_place`)."""
        return self._fewest.result()

    def joint(self) -> float | None:
        """Wait for the LP of trips and quantities together; return its bound, or None if it
        is not proven optimal."""
        relaxation = self._joint.result()
        return None if relaxation is None else relaxation.bound

    def joint_quantities(self) -> FloatArray | None:
        """Wait for the LP of trips and quantities together; return its quantities, or None
        if it is not proven optimal."""
        relaxation = self._joint.result()
        return None if relaxation is None else relaxation.quantities


def start_trip_bounds(
    build_model: Callable[[], AllocationModel],
    contract_target: dict[str, float],
    total_target: dict[str, float],
    time_limit_s: float,
) -> PendingTripBounds:
    """Start computing the trips' bounds in a thread of their own, beside the caller's work,
    and return them to come: the fewest trips per (canteen, day) (none counted when trips cost
    nothing), then the LP of trips and quantities together (see the module's docstring).

    `build_model` returns the whole week's weighted LP without the integer rules, keeping each
    product's served optimum (stages 2 and 3 proven); it gains the trips' variables and rows
    (`add_trip_relaxation`). The thread's safety net is `time_limit_s` of its own CPU time, so
    the solving thread's clock (`clock.py`) counts none of this work: HiGHS lets go of Python's
    lock while it solves, and the bound takes the machine's other core. The LP's fractional
    quantities come with its bound (`JointRelaxation`): a plan can be rounded from them.
    """
    fewest: Future[FewestTrips | None] = Future()

    def work() -> JointRelaxation | None:
        deadline = now() + time_limit_s
        try:
            model = build_model()
            counted: FewestTrips | None = []
            if model.index.problem.settings.weights.deliveries > 0:
                counted = fewest_trips_by_place(
                    model.index, contract_target, total_target, deadline
                )
        except BaseException as error:
            fewest.set_exception(error)
            raise
        fewest.set_result(counted)
        if counted is None:
            return None
        add_trip_relaxation(model, counted, contract_target, total_target)
        solution = model.lp.solve_interior_point(deadline - now())
        if solution.outcome != "optimal" or not np.isfinite(solution.bound):
            return None
        return JointRelaxation(
            solution.bound + model.objective_offset(total_target),
            model.quantities_of(solution.values),
        )

    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pial-bound")
    try:
        joint = executor.submit(work)
    finally:
        executor.shutdown(wait=False)
    return PendingTripBounds(fewest, joint)


def add_trip_relaxation(
    model: AllocationModel,
    fewest: FewestTrips,
    contract_target: dict[str, float],
    total_target: dict[str, float],
) -> IntArray:
    """Add the trips' variables and rows of the LP of trips and quantities together to the
    whole week's weighted LP, among them the fewest trips per (canteen, day) of
    `fewest_trips_by_place`; return each trip's variable, trips numbered as `index.trips()`."""
    index = model.index
    upper = _pair_upper(index)
    num_trips, trip_of_pair = index.trips()
    locked_on = (np.nan_to_num(index.pair_locked, nan=0.0) > 0).astype(np.float64)
    made = np.zeros(num_trips)
    np.maximum.at(made, trip_of_pair, locked_on)
    deliveries = index.problem.settings.weights.deliveries
    trip = model.lp.add_variables(
        made, np.ones(num_trips), cost=np.full(num_trips, deliveries)
    )
    trip_of_pair = trip[trip_of_pair]
    # A pair sends its quantity (in steps) only on its trip: step × x / upper ≤ trip.
    sending = np.flatnonzero(upper > 0)
    share = index.pair_step[sending] / upper[sending]
    num = len(sending)
    variables = np.stack((model.var_of_pair[sending], trip_of_pair[sending]), axis=1).ravel()
    coefs = np.stack((share, -np.ones(num)), axis=1).ravel()
    model.lp.add_rows(
        np.arange(0, 2 * num + 1, 2), variables, coefs, np.full(num, -np.inf), np.zeros(num)
    )
    _add_grower_limit_rows(model, upper)
    _add_line_cover_rows(model, upper, trip_of_pair, contract_target, total_target)
    for pairs, count in fewest:
        if count > 0:
            trips = np.unique(trip_of_pair[pairs])
            model.lp.add_row(trips.tolist(), [1.0] * len(trips), lower=float(count))
    return trip


def _add_grower_limit_rows(model: AllocationModel, upper: FloatArray) -> None:
    """At most `max_growers_per_line` growers serve a line: their shares of what they can
    send there add up to at most that many."""
    index = model.index
    limit = index.problem.settings.max_growers_per_line
    if limit is None:
        return
    for pairs in index.pairs_of_line:
        sending = [p for p in pairs if upper[p] > 0]
        if len(sending) <= limit:
            continue
        model.lp.add_row(
            model.var_of_pair[sending].tolist(),
            (index.pair_step[sending] / upper[sending]).tolist(), upper=float(limit),
        )


def _add_line_cover_rows(
    model: AllocationModel,
    upper: FloatArray,
    trip_of_pair: IntArray,
    contract_target: dict[str, float],
    total_target: dict[str, float],
) -> None:
    """A line that must receive more than any one grower can bring needs as many trips to it
    as the fewest of its pairs that can carry what it must receive."""
    index = model.index
    must = must_receive(index, contract_target, total_target)
    for li in np.flatnonzero(must > 0).tolist():
        pairs = index.pairs_of_line[li]
        carried = np.cumsum(np.sort(upper[pairs])[::-1])
        needed = min(len(pairs), int(np.searchsorted(carried, must[li])) + 1)
        if needed >= 2:
            model.lp.add_row(
                trip_of_pair[pairs].tolist(), [1.0] * len(pairs), lower=float(needed)
            )


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
