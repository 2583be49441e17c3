"""Operational weeks: the proven lower bound on stage 4, no cliff below the whole-MIP size,
and the same plan on every run whatever the machine's load."""

from __future__ import annotations

import importlib.util
import itertools
import multiprocessing
import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from solver.bench.generate import generate_instance
from solver.engine import index_problem, solve
from solver.engine.bound import start_trip_bounds, trips_lower_bound
from solver.engine.clock import now
from solver.engine.linear import LinearModel
from solver.engine.report import build_result, evaluate
from solver.engine.served import plan_served, relaxed_week_model, round_relaxation
from solver.engine.trip_scaling import plan_by_joint_relaxation
from solver.io import read_problem
from solver.problem import Problem, Result, Weights
from tests.solver.test_properties import build, weeks

SOLVE_MODULE = sys.modules["solver.engine.solve"]


def brute_force_optimum(kit: SimpleNamespace, problem: Problem) -> tuple[float, int]:
    """Return (least weighted value, fewest trips) over every plan in whole lots that serves
    the most contract value, then the most value: every quantity of every pair is tried."""
    lots = {p.id: p.lot or 1.0 for p in problem.products}
    price = {p.id: p.price for p in problem.products}
    offer = {(a.grower, a.product): a.quantity for a in problem.availability}
    pairs = [
        (g.id, o.canteen, o.product, o.day)
        for g in problem.growers for o in problem.orders if (g.id, o.product) in offer
    ]
    line_qty: dict[tuple[str, str, str], float] = {}
    for o in problem.orders:
        line_qty[(o.canteen, o.product, o.day)] = line_qty.get(
            (o.canteen, o.product, o.day), 0.0) + o.quantity
    choices = [
        [k * lots[p] for k in range(int(min(offer[(g, p)], line_qty[(c, p, d)]) // lots[p]) + 1)]
        for g, c, p, d in pairs
    ]
    limit = problem.settings.max_growers_per_line
    plans: list[tuple[float, float, dict[tuple[str, str, str, str], float]]] = []
    for quantities in itertools.product(*choices):
        plan = dict(zip(pairs, quantities, strict=True))
        sent: dict[tuple[str, str], float] = {}
        received: dict[tuple[str, str, str], float] = {}
        growers: dict[tuple[str, str, str], int] = {}
        for (g, c, p, d), q in plan.items():
            sent[(g, p)] = sent.get((g, p), 0.0) + q
            received[(c, p, d)] = received.get((c, p, d), 0.0) + q
            growers[(c, p, d)] = growers.get((c, p, d), 0) + (q > 0)
        if any(q > offer[key] + 1e-9 for key, q in sent.items()):
            continue
        if any(q > line_qty[key] + 1e-9 for key, q in received.items()):
            continue
        if limit is not None and any(n > limit for n in growers.values()):
            continue
        contract = sum(
            min(q, sum(o.quantity for o in problem.orders
                       if (o.canteen, o.product, o.day) == key and o.priority == "contract"))
            * price[key[1]] for key, q in received.items()
        )
        served = sum(q * price[key[1]] for key, q in received.items())
        plans.append((contract, served, plan))
    best_contract = max(c for c, _, _ in plans)
    best_served = max(s for c, s, _ in plans if c >= best_contract - 1e-9)
    best = [plan for c, s, plan in plans
            if c >= best_contract - 1e-9 and abs(s - best_served) <= 1e-9]
    fewest_trips = min(
        len({(g, c, d) for (g, c, _, d), q in plan.items() if q > 0}) for plan in best
    )
    weighted = min(kit.spec_weighted(problem, as_result(problem, plan)) for plan in best)
    return weighted, fewest_trips


def as_result(problem: Problem, plan: dict[tuple[str, str, str, str], float]) -> Result:
    """Wrap a brute-force plan as a result that `spec_weighted` reads."""
    from solver.problem import AllocationRow

    rows = tuple(AllocationRow(g, c, p, d, q) for (g, c, p, d), q in plan.items() if q > 0)
    return Result(status="feasible", allocations=rows)


def two_canteens_needing_two_growers(kit: SimpleNamespace, deliveries: float) -> Problem:
    """Each canteen orders 20 kg of carrots; no grower can bring more than 10 kg to one."""
    problem: Problem = kit.week(
        products=[kit.product("carotte", lot=5), kit.product("poireau", lot=5)],
        growers=[kit.grower("a"), kit.grower("b"), kit.grower("c")],
        canteens=[kit.canteen("x"), kit.canteen("y")],
        offers=[("a", "carotte", 10), ("b", "carotte", 10), ("c", "carotte", 10),
                ("c", "poireau", 10)],
        orders=[("x", "carotte", kit.DAY1, 10, "contract"), ("y", "carotte", kit.DAY1, 20),
                ("x", "poireau", kit.DAY1, 10)],
        km={("a", "x"): 30, ("a", "y"): 5, ("b", "x"): 10, ("b", "y"): 12,
            ("c", "x"): 8, ("c", "y"): 20},
        weights=Weights(distance=0.1, fairness=1.0, deliveries=deliveries),
        max_growers_per_line=2,
    )
    return problem


@pytest.mark.parametrize("deliveries", [0.0, 3.0, 50.0])
def test_the_bound_never_exceeds_the_brute_force_optimum(
    kit: SimpleNamespace, deliveries: float
) -> None:
    problem = two_canteens_needing_two_growers(kit, deliveries)
    weighted, fewest_trips = brute_force_optimum(kit, problem)
    result = solve(problem)
    kit.check_plan(problem, result)
    bound = result.metrics.weighted_lower_bound
    assert bound is not None
    assert bound <= weighted + 1e-6
    assert result.metrics.weighted == pytest.approx(kit.spec_weighted(problem, result))
    # The week is small: the whole MIP proves its optimum, which is the brute force's.
    assert result.status == "optimal"
    assert result.metrics.weighted == pytest.approx(weighted, abs=1e-6)
    assert bound == pytest.approx(weighted, rel=1e-4)
    assert result.metrics.gap == pytest.approx(0.0, abs=1e-4)
    if deliveries:
        index = index_problem(problem)
        served = plan_served(index, time.perf_counter() + 10)
        counted = trips_lower_bound(
            index, served.contract_target, served.total_target, time.perf_counter() + 10
        )
        assert 0 < counted <= fewest_trips


def test_the_trip_bound_counts_every_grower_a_full_line_needs(kit: SimpleNamespace) -> None:
    problem = two_canteens_needing_two_growers(kit, 50.0)
    _, fewest_trips = brute_force_optimum(kit, problem)
    index = index_problem(problem)
    served = plan_served(index, time.perf_counter() + 10)
    counted = trips_lower_bound(
        index, served.contract_target, served.total_target, time.perf_counter() + 10
    )
    # Every carrot offered must be served: y's 20 kg need two growers (10 kg each at most),
    # x's carrots and leeks one (c): 3 trips at least, and a plan makes only 3.
    assert counted == fewest_trips == 3


def separate_and_joint_bounds(problem: Problem) -> tuple[float | None, float | None]:
    """Return the sum of the separate parts of the bound (LP without trips + fewest trips)
    and the bound of the LP of trips and quantities together, computed apart from a solve."""
    index = index_problem(problem)
    deadline = now() + 60.0
    served = plan_served(index, deadline)
    assert served.proven
    guide = relaxed_week_model(index, served)
    guide_solution, _ = guide.solve(60.0)
    trip_bounds = SOLVE_MODULE.start_trip_bounds_of_week(index, served, deadline)
    fewest = trip_bounds.fewest()
    assert fewest is not None
    separate = SOLVE_MODULE.weighted_lower_bound(
        index, served, guide, guide_solution, fewest, deadline
    )
    joint = trip_bounds.joint()
    return separate, None if joint is None else SOLVE_MODULE.lowered_by_tolerance(joint)


@pytest.mark.parametrize("deliveries", [0.0, 3.0, 50.0])
def test_the_joint_bound_lies_between_the_separate_parts_and_the_brute_force_optimum(
    kit: SimpleNamespace, deliveries: float
) -> None:
    problem = two_canteens_needing_two_growers(kit, deliveries)
    weighted, _ = brute_force_optimum(kit, problem)
    separate, joint = separate_and_joint_bounds(problem)
    assert separate is not None and joint is not None
    # Each bound is lowered by the solver's relative tolerance (1e-7), on different totals.
    assert separate - 1e-6 * (1 + abs(separate)) <= joint <= weighted + 1e-6


def one_trip_saved_by_a_longer_drive(kit: SimpleNamespace) -> Problem:
    """Grower b must bring x's leeks; x's carrots come 20 km closer from a, at one more trip."""
    problem: Problem = kit.week(
        products=[kit.product("carotte", lot=5), kit.product("poireau", lot=5)],
        growers=[kit.grower("a"), kit.grower("b")],
        canteens=[kit.canteen("x")],
        offers=[("a", "carotte", 10), ("b", "carotte", 10), ("b", "poireau", 10)],
        orders=[("x", "carotte", kit.DAY1, 10), ("x", "poireau", kit.DAY1, 10)],
        km={("a", "x"): 5, ("b", "x"): 25},
        weights=Weights(distance=0.1, fairness=0.0, deliveries=50.0),
        max_growers_per_line=2,
    )
    return problem


def test_the_joint_bound_prices_the_trip_that_the_separate_parts_miss(
    kit: SimpleNamespace,
) -> None:
    problem = one_trip_saved_by_a_longer_drive(kit)
    weighted, fewest_trips = brute_force_optimum(kit, problem)
    # Best: b brings both (500 kg·km × 0.1 + one trip × 50); a's carrots cost a second trip.
    assert (weighted, fewest_trips) == (pytest.approx(100.0), 1)
    separate, joint = separate_and_joint_bounds(problem)
    # The separate parts: the carrots from a (300 kg·km × 0.1) plus one trip at least.
    assert separate == pytest.approx(80.0, rel=1e-6)
    assert joint == pytest.approx(100.0, rel=1e-6)
    result = solve(problem)
    assert result.metrics.weighted == pytest.approx(100.0)
    assert result.metrics.weighted_lower_bound == pytest.approx(100.0, rel=1e-6)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(parts=weeks(integer=True))
def test_the_joint_bound_never_exceeds_the_reference_optimum(
    kit: SimpleNamespace, parts: dict[str, Any]
) -> None:
    problem = build(kit, parts)
    index = index_problem(problem)
    if not plan_served(index, now() + 60.0).proven:
        return
    separate, joint = separate_and_joint_bounds(problem)
    reference = kit.reference_optimum(problem)
    assert reference.weighted is not None
    if joint is None:
        return
    assert separate is not None
    assert joint >= separate - 1e-6 * (1 + abs(separate))
    slack_eur = 2 * problem.settings.weights.fairness * 1e-7 * (1 + reference.served_eur)
    assert joint <= reference.weighted + 1e-6 * (1 + abs(reference.weighted)) + slack_eur


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(parts=weeks(integer=True))
def test_the_bound_never_exceeds_the_reference_optimum(
    kit: SimpleNamespace, parts: dict[str, Any]
) -> None:
    problem = build(kit, parts)
    result = solve(problem)
    kit.check_plan(problem, result)
    bound = result.metrics.weighted_lower_bound
    assert result.metrics.weighted == pytest.approx(
        kit.spec_weighted(problem, result), rel=1e-9, abs=1e-6
    )
    assert bound is not None
    assert bound <= result.metrics.weighted + 1e-9
    reference = kit.reference_optimum(problem)
    assert reference.weighted is not None
    slack_eur = 2 * problem.settings.weights.fairness * 1e-7 * (1 + reference.served_eur)
    assert bound <= reference.weighted + 1e-6 * (1 + abs(reference.weighted)) + slack_eur


def week_of(kit: SimpleNamespace, seed: int, size: tuple[int, int, int]) -> Problem:
    """A random operational week with a cost per trip, at the default 10 s limit: its search
    stops on its work budget (HiGHS's simplex work counted, `search.step_work`) long before
    the CPU safety net, so that every run does the same work even on a loaded machine."""
    problem: Problem = kit.random_week(seed, *size, lots=True)
    return problem


# (seed, growers × canteens × products, fewest pairs, most pairs): a week just under the whole
# MIP's size (914 pairs), where the MIP proves its plan optimal, and a mid-size week (2,062
# pairs, the size the issue asks for), above it.
JUST_UNDER = (3, (14, 12, 10), 800, SOLVE_MODULE.WHOLE_MIP_MAX_PAIRS)
MID_SIZE = (1, (20, 18, 12), 2000, 3000)


@pytest.mark.parametrize(("seed", "size", "fewest", "most"), [JUST_UNDER, MID_SIZE])
def test_no_cliff_below_the_whole_mip_size(
    kit: SimpleNamespace,
    seed: int,
    size: tuple[int, int, int],
    fewest: int,
    most: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    problem = week_of(kit, seed, size)
    pairs = index_problem(problem).num_pairs
    assert fewest <= pairs <= most
    result = solve(problem)
    kit.check_plan(problem, result)
    monkeypatch.setattr(SOLVE_MODULE, "WHOLE_MIP_MAX_PAIRS", 0)
    heuristic = solve(problem)
    kit.check_plan(problem, heuristic)
    assert result.metrics.served_eur == pytest.approx(heuristic.metrics.served_eur)
    best = kit.spec_weighted(problem, heuristic)
    assert kit.spec_weighted(problem, result) <= best + 1e-9 * (1 + abs(best))
    assert result.metrics.weighted_lower_bound is not None
    assert result.metrics.weighted_lower_bound <= result.metrics.weighted
    if pairs <= SOLVE_MODULE.WHOLE_MIP_MAX_PAIRS:
        # The whole MIP proves its plan optimal, which the search alone does not.
        assert result.status == "optimal"
        assert heuristic.status == "feasible"


def test_the_plan_rounded_from_the_lp_of_trips_keeps_every_rule_and_makes_fewer_trips(
    kit: SimpleNamespace,
) -> None:
    problem = week_of(kit, *MID_SIZE[:2])
    index = index_problem(problem)
    deadline = now() + 60.0
    served = plan_served(index, deadline)
    limit = problem.settings.time_limit_s
    assert served.proven and index.num_pairs <= SOLVE_MODULE.joint_guide_max_pairs(limit)
    joint = SOLVE_MODULE.start_trip_bounds_of_week(index, served, deadline).joint_quantities()
    assert joint is not None

    guided = plan_by_joint_relaxation(index, served, joint)

    kit.check_plan(problem, build_result(index, guided, "feasible", 0.0))
    for lines in index.lines_by_product.values():
        pairs = [p for li in lines for p in index.pairs_of_line[li]]
        assert guided[pairs].sum() == pytest.approx(served.quantities[pairs].sum())
    # The guide LP, without trips, spreads its kg over many more trips than the LP of trips.
    _, relaxed = relaxed_week_model(index, served).solve(60.0)
    assert relaxed is not None
    from_guide = round_relaxation(index, served, relaxed)
    assert evaluate(index, guided).deliveries < evaluate(index, from_guide).deliveries


def test_a_week_waits_for_the_lp_of_trips_when_its_time_limit_leaves_room_for_it(
    kit: SimpleNamespace, monkeypatch: pytest.MonkeyPatch
) -> None:
    rounded: list[float] = []
    from_joint = SOLVE_MODULE.plan_by_joint_relaxation

    def counted(*args: Any) -> Any:
        rounded.append(args[0].problem.settings.time_limit_s)
        return from_joint(*args)

    monkeypatch.setattr(SOLVE_MODULE, "plan_by_joint_relaxation", counted)
    pairs = index_problem(kit.random_week(2, 9, 7, 6, lots=True)).num_pairs
    # The size awaited at 10 s just under this week's: at 10 s it does not wait, while the
    # size awaited at 20 s, larger (the LP's share of the limit the same), takes it in.
    monkeypatch.setattr(SOLVE_MODULE, "JOINT_GUIDE_PAIRS_AT_10_S", pairs - 1)
    assert SOLVE_MODULE.joint_guide_max_pairs(10.0) == pairs - 1
    assert SOLVE_MODULE.joint_guide_max_pairs(20.0) >= pairs
    plans = {}
    for limit in (10.0, 20.0):
        problem = kit.random_week(2, 9, 7, 6, lots=True, time_limit_s=limit)
        index = index_problem(problem)
        deadline = now() + limit
        plans[limit], _, bound = SOLVE_MODULE.solve_integer(
            index, plan_served(index, deadline), deadline
        )
        kit.check_plan(problem, build_result(index, plans[limit], "feasible", 0.0))
        assert bound is not None and bound <= evaluate(index, plans[limit]).weighted + 1e-6
    assert rounded == [20.0]


def _burn(stop_at: float) -> None:
    """Keep one core busy until a time (the CPU hog beside a solve)."""
    x = 0
    while time.time() < stop_at:
        x += 1


@pytest.mark.parametrize(
    ("seed", "size"),
    [
        pytest.param(5, (10, 8, 8), id="small"),
        pytest.param(*JUST_UNDER[:2], id="whole-mip"),
        # 4.8–6.2 CPU s a solve on the 2-core machine on a day it ran 1.9× slow (`solve.py`);
        # 3.3–4.0 s since the models' rows are built as arrays (docs/benchmarks.md).
        pytest.param(*MID_SIZE[:2], id="mid-size", marks=pytest.mark.slow),
    ],
)
def test_the_same_week_gives_the_same_plan_under_load(
    kit: SimpleNamespace, seed: int, size: tuple[int, int, int]
) -> None:
    problem = week_of(kit, seed, size)
    started_cpu_s = now()
    quiet = solve(problem)
    quiet_cpu_s = now() - started_cpu_s
    hogs = [
        multiprocessing.get_context("spawn").Process(target=_burn, args=(time.time() + 120,))
        for _ in range(2)
    ]
    for hog in hogs:
        hog.start()
    try:
        loaded = solve(problem)
    finally:
        for hog in hogs:
            hog.terminate()
            hog.join()
    kit.check_plan(problem, loaded)
    # The quiet run stopped on its work budget, well before the safety net (95 % of the limit,
    # in CPU seconds: `clock.py`). Its CPU time is asserted, not `metrics.solve_s`: wall time
    # grows with whatever else runs on the machine. Its thread's CPU time grows too when both
    # cores are busy (7.5 s for this mid-size week in CI beside the other suite, on a day the
    # machine ran 1.9× slow; 4.8–6.2 s alone): the margin asked is 10 % of the limit.
    assert problem.settings.time_limit_s == 10.0
    assert quiet_cpu_s < 0.85 * problem.settings.time_limit_s
    assert kit.rows_of(loaded) == kit.rows_of(quiet)
    assert loaded.metrics.weighted_lower_bound == quiet.metrics.weighted_lower_bound
    assert loaded.status == quiet.status


MODEL_DIGEST = """
import hashlib
from solver.engine import index_problem
from solver.engine.clock import now
from solver.engine.model import build_weighted_model
from solver.engine.served import plan_served
from solver.problem import Availability
from solver.shares import grower_shares
from tests.solver.conftest import DAY1, DAY2, random_week, replace

problem = random_week(5, 10, 8, 8, lots=True)
# Mixed offers: half of each offer on a named day, the rest on any day.
offers = [o for a in problem.availability for o in (
    Availability(a.grower, a.product, a.quantity / 2, DAY1),
    Availability(a.grower, a.product, a.quantity / 4, DAY2),
    Availability(a.grower, a.product, a.quantity / 4),
)]
# Agreed shares whose float sum depends on the order it is taken in.
growers = tuple(
    replace(g, target_share=0.1 * (i % 7) + 1 / 3) for i, g in enumerate(problem.growers)
)
problem = replace(problem, growers=growers, availability=tuple(offers))
index = index_problem(problem)
served = plan_served(index, now() + 60.0)
model = build_weighted_model(
    index, range(len(index.lines)), served.quantities, served.contract_target,
    served.total_target,
)
text = model.lp.as_lp_text() + repr(sorted(grower_shares(problem).items()))
print(hashlib.sha256(text.encode()).hexdigest())
"""


def test_the_model_does_not_depend_on_the_hash_seed() -> None:
    """Two processes build the same MIP, row for row and bit for bit: the order of the rows
    given to HiGHS and the last bits of the fairness targets decide between plans of equal
    value (department week: 14–26 rows differed between fresh processes, each with its own
    string hash seed)."""

    digests = {
        subprocess.run(
            [sys.executable, "-c", MODEL_DIGEST], capture_output=True, text=True, check=True,
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
        ).stdout.strip()
        for seed in range(1, 5)
    }
    assert len(digests) == 1


def test_the_lp_of_the_bound_by_interior_point_gives_the_same_optimum() -> None:
    def model() -> LinearModel:
        lp = LinearModel()
        x = lp.add_variables(np.zeros(3), np.full(3, 4.0), cost=np.array([1.0, 2.0, 3.0]))
        lp.add_row(x.tolist(), [1.0, 1.0, 1.0], lower=7.0)
        lp.add_row([int(x[0]), int(x[1])], [1.0, -1.0], upper=1.0)
        return lp

    interior = model().solve_interior_point(60.0)
    simplex = model().solve(60.0)

    assert interior.outcome == simplex.outcome == "optimal"
    # x0 + x1 + x2 ≥ 7 with x0 ≤ x1 + 1, each ≤ 4: x0 = 4, x1 = 3 at best, x2 = 0.
    assert interior.bound == pytest.approx(simplex.bound) == pytest.approx(4.0 + 2 * 3.0)


def test_the_trips_bound_is_counted_beside_the_solving_thread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The fewest trips per canteen and day and the LP of trips take the bound's own thread:
    the solving thread's clock, the safety net's, counts none of their work."""
    bound_module = sys.modules["solver.engine.bound"]
    threads: list[threading.Thread] = []
    for name in ("fewest_trips_by_place", "add_trip_relaxation"):
        original = getattr(bound_module, name)

        def spy(*args: Any, _original: Any = original, **kwargs: Any) -> Any:
            threads.append(threading.current_thread())
            return _original(*args, **kwargs)

        monkeypatch.setattr(bound_module, name, spy)
    problem = read_problem(generate_instance("luchon", "operational", 1))

    result = solve(problem)

    assert len(threads) == 2
    assert threading.current_thread() not in threads
    # Both parts still count: the fewest trips make the bound meet the plan (optimal).
    assert result.status == "optimal"
    assert result.metrics.weighted_lower_bound == pytest.approx(result.metrics.weighted)


def test_a_failure_in_the_bound_thread_reaches_the_solving_thread() -> None:
    """The solving thread waits for the fewest trips: a failure before them must end that wait
    with the error, not leave it waiting."""

    def broken_model() -> Any:
        raise RuntimeError("modèle introuvable")

    trip_bounds = start_trip_bounds(broken_model, {}, {}, 10.0)
    with ThreadPoolExecutor(max_workers=1) as waiter:
        waiting = waiter.submit(trip_bounds.fewest)
        with pytest.raises(RuntimeError, match="modèle introuvable"):
            waiting.result(timeout=30)
    with pytest.raises(RuntimeError, match="modèle introuvable"):
        trip_bounds.joint()


STDOUT_SILENCED_IN_TURN = """
import threading
from solver.engine.linear import _native_stdout_silenced

a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()

def first():
    with _native_stdout_silenced():
        print("lost a", flush=True)
        a_in.set()
        b_in.wait()
    a_out.set()

def second():
    a_in.wait()
    with _native_stdout_silenced():
        b_in.set()
        a_out.wait()
        print("lost b", flush=True)

threads = [threading.Thread(target=first), threading.Thread(target=second)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print("seen", flush=True)
"""


def test_stdout_comes_back_after_overlapping_silences() -> None:
    """The bound's thread and the solving thread both silence HiGHS's banner; when the first
    to silence is the first to finish, stdout still comes back once both are done (the JSON
    result of `python -m solver solve` is written there)."""
    completed = subprocess.run(
        [sys.executable, "-c", STDOUT_SILENCED_IN_TURN], capture_output=True, text=True,
        check=True, timeout=60,
    )
    assert completed.stdout == "seen\n"


LAGRANGIAN_BENCHMARK = Path(__file__).resolve().parents[2] / "benchmarks" / "lagrangian_bound.py"


def benchmark_module(path: Path) -> ModuleType:
    """Import a benchmark script (the benchmarks are scripts, not a package)."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("seed", [1, 2])
def test_the_lagrangian_bounds_measured_stay_below_the_proven_optimum(seed: int) -> None:
    # benchmarks/lagrangian_bound.py measures the Lagrangian relaxations issue 22 suggests:
    # its prices must give back the joint LP's optimum with LP blocks (the signs right) and
    # never pass the optimum the solver proves on a luchon-size week, even when its
    # subgradient steps aim above it.
    lagrangian = benchmark_module(LAGRANGIAN_BENCHMARK)
    problem = read_problem(generate_instance("luchon", "operational", seed))
    result = solve(problem)
    assert result.status == "optimal"
    optimum = result.metrics.weighted
    assert optimum is not None
    index = index_problem(problem)
    lp = lagrangian.joint_lp(index)
    for by in ("place", "grower-day", "grower"):
        found = lagrangian.block_bounds(index, lp, by, 10, 200, 1.05 * optimum)
        assert found.check == pytest.approx(lp.optimum + lp.offset, rel=1e-6)
        assert found.at_duals >= found.check - 1e-6 * abs(found.check)
        assert found.best <= optimum + 1e-6 * abs(optimum)


GAP_SPLIT_BENCHMARK = Path(__file__).resolve().parents[2] / "benchmarks" / "gap_split.py"


def test_the_gap_split_measured_puts_the_optimum_between_bound_and_plan() -> None:
    # benchmarks/gap_split.py splits the engine's gap at the optimum HiGHS proves on a small
    # department-like week: the engine's bound lies below that optimum, its plan above.
    gap_split = benchmark_module(GAP_SPLIT_BENCHMARK)
    split = gap_split.measure(12, 6, 20, seed=1, mip_limit_s=300.0)
    assert split.pairs > 100
    assert split.proven
    assert split.dual == pytest.approx(split.best, rel=1e-6)
    assert split.bound <= split.best + 1e-6 * abs(split.best)
    assert split.best <= split.plan + 1e-6 * abs(split.plan)


OPERATIONAL_BOUND_BENCHMARK = (
    Path(__file__).resolve().parents[2] / "benchmarks" / "operational_bound.py"
)


def test_the_operational_table_rewritten_keeps_every_note_and_table_after_it() -> None:
    # `benchmarks/operational_bound.py --markdown docs/benchmarks.md` replaces its section's
    # head and table; the notes after them, which hold tables of their own, stay as they were.
    operational_bound = benchmark_module(OPERATIONAL_BOUND_BENCHMARK)
    docs = (Path(__file__).resolve().parents[2] / "docs" / "benchmarks.md").read_text("utf-8")
    section = "\n".join([
        operational_bound.SECTION, "", "Command: `…`  ", "Machine: …", "",
        *operational_bound.HEADER, "| luchon-operational-1 | 205 | optimal |", "",
    ])

    text = operational_bound.rewritten(docs, section)

    before, _, after = docs.partition(operational_bound.SECTION)
    lines = after.split("\n")
    first_row = next(i for i, line in enumerate(lines) if line.startswith("|"))
    table_end = next(i for i in range(first_row, len(lines)) if not lines[i].startswith("|"))
    assert text == before + section + "\n".join(lines[table_end:])
    assert text.count("\n| ") == docs.count("\n| ") - (table_end - first_row) + 3
    assert operational_bound.rewritten(text, section) == text


JOINT_GUIDE_BENCHMARK = Path(__file__).resolve().parents[2] / "benchmarks" / "joint_guide.py"


def test_the_joint_guide_measured_solves_with_and_without_it_and_restores_the_limit() -> None:
    joint_guide = benchmark_module(JOINT_GUIDE_BENCHMARK)
    kept = SOLVE_MODULE.JOINT_GUIDE_PAIRS_AT_10_S
    pairs, without = joint_guide.solve_week(12, 6, 20, 1, joint=False)
    same_pairs, joint = joint_guide.solve_week(12, 6, 20, 1, joint=True, time_limit_s=20.0)
    assert kept == SOLVE_MODULE.JOINT_GUIDE_PAIRS_AT_10_S
    assert pairs == same_pairs > 100
    # Both runs prove the same bound; each plan lies above it.
    assert joint.bound == pytest.approx(without.bound)
    for run in (without, joint):
        assert run.bound <= run.weighted + 1e-6 * abs(run.weighted)
        assert run.wall_s > 0 and run.thread_cpu_s > 0
