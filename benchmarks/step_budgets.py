"""Operational weeks solved with several work budgets of the last improvement steps.

`solve_integer` ends with three kinds of steps, each within a work budget per second of the
time limit (`solver.engine.solve`): product steps (`PRODUCT_WORK_PER_S`), small-trip steps
(`SMALL_TRIP_WORK_PER_S`) and the steps that close small trips (`CLOSING_WORK_PER_S`). This
script solves each week (`solver.bench.generate`, operational) once per set of budgets, as the
engine does at the time limit, and prints the plan's weighted value, its gap to the proven
bound, its trips and the solving thread's CPU seconds (the clock of the safety net); then, per
set, the weighted values and CPU seconds in all. The weeks are solved one after the other in
this process; the machine is shared: compare sets within a run, not seconds across days.

Usage (from the repository root, about 4 s a department week at 10 s):
    PYTHONPATH=. python benchmarks/step_budgets.py [--weeks department:1,mid:1]
    [--budgets 500/800/0,300/400/1500] [--time-limit 10]
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib

from solver.bench.generate import generate_instance
from solver.engine.clock import now
from solver.engine.index import index_problem
from solver.engine.report import evaluate
from solver.engine.served import plan_served
from solver.io import read_problem

SOLVE_MODULE = importlib.import_module("solver.engine.solve")
BUDGETS = ("PRODUCT_WORK_PER_S", "SMALL_TRIP_WORK_PER_S", "CLOSING_WORK_PER_S")


def solve_week(
    week: str, budgets: tuple[float, ...], time_limit_s: float
) -> tuple[float, str, float]:
    """Solve one week (scale:seed) with these budgets; return its weighted value, its line
    and the solving thread's CPU seconds."""
    scale, seed = week.split(":")
    problem = read_problem(generate_instance(scale, "operational", int(seed)))
    problem = dataclasses.replace(
        problem, settings=dataclasses.replace(problem.settings, time_limit_s=time_limit_s)
    )
    kept = [getattr(SOLVE_MODULE, name) for name in BUDGETS]
    for name, budget in zip(BUDGETS, budgets, strict=True):
        setattr(SOLVE_MODULE, name, budget)
    try:
        deadline = now() + (1.0 - SOLVE_MODULE.REPORT_TIME_SHARE) * time_limit_s
        index = index_problem(problem)
        served = plan_served(index, deadline)
        started = now()
        plan, _, bound = SOLVE_MODULE.solve_integer(index, served, deadline)
        thread_cpu_s = now() - started
    finally:
        for name, budget in zip(BUDGETS, kept, strict=True):
            setattr(SOLVE_MODULE, name, budget)
    cost = evaluate(index, plan)
    gap = "" if bound is None else f", gap {100 * (cost.weighted - bound) / cost.weighted:.2f} %"
    return cost.weighted, (
        f"  {week}: weighted {cost.weighted:,.2f}{gap}, trips {cost.deliveries}, "
        f"solving thread {thread_cpu_s:.2f} CPU s"
    ), thread_cpu_s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--weeks", default="department:1,department:2,mid:1,mid:2")
    parser.add_argument("--budgets", default="500/800/0,300/400/1500",
                        help="products/small trips/closing work per second, comma-separated")
    parser.add_argument("--time-limit", type=float, default=10.0)
    options = parser.parse_args()
    for budgets in options.budgets.split(","):
        values = tuple(float(budget) for budget in budgets.split("/"))
        print(f"budgets {budgets} (products / small trips / closing, work a second)", flush=True)
        weighted = cpu = 0.0
        for week in options.weeks.split(","):
            value, line, thread_cpu_s = solve_week(week, values, options.time_limit)
            weighted += value
            cpu += thread_cpu_s
            print(line, flush=True)
        print(f"  in all: weighted {weighted:,.2f}, solving thread {cpu:.2f} CPU s", flush=True)


if __name__ == "__main__":
    main()
