"""Integer weeks too large for one MIP: a valid plan at once, a better one with more time, the
search's work counted from HiGHS's own counts, and every MIP started from the plan it improves."""

from __future__ import annotations

import random
import tempfile
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from solver.engine import index_problem, solve
from solver.engine.clock import now
from solver.engine.linear import LinearModel, LinearSolution
from solver.engine.model import build_weighted_model
from solver.engine.report import evaluate
from solver.engine.search import (
    ROW_ITERATIONS_PER_PAIR,
    STEP_MAX_NODES,
    UNCOUNTED_WORK_PER_PAIR,
    improve_by_neighbourhoods,
    step_work,
)
from solver.engine.served import plan_served
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


def test_highs_counts_a_mips_work_the_same_on_every_run(
    kit: SimpleNamespace, capfd: pytest.CaptureFixture[str], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    problem = kit.random_week(5, 10, 8, 8, lots=True)
    index = index_problem(problem)
    served = plan_served(index, now() + 60.0)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))

    def solved(count_work: bool) -> LinearSolution:
        model = build_weighted_model(
            index, range(len(index.lines)), served.quantities, served.contract_target,
            served.total_target,
        )
        solution, _ = model.solve(60.0, max_nodes=STEP_MAX_NODES, count_work=count_work)
        return solution

    first, second, uncounted = solved(True), solved(True), solved(False)
    assert first.lp_iterations > 0
    assert first.row_iterations > first.lp_iterations
    counts = (first.lp_iterations, first.row_iterations, first.nodes)
    assert counts == (second.lp_iterations, second.row_iterations, second.nodes)
    assert (uncounted.lp_iterations, uncounted.row_iterations, uncounted.nodes) == (-1, -1, -1)
    # Reading HiGHS's log changes nothing in its answer, prints nothing and leaves no file.
    assert np.array_equal(first.values, uncounted.values)
    assert capfd.readouterr().out == ""
    assert list(tmp_path.iterdir()) == []
    assert step_work(100, first) == 100 + first.row_iterations / ROW_ITERATIONS_PER_PAIR
    assert step_work(100, uncounted) == 100 * UNCOUNTED_WORK_PER_PAIR


def test_a_mip_given_a_starting_plan_returns_it_or_a_better_one() -> None:
    # A subset-sum row: at one node HiGHS alone finds no plan on this model (seen with HiGHS
    # 1.16); the plan it starts from is kept, or a cheaper one that keeps the row.
    rng = random.Random(0)
    weights = [float(rng.randint(10_000, 20_000)) for _ in range(40)]
    cost = np.array([rng.random() for _ in range(40)])
    start = np.array([float(rng.random() < 0.5) for _ in range(40)])
    target = float(np.dot(weights, start))
    model = LinearModel()
    x = model.add_variables(np.zeros(40), np.ones(40), True, cost=cost)
    model.add_row(x.tolist(), weights, lower=target, upper=target)

    solution = model.solve(60.0, max_nodes=1, start=(x, start))

    assert solution.outcome != "none"
    chosen = solution.values[x].round()
    assert np.dot(weights, chosen) == target
    assert solution.objective <= float(cost @ start) + 1e-9


def test_every_mip_of_a_week_starts_from_the_plan_it_improves(kit: SimpleNamespace) -> None:
    problem = kit.random_week(1, 7, 30, 30, lots=True)
    index = index_problem(problem)
    served = plan_served(index, now() + 60.0)
    plan = improve_by_neighbourhoods(index, served.quantities, now() + 60.0, max_steps=3)
    model = build_weighted_model(
        index, range(len(index.lines)), served.quantities, served.contract_target,
        served.total_target,
    )
    variables, values = model.start_values(plan)
    # Its quantities in steps, and each switch and trip on exactly when it carries something.
    assert len(np.unique(variables)) == len(variables)
    assert np.allclose(values[: len(model.x)] * index.pair_step, plan)
    assert set(values[len(model.x):].tolist()) <= {0.0, 1.0}

    _, found = model.solve(60.0, max_nodes=1, start=plan)

    assert found is not None
    assert evaluate(index, found).weighted <= evaluate(index, plan).weighted + 1e-9
