"""Benchmark of the allocation solver against two heuristics, an LP bound and a generic MIP.

`python -m solver bench --help` lists the options; `python -m solver bench generate --help`
writes one generated instance. Nothing heavy is imported here: the command loads its modules
only when it runs, and each method runs in a subprocess of its own.
"""

from __future__ import annotations


def main(argv: list[str]) -> int:
    """Run the bench command line on `argv` (arguments after `bench`) and return the exit code."""
    from solver.bench.command import main as run_command

    return run_command(argv)
