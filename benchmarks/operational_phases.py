"""Where an operational week's time goes: each phase of `solve_integer`, with the trips' part of
the bound (the fewest trips per canteen and day, the LP of trips) computed beside it in a thread
of its own.

For each week (`solver.bench.generate`, operational) it prints the plan's weighted value, its
proven bound and gap, its trips; the solve's wall seconds, the solving thread's CPU seconds (the
clock of the safety net, `solver.engine.clock`) and the process's (both threads); then each phase
that `solve_integer` calls itself (`solver.engine.solve`), in wall seconds and in the solving
thread's CPU seconds. The solve's wall seconds exceed its thread's CPU when it waits for the
bound's LP at the end. The weeks are solved one after the other in this process; times depend
on the machine and its load (2 shared cores here): compare weeks and phases, not seconds.

Usage (from the repository root):
    PYTHONPATH=. python benchmarks/operational_phases.py [--weeks department:1,department:2]
    [--time-limit 10]
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import time
from collections.abc import Callable
from typing import Any

from solver.bench.generate import generate_instance
from solver.engine.clock import now
from solver.engine.index import index_problem
from solver.engine.report import evaluate
from solver.engine.served import plan_served
from solver.io import read_problem

# The phases of `solve_integer`, in their order, as the module names them.
PHASES = (
    "round_relaxation",
    "plan_by_trip_scaling",
    "close_small_trips",
    "improve_by_neighbourhoods",
    "finish_on_trips",
    "improve_by_rescaling",
    "improve_by_products",
    "improve_by_small_trips",
    "improve_by_closing_trips",
)


def timed(
    function: Callable[..., Any], spent: dict[str, list[float]], name: str
) -> Callable[..., Any]:
    """Return `function` adding its wall and calling thread's CPU seconds to spent[name]."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        wall, cpu = time.perf_counter(), time.thread_time()
        try:
            return function(*args, **kwargs)
        finally:
            totals = spent.setdefault(name, [0.0, 0.0])
            totals[0] += time.perf_counter() - wall
            totals[1] += time.thread_time() - cpu

    return wrapper


def measure(week: str, time_limit_s: float) -> str:
    """Solve one week (scale:seed) as `solver.solve` does and return its report."""
    scale, seed = week.split(":")
    problem = read_problem(generate_instance(scale, "operational", int(seed)))
    problem = dataclasses.replace(
        problem, settings=dataclasses.replace(problem.settings, time_limit_s=time_limit_s)
    )
    solve_module = importlib.import_module("solver.engine.solve")
    spent: dict[str, list[float]] = {}
    originals = {name: getattr(solve_module, name) for name in PHASES}
    for name, function in originals.items():
        setattr(solve_module, name, timed(function, spent, name))
    try:
        wall, thread_cpu, process_cpu = time.perf_counter(), time.thread_time(), time.process_time()
        deadline = now() + (1.0 - solve_module.REPORT_TIME_SHARE) * time_limit_s
        index = index_problem(problem)
        served = plan_served(index, deadline)
        plan, _, bound = solve_module.solve_integer(index, served, deadline)
        wall = time.perf_counter() - wall
        thread_cpu = time.thread_time() - thread_cpu
        process_cpu = time.process_time() - process_cpu
    finally:
        for name, function in originals.items():
            setattr(solve_module, name, function)
    cost = evaluate(index, plan)
    gap = "" if bound is None else f", gap {100 * (cost.weighted - bound) / cost.weighted:.1f} %"
    lines = [
        f"{week}: weighted {cost.weighted:,.2f}, bound {bound or 0.0:,.2f}{gap}, "
        f"trips {cost.deliveries}; wall {wall:.2f} s, solving thread {thread_cpu:.2f} CPU s, "
        f"process {process_cpu:.2f} CPU s",
        f"  {'phase':28s} {'wall s':>7s} {'thread CPU s':>13s}",
    ]
    for name in PHASES:
        if name in spent:
            lines.append(f"  {name:28s} {spent[name][0]:7.2f} {spent[name][1]:13.2f}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weeks", default="department:1,department:2")
    parser.add_argument("--time-limit", type=float, default=10.0)
    options = parser.parse_args()
    for week in options.weeks.split(","):
        print(measure(week, options.time_limit), flush=True)


if __name__ == "__main__":
    main()
