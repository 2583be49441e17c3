"""The greedy pass that closes small trips before the neighbourhood search."""

from __future__ import annotations

import time
from types import SimpleNamespace

import numpy as np

from solver.engine import ProblemIndex, evaluate, index_problem
from solver.engine.index import FloatArray
from solver.engine.report import build_result
from solver.engine.trips import close_small_trips
from solver.problem import Problem, Weights


def leek_week(kit: SimpleNamespace, deliveries: float, max_growers: int | None = None) -> Problem:
    """Two growers deliver one canteen; the small one only brings 5 kg of leeks."""
    week: Problem = kit.week(
        products=[kit.product("carotte", lot=5), kit.product("poireau", lot=5)],
        growers=[kit.grower("big"), kit.grower("small")], canteens=[kit.canteen("c")],
        offers=[("big", "carotte", 10), ("big", "poireau", 20), ("small", "poireau", 20)],
        orders=[("c", "carotte", kit.DAY1, 10), ("c", "poireau", kit.DAY1, 10)],
        km={("big", "c"): 10, ("small", "c"): 8},
        weights=Weights(distance=1.0, fairness=0.0, deliveries=deliveries),
        max_growers_per_line=max_growers,
    )
    return week


def scattered_plan(problem: Problem) -> tuple[ProblemIndex, FloatArray]:
    """Return the index and a plan where 'small' makes a trip for 5 kg of leeks."""
    index = index_problem(problem)
    quantities = np.zeros(index.num_pairs)
    grower = {g: i for i, g in enumerate(index.grower_ids)}
    line = {ln.product: i for i, ln in enumerate(index.lines)}
    quantities[index.pair_of[(grower["big"], line["carotte"])]] = 10
    quantities[index.pair_of[(grower["big"], line["poireau"])]] = 5
    quantities[index.pair_of[(grower["small"], line["poireau"])]] = 5
    return index, quantities


def test_a_small_trip_moves_onto_a_grower_already_driving_there(kit: SimpleNamespace) -> None:
    problem = leek_week(kit, deliveries=100.0)
    index, plan = scattered_plan(problem)
    closed = close_small_trips(index, plan, time.perf_counter() + 10)
    assert evaluate(index, closed).deliveries == 1
    assert evaluate(index, closed).weighted < evaluate(index, plan).weighted
    result = build_result(index, closed, "feasible", 0.0)
    kit.check_plan(problem, result)
    assert kit.rows_of(result) == {
        ("big", "c", "carotte", kit.DAY1): 10, ("big", "c", "poireau", kit.DAY1): 10,
    }


def test_a_trip_stays_when_closing_it_costs_more_than_it_saves(kit: SimpleNamespace) -> None:
    index, plan = scattered_plan(leek_week(kit, deliveries=5.0))
    # Moving 5 kg from 8 km to 10 km costs 10 kg·km, more than the 5 a trip costs.
    closed = close_small_trips(index, plan, time.perf_counter() + 10)
    assert np.array_equal(closed, plan)
