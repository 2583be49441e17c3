"""Where an operational week's gap lies: in the plan or in the bound, on department-like weeks
small enough for HiGHS to prove their optimum.

The gap the engine reports, (plan − bound) / plan, adds two unknowns: how far its plan is above
the optimum and how far its bound is below it. On a department week neither is known (no MIP
proves its optimum). Here each week is generated like the department's (`solver.bench.generate`,
its geography: growers and canteens over 100 × 100 km, 80 km at most), with fewer growers and
canteens; the engine gives its plan and bound at the week's 10 s limit (`solve_integer`, as
`solver.solve` calls it: above `WHOLE_MIP_MAX_PAIRS` pairs by the path it takes at department,
at most that many with its whole MIP of 300 nodes too), then HiGHS's MIP over the whole week
started from that plan, one thread, until it proves its optimum or reaches `--mip-limit`
seconds. It prints, per week, the engine's plan, bound and gap, HiGHS's best plan and dual
bound, and the two parts: the plan above HiGHS's best, the bound below HiGHS's dual bound
(exact when HiGHS proves its optimum).

Usage (from the repository root):
    PYTHONPATH=. python benchmarks/gap_split.py [--sizes 30x15x30] [--seeds 1,2]
    [--mip-limit 600]
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib

from solver.bench.generate import generate_instance, resized
from solver.engine.clock import now
from solver.engine.index import index_problem
from solver.engine.model import build_weighted_model
from solver.engine.report import evaluate
from solver.engine.served import plan_served
from solver.io import read_problem

# `solver.engine` names its `solve` function after the module: reach the module itself.
SOLVE_MODULE = importlib.import_module("solver.engine.solve")


@dataclasses.dataclass(frozen=True)
class Split:
    """One week's plan and bound from the engine, against HiGHS's whole MIP."""

    pairs: int
    plan: float
    plan_trips: int
    bound: float
    best: float
    best_trips: int
    dual: float
    proven: bool
    mip_cpu_s: float

    def report(self, name: str) -> str:
        """Return the week's line of the report."""
        proof = "optimum" if self.proven else f"best (dual bound {self.dual:,.2f})"
        against = "it" if self.proven else "its dual bound"
        return (
            f"{name}: {self.pairs} pairs; engine {self.plan:,.2f} ({self.plan_trips} trips), "
            f"bound {self.bound:,.2f}, gap {percent(self.plan, self.bound)}; HiGHS {proof} "
            f"{self.best:,.2f} ({self.best_trips} trips, {self.mip_cpu_s:.0f} CPU s); plan above "
            f"it {100 * (self.plan / self.best - 1):.2f} %, bound below "
            f"{against} {100 * (1 - self.bound / self.dual):.2f} %"
        )


def percent(plan: float, bound: float) -> str:
    """Return the gap (plan − bound) / plan in per cent."""
    return f"{100 * (plan - bound) / plan:.2f} %"


def measure(growers: int, canteens: int, products: int, seed: int, mip_limit_s: float) -> Split:
    """Solve one department-like week as the engine does, then by HiGHS's whole MIP."""
    spec = resized("department", growers, canteens, products)
    problem = read_problem(generate_instance("department", "operational", seed, spec=spec))
    deadline = now() + (1.0 - SOLVE_MODULE.REPORT_TIME_SHARE) * problem.settings.time_limit_s
    index = index_problem(problem)
    served = plan_served(index, deadline)
    if not served.proven:
        raise SystemExit(f"seed {seed}: stages 2–3 not proven, no bound to split")
    plan, _, bound = SOLVE_MODULE.solve_integer(index, served, deadline)
    if bound is None:
        raise SystemExit(f"seed {seed}: the engine proved no bound")
    model = build_weighted_model(
        index, range(len(index.lines)), served.quantities,
        served.contract_target, served.total_target,
    )
    started = now()
    # `LinearModel.solve` takes CPU seconds and gives HiGHS ten times as many wall seconds.
    solution, best = model.solve(mip_limit_s / 10.0, start=plan)
    mip_cpu_s = now() - started
    if best is None:
        raise SystemExit(f"seed {seed}: HiGHS returned no plan")
    engine, found = evaluate(index, plan), evaluate(index, best)
    return Split(
        pairs=index.num_pairs, plan=engine.weighted, plan_trips=engine.deliveries,
        bound=bound, best=found.weighted, best_trips=found.deliveries,
        dual=solution.bound + model.objective_offset(served.total_target),
        proven=solution.outcome == "optimal", mip_cpu_s=mip_cpu_s,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="25x10x30,30x15x30",
                        help="growers x canteens x products, comma-separated")
    parser.add_argument("--seeds", default="1,2")
    parser.add_argument("--mip-limit", type=float, default=600.0,
                        help="HiGHS's wall seconds on each whole MIP")
    options = parser.parse_args()
    for size in options.sizes.split(","):
        growers, canteens, products = (int(n) for n in size.split("x"))
        for seed in (int(s) for s in options.seeds.split(",")):
            split = measure(growers, canteens, products, seed, options.mip_limit)
            print(split.report(f"{size} seed {seed}"), flush=True)


if __name__ == "__main__":
    main()
