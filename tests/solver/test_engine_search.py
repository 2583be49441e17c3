"""Integer weeks too large for one MIP: a valid plan at once, a better one with more time."""

from __future__ import annotations

from types import SimpleNamespace

from solver.engine import index_problem, solve
from solver.engine.solve import WHOLE_MIP_MAX_PAIRS


def test_a_tiny_time_limit_still_returns_a_valid_feasible_plan(kit: SimpleNamespace) -> None:
    problem = kit.random_week(7, 30, 30, 10, lots=True, time_limit_s=0.001)
    assert index_problem(problem).num_pairs > WHOLE_MIP_MAX_PAIRS
    result = solve(problem)
    kit.check_plan(problem, result)
    assert result.status == "feasible"
    assert result.metrics.fill_rate > 0.9


def test_neighbourhood_search_lowers_the_weighted_cost(kit: SimpleNamespace) -> None:
    hurried = kit.random_week(7, 30, 30, 10, lots=True, time_limit_s=0.001)
    patient = kit.replace(hurried, settings=kit.replace(hurried.settings, time_limit_s=5.0))
    first, improved = solve(hurried), solve(patient)
    kit.check_plan(patient, improved)
    assert improved.metrics.served_eur == first.metrics.served_eur
    assert kit.spec_weighted(patient, improved) < kit.spec_weighted(hurried, first)
