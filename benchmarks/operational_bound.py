"""Operational weeks: the solver's proven bound, its gap, determinism under load, time vs HiGHS.

One line per week of what `python -m solver bench` measures on generated operational weeks
(`solver.bench.run.run_instance`, with the solver and the bench's HiGHS LP relaxation only):
the result's `weighted`, `weighted_lower_bound` and `gap`; its wall and CPU time; whether a
second run in a fresh process beside two busy processes returns the same plan, row by row;
the LP relaxation's bound and CPU time, and the ratio of the solver's CPU time to it.

The machine is shared: ratios of CPU times say more than seconds. Usage:
    python benchmarks/operational_bound.py --scales luchon,mid,department --seeds 1,2 [--no-lp]
    [--markdown docs/benchmarks.md]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from solver.bench.report import bound_values, describe_same_plan
from solver.bench.run import InstanceRun, run_instance

SECTION = "## Operational weeks: proven bound, gap, determinism"
HEADER = [
    "| instance | pairs | status | weighted | bound | gap | trips | cpu s | wall s "
    "| same plan under load | HiGHS LP bound | LP cpu s | cpu ratio solver/LP |",
    "|---|---:|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|",
]


def table_row(run: InstanceRun) -> str:
    """Return one week's line of the table."""
    name = f"{run.scale}-{run.variant}-{run.seed}"
    solver = run.runs["solver"]
    if solver.metrics is None:
        return f"| {name} | {run.num_pairs} | {solver.status}: {solver.error} |"
    reported = solver.reported or {}
    lp = run.runs.get("lp")
    lp_cpu_s = lp.cpu_s if lp else None
    ratio = solver.cpu_s / lp_cpu_s if solver.cpu_s is not None and lp_cpu_s else None
    return (
        f"| {name} | {run.num_pairs} | {solver.status} | {_num(reported.get('weighted'))} "
        f"| {_num(reported.get('weighted_lower_bound'))} | {_pct(reported.get('gap'))} "
        f"| {solver.metrics.deliveries} | {_num(solver.cpu_s)} | {_num(solver.time_s)} "
        f"| {describe_same_plan(run)} | {_num(bound_values(run)['weighted'])} "
        f"| {_num(lp_cpu_s)} | {_num(ratio)} |"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="luchon,mid,department")
    parser.add_argument("--seeds", default="1")
    parser.add_argument("--no-lp", action="store_true", help="skip the HiGHS LP reference")
    parser.add_argument("--markdown", default=None, help="(re)write this script's section")
    options = parser.parse_args()
    lines = list(HEADER)
    methods = ("solver",) if options.no_lp else ("solver", "lp")
    with tempfile.TemporaryDirectory(prefix="pial-bound-") as tmp:
        for scale in options.scales.split(","):
            for seed in (int(s) for s in options.seeds.split(",")):
                run = run_instance(scale, "operational", seed, Path(tmp), 60.0, methods)
                row = table_row(run)
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
        path.write_text(rewritten(path.read_text(encoding="utf-8"), section), encoding="utf-8")
    return 0


def rewritten(text: str, section: str) -> str:
    """Return a markdown text with this script's section (its head and table) replaced by a
    new one, the notes after the old table kept; or added at the end."""
    if SECTION not in text:
        return text.rstrip("\n") + "\n\n" + section
    before, _, after = text.partition(SECTION)
    rest = after.split("\n## ", 1)
    tail = "\n## " + rest[1] if len(rest) > 1 else ""
    return before + section + _notes_after_table(rest[0]) + tail


def _notes_after_table(body: str) -> str:
    """Return what follows this script's table in the old section (its notes, kept, with the
    tables they hold), with a blank line before it."""
    lines = body.split("\n")
    first = next((i for i, line in enumerate(lines) if line.startswith("|")), None)
    if first is None:
        return ""
    end = first
    while end < len(lines) and lines[end].startswith("|"):
        end += 1
    notes = "\n".join(lines[end:]).strip("\n")
    return "\n" + notes + "\n" if notes else ""


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _pct(value: float | None) -> str:
    return "" if value is None else f"{100 * value:.1f} %"


if __name__ == "__main__":
    sys.exit(main())
