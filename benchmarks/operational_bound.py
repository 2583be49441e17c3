"""Operational weeks: the solver's proven bound, its gap, determinism under load, time vs HiGHS.

For each generated operational instance (`solver.bench.generate`) this script
1. solves it with the engine twice in fresh processes, the second time with two CPU hogs
   beside it, and compares the two plans row by row;
2. reports the result's `weighted`, `weighted_lower_bound` and `gap`, its wall and CPU time;
3. runs the bench's HiGHS LP relaxation (`python -m solver.bench.bound lp`, all three
   stages) as the reference bound and time, in its own process (highspy and OR-Tools cannot
   share one), and gives the ratio of the solver's CPU time to it.

The machine is shared: ratios of CPU times say more than seconds. Usage:
    python benchmarks/operational_bound.py --scales luchon,mid,department --seeds 1,2 [--no-lp]
    [--markdown docs/benchmarks.md]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

SECTION = "## Operational weeks: proven bound, gap, determinism"

WORKER = """
import json, resource, sys, time
import solver
from solver.engine import index_problem
doc = open(sys.argv[1], encoding="utf-8").read()
problem = solver.load(doc)
wall, cpu = time.perf_counter(), time.process_time()
result = solver.solve(problem)
wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
rows = sorted([r.grower, r.canteen, r.product, r.day, r.quantity] for r in result.allocations)
m = result.metrics
json.dump({"status": result.status, "weighted": m.weighted, "bound": m.weighted_lower_bound,
           "gap": m.gap, "served": m.served_eur, "trips": m.deliveries, "wall": wall, "cpu": cpu,
           "pairs": index_problem(problem).num_pairs, "rows": rows,
           "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024},
          open(sys.argv[2], "w"))
"""


def _burn(stop_at: float) -> None:
    x = 0
    while time.time() < stop_at:
        x += 1


def run_solver(instance: Path, out: Path, hogs: int) -> dict[str, Any]:
    """Solve one instance in a fresh process, with `hogs` busy processes beside it."""
    burners = [
        multiprocessing.get_context("spawn").Process(target=_burn, args=(time.time() + 600,))
        for _ in range(hogs)
    ]
    for burner in burners:
        burner.start()
    try:
        subprocess.run([sys.executable, "-c", WORKER, str(instance), str(out)], check=True)
    finally:
        for burner in burners:
            burner.terminate()
            burner.join()
    outcome: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return outcome


def run_lp(instance: Path, out: Path) -> dict[str, Any] | None:
    """Run the bench's HiGHS LP relaxation (all stages); return its bound and CPU time."""
    code = (
        "import json, sys, time\n"
        "from solver.bench.instance import parse_instance\n"
        "from solver.bench.bound import solve_stages\n"
        "inst = parse_instance(json.load(open(sys.argv[1], encoding='utf-8')))\n"
        "cpu = time.process_time()\n"
        "outcome = solve_stages(inst, integer=False, time_limit_s=600.0)\n"
        "json.dump({'bound': outcome, 'cpu': time.process_time() - cpu}, open(sys.argv[2], 'w'))\n"
    )
    done = subprocess.run([sys.executable, "-c", code, str(instance), str(out)], check=False)
    if done.returncode != 0:
        return None
    outcome: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return outcome


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="luchon,mid,department")
    parser.add_argument("--seeds", default="1")
    parser.add_argument("--no-lp", action="store_true", help="skip the HiGHS LP reference")
    parser.add_argument("--markdown", default=None, help="(re)write this script's section")
    options = parser.parse_args()
    from solver.bench.generate import generate_instance

    lines = [
        "| instance | pairs | status | weighted | bound | gap | trips | cpu s | wall s "
        "| same plan under load | HiGHS LP bound | LP cpu s | cpu ratio solver/LP |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|",
    ]
    with tempfile.TemporaryDirectory(prefix="pial-bound-") as tmp:
        work = Path(tmp)
        for scale in options.scales.split(","):
            for seed in (int(s) for s in options.seeds.split(",")):
                name = f"{scale}-operational-{seed}"
                instance = work / f"{name}.json"
                instance.write_text(
                    json.dumps(generate_instance(scale, "operational", seed)), encoding="utf-8"
                )
                quiet = run_solver(instance, work / f"{name}.a.json", hogs=0)
                loaded = run_solver(instance, work / f"{name}.b.json", hogs=2)
                same = quiet["rows"] == loaded["rows"]
                differing = len(
                    {tuple(r) for r in quiet["rows"]} ^ {tuple(r) for r in loaded["rows"]}
                )
                loaded_value = f"weighted {loaded['weighted']:.2f}, cpu s {loaded['cpu']:.2f}"
                lp = None if options.no_lp else run_lp(instance, work / f"{name}.lp.json")
                lp_bound = lp["bound"]["stages"]["weighted"]["value"] if lp else None
                lp_cpu = lp["cpu"] if lp else None
                row = (
                    f"| {name} | {quiet['pairs']} | {quiet['status']} | {quiet['weighted']:.2f} "
                    f"| {_num(quiet['bound'])} | {_pct(quiet['gap'])} | {quiet['trips']} "
                    f"| {quiet['cpu']:.2f} | {quiet['wall']:.2f} "
                    f"| {'yes' if same else f'no ({differing} rows differ, {loaded_value})'} "
                    f"| {_num(lp_bound)} | {_num(lp_cpu)} "
                    f"| {_num(quiet['cpu'] / lp_cpu if lp_cpu else None)} |"
                )
                print(row, flush=True)
                lines.append(row)
    head = os.popen("git rev-parse --short HEAD").read().strip()
    load = os.getloadavg()[0]
    machine = (
        f"Machine: nproc {os.cpu_count()}, Python {platform.python_version()}, "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, load average {load:.1f} at the end "
        f"(shared machine: compare CPU times and ratios, not wall seconds); code {head}"
    )
    command = "python benchmarks/operational_bound.py " + " ".join(sys.argv[1:])
    section = "\n".join([SECTION, "", f"Command: `{command.strip()}`  ", machine, "", *lines, ""])
    print(section)
    if options.markdown:
        path = Path(options.markdown)
        text = path.read_text(encoding="utf-8")
        if SECTION in text:
            before, _, after = text.partition(SECTION)
            rest = after.split("\n## ", 1)
            tail = "\n## " + rest[1] if len(rest) > 1 else ""
            text = before + section + _notes_after_table(rest[0]) + tail
        else:
            text = text.rstrip("\n") + "\n\n" + section
        path.write_text(text, encoding="utf-8")
    return 0


def _notes_after_table(body: str) -> str:
    """Return what follows the table in the old section (its notes, kept), with a blank line
    before it."""
    lines = body.split("\n")
    table = [i for i, line in enumerate(lines) if line.startswith("|")]
    notes = "\n".join(lines[table[-1] + 1:] if table else []).strip("\n")
    return "\n" + notes + "\n" if notes else ""


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _pct(value: float | None) -> str:
    return "" if value is None else f"{100 * value:.1f} %"


if __name__ == "__main__":
    sys.exit(main())
