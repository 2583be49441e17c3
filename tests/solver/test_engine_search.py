"""Integer weeks too large for one MIP: a valid plan at once, a better one with more time, the
search's work counted from HiGHS's own counts, and every MIP started from the plan it improves."""

from __future__ import annotations

import dataclasses
import importlib
import random
import tempfile
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from solver.engine import index_problem, search, solve
from solver.engine.clock import now
from solver.engine.index import FloatArray, ProblemIndex
from solver.engine.linear import LinearModel, LinearSolution
from solver.engine.model import build_weighted_model
from solver.engine.report import evaluate
from solver.engine.search import (
    ROW_ITERATIONS_PER_PAIR,
    STEP_MAX_NODES,
    UNCOUNTED_WORK_PER_PAIR,
    improve_by_closing_trips,
    improve_by_neighbourhoods,
    improve_by_products,
    improve_by_small_trips,
    scope_targets,
    step_work,
)
from solver.engine.served import plan_served
from solver.engine.solve import WHOLE_MIP_MAX_PAIRS
from solver.problem import AllocationRow, Weights
from tests.solver.test_bound import benchmark_module

SOLVE_MODULE = importlib.import_module("solver.engine.solve")


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
    limit = problem.settings.max_growers_per_line
    switched_on = sum(
        int(np.count_nonzero(plan[pairs] > 0))
        for pairs in index.pairs_of_line if len(pairs) > limit
    )
    assert values[len(model.x):].sum() == switched_on + evaluate(index, plan).deliveries

    _, found = model.solve(60.0, max_nodes=1, start=plan)

    assert found is not None
    assert evaluate(index, found).weighted <= evaluate(index, plan).weighted + 1e-9


def _crossed_week(kit: SimpleNamespace) -> tuple[ProblemIndex, FloatArray]:
    """Return a week where two growers each hold one crate of two products, two canteens
    each want one of each, and a plan where each grower drives to both canteens (4 trips)
    where 2 suffice; no single canteen can be served by one grower without the other
    canteen changing too."""
    products = [kit.product("p", lot=1.0), kit.product("q", lot=1.0)]
    problem = kit.week(
        products=products,
        growers=[kit.grower("a"), kit.grower("b")],
        canteens=[kit.canteen("x"), kit.canteen("y")],
        offers=[("a", "p", 1.0), ("a", "q", 1.0), ("b", "p", 1.0), ("b", "q", 1.0)],
        orders=[(c, p, kit.DAY1, 1.0) for c in ("x", "y") for p in ("p", "q")],
        km={(g, c): 10.0 for g in ("a", "b") for c in ("x", "y")},
        weights=Weights(distance=0.0, fairness=0.0, deliveries=20.0),
    )
    index = index_problem(problem)
    crossed = {("a", "x", "p"), ("a", "y", "q"), ("b", "x", "q"), ("b", "y", "p")}
    plan = np.zeros(index.num_pairs)
    for pair in range(index.num_pairs):
        line = index.lines[index.pair_line[pair]]
        grower = index.grower_ids[index.pair_grower[pair]]
        if (grower, line.canteen, line.product) in crossed:
            plan[pair] = 1.0
    assert evaluate(index, plan).deliveries == 4
    return index, plan


def test_kept_pairs_send_what_they_sent(kit: SimpleNamespace) -> None:
    index, plan = _crossed_week(kit)
    kept = np.asarray(index.pair_grower == index.grower_ids.index("b"))
    lines = list(range(len(index.lines)))
    contract_target, total_target = scope_targets(index, lines, plan)
    free = build_weighted_model(index, lines, plan, contract_target, total_target)
    restricted = build_weighted_model(
        index, lines, plan, contract_target, total_target, kept=kept
    )

    _, best = free.solve(60.0, start=plan)
    _, held = restricted.solve(60.0, start=plan)

    assert best is not None and held is not None
    assert evaluate(index, best).deliveries == 2
    # Grower b's crates stay where they were, so grower a cannot gather its own either.
    assert np.array_equal(held[kept], plan[kept])
    assert evaluate(index, held).deliveries == 4


def test_a_group_of_growers_trades_whole_canteens(
    kit: SimpleNamespace, monkeypatch: pytest.MonkeyPatch
) -> None:
    index, plan = _crossed_week(kit)
    # Neighbourhoods of canteens hold one canteen here, as on a week too big for two at once.
    for size in ("FIRST", "MIN", "MAX"):
        monkeypatch.setattr(search, f"{size}_NEIGHBOURHOOD_PAIRS", 1)
    canteen_x = [li for li, line in enumerate(index.lines) if line.canteen == "x"]
    contract_target, total_target = scope_targets(index, canteen_x, plan)
    one_canteen = build_weighted_model(index, canteen_x, plan, contract_target, total_target)
    _, alone = one_canteen.solve(60.0, start=plan)
    assert alone is not None and evaluate(index, alone).deliveries == 4

    improved = improve_by_neighbourhoods(index, plan, now() + 60.0)

    assert evaluate(index, improved).deliveries == 2
    for product in ("p", "q"):
        of_product = np.array([index.lines[li].product == product for li in index.pair_line])
        assert improved[of_product].sum() == plan[of_product].sum() == 2.0


def test_a_product_step_moves_a_product_onto_a_trip_another_product_makes(
    kit: SimpleNamespace,
) -> None:
    # a already drives p to x; b drives r there alone. Re-solving r alone, a takes it on its
    # trip, paid by p: one trip instead of two.
    # b is nearer: only the trip a already makes tips r its way.
    index = _one_canteen_week(
        kit, [("a", "p"), ("a", "r"), ("b", "r")], km={"a": 6.0, "b": 5.0}
    )
    plan = _each_line_served_by(index, {"p": "a", "r": "b"})
    assert evaluate(index, plan).deliveries == 2

    improved = improve_by_products(index, plan, now() + 60.0)

    assert evaluate(index, improved).deliveries == 1
    assert np.array_equal(improved, _each_line_served_by(index, {"p": "a", "r": "a"}))
    # No budget, no step.
    assert np.array_equal(improve_by_products(index, plan, now() + 60.0, max_work=0.0), plan)


def test_product_steps_pass_again_over_products_a_later_step_opened_moves_to(
    kit: SimpleNamespace,
) -> None:
    # a drives p to x, far b drives q. p's step comes first and finds nothing: g, nearer
    # than b but farther than a, makes no trip yet. q's step moves q to g. Only a second pass
    # moves p onto g's trip: one trip instead of two.
    index = _one_canteen_week(
        kit, [("a", "p"), ("b", "q"), ("g", "p"), ("g", "q")],
        km={"a": 5.0, "b": 50.0, "g": 10.0},
    )
    plan = _each_line_served_by(index, {"p": "a", "q": "b"})
    assert evaluate(index, plan).deliveries == 2

    improved = improve_by_products(index, plan, now() + 60.0)

    assert evaluate(index, improved).deliveries == 1
    assert np.array_equal(improved, _each_line_served_by(index, {"p": "g", "q": "g"}))


def _one_canteen_week(
    kit: SimpleNamespace, offers: list[tuple[str, str]], km: dict[str, float]
) -> ProblemIndex:
    """Return the index of a week where canteen x orders 10 kg of each product offered, each
    (grower, product) offering 10 kg; km from each grower to x; trips cost 10, a kg·km 0.01."""
    products = sorted({product for _, product in offers})
    problem = kit.week(
        products=[kit.product(product, lot=1.0) for product in products],
        growers=[kit.grower(grower) for grower in km],
        canteens=[kit.canteen("x")],
        offers=[(grower, product, 10.0) for grower, product in offers],
        orders=[("x", product, kit.DAY1, 10.0) for product in products],
        km={(grower, "x"): distance for grower, distance in km.items()},
        weights=Weights(distance=0.01, fairness=0.0, deliveries=10.0),
        max_growers_per_line=3,
    )
    return index_problem(problem)


def _each_line_served_by(index: ProblemIndex, grower_of_product: dict[str, str]) -> FloatArray:
    """Return the plan in which each line (10 kg) is served whole by its product's grower."""
    return np.array([
        10.0 if index.grower_ids[g] == grower_of_product[index.lines[li].product] else 0.0
        for g, li in zip(index.pair_grower.tolist(), index.pair_line.tolist(), strict=True)
    ])


@pytest.mark.parametrize("scope_pairs", [search.SMALL_TRIP_SCOPE_PAIRS, 0])
def test_a_small_trip_step_moves_two_products_together_where_product_steps_cannot(
    kit: SimpleNamespace, scope_pairs: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # x drives r to c1 and p, q to c2; y drives p, q to c1. Moving p alone, or q alone, leaves
    # x's trip to c2 made by the other: only both together close it (x brings p, q to c1 with
    # r, y takes c2). Small weeks re-solve the products everywhere, large ones (scope_pairs 0)
    # where x drives: here the same lines.
    monkeypatch.setattr(search, "SMALL_TRIP_SCOPE_PAIRS", scope_pairs)
    problem = kit.week(
        products=[kit.product(name, lot=1.0) for name in ("p", "q", "r")],
        growers=[kit.grower("x"), kit.grower("y")],
        canteens=[kit.canteen("c1"), kit.canteen("c2")],
        offers=[("x", "p", 10.0), ("x", "q", 10.0), ("x", "r", 10.0),
                ("y", "p", 10.0), ("y", "q", 10.0)],
        orders=[("c1", "p", kit.DAY1, 10.0), ("c1", "q", kit.DAY1, 10.0),
                ("c1", "r", kit.DAY1, 10.0), ("c2", "p", kit.DAY1, 10.0),
                ("c2", "q", kit.DAY1, 10.0)],
        km={(g, c): 5.0 for g in ("x", "y") for c in ("c1", "c2")},
        weights=Weights(distance=0.01, fairness=0.0, deliveries=10.0),
        max_growers_per_line=3,
    )
    index = index_problem(problem)
    crossed = {("x", "c1", "r"), ("x", "c2", "p"), ("x", "c2", "q"), ("y", "c1", "p"),
               ("y", "c1", "q")}
    plan = np.array([
        10.0 if (index.grower_ids[g], index.lines[li].canteen, index.lines[li].product) in crossed
        else 0.0
        for g, li in zip(index.pair_grower.tolist(), index.pair_line.tolist(), strict=True)
    ])
    assert evaluate(index, plan).deliveries == 3
    assert evaluate(index, improve_by_products(index, plan, now() + 60.0)).deliveries == 3

    improved = improve_by_small_trips(index, plan, now() + 60.0)

    assert evaluate(index, improved).deliveries == 2
    trips = {(index.grower_ids[index.pair_grower[p]], index.lines[index.pair_line[p]].canteen)
             for p in np.flatnonzero(improved > 0)}
    assert trips == {("x", "c1"), ("y", "c2")}
    # No budget, no step.
    assert np.array_equal(improve_by_small_trips(index, plan, now() + 60.0, max_work=0.0), plan)


def _chain_week(kit: SimpleNamespace) -> tuple[ProblemIndex, FloatArray]:
    """Return a week and a plan of 4 trips where 2 serve everything.

    x drives r to c1 (only x grows r) and p, q, u to c2; y drives s to c2 (only y grows s);
    z, nearest c1, drives p, q, u there. Each grower offers 10 kg of what it grows, each
    canteen orders 10 kg of each product it names. The best plan: x brings p, q, u to c1
    with r, y to c2 with s — z's trip closes only if x's offers leave c2 for c1 and y's
    take their place, the three products together."""
    km = {("x", "c1"): 5.0, ("x", "c2"): 5.0, ("y", "c1"): 5.0, ("y", "c2"): 5.0,
          ("z", "c1"): 4.0, ("z", "c2"): 5.0}
    problem = kit.week(
        products=[kit.product(name, lot=1.0) for name in ("p", "q", "u", "r", "s")],
        growers=[kit.grower(name) for name in ("x", "y", "z")],
        canteens=[kit.canteen("c1"), kit.canteen("c2")],
        offers=[(grower, product, 10.0) for grower, products in
                (("x", "pqur"), ("y", "pqus"), ("z", "pqu")) for product in products],
        orders=[(canteen, product, kit.DAY1, 10.0) for canteen, products in
                (("c1", "pqur"), ("c2", "pqus")) for product in products],
        km=km,
        weights=Weights(distance=0.01, fairness=0.0, deliveries=10.0),
        max_growers_per_line=3,
    )
    index = index_problem(problem)
    return index, _plan_of(index, {("x", "c1"): "r", ("x", "c2"): "pqu", ("y", "c2"): "s",
                                   ("z", "c1"): "pqu"})


def _plan_of(index: ProblemIndex, carried: dict[tuple[str, str], str]) -> FloatArray:
    """Return the plan in which each (grower, canteen) trip carries 10 kg of each product
    named."""
    return np.array([
        10.0 if index.lines[li].product in carried.get(
            (index.grower_ids[g], index.lines[li].canteen), "") else 0.0
        for g, li in zip(index.pair_grower.tolist(), index.pair_line.tolist(), strict=True)
    ])


def test_closing_a_trip_moves_its_products_along_a_chain_where_other_steps_cannot(
    kit: SimpleNamespace,
) -> None:
    index, plan = _chain_week(kit)
    assert evaluate(index, plan).deliveries == 4
    # One product at a time leaves z's trip made by the other two; z's trip carries three
    # pairs, no small trip; x's and y's small trips carry what only they grow.
    for step in (improve_by_products, improve_by_small_trips):
        assert np.array_equal(step(index, plan, now() + 60.0), plan)

    closed = improve_by_closing_trips(index, plan, now() + 60.0)

    assert np.array_equal(closed, _plan_of(index, {("x", "c1"): "pqur", ("y", "c2"): "pqus"}))
    assert evaluate(index, closed).deliveries == 2
    # No budget, no step.
    assert np.array_equal(improve_by_closing_trips(index, plan, now() + 60.0, max_work=0.0), plan)


def test_a_trip_carrying_a_locked_quantity_stays(kit: SimpleNamespace) -> None:
    # The coordinator locked z's 10 kg of p at c1: z's trip is made whatever the rest. x's
    # trip to c2 still closes (y takes p, q, u there), one trip fewer instead of two.
    index, plan = _chain_week(kit)
    index = index_problem(dataclasses.replace(index.problem, locked=(
        AllocationRow("z", "c1", "p", kit.DAY1, 10.0),
    )))

    closed = improve_by_closing_trips(index, plan, now() + 60.0)

    trips = {(index.grower_ids[index.pair_grower[p]], index.lines[index.pair_line[p]].canteen)
             for p in np.flatnonzero(closed > 0)}
    assert trips == {("x", "c1"), ("y", "c2"), ("z", "c1")}
    locked_pair = next(
        p for p in range(index.num_pairs)
        if index.grower_ids[index.pair_grower[p]] == "z"
        and index.lines[index.pair_line[p]].canteen == "c1"
        and index.lines[index.pair_line[p]].product == "p"
    )
    assert closed[locked_pair] == 10.0


@pytest.mark.parametrize(("most_failures", "steps_seen"), [
    (1000, "100010100000000000"), (4, "10001010000"), (1, "10"),
])
def test_closing_steps_stop_after_so_many_mips_in_a_row_that_close_no_trip(
    kit: SimpleNamespace, monkeypatch: pytest.MonkeyPatch, most_failures: int, steps_seen: str
) -> None:
    # Each character a closing MIP, 1 where it closed a trip: with no stop rule they go on
    # to the last small trip; with one, they stop after that many 0s in a row.
    index = index_problem(kit.random_week(4, 11, 10, 6, lots=True))
    first = plan_served(index, now() + 60.0).quantities
    monkeypatch.setattr(search, "CLOSING_MAX_FAILURES", most_failures)
    seen: list[str] = []
    original = search._Effort.step

    def step(
        self: search._Effort, index: ProblemIndex, scope: list[int], size: int,
        quantities: FloatArray, **options: object,
    ) -> tuple[LinearSolution, FloatArray | None]:
        solution, plan = original(self, index, scope, size, quantities, **options)  # type: ignore[arg-type]
        closed = plan is not None and evaluate(index, plan).weighted < evaluate(
            index, quantities).weighted
        seen.append("1" if closed else "0")
        return solution, plan

    monkeypatch.setattr(search._Effort, "step", step)

    improve_by_closing_trips(index, first, now() + 60.0)

    assert "".join(seen) == steps_seen


def test_a_trip_whose_products_the_other_trips_cannot_carry_costs_no_mip(
    kit: SimpleNamespace, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without y's offers of p, q, u nobody can take x's place at c2: z's trip cannot close,
    # nor can any other (r and s have a single grower each).
    index, plan = _chain_week(kit)
    problem = index.problem
    index = index_problem(dataclasses.replace(problem, availability=tuple(
        a for a in problem.availability if a.grower != "y" or a.product == "s"
    )))
    plan = _plan_of(index, {("x", "c1"): "r", ("x", "c2"): "pqu", ("y", "c2"): "s",
                            ("z", "c1"): "pqu"})
    steps: list[int] = []
    original = search._Effort.step

    def counted(self: search._Effort, *args: object, **kwargs: object) -> object:
        steps.append(1)
        return original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(search._Effort, "step", counted)

    assert np.array_equal(improve_by_closing_trips(index, plan, now() + 60.0), plan)
    assert steps == []


@pytest.mark.parametrize(("seed", "loose"), [(1, False), (2, False), (3, False), (1, True)])
def test_a_trip_said_unable_to_close_has_an_infeasible_mip(
    kit: SimpleNamespace, seed: int, loose: bool
) -> None:
    # The maximum flow only skips MIPs that could not have closed the trip, counted in whole
    # lots (crates), or in quantities rounded up for products sold loose (every other one).
    problem = kit.random_week(seed, 8, 7, 6, lots=True)
    if loose:
        problem = dataclasses.replace(problem, products=tuple(
            dataclasses.replace(product, lot=None) if number % 2 else product
            for number, product in enumerate(problem.products)
        ))
    index = index_problem(problem)
    assert index.integer_mode
    plan = improve_by_neighbourhoods(
        index, plan_served(index, now() + 60.0).quantities, now() + 60.0, max_work=2_000.0
    )
    sending = plan > 0
    carried_on = np.bincount(index.pair_trip[sending], minlength=index.trip_id_bound)
    said_unable = 0
    for trip in np.flatnonzero(carried_on).tolist():
        on_trip = index.pair_trip == trip
        blocked = (carried_on[index.pair_trip] == 0) | on_trip
        products = np.unique(index.pair_product[on_trip & sending]).tolist()
        if all(search._can_carry_without(index, plan, product, blocked) for product in products):
            continue
        said_unable += 1
        scope = [li for li, line_pairs in enumerate(index.pairs_of_line)
                 if line_pairs and index.pair_product[line_pairs[0]] in products]
        contract_target, total_target = scope_targets(index, scope, plan)
        model = build_weighted_model(
            index, scope, plan, contract_target, total_target, blocked=blocked
        )
        solution, _ = model.solve(60.0)
        assert solution.outcome == "none"
    assert said_unable > 0


@pytest.mark.parametrize(
    "improve", [improve_by_products, improve_by_small_trips, improve_by_closing_trips]
)
def test_product_small_trip_and_closing_steps_never_worsen_a_plan_and_keep_what_each_serves(
    kit: SimpleNamespace, improve: Callable[..., FloatArray]
) -> None:
    problem = kit.random_week(11, 10, 8, 6, lots=True)
    index = index_problem(problem)
    first = plan_served(index, now() + 60.0).quantities
    product_of_pair = np.array([index.lines[li].product for li in index.pair_line])

    improved = improve(index, first, now() + 60.0)

    assert evaluate(index, improved).weighted < evaluate(index, first).weighted
    for product in set(product_of_pair.tolist()):
        mine = product_of_pair == product
        assert improved[mine].sum() == pytest.approx(first[mine].sum())
    limit = problem.settings.max_growers_per_line
    for pairs in index.pairs_of_line:
        assert np.count_nonzero(improved[pairs] > 0) <= limit


STEP_BUDGETS_BENCHMARK = Path(__file__).resolve().parents[2] / "benchmarks" / "step_budgets.py"


def test_the_step_budgets_measured_are_the_ones_solved_with_and_restored() -> None:
    step_budgets = benchmark_module(STEP_BUDGETS_BENCHMARK)
    kept = [getattr(SOLVE_MODULE, name) for name in step_budgets.BUDGETS]
    seen: list[float] = []
    original = SOLVE_MODULE.improve_by_closing_trips

    def closing(*args: object, max_work: float, **kwargs: object) -> FloatArray:
        seen.append(max_work)
        return original(*args, max_work=max_work, **kwargs)  # type: ignore[arg-type]

    SOLVE_MODULE.improve_by_closing_trips = closing  # type: ignore[assignment]
    try:
        weighted, line, thread_cpu_s = step_budgets.solve_week("mid:1", (0.0, 0.0, 7.0), 4.0)
    finally:
        SOLVE_MODULE.improve_by_closing_trips = original  # type: ignore[assignment]
    assert seen == [28.0]
    assert [getattr(SOLVE_MODULE, name) for name in step_budgets.BUDGETS] == kept
    assert weighted > 0 and thread_cpu_s > 0
    assert line.startswith("  mid:1: weighted ")
