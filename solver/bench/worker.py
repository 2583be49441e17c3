"""Run one bench method on one instance file, in a process of its own, and write what it did.

`python -m solver.bench.worker METHOD INSTANCE.json OUT.json [MIP_TIME_LIMIT_S]`

A fresh process per method gives each a cold start and its own peak memory (ru_maxrss), and
keeps HiGHS (`lp`, `mip`) away from OR-Tools (`solver`): their native libraries clash. The
clock covers reading the parsed JSON into the method's model and solving, not interpreter
start-up, imports or writing the output.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from typing import Any

METHODS = ("solver", "greedy", "prorata", "lp", "mip")


def _clock() -> tuple[float, float]:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return time.perf_counter(), usage.ru_utime + usage.ru_stime


def _elapsed(started: tuple[float, float]) -> tuple[float, float]:
    """Return wall and CPU seconds since `started` (CPU time shows a loaded machine's toll)."""
    wall_s, cpu_s = _clock()
    return wall_s - started[0], cpu_s - started[1]


def run_method(method: str, doc: dict[str, Any], mip_time_limit_s: float) -> dict[str, Any]:
    """Run one method and return its result document (or bound) with its time."""
    if method == "solver":
        import solver
        import solver.engine

        started = _clock()
        # Read, validate once and solve: what `python -m solver solve` does with a file.
        result = solver.solve_json(doc)
        solve_s, cpu_s = _elapsed(started)
        return {"time_s": solve_s, "cpu_s": cpu_s, "result": json.loads(solver.dump(result))}
    if method in ("greedy", "prorata"):
        from solver.bench.baselines import nearest_grower_first, pro_rata
        from solver.bench.instance import parse_instance
        from solver.bench.metrics import build_result

        heuristic = nearest_grower_first if method == "greedy" else pro_rata
        started = _clock()
        inst = parse_instance(doc)
        rows = heuristic(inst)
        solve_s, cpu_s = _elapsed(started)
        result_doc = build_result(inst, rows, "feasible", solve_s)
        return {"time_s": solve_s, "cpu_s": cpu_s, "result": result_doc}
    if method in ("lp", "mip"):
        from solver.bench.bound import solve_stages
        from solver.bench.instance import parse_instance

        if "ortools" in sys.modules:
            raise RuntimeError("OR-Tools is loaded: HiGHS cannot run in this process")
        started = _clock()
        outcome = solve_stages(
            parse_instance(doc), integer=method == "mip", time_limit_s=mip_time_limit_s
        )
        solve_s, cpu_s = _elapsed(started)
        rows = outcome.pop("allocations", None)
        plan: dict[str, Any] | None = None
        if method == "mip" and rows is not None:
            plan = {"format": "pial-allocation-result/1", "status": "feasible", "allocations": rows}
        return {"time_s": solve_s, "cpu_s": cpu_s, "bound": outcome, "result": plan}
    raise ValueError(f"unknown method {method!r}; expected one of {', '.join(METHODS)}")


def main(argv: list[str]) -> int:
    """Read the instance, run the method, write time, peak memory and output as JSON."""
    method, instance_path, out_path = argv[:3]
    mip_time_limit_s = float(argv[3]) if len(argv) > 3 else 60.0
    with open(instance_path, encoding="utf-8") as f:
        doc = json.load(f)
    outcome = run_method(method, doc, mip_time_limit_s)
    # Linux reports ru_maxrss in KiB.
    outcome["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    outcome["method"] = method
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump(outcome, f)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
