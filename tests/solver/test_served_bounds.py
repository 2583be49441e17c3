"""Stages 2 and 3 on integer weeks: the result reports the contract value it serves and proven
upper bounds on the contract and total value of every feasible plan; `optimal` only when both
stages are proven."""

from __future__ import annotations

import sys
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from solver import dump, load_result
from solver.engine import solve
from solver.problem import Problem
from tests.solver.test_properties import build, weeks

SERVED_MODULE = sys.modules["solver.engine.served"]


def capped_line(kit: SimpleNamespace) -> Problem:
    """One contract line of 30 kg that three growers could fill together (10 kg each), but
    at most two growers may serve a line: 20 kg is the most any plan serves."""
    return kit.week(
        products=[kit.product("carotte", price=2.0, lot=5.0)],
        growers=[kit.grower("g1"), kit.grower("g2"), kit.grower("g3")],
        canteens=[kit.canteen("c1")],
        offers=[("g1", "carotte", 10.0), ("g2", "carotte", 10.0), ("g3", "carotte", 10.0)],
        orders=[("c1", "carotte", kit.DAY1, 30.0, "contract")],
        km={("g1", "c1"): 5.0, ("g2", "c1"): 6.0, ("g3", "c1"): 7.0},
        max_growers_per_line=2,
    )


def starve_product_mips(monkeypatch: pytest.MonkeyPatch) -> None:
    """Leave the product MIPs no time at all: only the flow plans and their bounds remain."""
    monkeypatch.setattr(SERVED_MODULE, "MIN_MIP_TIME_S", float("inf"))


def test_proven_stages_report_bounds_equal_to_the_values_served(kit: SimpleNamespace) -> None:
    result = solve(capped_line(kit))
    kit.check_plan(capped_line(kit), result)
    metrics = result.metrics
    assert result.status == "optimal"
    assert metrics.contract_eur == pytest.approx(40.0)
    assert metrics.contract_eur_upper_bound == pytest.approx(40.0)
    assert metrics.served_eur_upper_bound == pytest.approx(40.0)


def test_unproven_stages_say_feasible_with_the_flow_bound(
    kit: SimpleNamespace, monkeypatch: pytest.MonkeyPatch
) -> None:
    starve_product_mips(monkeypatch)
    problem = capped_line(kit)
    result = solve(problem)
    kit.check_plan(problem, result)
    metrics = result.metrics
    # The plan keeps the two largest growers; the flow without the limit would carry 30 kg.
    assert result.status == "feasible"
    assert metrics.contract_eur == pytest.approx(40.0)
    assert metrics.contract_eur_upper_bound == pytest.approx(60.0)
    assert metrics.served_eur_upper_bound == pytest.approx(60.0)
    # The bounds travel in the result document.
    again = load_result(dump(result))
    assert again.metrics.contract_eur_upper_bound == pytest.approx(60.0)
    assert again.metrics.served_eur_upper_bound == pytest.approx(60.0)


def test_the_bound_counts_a_crate_made_of_any_day_and_named_day_offers(
    kit: SimpleNamespace, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Found by the property test below: 1 kg offered for any day and 1 kg for the day make one
    # 2 kg crate, which a flow counting whole crates per offer node cannot see.
    problem = kit.week(
        products=[kit.product("carotte", price=1.0, lot=2.0)],
        growers=[kit.grower("g1")],
        canteens=[kit.canteen("c1")],
        offers=[("g1", "carotte", 1.0), ("g1", "carotte", 1.0, kit.DAY1)],
        orders=[("c1", "carotte", kit.DAY1, 2.0)],
        km={("g1", "c1"): 1.0},
    )
    starve_product_mips(monkeypatch)
    result = solve(problem)
    kit.check_plan(problem, result)
    assert result.status == "feasible"
    assert result.metrics.served_eur_upper_bound >= 2.0


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(parts=weeks(integer=True), product_mips=st.sampled_from(["full", "one node", "none"]))
def test_the_served_bounds_never_fall_below_the_reference_optima(
    kit: SimpleNamespace, parts: dict[str, Any], product_mips: str
) -> None:
    problem = build(kit, parts)
    with pytest.MonkeyPatch.context() as monkeypatch:
        if product_mips == "none":
            starve_product_mips(monkeypatch)
        elif product_mips == "one node":
            # Stopped at its first node, a MIP's dual bound is what caps the optima.
            monkeypatch.setattr(SERVED_MODULE, "PRODUCT_MIP_MAX_NODES", 1)
        result = solve(problem)
    kit.check_plan(problem, result)
    reference = kit.reference_optimum(problem, with_weighted=False)
    metrics = result.metrics
    assert metrics.contract_eur is not None
    assert metrics.contract_eur_upper_bound is not None
    assert metrics.served_eur_upper_bound is not None
    tolerance = 1e-6 * (1 + reference.served_eur)
    assert metrics.contract_eur_upper_bound >= reference.contract_eur - tolerance
    assert metrics.served_eur_upper_bound >= reference.served_eur - tolerance
    assert metrics.contract_eur <= metrics.contract_eur_upper_bound
    assert metrics.served_eur <= metrics.served_eur_upper_bound
    if result.status == "optimal":
        assert metrics.contract_eur == pytest.approx(reference.contract_eur, abs=tolerance)
        assert metrics.contract_eur_upper_bound == pytest.approx(
            metrics.contract_eur, abs=tolerance
        )
        assert metrics.served_eur_upper_bound == pytest.approx(metrics.served_eur, abs=tolerance)
