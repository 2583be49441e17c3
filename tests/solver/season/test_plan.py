"""The season plan: capacities are never exceeded, risk is spread, the service level holds."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from solver.season import (
    CropCapacity,
    GrowerInfo,
    PlanLock,
    PlanProblem,
    PlanSettings,
    ProductInfo,
    propose_advances,
    solve_plan,
)
from solver.season.generate import Scale, generate_history, make_truth, simulate_supply
from solver.season.history import season_weeks
from solver.season.scenarios import sample_demand, sample_supply_factors
from solver.season.supply import GrowerSupply, SupplyModel, fit_supply

WEEKS = season_weeks(dt.date(2027, 1, 4), dt.date(2027, 3, 29))  # 13 weeks
PRODUCTS = (ProductInfo("carotte", price_eur=1.6), ProductInfo("poireau", price_eur=2.2))


def model(growers: tuple[str, ...], failure_rate: float = 0.05) -> SupplyModel:
    """Every grower offers every product, 10 a week, with some spread and failures."""
    entries = tuple(GrowerSupply(grower, product.id, 10.0, 0.05, failure_rate, 14.0, 60, 3)
                    for grower in growers for product in PRODUCTS)
    return SupplyModel(
        products=tuple(product.id for product in PRODUCTS), entries=entries,
        shape=np.ones((len(PRODUCTS), 12)), sigma_common=0.1, sigma_grower=0.1,
        sigma_week=np.full(len(PRODUCTS), 0.2), failure_sizes=np.linspace(0.2, 1.0, 64),
        pooled_absence=0.05, pooled_failure_rate=failure_rate,
    )


def problem(
    demand: float, capacities: tuple[CropCapacity, ...], **changes: object
) -> PlanProblem:
    """A plan of the two products for growers a, b, c, demand the same every week."""
    growers = tuple(GrowerInfo(g, target_share=share)
                    for g, share in (("a", 0.5), ("b", 0.3), ("c", 0.2)))
    mean = np.full((len(PRODUCTS), len(WEEKS)), demand)
    values: dict[str, object] = {
        "weeks": WEEKS, "products": PRODUCTS, "growers": growers, "demand_mean": mean,
        "demand_variance": (0.3 * mean) ** 2, "supply": model(("a", "b", "c")),
        "capacities": capacities, "settings": PlanSettings(scenarios=300, seed=2),
    }
    values.update(changes)
    return PlanProblem(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_the_plan_never_exceeds_a_declared_capacity(seed: int) -> None:
    rng = np.random.default_rng(seed)
    capacities = tuple(
        CropCapacity(grower, product.id,
                     max_weekly=float(rng.uniform(2, 30)) if rng.random() < 0.7 else None,
                     max_season=float(rng.uniform(30, 300)) if rng.random() < 0.5 else None)
        for grower in ("a", "b", "c") for product in PRODUCTS
        if rng.random() < 0.8
    )
    off = frozenset((grower, week) for grower in ("a", "b", "c") for week in WEEKS
                    if rng.random() < 0.15)
    result = solve_plan(problem(float(rng.uniform(5, 60)), capacities, weeks_off=off))

    assert result.status in ("optimal", "feasible")
    declared = {(c.grower, c.product): c for c in capacities}
    season: dict[tuple[str, str], float] = {}
    for volume in result.volumes:
        capacity = declared.get((volume.grower, volume.product))
        assert capacity is not None, f"{volume} is not a declared crop"
        assert (volume.grower, volume.week) not in off
        if capacity.max_weekly is not None:
            assert volume.quantity <= capacity.max_weekly + 1e-6
        key = (volume.grower, volume.product)
        season[key] = season.get(key, 0.0) + volume.quantity
    for key, total in season.items():
        if declared[key].max_season is not None:
            assert total <= declared[key].max_season + 1e-3


def test_a_product_two_can_grow_is_not_left_to_one() -> None:
    capacities = tuple(CropCapacity(g, p.id, max_weekly=100.0)
                       for g in ("a", "b") for p in PRODUCTS)
    # a is next door, b far away: without the rule a would carry everything.
    distances = {("a", p.id): 1.0 for p in PRODUCTS} | {("b", p.id): 60.0 for p in PRODUCTS}
    result = solve_plan(problem(20.0, capacities, distance_km=distances,
                                supply=model(("a", "b")),
                                settings=PlanSettings(scenarios=300, max_share=0.6,
                                                      weight_share=0.0)))

    for product in PRODUCTS:
        by_grower = {g: sum(v.quantity for v in result.volumes
                            if v.grower == g and v.product == product.id) for g in ("a", "b")}
        total = sum(by_grower.values())
        assert total > 0
        assert by_grower["a"] / total == pytest.approx(0.6, abs=0.01)


def test_the_service_level_holds_on_fresh_scenarios() -> None:
    capacities = tuple(CropCapacity(g, p.id, max_weekly=60.0)
                       for g in ("a", "b", "c") for p in PRODUCTS)
    plan_problem = problem(30.0, capacities, settings=PlanSettings(scenarios=500, seed=4,
                                                                   service_level=0.9))
    result = solve_plan(plan_problem)

    # Fresh draws of demand and supply, from another seed than the plan's.
    rng = np.random.default_rng(99)
    draws = 4000
    met = []
    for j, product in enumerate(PRODUCTS):
        growers = ("a", "b", "c")
        entries = [plan_problem.supply.entry_or_default(g, product.id) for g in growers]
        factors = sample_supply_factors(plan_problem.supply, entries, len(WEEKS), draws, rng)
        planned = np.zeros((len(growers), len(WEEKS)))
        for volume in result.volumes:
            if volume.product == product.id:
                planned[growers.index(volume.grower), WEEKS.index(volume.week)] = volume.quantity
        supplied = np.einsum("sgw,gw->sw", factors, planned)
        demand = sample_demand(plan_problem.demand_mean[j], plan_problem.demand_variance[j],
                               draws, rng)
        met.append((supplied >= demand).mean())
    assert result.met_share == pytest.approx(0.9, abs=0.03)
    assert np.mean(met) >= 0.87
    assert all(cover.gap <= 0.03 * cover.demand_mean for cover in result.covers)


def test_locked_volumes_are_kept() -> None:
    capacities = tuple(CropCapacity(g, p.id, max_weekly=40.0)
                       for g in ("a", "b", "c") for p in PRODUCTS)
    locks = (PlanLock("c", "carotte", WEEKS[0], 0.0), PlanLock("c", "carotte", WEEKS[1], 33.5))
    result = solve_plan(problem(20.0, capacities, locks=locks))

    planned = {(v.grower, v.product, v.week): v.quantity for v in result.volumes}
    assert ("c", "carotte", WEEKS[0]) not in planned
    assert planned[("c", "carotte", WEEKS[1])] == 33.5


def test_uncoverable_demand_is_reported_as_a_gap() -> None:
    capacities = tuple(CropCapacity(g, p.id, max_weekly=5.0)
                       for g in ("a", "b", "c") for p in PRODUCTS)
    result = solve_plan(problem(100.0, capacities))

    assert result.status in ("optimal", "feasible")
    assert all(cover.gap > 50 for cover in result.covers)
    assert all(v.quantity == pytest.approx(5.0) for v in result.volumes)


def test_the_plan_follows_the_agreed_value_shares_when_it_can() -> None:
    capacities = tuple(CropCapacity(g, p.id, max_weekly=100.0)
                       for g in ("a", "b", "c") for p in PRODUCTS)
    result = solve_plan(problem(20.0, capacities))

    total = sum(result.planned_value_eur.values())
    shares = {g: value / total for g, value in result.planned_value_eur.items()}
    assert shares == pytest.approx({"a": 0.5, "b": 0.3, "c": 0.2}, abs=0.02)


def test_a_generated_group_is_planned_over_its_history() -> None:
    truth = make_truth(Scale(growers=8, products=6, canteens=5, seasons=2, seed=3))
    history = generate_history(truth)
    supply = fit_supply(history)
    weeks = truth.season(truth.scale.first_year + truth.scale.seasons)
    offers, _losses = simulate_supply(truth, weeks, 1, np.random.default_rng(1))
    mean = offers[0].sum(axis=0) * 0.5  # half of what they would offer: coverable
    result = solve_plan(PlanProblem(weeks, truth.products, truth.growers, mean, (0.2 * mean) ** 2,
                                    supply, settings=PlanSettings(scenarios=200)))

    assert result.status in ("optimal", "feasible")
    assert result.met_share >= 0.9
    assert {v.grower for v in result.volumes} <= {g.id for g in truth.growers}


def test_advances_are_a_share_of_planned_value_within_the_fund() -> None:
    values = {"a": 10_000.0, "b": 6_000.0, "c": 0.0}

    generous = propose_advances(values, 0.2, 100_000.0)
    tight = propose_advances(values, 0.2, 1_600.0)

    assert [(p.grower, p.proposed_eur) for p in generous] == [
        ("a", 2000.0), ("b", 1200.0), ("c", 0.0)]
    assert [p.proposed_eur for p in tight] == [1000.0, 600.0, 0.0]
    assert sum(p.proposed_eur for p in propose_advances(values, 0.3, 1_234.0)) <= 1_234.0
