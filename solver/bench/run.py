"""Run every method on every instance, each in a fresh subprocess, and measure their plans."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from solver.bench.determinism import BUSY_PROCESSES, PlanComparison, busy_processes, compare_plans
from solver.bench.generate import generate_instance
from solver.bench.instance import BenchInstance, build_arcs, parse_instance
from solver.bench.metrics import PlanMetrics, measure_plan

HEURISTICS = ("greedy", "prorata")
METHOD_LABELS = {
    "solver": "solver",
    "greedy": "(b) nearest first",
    "prorata": "(c) pro-rata",
    "lp": "(d) LP bound",
    "mip": "(e) generic MIP",
}
# A run this short is timed again in fresh processes, and its median time is reported: on a
# shared machine one run of a few milliseconds is mostly noise.
SHORT_RUN_S = 1.0
SHORT_RUN_TIMINGS = 9
# Methods the bench leaves out at a scale unless named with --methods, and why: each method
# gets about 2 minutes and 2 GB per instance. Measured on the 2-core machine at load 3–4.
SKIPPED_METHODS = {
    ("national", "lp"): (
        "HiGHS had not finished the LP after 314 CPU s (420 s wall, 500 MB so far) on "
        "national/continuous/seed 1: beyond the bench's ~2 minutes per method"
    ),
    ("national", "mip"): (
        "not measured: the LP relaxation of its model was not done after 314 CPU s on "
        "national/continuous/seed 1"
    ),
}


@dataclass(frozen=True, slots=True)
class MethodRun:
    """One method's outcome on one instance: measured plan, time, memory, bound stages."""

    method: str
    time_s: float | None
    peak_mb: float | None
    metrics: PlanMetrics | None
    status: str
    bound: dict[str, Any] | None = None
    error: str | None = None
    reported: dict[str, Any] | None = None
    cpu_s: float | None = None
    timings: int = 1


@dataclass(frozen=True, slots=True)
class InstanceRun:
    """All methods on one (scale, variant, seed), and the solver again under load."""

    scale: str
    variant: str
    seed: int
    size: str
    runs: dict[str, MethodRun]
    skipped: dict[str, str] = field(default_factory=dict)
    # The solver's second run, beside busy processes, and how its plan compares with the first.
    under_load: MethodRun | None = None
    same_plan: PlanComparison | None = None
    num_pairs: int | None = None


def methods_for(variant: str) -> tuple[str, ...]:
    """Return the methods benchmarked on a variant (the generic MIP only on operational)."""
    base = ("solver", "greedy", "prorata", "lp")
    return (*base, "mip") if variant == "operational" else base


def skipped_methods(scale: str, variant: str) -> dict[str, str]:
    """Return the methods left out at a scale by default, each with the reason."""
    return {
        method: SKIPPED_METHODS[(scale, method)]
        for method in methods_for(variant)
        if (scale, method) in SKIPPED_METHODS
    }


def run_instance(
    scale: str,
    variant: str,
    seed: int,
    workdir: Path,
    mip_time_limit_s: float,
    methods: tuple[str, ...] | None = None,
    check_determinism: bool = True,
) -> InstanceRun:
    """Generate one instance, run each method in its own process, and measure every plan.

    Named `methods` run even where `SKIPPED_METHODS` leaves them out. With `check_determinism`,
    the solver solves the week again beside busy processes, and the two plans are compared.
    """
    doc = generate_instance(scale, variant, seed)
    stem = f"{scale}-{variant}-{seed}"
    instance_path = workdir / f"{stem}.json"
    instance_path.write_text(json.dumps(doc), encoding="utf-8")
    inst = parse_instance(doc)
    skipped = {} if methods else skipped_methods(scale, variant)
    runs = {}
    out_paths = {}
    under_load, same_plan = None, None
    for method in methods or methods_for(variant):
        if method in skipped:
            continue
        out_paths[method] = workdir / f"{stem}.{method}.out.json"
        runs[method] = run_method_subprocess(
            inst, method, instance_path, out_paths[method], mip_time_limit_s
        )
        # Before the short runs are timed again: they overwrite the first plan's file.
        if method == "solver" and check_determinism and runs[method].metrics is not None:
            under_load, same_plan = solve_again_under_load(
                inst,
                instance_path,
                out_paths[method],
                workdir / f"{stem}.solver-under-load.out.json",
                mip_time_limit_s,
            )
    runs = time_short_runs_again(inst, runs, instance_path, out_paths, mip_time_limit_s)
    num_pairs = len(build_arcs(inst).pair_line)
    size = (
        f"{len(doc['growers'])} growers × {len(doc['canteens'])} canteens × "
        f"{len(doc['products'])} products, {len(doc['orders'])} lines, "
        f"{len(doc['availability'])} offers, {num_pairs} (grower, line) pairs"
    )
    return InstanceRun(scale, variant, seed, size, runs, skipped, under_load, same_plan, num_pairs)


def solve_again_under_load(
    inst: BenchInstance,
    instance_path: Path,
    first_out_path: Path,
    out_path: Path,
    mip_time_limit_s: float,
) -> tuple[MethodRun, PlanComparison | None]:
    """Solve the week again in a fresh process beside `BUSY_PROCESSES` busy ones, and compare
    its plan row by row with the first run's (None when the second run gave no plan)."""
    with busy_processes(BUSY_PROCESSES):
        again = run_method_subprocess(inst, "solver", instance_path, out_path, mip_time_limit_s)
    if again.metrics is None:
        return again, None
    return again, compare_plans(_allocations(first_out_path), _allocations(out_path))


def _allocations(out_path: Path) -> list[dict[str, Any]]:
    """Return the allocation rows of the plan a worker wrote."""
    outcome = json.loads(out_path.read_text(encoding="utf-8"))
    rows: list[dict[str, Any]] = outcome["result"]["allocations"]
    return rows


def run_method_subprocess(
    inst: BenchInstance, method: str, instance_path: Path, out_path: Path, mip_time_limit_s: float
) -> MethodRun:
    """Run `solver.bench.worker` once for one method and measure the plan it returns."""
    timeout_s = _timeout_s(inst, method, mip_time_limit_s)
    outcome = _run_worker(method, instance_path, out_path, mip_time_limit_s, timeout_s)
    if isinstance(outcome, MethodRun):
        return outcome
    result = outcome.get("result")
    metrics = (
        measure_plan(inst, result["allocations"]) if result and "allocations" in result else None
    )
    status = result["status"] if result else ("bound" if method == "lp" else "no plan")
    return MethodRun(
        method,
        outcome["time_s"],
        outcome["peak_mb"],
        metrics,
        status,
        bound=outcome.get("bound"),
        error="; ".join(result.get("errors", [])) if result else None,
        reported=result.get("metrics") if result else None,
        cpu_s=outcome.get("cpu_s"),
    )


def time_short_runs_again(
    inst: BenchInstance,
    runs: dict[str, MethodRun],
    instance_path: Path,
    out_paths: dict[str, Path],
    mip_time_limit_s: float,
) -> dict[str, MethodRun]:
    """Time the methods that ran in under `SHORT_RUN_S` again, in fresh processes, until each
    has `SHORT_RUN_TIMINGS` timings, and report their median times (the plans stay the first
    run's).

    The runs are interleaved, one of each method per round, so that a shared machine's slow
    spells weigh on every method alike rather than on whichever ran during them.
    """
    times: dict[str, list[tuple[float, float | None]]] = {
        method: [(run.time_s, run.cpu_s)]
        for method, run in runs.items()
        if run.time_s is not None and run.time_s < SHORT_RUN_S
    }
    short = list(times)
    failed: dict[str, MethodRun] = {}
    for _ in range(SHORT_RUN_TIMINGS - 1):
        for method in short:
            if method in failed:
                continue
            again = _run_worker(
                method, instance_path, out_paths[method], mip_time_limit_s,
                _timeout_s(inst, method, mip_time_limit_s),
            )
            if isinstance(again, MethodRun):
                failed[method] = again
            else:
                times[method].append((again["time_s"], again.get("cpu_s")))
    retimed = dict(runs)
    for method in short:
        walls = [wall for wall, _ in times[method]]
        cpus = [cpu for _, cpu in times[method] if cpu is not None]
        retimed[method] = failed.get(method) or replace(
            runs[method],
            time_s=statistics.median(walls),
            cpu_s=statistics.median(cpus) if cpus else None,
            timings=len(walls),
        )
    return retimed


def _timeout_s(inst: BenchInstance, method: str, mip_time_limit_s: float) -> float:
    """Return how long one run of a method may take before it is killed."""
    time_limit_s = float((inst.raw.get("settings") or {}).get("time_limit_s") or 10.0)
    return {"mip": 3 * mip_time_limit_s + 120, "lp": 1800.0}.get(method, 5 * time_limit_s + 120)


def _run_worker(
    method: str, instance_path: Path, out_path: Path, mip_time_limit_s: float, timeout_s: float
) -> dict[str, Any] | MethodRun:
    """Run `solver.bench.worker` once; return what it wrote, or the failed run."""
    command = [
        sys.executable, "-m", "solver.bench.worker", method, str(instance_path), str(out_path),
        str(mip_time_limit_s),
    ]  # fmt: skip
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout_s, check=False
        )
    except subprocess.TimeoutExpired:
        return MethodRun(
            method, None, None, None, "timeout", error=f"killed after {timeout_s:.0f} s"
        )
    if done.returncode != 0:
        tail = (done.stderr.strip().splitlines() or ["no message"])[-1]
        return MethodRun(method, None, None, None, "crashed", error=tail)
    outcome: dict[str, Any] = json.loads(out_path.read_text(encoding="utf-8"))
    return outcome
