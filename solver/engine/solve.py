"""`solve(problem)`: the lexicographic allocation, from index to result."""

from __future__ import annotations

import time

import numpy as np

from solver.engine.bound import FewestTrips, PendingTripBounds, start_trip_bounds
from solver.engine.clock import now
from solver.engine.index import FloatArray, ProblemIndex, index_problem
from solver.engine.linear import LinearSolution
from solver.engine.model import AllocationModel, build_weighted_model
from solver.engine.open_trips import finish_on_trips
from solver.engine.report import build_result, evaluate, infeasible_result, is_worse
from solver.engine.search import (
    improve_by_closing_trips,
    improve_by_neighbourhoods,
    improve_by_products,
    improve_by_small_trips,
)
from solver.engine.served import ServedPlan, plan_served, relaxed_week_model, round_relaxation
from solver.engine.trip_scaling import (
    improve_by_rescaling,
    plan_by_joint_relaxation,
    plan_by_trip_scaling,
)
from solver.engine.trips import close_small_trips
from solver.engine.weighted_flow import weighted_flow_plan
from solver.problem import Problem, Result, Status

# An integer week with at most this many pairs also gets one MIP over all its pairs, which
# can prove optimality; it stops after this many nodes (work, not seconds). Measured on
# random dense weeks (docs/benchmarks.md): up to ~900 pairs it proves its plan optimal in
# 0.05–2.5 CPU s; from ~1,100 pairs on its 300 nodes take 15–46 CPU s and find no plan.
WHOLE_MIP_MAX_PAIRS = 1000
WHOLE_MIP_MAX_NODES = 300
# A week waits for the LP of trips and quantities together (the bound's thread,
# `bound.start_trip_bounds`) to round a first plan from it too when it has at most
# `joint_guide_max_pairs(time_limit_s)` pairs: that LP makes far fewer trips than the guide
# (department seed 1: 321 against 567 after ten rounds of trip scaling), but the solving thread
# waits for it idle, and its interior point grows faster than the week (5 CPU s at 14,400
# pairs, about 31 at 43,900, the region's: as pairs^1.6). So the size it is awaited for grows
# with the time limit as limit^0.6, the LP's share of the limit then staying about the same.
# Department-like weeks at 10 s, seeds 1 / 2, weighted without → with, wall s with
# (`benchmarks/joint_guide.py`, docs/benchmarks.md): 2,399–2,916 pairs 7,654 / 8,454 →
# 7,522 / 8,338 (5.3–7.7 s); 4,625–5,062 11,830 / 11,649 → 11,417 / 11,649 (4.5–4.8);
# 6,411–6,860 13,521 / 16,230 → 13,093 / 15,814 (5.3–5.4); 8,813–9,118 the same plans
# (6.5–8.1); 9,756–10,565 19,665 / 20,515 → 18,921 / 19,713 (7.2–8.4 s on a fast hour);
# 12,007–12,565 18,122 / 19,378 → 17,578 / 18,801 but 8.9–9.6 s, too near the limit. At
# 20 s department (14,116–14,403 pairs) 20,855 / 20,131 → 20,253 / 19,341 (14.3–15.7 s);
# at 60 s the region (43,866) 120,462 → 117,904 but after 56 s, left out (29,300 there).
JOINT_GUIDE_PAIRS_AT_10_S = 10_000
JOINT_GUIDE_LIMIT_EXPONENT = 0.6
REPORT_TIME_SHARE = 0.05
# The neighbourhood search's work budget per second of `time_limit_s`, in `search.step_work`
# units (a step's pairs plus its simplex row-iterations / 400: 0.09–0.12 CPU ms each on the
# 2-core bench machine with OR-Tools' HiGHS 1.12, 0.07–0.18 with highspy's 1.16;
# `PYTHONPATH=. python benchmarks/search_work.py`). Calibrated on the
# department week, where 3,000 units a second kept the effort the search had before (33 steps
# against 32). Then lowered to 1,000 once the exchanges and the re-solve on open trips after
# the search (`trips.py`, `open_trips.py`) took over most of its gains (department at 10 s,
# weighted, seeds 1 / 2: search 3,000 + exchanges 23,742 / 22,641; exchanges alone 24,297 /
# 22,672; search 1,000 + exchanges + open trips 23,193 / 22,316), so that the LP of trips
# behind the bound (4.4–4.9 CPU s there) still fits in the limit. Then lowered to 300 once
# the first plan came from trip scaling and new plans from finished ones followed the search
# (`trip_scaling.py`): the time goes further there (department seeds 1 / 2, 10 s: search
# 1,000 alone 21,913 / 21,100; search 300 then two new plans 21,463 / 20,457, 9.4–9.7 CPU s).
SEARCH_WORK_PER_S = 300.0
# The product steps' work budget per second of `time_limit_s` (same units), once the LP of the
# bound was solved beside the search. Their MIPs cost 0.2–0.4 CPU ms a unit (the search's
# 0.1). Department seeds 1–4 at 10 s, weighted (solving thread's CPU s): without them 21,151 /
# 20,422 / 21,690 / 17,954; 800 units a second, HiGHS restarting, products by count on small
# trips: 20,996 / 20,093 / 21,444 / 17,721 (8.7 / 7.1 / 6.7 / 7.4); without restarts, by
# share: 1,000 units 20,843 / 20,075 / 21,378 / 17,632 (7.9 / 6.5 / 6.9 / 7.1), 1,200 units
# 20,749 / 20,054 / 21,378 / 17,556 but up to 9.3 on seed 1, near the 9.5 s safety net.
# Then the small-trip steps after them (`search.improve_by_small_trips`) took most of it: mid
# and department seeds 1–4 at 10 s, weighted in all (department's solving thread, CPU s):
# products 1,000 alone 118,068.8 (6.1–7.4); products then small trips, 700 + 1,000
# 117,782.5; 500 + 1,500 117,667.0 (5.8–7.7, kept until lowered below); 500 + 2,000
# 117,511.5 (6.4–7.5), but a random dense week of the tests (30 × 30 × 10, seed 3) then
# reached the 9.5 s safety net, one step of 442 pairs costing 2.6 CPU s (6.8 s with 1,500);
# 500 + 2,500 117,403.7 (up to 8.5); 400 + 2,500 117,549.3; 300 + 2,000 117,846.2. Small
# trips before products (seeds 1–2, 1,000 + 300): dearer, up to 8.2 CPU s.
# A week whose first pass ends within its budget gets more passes while one improves (mid at
# 10 s; longer limits: region seed 1 at 60 s, products 1,000 alone, 121,327.98 → 120,600.06).
# Then lowered to 800 when the 2-core machine ran 1.9× slower than on the day of these figures
# (the same department plan took 14.3 CPU s instead of 7.2): a week's CPU time must keep a
# margin of about 2× under the safety net, or its plan depends on the machine. With 1,500 the
# tests' mid-size dense week (20 × 18 × 12, seed 1, 2,062 pairs) took 7.2–8.6 of its 9.5 s,
# with 800 4.8–6.2 (the same plan: these steps find nothing there); mid and department
# seeds 1–2 at 10 s in all 59,039.84 → 59,307.38 (+0.45 %; 1,000: 59,252.41 but 6.3 s).
# Then the steps that close small trips (`search.improve_by_closing_trips`), last, took part
# of both budgets (products, small trips, closing a second): department and mid seeds 1–4 at
# 10 s, weighted in all (solving thread's CPU s in all, on a machine where the same plans took
# about half the CPU of the figures above; `PYTHONPATH=. python benchmarks/step_budgets.py`):
# 500 + 800 + 0 117,748.4 (21.3); 500 + 400 + 1,500 115,787.9 (24.2); 300 + 400 + 1,500
# 116,013.0 (22.5: department 1.6–2.7 % cheaper, mid 0.6 % cheaper to 0.03 % dearer);
# 300 + 0 + 1,500 116,175.0 (19.9; department dearer on all four seeds, by 0.01–0.33 %).
PRODUCT_WORK_PER_S = 300.0
SMALL_TRIP_WORK_PER_S = 400.0
CLOSING_WORK_PER_S = 1500.0
# ... and the search's steps re-solve at most this many times the week's own pairs (a small
# week needs few passes).
SEARCH_MAX_PASSES = 20
# A plan within this relative gap of its proven bound is reported `optimal`.
OPTIMAL_GAP = 1e-4
BOUND_TOLERANCE = 1e-7


def solve(problem: Problem) -> Result:
    """Allocate one week: feasibility, contract value, total value, then the weighted costs."""
    started = time.perf_counter()
    # The last share of the time limit is kept for writing the result; the safety net reads
    # the solving thread's CPU time (`clock.py`).
    deadline = now() + (1.0 - REPORT_TIME_SHARE) * problem.settings.time_limit_s
    index = index_problem(problem)
    if index.contradictions:
        return infeasible_result(index.contradictions, time.perf_counter() - started)
    served = plan_served(index, deadline)
    bound: float | None = None
    if index.integer_mode:
        quantities, status, bound = solve_integer(index, served, deadline)
    else:
        quantities, status = solve_continuous(index, served, deadline)
        if status == "optimal":
            # The min-cost flow or LP is exact (its costs to a millionth of the largest).
            bound = evaluate(index, quantities).weighted
    price = {p.id: p.price for p in problem.products}
    # Every search checks the safety net before its next step: a thread that ends past it may
    # have been cut short (or may just have finished its last step beyond it).
    return build_result(
        index, quantities, status, time.perf_counter() - started, weighted_lower_bound=bound,
        served_upper_bounds=served.upper_bounds_eur(price), time_limit_reached=now() > deadline,
    )


def solve_continuous(
    index: ProblemIndex, served: ServedPlan, deadline: float
) -> tuple[FloatArray, Status]:
    """Solve stage 4 as one min-cost flow, or else as one LP over the whole week; fall back to
    the first plan if both fail.

    The LP covers every pair, so only locked quantities (fixed by their bounds) come from the
    served plan; its flow plan is computed only if the LP fails.
    """
    plan = weighted_flow_plan(index, served)
    if plan is not None:
        return plan, "optimal" if served.proven else "feasible"
    model = build_weighted_model(
        index, range(len(index.lines)), served.quantities,
        served.contract_target, served.total_target,
    )
    solution, plan = model.solve(deadline - now())
    # A simplex stopped by its time limit holds no valid plan: keep the flow plan then. A
    # proven optimum is at least as good as the flow plan, which satisfies the same LP.
    if plan is None or solution.outcome != "optimal":
        return served.first_plan(), "feasible"
    return plan, "optimal" if served.proven else "feasible"


def solve_integer(
    index: ProblemIndex, served: ServedPlan, deadline: float
) -> tuple[FloatArray, Status, float | None]:
    """Solve stage 4 with lots, trips and grower limits; return the plan, its status and a
    proven lower bound on its weighted value (None if none was proven).

    Every week takes the heuristic path (LP-guided rounding, from the LP of trips too on
    weeks small enough for their time limit (`joint_guide_max_pairs`), closing trips,
    neighbourhood search, all with work limits); a week of at most `WHOLE_MIP_MAX_PAIRS`
    pairs first gets one MIP over all its pairs, started from the first plan (every MIP of
    the engine starts from the best plan it knows), with a node limit: its plan is returned
    at once if its dual bound proves it optimal, else kept only if better than the search's;
    its dual bound joins the heuristic path's bound (`bound.py`). The trips' part of the
    bound, the fewest trips per canteen and day then the LP of trips and quantities together
    (the strongest bound on large weeks but seconds long there), is computed in a thread of
    its own beside the plan's search, which it never shortens (the safety net reads the
    solving thread's CPU time).
    """
    settings = index.problem.settings
    budget = SEARCH_WORK_PER_S * settings.time_limit_s
    trip_bounds = start_trip_bounds_of_week(index, served, deadline) if served.proven else None
    guide = relaxed_week_model(index, served)
    guide_solution, relaxed = guide.solve(deadline - now())
    first = served.quantities
    if relaxed is not None and guide_solution.outcome == "optimal":
        first = _unless_worse(index, round_relaxation(index, served, relaxed), first)
    # The same LP with each trip's cost spread over what it carries gathers kg on fewer trips.
    first = _unless_worse(index, plan_by_trip_scaling(index, served, deadline), first)
    # The LP of trips and quantities together makes far fewer trips than the guide: on a week
    # whose time limit leaves room to wait for the bound's thread, its plan is rounded too.
    awaits_joint = index.num_pairs <= joint_guide_max_pairs(settings.time_limit_s)
    if trip_bounds is not None and awaits_joint and settings.weights.deliveries > 0:
        joint = trip_bounds.joint_quantities()
        if joint is not None:
            first = _unless_worse(index, plan_by_joint_relaxation(index, served, joint), first)
    first = close_small_trips(index, first, deadline)
    fewest = None if trip_bounds is None else trip_bounds.fewest()
    bound = weighted_lower_bound(index, served, guide, guide_solution, fewest, deadline)
    # A small week's MIP over all its pairs comes first, while the whole time limit is left,
    # so that it always stops at its node limit or at optimality (work, not load); when it
    # proves its plan optimal, the search could not beat it and is skipped.
    whole: FloatArray | None = None
    if index.num_pairs <= WHOLE_MIP_MAX_PAIRS:
        model = build_weighted_model(
            index, range(len(index.lines)), served.quantities,
            served.contract_target, served.total_target,
        )
        solution, whole = model.solve(
            deadline - now(), max_nodes=WHOLE_MIP_MAX_NODES, start=first
        )
        if served.proven and np.isfinite(solution.bound):
            mip_bound = solution.bound + model.objective_offset(served.total_target)
            bound = mip_bound if bound is None else max(bound, mip_bound)
    if (
        served.proven
        and whole is not None
        and bound is not None
        and not is_worse(evaluate(index, whole).weighted, bound)
    ):
        # The LP of trips has nothing to add to a proof, but no thread outlives the solve.
        if trip_bounds is not None:
            trip_bounds.joint()
        return whole, "optimal", min(bound, evaluate(index, whole).weighted)
    quantities = improve_by_neighbourhoods(
        index, first, deadline, max_work=budget, max_passes=SEARCH_MAX_PASSES
    )
    # Exchanges across canteens that the search's neighbourhoods (a few nearby canteens) miss,
    # then the re-solve on the trips the plan makes.
    quantities = finish_on_trips(index, quantities, deadline)
    # New plans from the charges its trips' loads give, finished the same way.
    quantities = improve_by_rescaling(index, served, quantities, deadline)
    # Each product re-solved across every canteen, on the trips the others make.
    quantities = improve_by_products(
        index, quantities, deadline, max_work=PRODUCT_WORK_PER_S * settings.time_limit_s
    )
    # The products of each grower's small trips re-solved together, where it drives.
    quantities = improve_by_small_trips(
        index, quantities, deadline, max_work=SMALL_TRIP_WORK_PER_S * settings.time_limit_s
    )
    # Small trips closed where their products, re-solved on the other trips, do without them.
    quantities = improve_by_closing_trips(
        index, quantities, deadline, max_work=CLOSING_WORK_PER_S * settings.time_limit_s
    )
    # The heuristic path's plan, unless the MIP's is better: never worse than either.
    if whole is not None and is_worse(
        evaluate(index, quantities).weighted, evaluate(index, whole).weighted
    ):
        quantities = whole
    joint_bound = None if trip_bounds is None else trip_bounds.joint()
    if joint_bound is not None:
        joint_bound = lowered_by_tolerance(joint_bound)
        bound = joint_bound if bound is None else max(bound, joint_bound)
    weighted = evaluate(index, quantities).weighted
    if bound is not None:
        bound = min(bound, weighted)
    proven = served.proven and bound is not None and not is_worse(weighted, bound, OPTIMAL_GAP)
    return quantities, "optimal" if proven else "feasible", bound


def joint_guide_max_pairs(time_limit_s: float) -> float:
    """Return the most pairs of a week that waits for the LP of trips to round a plan from it
    (see `JOINT_GUIDE_PAIRS_AT_10_S`)."""
    growth: float = (time_limit_s / 10.0) ** JOINT_GUIDE_LIMIT_EXPONENT
    return JOINT_GUIDE_PAIRS_AT_10_S * growth


def _unless_worse(
    index: ProblemIndex, candidate: FloatArray | None, incumbent: FloatArray
) -> FloatArray:
    """Return the candidate plan unless it is missing or weighs more than the incumbent."""
    if candidate is None or is_worse(
        evaluate(index, candidate).weighted, evaluate(index, incumbent).weighted
    ):
        return incumbent
    return candidate


def weighted_lower_bound(
    index: ProblemIndex,
    served: ServedPlan,
    guide: AllocationModel,
    guide_solution: LinearSolution,
    fewest: FewestTrips | None,
    deadline: float,
) -> float | None:
    """Return a proven lower bound on stage 4 over every plan serving the same contract and
    total value as the served plan (see `bound.py`), or None if its LP is not solved.

    When stages 2 and 3 are proven optimal, every such plan serves each product's optimum,
    which the guide LP keeps product by product, and the trips' bound (`fewest`, per canteen
    and day) counts; otherwise the LP is solved again keeping only the week's two values, and
    trips count for nothing.
    """
    lp, solution = guide, guide_solution
    if not served.proven:
        lp = build_weighted_model(
            index, range(len(index.lines)), served.quantities, served.contract_target,
            served.total_target, relax=True, with_integer_rules=False, per_product=False,
        )
        solution, _ = lp.solve(deadline - now())
    if solution.outcome != "optimal" or not np.isfinite(solution.bound):
        return None
    bound = lowered_by_tolerance(solution.bound)
    bound += lp.objective_offset(served.total_target)
    deliveries = index.problem.settings.weights.deliveries
    if served.proven and fewest is not None and deliveries > 0:
        bound += deliveries * sum(count for _, count in fewest)
    return bound


def start_trip_bounds_of_week(
    index: ProblemIndex, served: ServedPlan, deadline: float
) -> PendingTripBounds:
    """Start computing the trips' part of the bound (`bound.start_trip_bounds`) on the whole
    week's LP without the integer rules; stages 2 and 3 must be proven optimal."""

    return start_trip_bounds(
        lambda: relaxed_week_model(index, served),
        served.contract_target, served.total_target, deadline - now(),
    )


def lowered_by_tolerance(bound: float) -> float:
    """Return an LP's optimum lowered by a hair (the solver's tolerances), so that it stays a
    proven bound."""
    return bound - BOUND_TOLERANCE * (1.0 + abs(bound))
