"""`solve(problem)`: the lexicographic allocation, from index to result."""

from __future__ import annotations

import time

from solver.engine.index import FloatArray, ProblemIndex, index_problem
from solver.engine.model import build_weighted_model
from solver.engine.report import build_result, evaluate, infeasible_result
from solver.engine.search import improve_by_neighbourhoods
from solver.engine.served import ServedPlan, plan_served, round_relaxation
from solver.engine.trips import close_small_trips
from solver.engine.weighted_flow import weighted_flow_plan
from solver.problem import Problem, Result, Status

# An integer week with at most this many pairs is solved as one MIP, which can prove optimality.
WHOLE_MIP_MAX_PAIRS = 3000
REPORT_TIME_SHARE = 0.05
# Share of the time left that the LP guiding the rounding of a large integer week may take.
GUIDE_TIME_SHARE = 0.5


def solve(problem: Problem) -> Result:
    """Allocate one week: feasibility, contract value, total value, then the weighted costs."""
    started = time.perf_counter()
    # The last share of the time limit is kept for writing the result.
    deadline = started + (1.0 - REPORT_TIME_SHARE) * problem.settings.time_limit_s
    index = index_problem(problem)
    if index.contradictions:
        return infeasible_result(index.contradictions, time.perf_counter() - started)
    served = plan_served(index, deadline)
    if index.integer_mode:
        quantities, status = solve_integer(index, served, deadline)
    else:
        quantities, status = solve_continuous(index, served, deadline)
    return build_result(index, quantities, status, time.perf_counter() - started)


def is_worse(cost: float, than: float) -> bool:
    """Return whether a weighted cost is worse than another beyond float noise."""
    return cost > than + 1e-9 * (1.0 + abs(than))


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
    solution, plan = model.solve(deadline - time.perf_counter())
    # A simplex stopped by its time limit holds no valid plan: keep the flow plan then. A
    # proven optimum is at least as good as the flow plan, which satisfies the same LP.
    if plan is None or solution.outcome != "optimal":
        return served.first_plan(), "feasible"
    return plan, "optimal" if served.proven else "feasible"


def solve_integer(
    index: ProblemIndex, served: ServedPlan, deadline: float
) -> tuple[FloatArray, Status]:
    """Solve stage 4 with lots, trips and grower limits: one MIP if small, else local search."""
    if index.num_pairs <= WHOLE_MIP_MAX_PAIRS:
        model = build_weighted_model(
            index, range(len(index.lines)), served.quantities,
            served.contract_target, served.total_target,
        )
        solution, plan = model.solve(deadline - time.perf_counter())
        if plan is not None and not is_worse(
            evaluate(index, plan).weighted, evaluate(index, served.quantities).weighted
        ):
            proven = solution.outcome == "optimal" and served.proven
            return plan, "optimal" if proven else "feasible"
        return served.quantities, "feasible"
    start = time.perf_counter()
    guide = build_weighted_model(
        index, range(len(index.lines)), served.quantities,
        served.contract_target, served.total_target, relax=True, with_integer_rules=False,
    )
    guide_solution, relaxed = guide.solve(GUIDE_TIME_SHARE * (deadline - start))
    first = served.quantities
    if relaxed is not None and guide_solution.outcome == "optimal":
        rounded = round_relaxation(index, served, relaxed)
        if not is_worse(evaluate(index, rounded).weighted, evaluate(index, first).weighted):
            first = rounded
    first = close_small_trips(index, first, deadline)
    quantities = improve_by_neighbourhoods(index, first, deadline)
    return quantities, "feasible"
