"""The first plan of an integer week: rounding within the grower limit, and trip scaling."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from solver.engine import evaluate, index_problem
from solver.engine.clock import now
from solver.engine.index import FloatArray, ProblemIndex
from solver.engine.model import build_weighted_model
from solver.engine.open_trips import improve_on_open_trips
from solver.engine.served import ServedPlan, plan_served, round_relaxation
from solver.engine.trip_scaling import improve_by_rescaling, plan_by_trip_scaling
from solver.engine.trips import close_small_trips, swap_to_close_trips
from solver.problem import Weights


def _served_per_product(index: ProblemIndex, plan: FloatArray) -> dict[str, float]:
    product_of_pair = np.array([index.lines[li].product for li in index.pair_line])
    return {p: float(plan[product_of_pair == p].sum()) for p in set(product_of_pair)}


def test_rounding_keeps_the_fractional_plans_growers_within_the_limit(
    kit: SimpleNamespace,
) -> None:
    # Four far growers share the line in the fractional plan; the first plan takes it all
    # from the near one.
    far = ["a", "b", "c", "d"]
    problem = kit.week(
        products=[kit.product("p", lot=1.0)],
        growers=[kit.grower(g) for g in [*far, "e"]],
        canteens=[kit.canteen("x")],
        offers=[*((g, "p", 20.0) for g in far), ("e", "p", 40.0)],
        orders=[("x", "p", kit.DAY1, 40.0)],
        km={**{(g, "x"): 10.0 for g in far}, ("e", "x"): 1.0},
        weights=Weights(distance=1.0, fairness=0.0, deliveries=0.0),
        max_growers_per_line=3,
    )
    index = index_problem(problem)
    served = plan_served(index, now() + 60.0)
    near = np.asarray(index.pair_grower == index.grower_ids.index("e"))
    assert served.quantities[near].sum() == 40.0
    relaxed = np.where(near, 0.0, 10.0)

    rounded = round_relaxation(index, served, relaxed)

    # The old rounding gave up on a plan over the limit and took the first plan back.
    assert rounded[near].sum() == 0.0
    assert np.count_nonzero(rounded) == 3
    assert rounded.sum() == 40.0


def test_trip_scaling_gathers_the_week_on_fewer_trips(kit: SimpleNamespace) -> None:
    problem = kit.random_week(7, 8, 6, 5, lots=True)
    index = index_problem(problem)
    served = plan_served(index, now() + 60.0)
    guide = build_weighted_model(
        index, range(len(index.lines)), served.quantities, served.contract_target,
        served.total_target, relax=True, with_integer_rules=False,
    )
    _, relaxed = guide.solve(60.0)
    assert relaxed is not None
    unscaled = round_relaxation(index, served, relaxed)

    scaled = plan_by_trip_scaling(index, served, now() + 60.0)

    assert scaled is not None
    assert evaluate(index, scaled).deliveries < evaluate(index, unscaled).deliveries
    assert evaluate(index, scaled).weighted < evaluate(index, unscaled).weighted
    # Both serve each product's optimum, within the rules.
    assert _served_per_product(index, scaled) == _served_per_product(index, unscaled)
    limit = problem.settings.max_growers_per_line
    for pairs in index.pairs_of_line:
        assert np.count_nonzero(scaled[pairs] > 0) <= limit
    assert np.all(scaled <= index.pair_upper + 1e-9)


def test_trip_scaling_is_skipped_when_trips_cost_nothing(kit: SimpleNamespace) -> None:
    problem = kit.random_week(7, 8, 6, 5, lots=True)
    free_trips = kit.replace(
        problem, settings=kit.replace(
            problem.settings, weights=kit.replace(problem.settings.weights, deliveries=0.0)
        ),
    )
    index = index_problem(free_trips)
    served = plan_served(index, now() + 60.0)

    assert plan_by_trip_scaling(index, served, now() + 60.0) is None


def _finished_plan(index: ProblemIndex, served: ServedPlan) -> FloatArray:
    """Return the first plan once closed, exchanged and re-solved on its open trips."""
    deadline = now() + 60.0
    first = plan_by_trip_scaling(index, served, deadline)
    assert first is not None
    plan = close_small_trips(index, first, deadline)
    return improve_on_open_trips(index, swap_to_close_trips(index, plan, deadline), deadline)


def test_rescaling_from_a_finished_plan_is_never_worse(kit: SimpleNamespace) -> None:
    gains = []
    for seed in range(1, 6):
        index = index_problem(kit.random_week(seed, 8, 6, 5, lots=True))
        served = plan_served(index, now() + 60.0)
        plan = _finished_plan(index, served)

        rescaled = improve_by_rescaling(index, served, plan, now() + 60.0)

        before, after = evaluate(index, plan), evaluate(index, rescaled)
        assert after.weighted <= before.weighted
        assert _served_per_product(index, rescaled) == _served_per_product(index, plan)
        gains.append((before.deliveries, after.deliveries))
    # Seed 2: the exchanges and the re-solve on open trips stop at 23 trips; the LP charged
    # with that plan's loads leads to a plan of 22.
    assert gains[1] == (23, 22)
