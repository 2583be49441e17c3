"""Closing trips: the greedy pass before the neighbourhood search, and the exchanges after it."""

from __future__ import annotations

import time
from collections.abc import Iterator
from types import SimpleNamespace

import numpy as np
import pytest

from solver.engine import ProblemIndex, evaluate, index_problem
from solver.engine.clock import now
from solver.engine.index import FloatArray
from solver.engine.open_trips import improve_on_open_trips, on_open_trips
from solver.engine.report import build_result
from solver.engine.served import plan_served
from solver.engine.trips import close_small_trips, swap_to_close_trips
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
    quantities[index.pair_at(grower["big"], line["carotte"])] = 10
    quantities[index.pair_at(grower["big"], line["poireau"])] = 5
    quantities[index.pair_at(grower["small"], line["poireau"])] = 5
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



def exchange_week(kit: SimpleNamespace, deliveries: float, km_h_to_a: float = 10.0) -> tuple[
    Problem, ProblemIndex, FloatArray
]:
    """Two growers, two canteens, and a plan of four trips where two do.

    'g' brings carrots to A and leeks to B; 'h' brings onions to A and carrots to B. Neither
    has a carrot to spare, so no trip closes by moving onto a grower's spare offer; but if 'h'
    takes A's carrots and 'g' B's, each grower drives to one canteen only.
    """
    week: Problem = kit.week(
        products=[kit.product(name, lot=5) for name in ("carotte", "poireau", "oignon")],
        growers=[kit.grower("g"), kit.grower("h")],
        canteens=[kit.canteen("A"), kit.canteen("B")],
        offers=[("g", "carotte", 10), ("g", "poireau", 10), ("h", "carotte", 10),
                ("h", "oignon", 10)],
        orders=[("A", "carotte", kit.DAY1, 10), ("A", "oignon", kit.DAY1, 10),
                ("B", "carotte", kit.DAY1, 10), ("B", "poireau", kit.DAY1, 10)],
        km={("g", "A"): 10, ("g", "B"): 10, ("h", "A"): km_h_to_a, ("h", "B"): 10},
        weights=Weights(distance=1.0, fairness=0.0, deliveries=deliveries),
        max_growers_per_line=1,
    )
    index = index_problem(week)
    grower = {g: i for i, g in enumerate(index.grower_ids)}
    line = {(ln.canteen, ln.product): i for i, ln in enumerate(index.lines)}
    plan = np.zeros(index.num_pairs)
    for g, canteen, product in (("g", "A", "carotte"), ("g", "B", "poireau"),
                                ("h", "A", "oignon"), ("h", "B", "carotte")):
        plan[index.pair_at(grower[g], line[(canteen, product)])] = 10
    return week, index, plan


def test_an_exchange_of_carrots_closes_two_trips(kit: SimpleNamespace) -> None:
    problem, index, plan = exchange_week(kit, deliveries=50.0)
    deadline = time.perf_counter() + 10
    assert np.array_equal(close_small_trips(index, plan, deadline), plan)
    swapped = swap_to_close_trips(index, plan, deadline)
    assert evaluate(index, plan).deliveries == 4
    assert evaluate(index, swapped).deliveries == 2
    result = build_result(index, swapped, "feasible", 0.0)
    kit.check_plan(problem, result)
    assert kit.rows_of(result) == {
        ("g", "B", "carotte", kit.DAY1): 10, ("g", "B", "poireau", kit.DAY1): 10,
        ("h", "A", "carotte", kit.DAY1): 10, ("h", "A", "oignon", kit.DAY1): 10,
    }


def test_an_exchange_is_not_made_when_the_kilometres_cost_more(kit: SimpleNamespace) -> None:
    # 'h' lives 5 km further from A: 10 kg × 5 km = 50 kg·km more than the two trips' 2 × 20.
    _, index, plan = exchange_week(kit, deliveries=20.0, km_h_to_a=15.0)
    swapped = swap_to_close_trips(index, plan, time.perf_counter() + 10)
    assert np.array_equal(swapped, plan)


def first_plans(
    kit: SimpleNamespace, seeds: int
) -> Iterator[tuple[Problem, ProblemIndex, FloatArray]]:
    """Yield random operational weeks with their first plans (a min-cost flow each product,
    trips ignored): plans that leave trips to close."""
    for seed in range(seeds):
        problem = kit.random_week(seed, 9, 7, 6, lots=True)
        index = index_problem(problem)
        yield problem, index, plan_served(index, now() + 60.0).quantities


def test_exchanges_keep_every_rule_and_what_each_line_receives(kit: SimpleNamespace) -> None:
    improved = 0
    for problem, index, first in first_plans(kit, 8):
        swapped = swap_to_close_trips(index, first, now() + 60.0)
        kit.check_plan(problem, build_result(index, swapped, "feasible", 0.0))
        received = np.bincount(index.pair_line, weights=swapped, minlength=len(index.lines))
        before = np.bincount(index.pair_line, weights=first, minlength=len(index.lines))
        np.testing.assert_allclose(received, before, atol=1e-9)
        cost, cost_before = evaluate(index, swapped).weighted, evaluate(index, first).weighted
        assert cost <= cost_before + 1e-9
        improved += cost < cost_before - 1e-9
    # The first plans (a min-cost flow each product, trips ignored) leave exchanges to make.
    assert improved >= 4


def test_re_solving_on_open_trips_opens_none_and_keeps_every_rule(kit: SimpleNamespace) -> None:
    improved = 0
    for problem, index, first in first_plans(kit, 6):
        solved = improve_on_open_trips(index, first, now() + 60.0)
        result = build_result(index, solved, "feasible", 0.0)
        kit.check_plan(problem, result)
        # Lines of one product may trade quantities; the product's contract and total stay.
        served = np.bincount(index.line_product[index.pair_line], weights=solved)
        served_before = np.bincount(index.line_product[index.pair_line], weights=first)
        np.testing.assert_allclose(served, served_before, atol=1e-9)
        assert result.metrics.contract_eur == pytest.approx(
            build_result(index, first, "feasible", 0.0).metrics.contract_eur
        )
        # No trip opens: every pair sending is on a trip the first plan made.
        assert on_open_trips(index, first)[solved > 0].all()
        cost, cost_before = evaluate(index, solved).weighted, evaluate(index, first).weighted
        assert cost <= cost_before + 1e-9
        improved += cost < cost_before - 1e-9
    assert improved >= 4
