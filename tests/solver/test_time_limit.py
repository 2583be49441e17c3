"""The result says whether the solve passed its time limit, the safety net beyond which the
search may be cut short by time, and its plan depend on the machine's load."""

from __future__ import annotations

import dataclasses
import json
from types import SimpleNamespace

import pytest

import solver
from solver import FormatError
from solver.engine import solve

SMALL = (5, (10, 8, 8))  # seed, growers × canteens × products: its work takes well under 1 s


def test_a_week_solved_on_its_work_limits_has_not_reached_the_time_limit(
    kit: SimpleNamespace,
) -> None:
    problem = kit.random_week(SMALL[0], *SMALL[1], lots=True)

    result = solve(problem)

    kit.check_plan(problem, result)
    assert result.metrics.time_limit_reached is False
    assert json.loads(solver.dump(result))["metrics"]["time_limit_reached"] is False


def test_a_week_whose_time_limit_is_too_short_says_it_reached_it(kit: SimpleNamespace) -> None:
    problem = kit.random_week(SMALL[0], *SMALL[1], lots=True)
    # A thousandth of a second: indexing the week alone takes longer.
    problem = dataclasses.replace(
        problem, settings=dataclasses.replace(problem.settings, time_limit_s=0.001)
    )

    result = solve(problem)

    kit.check_plan(problem, result)  # cut short, the plan still keeps every rule
    assert result.metrics.time_limit_reached is True
    again = solver.load_result(solver.dump(result))
    assert again.metrics.time_limit_reached is True


def test_a_result_document_whose_time_limit_flag_is_not_true_or_false_is_refused() -> None:
    document = {"format": "pial-allocation-result/1", "status": "feasible", "allocations": [],
                "shortfalls": [], "metrics": {"time_limit_reached": "oui"}}

    with pytest.raises(FormatError) as raised:
        solver.load_result(document)

    assert raised.value.errors == (
        'metrics.time_limit_reached: doit valoir true ou false (reçu "oui")',
    )
