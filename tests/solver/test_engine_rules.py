"""One tiny, hand-checked week per rule of the spec."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from solver.engine import distance_km, grower_shares, solve
from solver.problem import AllocationRow, Grower, Weights

NO_FAIRNESS = Weights(distance=1.0, fairness=0.0)


def test_contract_lines_are_served_before_regular_ones(kit: SimpleNamespace) -> None:
    problem = kit.week(
        products=[kit.product()], growers=[kit.grower("g")],
        canteens=[kit.canteen("near"), kit.canteen("far")],
        offers=[("g", "carotte", 50)],
        orders=[("near", "carotte", kit.DAY1, 50, "regular"),
                ("far", "carotte", kit.DAY1, 50, "contract")],
        km={("g", "near"): 1, ("g", "far"): 70}, weights=NO_FAIRNESS,
    )
    result = solve(problem)
    kit.check_plan(problem, result)
    assert result.status == "optimal"
    assert kit.rows_of(result) == {("g", "far", "carotte", kit.DAY1): 50}
    assert result.metrics.contract_fill_rate == 1.0
    assert result.metrics.fill_rate == 0.5


def test_serving_more_value_beats_shorter_trips(kit: SimpleNamespace) -> None:
    # Near-only service would leave b unserved: g1 must drive to b, g2 serves a.
    problem = kit.week(
        products=[kit.product()], growers=[kit.grower("g1"), kit.grower("g2")],
        canteens=[kit.canteen("a"), kit.canteen("b")],
        offers=[("g1", "carotte", 10), ("g2", "carotte", 10)],
        orders=[("a", "carotte", kit.DAY1, 10), ("b", "carotte", kit.DAY1, 10)],
        km={("g1", "a"): 1, ("g1", "b"): 40, ("g2", "a"): 2, ("g2", "b"): 90},
        weights=Weights(distance=1000.0, fairness=0.0),
    )
    result = solve(problem)
    kit.check_plan(problem, result)
    assert kit.rows_of(result) == {
        ("g1", "b", "carotte", kit.DAY1): 10, ("g2", "a", "carotte", kit.DAY1): 10,
    }
    assert result.metrics.kg_km == pytest.approx(10 * 40 + 10 * 2)


def test_proximity_picks_the_nearest_grower(kit: SimpleNamespace) -> None:
    problem = kit.week(
        products=[kit.product()], growers=[kit.grower("far"), kit.grower("near")],
        canteens=[kit.canteen("c")],
        offers=[("far", "carotte", 50), ("near", "carotte", 50)],
        orders=[("c", "carotte", kit.DAY1, 30)],
        km={("far", "c"): 20, ("near", "c"): 5}, weights=NO_FAIRNESS,
    )
    result = solve(problem)
    assert kit.rows_of(result) == {("near", "c", "carotte", kit.DAY1): 30}
    assert result.metrics.kg_km == pytest.approx(150)
    assert result.metrics.deliveries == 1


def test_distance_uses_given_km_else_great_circle_times_road_factor(kit: SimpleNamespace) -> None:
    problem = kit.week(
        products=[kit.product()],
        growers=[Grower("g", "g", 43.0, 0.0), Grower("h", "h", 43.0, 1.0)],
        canteens=[kit.canteen("c")], offers=[], orders=[], km={("g", "c"): 12.5},
        road_factor=1.5,
    )
    all_km = distance_km(problem)
    assert all_km[("g", "c")] == 12.5
    # 43.0,1.0 → 43.1,0.6: 0.1° of latitude (11.1 km) and 0.4° of longitude (32.5 km).
    assert all_km[("h", "c")] == pytest.approx(1.5 * 34.35, rel=1e-3)
    assert all_km == pytest.approx(kit.spec_distance_km(problem))


def test_agreed_shares_are_renormalised_over_offering_growers(kit: SimpleNamespace) -> None:
    problem = kit.week(
        products=[kit.product()],
        growers=[kit.grower("a", 0.3), kit.grower("b", 0.1), kit.grower("idle", 0.6)],
        canteens=[], offers=[("a", "carotte", 1), ("b", "carotte", 100)], orders=[], km={},
    )
    assert grower_shares(problem) == pytest.approx({"a": 0.75, "b": 0.25, "idle": 0.0})


def test_missing_agreed_share_means_value_offered_shares(kit: SimpleNamespace) -> None:
    problem = kit.week(
        products=[kit.product("carotte", 2.0), kit.product("poireau", 4.0)],
        growers=[kit.grower("a", 0.9), kit.grower("b")],
        canteens=[], offers=[("a", "carotte", 30), ("b", "poireau", 10), ("b", "carotte", 10)],
        orders=[], km={},
    )
    # a offers 60 €, b offers 40 + 20 = 60 €.
    assert grower_shares(problem) == pytest.approx({"a": 0.5, "b": 0.5})


def test_fairness_splits_a_line_by_agreed_shares(kit: SimpleNamespace) -> None:
    problem = kit.week(
        products=[kit.product()], growers=[kit.grower("a", 3.0), kit.grower("b", 1.0)],
        canteens=[kit.canteen("c")],
        offers=[("a", "carotte", 100), ("b", "carotte", 100)],
        orders=[("c", "carotte", kit.DAY1, 40)],
        km={("a", "c"): 10, ("b", "c"): 10}, weights=Weights(distance=0.0, fairness=1.0),
    )
    result = solve(problem)
    assert kit.rows_of(result) == pytest.approx({
        ("a", "c", "carotte", kit.DAY1): 30, ("b", "c", "carotte", kit.DAY1): 10,
    })
    assert result.metrics.share_deviation_eur == pytest.approx(0.0, abs=1e-6)


def test_proportional_shares_follow_value_offered(kit: SimpleNamespace) -> None:
    problem = kit.week(
        products=[kit.product()], growers=[kit.grower("a"), kit.grower("b")],
        canteens=[kit.canteen("c")],
        offers=[("a", "carotte", 60), ("b", "carotte", 20)],
        orders=[("c", "carotte", kit.DAY1, 40)],
        km={("a", "c"): 10, ("b", "c"): 10}, weights=Weights(distance=0.0, fairness=1.0),
    )
    assert kit.rows_of(solve(problem)) == pytest.approx({
        ("a", "c", "carotte", kit.DAY1): 30, ("b", "c", "carotte", kit.DAY1): 10,
    })


def test_ledger_catch_up_over_two_weeks(kit: SimpleNamespace) -> None:
    def one_week(offer_a: float, ledger_a: float, ledger_b: float) -> object:
        return kit.week(
            products=[kit.product(price=1.0)],
            growers=[kit.grower("a", 0.5, ledger_a), kit.grower("b", 0.5, ledger_b)],
            canteens=[kit.canteen("c")],
            offers=[("a", "carotte", offer_a), ("b", "carotte", 100)],
            orders=[("c", "carotte", kit.DAY1, 100)],
            km={("a", "c"): 10, ("b", "c"): 10},
            weights=Weights(distance=0.0, fairness=1.0), ledger_catch_up=0.5,
        )

    # Week 1: a can only sell 20 € of its 50 € share; it falls 30 € behind, b 30 € ahead.
    first = solve(one_week(20, 0.0, 0.0))
    ledgers = {e.grower: e.ledger_eur for e in first.ledger_after}
    assert ledgers == pytest.approx({"a": -30.0, "b": 30.0})
    # Week 2: half the gap is caught up: targets are a 50 + 15, b 50 − 15.
    second_problem = one_week(100, ledgers["a"], ledgers["b"])
    second = solve(second_problem)
    kit.check_plan(second_problem, second)
    assert kit.rows_of(second) == pytest.approx({
        ("a", "c", "carotte", kit.DAY1): 65, ("b", "c", "carotte", kit.DAY1): 35,
    })
    ledgers = {e.grower: e.ledger_eur for e in second.ledger_after}
    assert ledgers == pytest.approx({"a": -15.0, "b": 15.0})


def test_quantities_are_whole_lots(kit: SimpleNamespace) -> None:
    problem = kit.week(
        products=[kit.product(lot=5)], growers=[kit.grower("g"), kit.grower("h")],
        canteens=[kit.canteen("c"), kit.canteen("d")],
        offers=[("g", "carotte", 12), ("h", "carotte", 100)],
        orders=[("c", "carotte", kit.DAY1, 12), ("d", "carotte", kit.DAY1, 23)],
        km={("g", "c"): 1, ("g", "d"): 1, ("h", "c"): 50, ("h", "d"): 50},
    )
    result = solve(problem)
    kit.check_plan(problem, result)
    # c can take 2 crates, d 4 crates; g has 2 whole crates of its 12 kg.
    assert result.metrics.served_eur == pytest.approx(2.0 * (10 + 20))
    assert all(row.quantity % 5 == 0 for row in result.allocations)


def test_pairs_beyond_max_km_are_not_used(kit: SimpleNamespace) -> None:
    problem = kit.week(
        products=[kit.product()], growers=[kit.grower("g"), kit.grower("h")],
        canteens=[kit.canteen("c")],
        offers=[("g", "carotte", 100), ("h", "carotte", 10)],
        orders=[("c", "carotte", kit.DAY1, 30)],
        km={("g", "c"): 81, ("h", "c"): 79}, max_km=80,
    )
    result = solve(problem)
    kit.check_plan(problem, result)
    assert kit.rows_of(result) == {("h", "c", "carotte", kit.DAY1): 10}
    assert result.shortfalls[0].quantity == pytest.approx(20)


def test_at_most_max_growers_serve_one_line(kit: SimpleNamespace) -> None:
    problem = kit.week(
        products=[kit.product()], growers=[kit.grower(g) for g in "abc"],
        canteens=[kit.canteen("c")],
        offers=[(g, "carotte", 10) for g in "abc"],
        orders=[("c", "carotte", kit.DAY1, 30)],
        km={("a", "c"): 1, ("b", "c"): 2, ("c", "c"): 3}, max_growers_per_line=2,
    )
    result = solve(problem)
    kit.check_plan(problem, result)
    assert result.status == "optimal"
    assert result.metrics.served_eur == pytest.approx(2.0 * 20)
    assert len(result.allocations) == 2


def test_a_week_highs_presolve_calls_infeasible_is_still_solved_exactly(
    kit: SimpleNamespace,
) -> None:
    # Found by the property tests: HiGHS's MIP presolve called this week's 15-variable
    # stage-4 model infeasible, although the flow plan it improves on satisfies it.
    growers, canteens = ("g0", "g1", "g2", "g3"), ("c0", "c1")
    problem = kit.week(
        products=[kit.product("p0", 1.0, 2.0)], growers=[kit.grower(g) for g in growers],
        canteens=[kit.canteen(c) for c in canteens],
        offers=[("g2", "p0", 4.0), ("g3", "p0", 4.0), ("g3", "p0", 3.0, kit.DAY2)],
        orders=[("c0", "p0", kit.DAY1, 4.0, "contract"), ("c1", "p0", kit.DAY1, 2.0),
                ("c1", "p0", kit.DAY2, 4.0, "contract")],
        km={(g, c): 1.0 for g in growers for c in canteens},
        weights=Weights(distance=0.0, fairness=0.0, deliveries=0.0, stability=2.0),
        max_growers_per_line=1,
    )
    problem = kit.replace(problem, previous=(AllocationRow("g3", "c0", "p0", kit.DAY1, 2.0),))
    result = solve(problem)
    kit.check_plan(problem, result)
    assert result.status == "optimal"
    reference = kit.reference_optimum(problem)
    assert result.metrics.served_eur == pytest.approx(reference.served_eur)
    assert kit.spec_weighted(problem, result) == pytest.approx(reference.weighted)


def test_trip_cost_consolidates_deliveries(kit: SimpleNamespace) -> None:
    def with_trip_cost(deliveries: float) -> object:
        return kit.week(
            products=[kit.product("carotte"), kit.product("poireau")],
            growers=[kit.grower("both"), kit.grower("leek")],
            canteens=[kit.canteen("c")],
            offers=[("both", "carotte", 10), ("both", "poireau", 10), ("leek", "poireau", 10)],
            orders=[("c", "carotte", kit.DAY1, 10), ("c", "poireau", kit.DAY1, 10)],
            km={("both", "c"): 10, ("leek", "c"): 8},
            weights=Weights(distance=1.0, fairness=0.0, deliveries=deliveries),
        )

    scattered = solve(with_trip_cost(0.0))
    assert scattered.metrics.deliveries == 2
    problem = with_trip_cost(100.0)
    grouped = solve(problem)
    kit.check_plan(problem, grouped)
    assert grouped.status == "optimal"
    assert grouped.metrics.deliveries == 1
    assert kit.rows_of(grouped) == {
        ("both", "c", "carotte", kit.DAY1): 10, ("both", "c", "poireau", kit.DAY1): 10,
    }


def test_offer_for_a_named_day_serves_only_that_day(kit: SimpleNamespace) -> None:
    problem = kit.week(
        products=[kit.product()], growers=[kit.grower("g")], canteens=[kit.canteen("c")],
        offers=[("g", "carotte", 10, kit.DAY1), ("g", "carotte", 5)],
        orders=[("c", "carotte", kit.DAY1, 20), ("c", "carotte", kit.DAY2, 20)],
        km={("g", "c"): 1},
    )
    result = solve(problem)
    kit.check_plan(problem, result)
    assert result.metrics.served_eur == pytest.approx(2.0 * 15)


def test_locked_row_is_kept_exactly(kit: SimpleNamespace) -> None:
    base = kit.week(
        products=[kit.product()], growers=[kit.grower("far"), kit.grower("near")],
        canteens=[kit.canteen("c")],
        offers=[("far", "carotte", 50), ("near", "carotte", 50)],
        orders=[("c", "carotte", kit.DAY1, 30)],
        km={("far", "c"): 20, ("near", "c"): 5}, weights=NO_FAIRNESS,
    )
    problem = kit.replace(base, locked=(AllocationRow("far", "c", "carotte", kit.DAY1, 12),))
    result = solve(problem)
    kit.check_plan(problem, result)
    assert kit.rows_of(result) == pytest.approx({
        ("far", "c", "carotte", kit.DAY1): 12, ("near", "c", "carotte", kit.DAY1): 18,
    })


def test_contradictory_locked_rows_make_the_week_infeasible(kit: SimpleNamespace) -> None:
    base = kit.week(
        products=[kit.product()], growers=[kit.grower("g")],
        canteens=[kit.canteen("c"), kit.canteen("d")],
        offers=[("g", "carotte", 50)],
        orders=[("c", "carotte", kit.DAY1, 40), ("d", "carotte", kit.DAY1, 40)],
        km={("g", "c"): 5, ("g", "d"): 5},
    )
    problem = kit.replace(base, locked=(
        AllocationRow("g", "c", "carotte", kit.DAY1, 30),
        AllocationRow("g", "d", "carotte", kit.DAY1, 30),
    ))
    result = solve(problem)
    assert result.status == "infeasible"
    assert result.allocations == ()
    assert "locked : g envoie 10 carotte de plus qu'offert" in result.errors


def test_crop_failure_replan_moves_only_the_failed_growers_lines(kit: SimpleNamespace) -> None:
    growers = ["a", "b", "spare"]
    canteens = ["c1", "c2", "c3"]
    km = {("a", "c1"): 2, ("a", "c2"): 30, ("a", "c3"): 30,
          ("b", "c1"): 30, ("b", "c2"): 2, ("b", "c3"): 30,
          ("spare", "c1"): 15, ("spare", "c2"): 15, ("spare", "c3"): 3}

    def plan(offer_a: float, previous: tuple[AllocationRow, ...]) -> object:
        problem = kit.week(
            products=[kit.product()], growers=[kit.grower(g) for g in growers],
            canteens=[kit.canteen(c) for c in canteens],
            offers=[("a", "carotte", offer_a), ("b", "carotte", 40), ("spare", "carotte", 80)],
            orders=[(c, "carotte", kit.DAY1, 30) for c in canteens], km=km,
            weights=Weights(distance=1.0, fairness=0.0, stability=100.0),
        )
        return kit.replace(problem, previous=previous)

    published = solve(plan(40, ()))
    assert kit.rows_of(published)[("a", "c1", "carotte", kit.DAY1)] == 30
    # a's crop fails: it now has 10 kg instead of 40.
    problem = plan(10, published.allocations)
    replanned = solve(problem)
    kit.check_plan(problem, replanned)
    before, after = kit.rows_of(published), kit.rows_of(replanned)
    assert after[("a", "c1", "carotte", kit.DAY1)] == pytest.approx(10)
    assert after[("spare", "c1", "carotte", kit.DAY1)] == pytest.approx(20)
    untouched = {k: v for k, v in before.items() if k[1] != "c1"}
    assert {k: v for k, v in after.items() if k[1] != "c1"} == pytest.approx(untouched)
    assert replanned.metrics.moved_from_previous == pytest.approx(40)
    assert replanned.metrics.fill_rate == 1.0


def test_solver_never_prints(kit: SimpleNamespace, capfd: pytest.CaptureFixture[str]) -> None:
    problem = kit.week(
        products=[kit.product(lot=5)], growers=[kit.grower("g")], canteens=[kit.canteen("c")],
        offers=[("g", "carotte", 50)], orders=[("c", "carotte", kit.DAY1, 30)],
        km={("g", "c"): 5}, weights=Weights(deliveries=1.0),
    )
    solve(problem)
    solve(kit.replace(problem, products=(kit.product(),),
                      settings=kit.replace(problem.settings, weights=Weights())))
    captured = capfd.readouterr()
    assert captured.out == ""
    assert captured.err == ""


def test_a_zero_lock_forbids_its_pair(kit: SimpleNamespace) -> None:
    base = kit.week(
        products=[kit.product()], growers=[kit.grower("near"), kit.grower("far")],
        canteens=[kit.canteen("c")],
        offers=[("near", "carotte", 50), ("far", "carotte", 10)],
        orders=[("c", "carotte", kit.DAY1, 30)],
        km={("near", "c"): 5, ("far", "c"): 20}, weights=NO_FAIRNESS,
    )
    problem = kit.replace(base, locked=(AllocationRow("near", "c", "carotte", kit.DAY1, 0),))
    result = solve(problem)
    kit.check_plan(problem, result)
    assert kit.rows_of(result) == {("far", "c", "carotte", kit.DAY1): 10}


def test_mixed_contract_and_regular_orders_of_one_line_serve_the_contract_first(
    kit: SimpleNamespace,
) -> None:
    problem = kit.week(
        products=[kit.product()], growers=[kit.grower("g")],
        canteens=[kit.canteen("c"), kit.canteen("d")],
        offers=[("g", "carotte", 40)],
        orders=[("c", "carotte", kit.DAY1, 30, "regular"),
                ("c", "carotte", kit.DAY1, 20, "contract"),
                ("d", "carotte", kit.DAY1, 30, "regular")],
        km={("g", "c"): 50, ("g", "d"): 1}, weights=NO_FAIRNESS,
    )
    result = solve(problem)
    kit.check_plan(problem, result)
    assert kit.rows_of(result)[("g", "c", "carotte", kit.DAY1)] == pytest.approx(20)
    assert [s.quantity for s in result.shortfalls] == pytest.approx([30, 0, 10])
    assert result.metrics.contract_fill_rate == 1.0


def test_a_crate_may_combine_any_day_and_named_day_offers(kit: SimpleNamespace) -> None:
    problem = kit.week(
        products=[kit.product(lot=5)], growers=[kit.grower("g")], canteens=[kit.canteen("c")],
        offers=[("g", "carotte", 3), ("g", "carotte", 3, kit.DAY1)],
        orders=[("c", "carotte", kit.DAY1, 10)], km={("g", "c"): 5},
    )
    result = solve(problem)
    kit.check_plan(problem, result)
    assert result.status == "optimal"
    assert kit.rows_of(result) == {("g", "c", "carotte", kit.DAY1): 5}
