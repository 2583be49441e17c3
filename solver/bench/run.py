"""Run every method on every instance, each in a fresh subprocess, and measure their plans."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from solver.bench.generate import generate_instance
from solver.bench.instance import BenchInstance, parse_instance
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
SHORT_RUN_TIMINGS = 5


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
    """All methods on one (scale, variant, seed)."""

    scale: str
    variant: str
    seed: int
    size: str
    runs: dict[str, MethodRun]


def methods_for(variant: str) -> tuple[str, ...]:
    """Return the methods benchmarked on a variant (the generic MIP only on operational)."""
    base = ("solver", "greedy", "prorata", "lp")
    return (*base, "mip") if variant == "operational" else base


def run_instance(
    scale: str,
    variant: str,
    seed: int,
    workdir: Path,
    mip_time_limit_s: float,
    methods: tuple[str, ...] | None = None,
) -> InstanceRun:
    """Generate one instance, run each method in its own process, and measure every plan."""
    doc = generate_instance(scale, variant, seed)
    stem = f"{scale}-{variant}-{seed}"
    instance_path = workdir / f"{stem}.json"
    instance_path.write_text(json.dumps(doc), encoding="utf-8")
    inst = parse_instance(doc)
    runs = {}
    for method in methods or methods_for(variant):
        runs[method] = run_method_subprocess(
            inst, method, instance_path, workdir / f"{stem}.{method}.out.json", mip_time_limit_s
        )
    size = (
        f"{len(doc['growers'])} growers × {len(doc['canteens'])} canteens × "
        f"{len(doc['products'])} products, {len(doc['orders'])} lines, "
        f"{len(doc['availability'])} offers"
    )
    return InstanceRun(scale, variant, seed, size, runs)


def run_method_subprocess(
    inst: BenchInstance, method: str, instance_path: Path, out_path: Path, mip_time_limit_s: float
) -> MethodRun:
    """Run `solver.bench.worker` for one method and measure the plan it returns."""
    time_limit_s = float((inst.raw.get("settings") or {}).get("time_limit_s") or 10.0)
    timeout_s = {"mip": 3 * mip_time_limit_s + 120, "lp": 1800.0}.get(
        method, 5 * time_limit_s + 120
    )
    worker = (method, instance_path, out_path, mip_time_limit_s)
    outcome = _run_worker(*worker, timeout_s)
    if isinstance(outcome, MethodRun):
        return outcome
    result = outcome.get("result")
    metrics = (
        measure_plan(inst, result["allocations"]) if result and "allocations" in result else None
    )
    status = result["status"] if result else ("bound" if method == "lp" else "no plan")
    times = [(outcome["time_s"], outcome.get("cpu_s"))]
    if outcome["time_s"] < SHORT_RUN_S:
        for _ in range(SHORT_RUN_TIMINGS - 1):
            again = _run_worker(*worker, timeout_s)
            if isinstance(again, MethodRun):
                return again
            times.append((again["time_s"], again.get("cpu_s")))
    cpu_times = [cpu for _, cpu in times if cpu is not None]
    return MethodRun(
        method,
        statistics.median(wall for wall, _ in times),
        outcome["peak_mb"],
        metrics,
        status,
        bound=outcome.get("bound"),
        error="; ".join(result.get("errors", [])) if result else None,
        reported=result.get("metrics") if result else None,
        cpu_s=statistics.median(cpu_times) if cpu_times else None,
        timings=len(times),
    )


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
