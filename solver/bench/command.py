"""The `python -m solver bench` command line: generate instances, or run the whole bench."""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import tempfile
from pathlib import Path

from solver.bench.generate import BENCH_SCALES, SCALES, VARIANTS, generate_instance


def main(argv: list[str]) -> int:
    """Parse the arguments and generate one instance, or run the bench and report."""
    if argv[:1] == ["generate"]:
        return _generate(argv[1:])
    return _bench(argv)


def _generate(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m solver bench generate",
        description="Write one generated pial-allocation/1 instance.",
    )
    parser.add_argument("--scale", choices=SCALES, default="luchon")
    parser.add_argument("--variant", choices=VARIANTS, default="continuous")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("-o", "--output", default="-", help="file to write, or - for stdout")
    options = parser.parse_args(argv)
    text = json.dumps(
        generate_instance(options.scale, options.variant, options.seed),
        ensure_ascii=False,
        indent=1,
    )
    if options.output == "-":
        sys.stdout.write(text + "\n")
    else:
        Path(options.output).write_text(text + "\n", encoding="utf-8")
    return 0


def _names(text: str, allowed: tuple[str, ...]) -> list[str]:
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in allowed]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown {', '.join(unknown)}; expected {', '.join(allowed)}"
        )
    return names


def _bench(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m solver bench",
        description="Run the solver, two heuristics, the HiGHS LP bound and (operational) a "
        "generic MIP on generated instances; print a table, gaps and verdicts per instance. "
        "`python -m solver bench generate --help` writes one instance.",
    )
    parser.add_argument(
        "--scales",
        default=",".join(BENCH_SCALES),
        type=lambda t: _names(t, SCALES),
        help="comma-separated scales",
    )
    parser.add_argument(
        "--variants",
        default=",".join(VARIANTS),
        type=lambda t: _names(t, VARIANTS),
        help="comma-separated variants",
    )
    parser.add_argument(
        "--seeds",
        default="1",
        type=lambda t: [int(s) for s in t.split(",")],
        help="comma-separated seeds",
    )
    parser.add_argument(
        "--mip-time-limit",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="time limit of the generic MIP (e), all stages together",
    )
    parser.add_argument(
        "--methods",
        default=None,
        type=lambda t: _names(t, ("solver", "greedy", "prorata", "lp", "mip")),
        help="run only these methods (default: all that apply)",
    )
    parser.add_argument(
        "--markdown",
        metavar="FILE",
        default=None,
        help="(re)write the '## Allocation solver' section of this Markdown file",
    )
    parser.add_argument(
        "--workdir",
        metavar="DIR",
        default=None,
        help="keep instances and raw outputs here (default: a temporary folder)",
    )
    options = parser.parse_args(argv)

    from solver.bench.report import (
        format_table,
        render_section,
        table_rows,
        verdicts,
        write_section,
    )
    from solver.bench.run import run_instance

    command = "python -m solver bench " + shlex.join(argv)
    with tempfile.TemporaryDirectory(prefix="pial-bench-") as tmp:
        workdir = Path(options.workdir) if options.workdir else Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        runs = []
        for scale in options.scales:
            for variant in options.variants:
                for seed in options.seeds:
                    run = run_instance(
                        scale,
                        variant,
                        seed,
                        workdir,
                        options.mip_time_limit,
                        tuple(options.methods) if options.methods else None,
                    )
                    runs.append(run)
                    print(f"\n== {scale} / {variant} / seed {seed}: {run.size}")
                    print(format_table(table_rows(run), markdown=False))
                    for verdict in verdicts(run):
                        print(verdict.line())
                    sys.stdout.flush()
    if options.markdown:
        write_section(
            Path(options.markdown), render_section(runs, command.strip(), options.mip_time_limit)
        )
        print(f"\nwrote the '## Allocation solver' section of {options.markdown}")
    missed = [v for run in runs for v in verdicts(run) if not v.passed]
    unreachable = sum(v.unreachable for v in missed)
    if missed:
        print(f"\n{len(missed)} target(s) missed, {unreachable} of them unreachable by any plan")
    else:
        print("\nall targets met")
    return 0
