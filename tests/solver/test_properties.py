"""Random small weeks: every plan is valid and meets the independent lexicographic optimum."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from solver.engine import solve
from solver.problem import AllocationRow, Problem, Weights

DAYS = ("2026-11-23", "2026-11-24")


@st.composite
def weeks(draw: st.DrawFn, integer: bool) -> dict[str, Any]:
    """Draw the parts of a small week; lots, trip costs and grower limits when `integer`."""
    num_growers = draw(st.integers(1, 4))
    num_canteens = draw(st.integers(1, 3))
    num_products = draw(st.integers(1, 2))
    num_days = draw(st.integers(1, 2))
    growers = [f"g{i}" for i in range(num_growers)]
    canteens = [f"c{i}" for i in range(num_canteens)]
    products = [
        (f"p{i}", draw(st.sampled_from([1.0, 2.0, 3.5])),
         draw(st.sampled_from([None, 2.0, 5.0])) if integer else None)
        for i in range(num_products)
    ]
    days = DAYS[:num_days]
    offers: list[tuple[Any, ...]] = []
    for g in growers:
        for p, _, _ in products:
            if draw(st.booleans()):
                offers.append((g, p, float(draw(st.integers(0, 40)))))
            if draw(st.integers(0, 3)) == 0:
                offers.append((g, p, float(draw(st.integers(0, 20))), draw(st.sampled_from(days))))
    orders: list[tuple[Any, ...]] = []
    for c in canteens:
        for p, _, _ in products:
            for d in days:
                for priority in ("contract", "regular"):
                    if draw(st.integers(0, 2)) == 0:
                        orders.append((c, p, d, float(draw(st.integers(0, 30))), priority))
    km = {(g, c): float(draw(st.integers(1, 100))) for g in growers for c in canteens}
    weights = Weights(
        distance=draw(st.sampled_from([0.0, 1.0])),
        fairness=draw(st.sampled_from([0.0, 1.0, 5.0])),
        deliveries=draw(st.sampled_from([0.0, 10.0])) if integer else 0.0,
        stability=draw(st.sampled_from([0.0, 2.0])),
    )
    shares = draw(st.booleans())
    return {
        "growers": [(g, draw(st.sampled_from([0.1, 0.3, 0.6])) if shares else None,
                     float(draw(st.integers(-20, 20)))) for g in growers],
        "canteens": canteens, "products": products, "offers": offers, "orders": orders,
        "km": km, "weights": weights,
        "max_km": draw(st.sampled_from([None, 60.0])),
        "max_growers_per_line": draw(st.sampled_from([None, 1, 2])) if integer else None,
        "previous": [
            (g, c, p, d, float(draw(st.integers(1, 10))))
            for g in growers for c in canteens for p, _, _ in products for d in days
            if draw(st.integers(0, 5)) == 0
        ],
    }


def build(kit: SimpleNamespace, parts: dict[str, Any]) -> Problem:
    """Assemble a drawn week into a problem."""
    problem: Problem = kit.week(
        products=[kit.product(pid, price, lot) for pid, price, lot in parts["products"]],
        growers=[kit.grower(g, share, ledger) for g, share, ledger in parts["growers"]],
        canteens=[kit.canteen(c) for c in parts["canteens"]],
        offers=parts["offers"], orders=parts["orders"], km=parts["km"],
        weights=parts["weights"], max_km=parts["max_km"],
        max_growers_per_line=parts["max_growers_per_line"], time_limit_s=30.0,
    )
    previous = tuple(AllocationRow(*row) for row in parts["previous"])
    return kit.replace(problem, previous=previous)


def assert_lexicographic_optimum(kit: SimpleNamespace, problem: Problem) -> None:
    """Assert the plan is valid and reaches the reference value at every stage."""
    result = solve(problem)
    kit.check_plan(problem, result)
    assert result.status == "optimal"
    reference = kit.reference_optimum(problem)
    price = {p.id: p.price for p in problem.products}
    contract_keys = {(o.canteen, o.product, o.day) for o in problem.orders
                     if o.priority == "contract"}
    served_contract = sum(
        max(0.0, min(
            sum(r.quantity for r in result.allocations if (r.canteen, r.product, r.day) == key),
            sum(o.quantity for o in problem.orders
                if (o.canteen, o.product, o.day) == key and o.priority == "contract"),
        )) * price[key[1]]
        for key in contract_keys
    )
    assert served_contract == pytest.approx(reference.contract_eur, rel=1e-6, abs=1e-6)
    assert result.metrics.served_eur == pytest.approx(reference.served_eur, rel=1e-6, abs=1e-6)
    # The reference keeps value served within 1e-7 of its optimum (relative); fairness can buy
    # that slack back as a lower gap sum (an example found: 1.0003e-4 below the exact optimum).
    slack_eur = 2 * problem.settings.weights.fairness * 1e-7 * (1 + reference.served_eur)
    assert kit.spec_weighted(problem, result) == pytest.approx(
        reference.weighted, rel=1e-5, abs=1e-4 + slack_eur
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(parts=weeks(integer=False))
def test_continuous_weeks_reach_the_reference_optimum(
    kit: SimpleNamespace, parts: dict[str, Any]
) -> None:
    assert_lexicographic_optimum(kit, build(kit, parts))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(parts=weeks(integer=True))
def test_integer_weeks_reach_the_reference_optimum(
    kit: SimpleNamespace, parts: dict[str, Any]
) -> None:
    assert_lexicographic_optimum(kit, build(kit, parts))
