"""Stage 4 of a continuous week as one min-cost flow: the LP's optimum, exactly served."""

from __future__ import annotations

import time
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from solver.engine import solve
from solver.engine.index import ProblemIndex, index_problem
from solver.engine.model import build_weighted_model
from solver.engine.report import evaluate
from solver.engine.served import RESOLUTION, ServedPlan, plan_served
from solver.engine.weighted_flow import weighted_flow_plan
from solver.problem import Problem, Weights
from tests.solver.test_properties import assert_lexicographic_optimum, build, weeks


def served_stage(problem: Problem) -> tuple[ProblemIndex, ServedPlan]:
    """Return a week's index and its served optima, as `solve` computes them."""
    index = index_problem(problem)
    return index, plan_served(index, time.perf_counter() + 30.0)


def lp_plan(index: ProblemIndex, served: ServedPlan) -> np.ndarray:
    """Return the weighted stage's plan as the LP finds it."""
    model = build_weighted_model(
        index, range(len(index.lines)), served.quantities,
        served.contract_target, served.total_target,
    )
    solution, plan = model.solve(30.0)
    assert solution.outcome == "optimal" and plan is not None
    return plan


def served_by_product(index: ProblemIndex, plan: np.ndarray) -> np.ndarray:
    """Return each product's quantity served by a plan."""
    return np.bincount(
        index.line_product[index.pair_line], weights=plan, minlength=len(index.problem.products)
    )


def assert_on_grid_optimum(index: ProblemIndex, plan: np.ndarray, reference: np.ndarray) -> None:
    """Assert that the flow plan is as good as the continuous LP optimum, up to its grid.

    The flow moves quantities in steps of `RESOLUTION` kg, so each grower's value sold can
    miss its fairness target by less than one step of its dearest product, which the LP's
    continuous quantities hit exactly; each miss costs twice the fairness weight.
    """
    problem = index.problem
    dearest_step_eur = max(p.price for p in problem.products) * RESOLUTION
    grid = 2 * problem.settings.weights.fairness * len(problem.growers) * dearest_step_eur
    flow, lp = evaluate(index, plan).weighted, evaluate(index, reference).weighted
    assert lp - 1e-6 * (1 + abs(lp)) <= flow <= lp + grid + 1e-5 * (1 + abs(lp))


def test_the_flow_plan_misses_a_fractional_target_by_less_than_a_step(kit: SimpleNamespace) -> None:
    # Found by the property test below: targets between two 0.1 g steps of a 2 € product.
    offers = [("g1", "p0", 14.0, kit.DAY1), ("g2", "p0", 10.0), ("g2", "p0", 0.0, kit.DAY1),
              ("g3", "p0", 1.0), ("g3", "p0", 9.0, kit.DAY1), ("g3", "p1", 5.0, kit.DAY1)]
    orders = [("c0", "p0", kit.DAY1, 0.0, "contract"), ("c1", "p0", kit.DAY1, 9.0, "regular"),
              ("c1", "p1", kit.DAY1, 0.0, "contract"), ("c2", "p0", kit.DAY1, 21.0, "regular")]
    problem = build(kit, {
        "growers": [(f"g{i}", None, 0.0) for i in range(4)], "canteens": ["c0", "c1", "c2"],
        "products": [("p0", 2.0, None), ("p1", 1.0, None)], "offers": offers, "orders": orders,
        "km": {(f"g{i}", f"c{j}"): 1.0 for i in range(4) for j in range(3)},
        "weights": Weights(distance=0.0, fairness=1.0, deliveries=0.0, stability=0.0),
        "max_km": None, "max_growers_per_line": None, "previous": [],
    })
    rows = solve(problem).allocations
    problem = kit.replace(problem, locked=(rows[4],))
    index, served = served_stage(problem)
    plan = weighted_flow_plan(index, served)
    assert plan is not None
    assert_on_grid_optimum(index, plan, lp_plan(index, served))


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(parts=weeks(integer=False), data=st.data())
def test_the_flow_plan_reaches_the_lp_optimum_with_locked_rows_kept(
    kit: SimpleNamespace, parts: dict[str, Any], data: st.DataObject
) -> None:
    problem = build(kit, parts)
    # Some rows of a plan locked: what a coordinator's adjustments look like.
    rows = solve(problem).allocations
    locked = tuple(row for row in rows if data.draw(st.booleans()))
    problem = kit.replace(problem, locked=locked)
    index, served = served_stage(problem)

    plan = weighted_flow_plan(index, served)

    assert plan is not None
    reference = lp_plan(index, served)
    assert served_by_product(index, plan) == pytest.approx(
        served_by_product(index, reference), rel=1e-9, abs=1e-9
    )
    is_locked = ~np.isnan(index.pair_locked)
    assert plan[is_locked] == pytest.approx(index.pair_locked[is_locked], abs=1e-12)
    assert_on_grid_optimum(index, plan, reference)
    result = solve(problem)
    kit.check_plan(problem, result)
    assert result.status == "optimal"


@pytest.mark.parametrize(("fairness", "near_kg"), [(5.0, 100.0), (20.0, 50.0)])
def test_fairness_buys_distance_only_when_it_weighs_more(
    kit: SimpleNamespace, fairness: float, near_kg: float
) -> None:
    # A kilo moved from the near grower to the far one costs 40 kg·km and closes both
    # growers' gaps by 2 € each: worth it at 4 × fairness > 40 only.
    problem = kit.week(
        products=[kit.product("carotte", price=2.0)],
        growers=[kit.grower("near", 0.5), kit.grower("far", 0.5)],
        canteens=[kit.canteen("cantine")],
        offers=[("near", "carotte", 100.0), ("far", "carotte", 100.0)],
        orders=[("cantine", "carotte", kit.DAY1, 100.0)],
        km={("near", "cantine"): 10.0, ("far", "cantine"): 50.0},
        weights=Weights(distance=1.0, fairness=fairness),
    )
    index, served = served_stage(problem)
    assert weighted_flow_plan(index, served) is not None

    result = solve(problem)

    rows = kit.rows_of(result)
    assert rows[("near", "cantine", "carotte", kit.DAY1)] == pytest.approx(near_kg)
    assert rows.get(("far", "cantine", "carotte", kit.DAY1), 0.0) == pytest.approx(
        100.0 - near_kg
    )
    assert result.status == "optimal"


def test_a_locked_row_counts_towards_its_growers_share(kit: SimpleNamespace) -> None:
    problem = kit.week(
        products=[kit.product("carotte", price=2.0)],
        growers=[kit.grower("a", 0.5), kit.grower("b", 0.5)],
        canteens=[kit.canteen("c1"), kit.canteen("c2")],
        offers=[("a", "carotte", 100.0), ("b", "carotte", 100.0)],
        orders=[("c1", "carotte", kit.DAY1, 60.0), ("c2", "carotte", kit.DAY1, 40.0)],
        km={(g, c): 10.0 for g in ("a", "b") for c in ("c1", "c2")},
        weights=Weights(distance=1.0, fairness=1.0),
    )
    locked = (kit.AllocationRow("a", "c1", "carotte", kit.DAY1, 30.0),)
    problem = kit.replace(problem, locked=locked)
    index, served = served_stage(problem)

    plan = weighted_flow_plan(index, served)

    assert plan is not None
    # The locked 30 kg are part of a's half: it gets 20 kg more, b the other 50.
    assert plan[index.pair_grower == 0].sum() == pytest.approx(50.0)
    assert plan[index.pair_grower == 1].sum() == pytest.approx(50.0)


def test_a_price_finer_than_the_flow_counts_is_left_to_the_lp(kit: SimpleNamespace) -> None:
    problem = kit.week(
        products=[kit.product("carotte", price=2.123456), kit.product("poireau", price=3.0)],
        growers=[kit.grower("a", 0.3), kit.grower("b", 0.7)],
        canteens=[kit.canteen("cantine")],
        offers=[("a", "carotte", 40.0), ("b", "carotte", 40.0), ("a", "poireau", 30.0)],
        orders=[("cantine", "carotte", kit.DAY1, 50.0, "contract"),
                ("cantine", "poireau", kit.DAY1, 20.0)],
        km={("a", "cantine"): 5.0, ("b", "cantine"): 25.0},
        weights=Weights(distance=1.0, fairness=2.0),
    )
    index, served = served_stage(problem)

    assert weighted_flow_plan(index, served) is None
    assert_lexicographic_optimum(kit, problem)


def test_an_integer_week_is_left_to_its_own_models(kit: SimpleNamespace) -> None:
    problem = kit.week(
        products=[kit.product("carotte", price=2.0, lot=5.0)],
        growers=[kit.grower("a")],
        canteens=[kit.canteen("cantine")],
        offers=[("a", "carotte", 40.0)],
        orders=[("cantine", "carotte", kit.DAY1, 20.0)],
        km={("a", "cantine"): 5.0},
    )
    index, served = served_stage(problem)

    assert weighted_flow_plan(index, served) is None
