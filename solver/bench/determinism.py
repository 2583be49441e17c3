"""Whether the solver returns the same plan when it solves a week again beside busy processes.

A plan that changes with the machine's load cannot be published twice the same: the bench
solves each week a second time in a fresh process while `BUSY_PROCESSES` processes each keep a
CPU busy, and compares the two plans row by row.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

BUSY_PROCESSES = 2

PlanRow = tuple[str, str, str, str, float]


@dataclass(frozen=True, slots=True)
class PlanComparison:
    """How two plans of one week compare, row by row."""

    num_rows: int
    # Rows (grower, canteen, product, day, quantity) found in one plan and not in the other:
    # a row whose quantity changed counts twice, once per plan.
    num_differing_rows: int

    @property
    def same(self) -> bool:
        """Tell whether the two plans have exactly the same rows."""
        return self.num_differing_rows == 0

    def describe(self) -> str:
        """Return "yes", or "no (N rows differ)"."""
        return "yes" if self.same else f"no ({self.num_differing_rows} rows differ)"


def plan_rows(allocations: Iterable[Mapping[str, Any]]) -> list[PlanRow]:
    """Return a plan's allocation rows as sorted (grower, canteen, product, day, quantity)."""
    return sorted(
        (str(a["grower"]), str(a["canteen"]), str(a["product"]), str(a["day"]), a["quantity"])
        for a in allocations
    )


def compare_plans(
    first: Iterable[Mapping[str, Any]], second: Iterable[Mapping[str, Any]]
) -> PlanComparison:
    """Compare two plans' allocation rows one by one, quantities to the last bit."""
    rows_first, rows_second = Counter(plan_rows(first)), Counter(plan_rows(second))
    differing = (rows_first - rows_second) + (rows_second - rows_first)
    return PlanComparison(sum(rows_first.values()), sum(differing.values()))


@contextmanager
def busy_processes(count: int = BUSY_PROCESSES) -> Iterator[None]:
    """Keep `count` processes spinning, one CPU each, while the block runs."""
    spinners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(count)]
    try:
        yield
    finally:
        for spinner in spinners:
            spinner.kill()
        for spinner in spinners:
            spinner.wait()
