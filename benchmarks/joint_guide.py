"""Operational weeks solved with and without a first plan rounded from the LP of trips.

`solve_integer` waits, on weeks small enough for their time limit (`joint_guide_max_pairs`),
for the LP of trips and quantities together (solved for the bound in a thread of its own) and
rounds a first plan from it too (`trip_scaling.plan_by_joint_relaxation`). This script solves
department-like weeks (`solver.bench.generate.resized`) of several sizes as the engine does at
their time limit (10 s, or `--time-limit`), once without that plan (the size limit at 0) and
once with it (no size limit), and prints the weighted value, the gap to the proven bound, the
wall seconds (the wait for the LP included) and the solving thread's CPU seconds of each. The
machine is shared: compare the two runs of a week, not seconds across days.

Usage (from the repository root, about a minute a size at 10 s):
    PYTHONPATH=. python benchmarks/joint_guide.py [--sizes 30x20x40,40x30x50] [--seeds 1,2]
    [--time-limit 20]
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import time

from solver.bench.generate import generate_instance, resized
from solver.engine.clock import now
from solver.engine.index import index_problem
from solver.engine.report import evaluate
from solver.engine.served import plan_served
from solver.io import read_problem

SOLVE_MODULE = importlib.import_module("solver.engine.solve")
NO_SIZE_LIMIT = 10**9


@dataclasses.dataclass(frozen=True)
class Run:
    """One solve of a week: its plan's weighted value, the proven bound, and its times."""

    weighted: float
    bound: float
    wall_s: float
    thread_cpu_s: float

    def report(self) -> str:
        """Return the run's part of the week's line."""
        gap = 100 * (self.weighted - self.bound) / self.weighted
        return (f"{self.weighted:,.2f} (gap {gap:.1f} %, wall {self.wall_s:.2f} s, "
                f"thread {self.thread_cpu_s:.2f} CPU s)")


def solve_week(growers: int, canteens: int, products: int, seed: int, joint: bool,
               time_limit_s: float = 10.0) -> tuple[int, Run]:
    """Solve one department-like week as `solve` does at this time limit, with or without
    waiting for the LP of trips whatever the week's size; return its pairs and the run."""
    problem = read_problem(generate_instance(
        "department", "operational", seed, spec=resized("department", growers, canteens, products)
    ))
    problem = dataclasses.replace(
        problem, settings=dataclasses.replace(problem.settings, time_limit_s=time_limit_s)
    )
    index = index_problem(problem)
    kept = SOLVE_MODULE.JOINT_GUIDE_PAIRS_AT_10_S
    SOLVE_MODULE.JOINT_GUIDE_PAIRS_AT_10_S = NO_SIZE_LIMIT if joint else 0
    try:
        deadline = now() + (1.0 - SOLVE_MODULE.REPORT_TIME_SHARE) * time_limit_s
        served = plan_served(index, deadline)
        wall, cpu = time.perf_counter(), now()
        plan, _, bound = SOLVE_MODULE.solve_integer(index, served, deadline)
        wall_s, cpu_s = time.perf_counter() - wall, now() - cpu
    finally:
        SOLVE_MODULE.JOINT_GUIDE_PAIRS_AT_10_S = kept
    if bound is None:
        raise SystemExit(f"seed {seed}: the engine proved no bound")
    return index.num_pairs, Run(evaluate(index, plan).weighted, bound, wall_s, cpu_s)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="30x20x40,35x25x50,40x30x50,45x35x50,50x35x60",
                        help="growers x canteens x products, comma-separated")
    parser.add_argument("--seeds", default="1,2")
    parser.add_argument("--time-limit", type=float, default=10.0)
    options = parser.parse_args()
    for size in options.sizes.split(","):
        growers, canteens, products = (int(n) for n in size.split("x"))
        for seed in (int(s) for s in options.seeds.split(",")):
            pairs, without = solve_week(
                growers, canteens, products, seed, False, options.time_limit
            )
            _, joint = solve_week(growers, canteens, products, seed, True, options.time_limit)
            print(f"{size} seed {seed}, {pairs} pairs: without {without.report()}; "
                  f"with {joint.report()}", flush=True)


if __name__ == "__main__":
    main()
