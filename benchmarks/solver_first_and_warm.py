"""First solve and warm solves: the allocation solver against the HiGHS LP engine.

    python benchmarks/solver_first_and_warm.py --scale luchon --seeds 1,2 --processes 11

The bench (`python -m solver bench`) times each method in a fresh process: its first solve,
which also pays each library's one-time start (OR-Tools builds its protobuf descriptors on the
first solver it creates). The web app solves in its own long-lived process, where every solve
after the first is warm. This script shows both: each of `--processes` fresh processes per
method (methods alternate) solves the same week `--repeats` times with the bench's own clock
(`solver.bench.worker.run_method`), and the medians of the first solves and of the warm ones
are printed side by side.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

METHODS = ("solver", "lp")


def _time_in_this_process(method: str, instance_path: str, repeats: int) -> list[float]:
    """Solve one week `repeats` times in this process and return each time in seconds."""
    from solver.bench.worker import run_method

    doc = json.loads(Path(instance_path).read_text(encoding="utf-8"))
    return [run_method(method, doc, 60.0)["time_s"] for _ in range(repeats)]


def _time_in_fresh_process(method: str, instance_path: str, repeats: int) -> list[float]:
    """Return the times of `repeats` solves made by one fresh process."""
    child = subprocess.run(
        [sys.executable, __file__, "--child", method, instance_path, str(repeats)],
        capture_output=True, text=True, check=True, cwd=REPO_ROOT,
    )  # fmt: skip
    # HiGHS may print its banner first: the times are the last line.
    times: list[float] = json.loads(child.stdout.strip().splitlines()[-1])
    return times


def _compare(instance_path: str, processes: int, repeats: int) -> dict[str, tuple[float, float]]:
    """Return, per method, the median first-solve and warm-solve times in milliseconds."""
    first: dict[str, list[float]] = {method: [] for method in METHODS}
    warm: dict[str, list[float]] = {method: [] for method in METHODS}
    for _ in range(processes):
        for method in METHODS:
            times = _time_in_fresh_process(method, instance_path, repeats)
            first[method].append(times[0])
            warm[method].append(statistics.median(times[1:]))
    return {
        method: (1000 * statistics.median(first[method]), 1000 * statistics.median(warm[method]))
        for method in METHODS
    }


def main(argv: list[str]) -> int:
    """Print first and warm solve times of the solver and the LP engine, seed by seed."""
    if argv[:1] == ["--child"]:
        method, instance_path, repeats = argv[1], argv[2], int(argv[3])
        print(json.dumps(_time_in_this_process(method, instance_path, repeats)))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="luchon")
    parser.add_argument("--variant", default="continuous")
    parser.add_argument("--seeds", default="1,2")
    parser.add_argument("--processes", type=int, default=11)
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args(argv)
    if args.repeats < 2:
        parser.error("--repeats must be at least 2 (a first solve, then warm ones)")

    from solver.bench.generate import generate_instance

    print("| seed | solver first (ms) | LP first (ms) | ratio | solver warm (ms) | LP warm (ms) "
          "| ratio |")
    print("|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as scratch:
        for seed in (int(s) for s in args.seeds.split(",")):
            instance_path = Path(scratch) / f"{args.scale}-{args.variant}-{seed}.json"
            instance = generate_instance(args.scale, args.variant, seed)
            instance_path.write_text(json.dumps(instance), encoding="utf-8")
            medians = _compare(str(instance_path), args.processes, args.repeats)
            (solver_first, solver_warm), (lp_first, lp_warm) = medians["solver"], medians["lp"]
            print(f"| {seed} | {solver_first:.2f} | {lp_first:.2f} | {solver_first / lp_first:.2f}"
                  f" | {solver_warm:.2f} | {lp_warm:.2f} | {solver_warm / lp_warm:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
