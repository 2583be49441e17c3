"""The neighbourhood search's work unit against its CPU cost, step by step, on five weeks.

Each week is solved once with `solver.solve` at `--time-limit` seconds, in a fresh process:
department and mid (`solver.bench.generate`, operational, seed 1) and three random dense weeks
(`tests/solver/conftest.random_week`, lots, trips at 20 €, about 10 growers per line): 2,062
pairs (seed 1, 20 growers × 18 canteens × 12 products), 2,272 (seed 2, same sizes) and 2,994
(seed 1, 24 × 20 × 14). For every search step it records its scope's pairs, its MIP's
integer variables and nonzeros, HiGHS's simplex iterations and row-iterations (iterations
times the rows of the presolved MIP), the work the search counted (`search.step_work`) and
the step's CPU time (building, solving and evaluating it).

Per week it prints CPU ms per unit of each candidate measure, the work against its budget,
the search's and the whole solve's CPU seconds, whether the CPU safety net struck, and the
plan's weighted value; then, over all steps, how much each measure's CPU cost per unit varies
between weeks (max / min) and the least-squares fit of a step's CPU on its pairs and
row-iterations that `search.ROW_ITERATIONS_PER_PAIR` comes from. CPU times depend on the
machine and its load (2 shared cores here): compare ratios between weeks, not seconds.

Usage (from the repository root):
    PYTHONPATH=. python benchmarks/search_work.py [--weeks department,mid,dense-2062]
    [--time-limit 10] [--steps benchmarks/results/steps.jsonl]
The figures in `solver/engine/search.py` and `solve.py` come from `--time-limit 30` (more
steps per week, for the fit) and from the default `--time-limit 10`.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

WEEKS = ("department", "mid", "dense-2062", "dense-2272", "dense-2994")
DENSE = {
    "dense-2062": (1, 20, 18, 12),
    "dense-2272": (2, 20, 18, 12),
    "dense-2994": (1, 24, 20, 14),
}
MEASURES = ("pairs", "integers", "nonzeros", "lp_iterations", "work")


def load_week(name: str, time_limit_s: float) -> Any:
    """Return the named week as a solver problem with this time limit."""
    from dataclasses import replace

    import solver

    if name in DENSE:
        from tests.solver.conftest import random_week

        return random_week(*DENSE[name], lots=True, time_limit_s=time_limit_s)
    from solver.bench.generate import generate_instance

    problem = solver.load(json.dumps(generate_instance(name, "operational", 1)))
    return replace(problem, settings=replace(problem.settings, time_limit_s=time_limit_s))


def measure(name: str, time_limit_s: float) -> dict[str, Any]:
    """Solve one week, recording every search step; return the steps and the totals."""
    import numpy as np

    import solver
    from solver.engine import index_problem
    from solver.engine import search as search_module

    # `solver.engine.solve` is also the name of the function the package exports.
    solve_module = importlib.import_module("solver.engine.solve")
    problem = load_week(name, time_limit_s)
    steps: list[dict[str, Any]] = []
    marks: dict[str, float] = {}
    # The search's model builder and the solve's search are wrapped to record every step.
    original_build = getattr(search_module, "build_weighted_model")  # noqa: B009
    original_search = getattr(solve_module, "improve_by_neighbourhoods")  # noqa: B009
    # The code before this script counted a step's work as its pairs, and no iterations.
    step_work = getattr(search_module, "step_work", lambda pairs, _: float(pairs))

    def build(*args: Any, **kwargs: Any) -> Any:
        # Only the neighbourhood search's steps are recorded, not the product and small-trip
        # steps that follow it (their own budgets, `solve.py`).
        if "search_started" not in marks or "search_ended" in marks:
            return original_build(*args, **kwargs)
        started = time.process_time()
        if steps:
            steps[-1]["cpu_s"] = started - steps[-1].pop("started")
        model = original_build(*args, **kwargs)
        lp = model.lp
        solve = model.solve
        step: dict[str, Any] = {
            "started": started,
            "pairs": len(model.pairs),
            "integers": int(sum(int(np.count_nonzero(f)) for f in lp._integral)),
            "nonzeros": int(sum(int(np.sum(n)) for n in lp._row_lengths)),
        }

        def counted_solve(*a: Any, **k: Any) -> Any:
            solution, plan = solve(*a, **k)
            step.update(
                optimal=solution.outcome == "optimal",
                lp_iterations=getattr(solution, "lp_iterations", -1),
                row_iterations=getattr(solution, "row_iterations", -1),
                work=step_work(step["pairs"], solution),
            )
            return solution, plan

        setattr(model, "solve", counted_solve)  # noqa: B010
        steps.append(step)
        return model

    def search(*args: Any, **kwargs: Any) -> Any:
        marks["search_started"] = time.process_time()
        marks["deadline"] = args[2]
        marks["budget"] = kwargs["max_work"]
        plan = original_search(*args, **kwargs)
        marks["search_ended"] = time.process_time()
        if steps:
            steps[-1]["cpu_s"] = marks["search_ended"] - steps[-1].pop("started")
        return plan

    setattr(search_module, "build_weighted_model", build)  # noqa: B010
    setattr(solve_module, "improve_by_neighbourhoods", search)  # noqa: B010
    started = time.process_time()
    result = solver.solve(problem)
    total_s = time.process_time() - started
    return {
        "week": name,
        "num_pairs": index_problem(problem).num_pairs,
        "time_limit_s": time_limit_s,
        "steps": steps,
        "work": sum(s["work"] for s in steps),
        "budget": marks.get("budget", 0.0),
        "search_s": marks.get("search_ended", 0.0) - marks.get("search_started", 0.0),
        "total_s": total_s,
        # The search stopped at the deadline, not on its budget or after a pass in vain.
        "net_struck": bool(marks) and marks["search_ended"] >= marks["deadline"] - 0.01,
        "weighted": result.metrics.weighted,
        "status": result.status,
        "load": os.getloadavg()[0],
    }


def per_unit_ms(steps: list[dict[str, Any]], measure_name: str) -> float:
    """Return the steps' CPU milliseconds per unit of a measure."""
    cpu_s = sum(float(s["cpu_s"]) for s in steps)
    return 1000 * cpu_s / max(1.0, sum(float(s[measure_name]) for s in steps))


def summary(outcome: dict[str, Any]) -> str:
    """Return one week's line: CPU ms per unit of each measure and the totals."""
    steps = outcome["steps"]
    units = ", ".join(f"{m} {per_unit_ms(steps, m):.4f}" for m in MEASURES)
    share = outcome["total_s"] / outcome["time_limit_s"]
    return (
        f"{outcome['week']}: {outcome['num_pairs']} pairs, {len(steps)} steps "
        f"({sum(s['optimal'] for s in steps)} optimal), work {outcome['work']:.0f} / budget "
        f"{outcome['budget']:.0f}; CPU ms per unit: {units}; search {outcome['search_s']:.2f} s"
        f", solve {outcome['total_s']:.2f} s ({share:.0%} of the limit), safety net "
        f"{'struck' if outcome['net_struck'] else 'not reached'}; weighted "
        f"{outcome['weighted']:.2f} ({outcome['status']}); load {outcome['load']:.1f}"
    )


def fit(outcomes: list[dict[str, Any]]) -> str:
    """Return how each measure's CPU cost per unit varies between weeks, and the fit of a
    step's CPU on its pairs and row-iterations."""
    import numpy as np

    lines = []
    for measure_name in MEASURES:
        costs = [per_unit_ms(o["steps"], measure_name) for o in outcomes]
        lines.append(f"{measure_name}: CPU ms per unit max / min between weeks "
                     f"{max(costs) / min(costs):.2f}")
    steps = [(o["week"], s) for o in outcomes for s in o["steps"]]
    terms = np.array([[s["pairs"], s["row_iterations"] / 1000] for _, s in steps], float)
    cpu_s = np.array([s["cpu_s"] for _, s in steps])
    (per_pair, per_kilo), *_ = np.linalg.lstsq(terms, cpu_s, rcond=None)
    fitted = terms @ np.array([per_pair, per_kilo])
    ratios = ", ".join(
        f"{o['week']} {cpu_s[mask].sum() / fitted[mask].sum():.2f}"
        for o in outcomes
        for mask in [np.array([week == o["week"] for week, _ in steps])]
    )
    lines.append(
        f"fit over {len(steps)} steps: CPU ≈ {1000 * per_pair:.3f} ms × pairs + "
        f"{1000 * per_kilo:.3f} ms × row-iterations / 1000 (one pair ≈ "
        f"{1000 * per_pair / per_kilo:.0f} row-iterations); actual / fitted: {ratios}"
    )
    return "\n".join(lines)


def main() -> None:
    """Measure each week in a fresh process and print its summary, then the fit."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weeks", default=",".join(WEEKS))
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--steps", default=None, help="also write every step here (JSON lines)")
    parser.add_argument("--one", default=None, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.one:
        print(json.dumps(measure(options.one, options.time_limit)))
        return
    out = Path(options.steps) if options.steps else None
    if out:
        out.write_text("", encoding="utf-8")
    outcomes = []
    for name in options.weeks.split(","):
        run = subprocess.run(
            [sys.executable, __file__, "--one", name, "--time-limit", str(options.time_limit)],
            check=True, capture_output=True, text=True,
        )
        outcome = json.loads(run.stdout.strip().splitlines()[-1])
        outcomes.append(outcome)
        print(summary(outcome), flush=True)
        if out:
            with out.open("a", encoding="utf-8") as f:
                f.write(json.dumps(outcome) + "\n")
    if len(outcomes) > 1 and all(s["row_iterations"] >= 0 for o in outcomes for s in o["steps"]):
        print(fit(outcomes))


if __name__ == "__main__":
    main()
