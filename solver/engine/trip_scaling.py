"""Plans with few trips: the guide LP with each trip's cost spread over what it carries.

Dynamic slope scaling (Kim and Pardalos, 1999, for fixed-charge network flows): the LP without
the integer rules knows nothing of trips, so its plan spreads every product over many growers
and canteens. Each round adds to every pair a cost per kg, its trip's cost over the kg that
trip carried before (in the previous round's LP, or in a plan), solves the LP again and rounds
its plan in whole lots (`served.round_relaxation`, where a pair whose trip the rounded plan
does not make yet costs its charge more per kg). Trips that carry much become cheap per kg,
those that carry little dear, and the LP's plan gathers on fewer trips round after round.

- `plan_by_trip_scaling`: the first plan, from charges over the most each pair can carry;
- `improve_by_rescaling`: from charges read on a finished plan (a trip it does not make
  charged more), a new plan that the exchanges and the re-solve on open trips finish, kept
  if better; again from it, until one is not.

Rounds are counted, never timed: the same week gives the same plan.
"""

from __future__ import annotations

import numpy as np

from solver.engine.clock import now
from solver.engine.index import FloatArray, ProblemIndex
from solver.engine.open_trips import finish_on_trips
from solver.engine.report import evaluate, is_worse
from solver.engine.served import ServedPlan, relaxed_week_model, round_relaxation
from solver.engine.trips import close_small_trips

# Measured on the bench's mid and department weeks at a 10 s limit (docs/benchmarks.md): the
# LP's trips keep falling for ~10 rounds (842 → 567 on department seed 1), but within the time
# limit 6 rounds then two new plans from finished ones give the best plans (department seeds
# 1 / 2: 21,463 / 20,457; 10 rounds and none: 21,913 / 21,100; 4 rounds: 21,532 / 20,699).
SCALING_ROUNDS = 6
# From a finished plan one round: its charges already gather the kg (three rounds gave the
# same plans on those weeks).
RESCALING_ROUNDS = 1
# At most this many new plans from finished ones (three: department seed 2 20,402, 0.9 CPU s
# more).
RESCALING_MAX_PLANS = 2
# A trip the finished plan does not make is charged this many times the first plan's charge:
# department seeds 1–4 at 10 s, weighted, factor 1 → 2: 21,463 / 20,457 / 22,087 / 18,333 →
# 21,151 / 20,422 / 21,690 / 17,954; mid 0.0–0.5 % dearer (4 → 21,264 / 20,515; 0.5 →
# 22,004 / 21,213).
UNMADE_TRIP_CHARGE_FACTOR = 2.0


def plan_by_trip_scaling(
    index: ProblemIndex, served: ServedPlan, deadline: float
) -> FloatArray | None:
    """Return the best rounded plan of `SCALING_ROUNDS` slope-scaled LPs, or None if trips
    cost nothing or no LP was solved."""
    if index.problem.settings.weights.deliveries <= 0:
        return None
    return _best_rounding(index, served, _charge_by_reach(index), SCALING_ROUNDS, deadline)


def plan_by_joint_relaxation(
    index: ProblemIndex, served: ServedPlan, joint_quantities: FloatArray
) -> FloatArray:
    """Return the plan rounded from the fractional plan of the LP of trips and quantities
    together (`bound.JointRelaxation`), each pair charged its trip's cost over what that trip
    carries there."""
    charge = _charge_by_load(index, joint_quantities, _charge_by_reach(index))
    return round_relaxation(index, served, joint_quantities, charge)


def improve_by_rescaling(
    index: ProblemIndex, served: ServedPlan, plan: FloatArray, deadline: float
) -> FloatArray:
    """Return the plan, or a better one found from the charges its trips' loads give (see the
    module's docstring)."""
    if index.problem.settings.weights.deliveries <= 0:
        return plan
    weighted = evaluate(index, plan).weighted
    for _ in range(RESCALING_MAX_PLANS):
        charge = _charge_by_load(
            index, plan, UNMADE_TRIP_CHARGE_FACTOR * _charge_by_reach(index)
        )
        rounded = _best_rounding(index, served, charge, RESCALING_ROUNDS, deadline)
        if rounded is None:
            break
        candidate = finish_on_trips(index, close_small_trips(index, rounded, deadline), deadline)
        candidate_weighted = evaluate(index, candidate).weighted
        if not is_worse(weighted, candidate_weighted):
            break
        plan, weighted = candidate, candidate_weighted
    return plan


def _charge_by_reach(index: ProblemIndex) -> FloatArray:
    """Return each pair's trip cost per kg over the most that pair can carry."""
    deliveries = index.problem.settings.weights.deliveries
    charge: FloatArray = deliveries / np.maximum(index.pair_upper * index.pair_unit_kg, 1e-9)
    return charge


def _charge_by_load(
    index: ProblemIndex, quantities: FloatArray, otherwise: FloatArray
) -> FloatArray:
    """Return each pair's trip cost per kg over what its trip carries in `quantities` (a
    fractional plan too), or `otherwise` where the trip carries nothing."""
    _, trip_of_pair = index.trips()
    carried = np.bincount(trip_of_pair, weights=quantities * index.pair_unit_kg)[trip_of_pair]
    deliveries = index.problem.settings.weights.deliveries
    charge: FloatArray = np.where(
        carried > 1e-9, deliveries / np.maximum(carried, 1e-9), otherwise
    )
    return charge


def _best_rounding(
    index: ProblemIndex,
    served: ServedPlan,
    charge: FloatArray,
    rounds: int,
    deadline: float,
) -> FloatArray | None:
    """Return the best rounded plan of `rounds` slope-scaled LPs from these charges, or None
    if no LP was solved."""
    best: tuple[float, FloatArray] | None = None
    for _ in range(rounds):
        if now() >= deadline:
            break  # safety net only: the rounds are counted, not timed
        model = relaxed_week_model(index, served)
        free = np.flatnonzero(model.var_of_pair >= 0)
        model.lp.add_costs(
            model.var_of_pair[free],
            charge[free] * index.pair_unit_kg[free] * index.pair_step[free],
        )
        solution, relaxed = model.solve(deadline - now())
        if relaxed is None or solution.outcome != "optimal":
            break
        plan = round_relaxation(index, served, relaxed, charge)
        weighted = evaluate(index, plan).weighted
        if best is None or is_worse(best[0], weighted):
            best = (weighted, plan)
        charge = _charge_by_load(index, relaxed, charge)
    return None if best is None else best[1]
