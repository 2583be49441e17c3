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


def _instance(text: str) -> tuple[str, str, int]:
    """Parse one SCALE/VARIANT/SEED."""
    try:
        scale, variant, seed = text.split("/")
        return _names(scale, SCALES)[0], _names(variant, VARIANTS)[0], int(seed)
    except (ValueError, IndexError) as error:
        raise argparse.ArgumentTypeError(
            f"{text!r}: expected SCALE/VARIANT/SEED, e.g. national/continuous/1"
        ) from error


def _command_line(options: argparse.Namespace) -> str:
    """Return the command that runs this bench again, every option spelt out."""
    words = [
        "python", "-m", "solver", "bench",
        "--scales", ",".join(options.scales),
        "--variants", ",".join(options.variants),
        "--seeds", ",".join(str(seed) for seed in options.seeds),
    ]  # fmt: skip
    for scale, variant, seed in options.also:
        words += ["--also", f"{scale}/{variant}/{seed}"]
    words += ["--mip-time-limit", f"{options.mip_time_limit:g}"]
    if options.methods:
        words += ["--methods", ",".join(options.methods)]
    if not options.determinism:
        words.append("--no-determinism")
    if options.markdown:
        words += ["--markdown", options.markdown]
    return shlex.join(words)


def _bench(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m solver bench",
        description="Run the solver, two heuristics, the HiGHS LP bound and (operational) a "
        "generic MIP on generated instances, and the solver again beside busy processes to "
        "check that it returns the same plan; print a table, the solver's bound and gap, and "
        "verdicts per instance. `python -m solver bench generate --help` writes one instance.",
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
        "--also",
        metavar="SCALE/VARIANT/SEED",
        action="append",
        default=[],
        type=_instance,
        help="run this instance too, after the others (repeatable), e.g. national/continuous/1",
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
        help="run only these methods (default: all that apply, less those skipped at a scale)",
    )
    parser.add_argument(
        "--no-determinism",
        dest="determinism",
        action="store_false",
        help="do not solve each week a second time beside busy processes to compare the plans",
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
        instance_notes,
        render_section,
        table_rows,
        verdicts,
        write_section,
    )
    from solver.bench.run import run_instance

    instances = [
        (scale, variant, seed)
        for scale in options.scales
        for variant in options.variants
        for seed in options.seeds
    ]
    instances += [instance for instance in options.also if instance not in instances]
    with tempfile.TemporaryDirectory(prefix="pial-bench-") as tmp:
        workdir = Path(options.workdir) if options.workdir else Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        runs = []
        for scale, variant, seed in instances:
            run = run_instance(
                scale,
                variant,
                seed,
                workdir,
                options.mip_time_limit,
                tuple(options.methods) if options.methods else None,
                check_determinism=options.determinism,
            )
            runs.append(run)
            print(f"\n== {scale} / {variant} / seed {seed}: {run.size}")
            print(format_table(table_rows(run), markdown=False))
            for note in instance_notes(run):
                print(note)
            for verdict in verdicts(run):
                print(verdict.line())
            sys.stdout.flush()
    if options.markdown:
        section = render_section(runs, _command_line(options), options.mip_time_limit)
        write_section(Path(options.markdown), section)
        print(f"\nwrote the '## Allocation solver' section of {options.markdown}")
    missed = [v for run in runs for v in verdicts(run) if not v.passed]
    unreachable = sum(v.unreachable for v in missed)
    if missed:
        print(f"\n{len(missed)} target(s) missed, {unreachable} of them unreachable by any plan")
    else:
        print("\nall targets met")
    return 0
