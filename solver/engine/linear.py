"""A thin, array-friendly wrapper over OR-Tools' model builder, solved by HiGHS.

Rows and columns are added by index so that models of 100 000 variables build in a fraction
of a second; the rules that give them meaning live in `model.py`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from ortools.linear_solver.python import model_builder_helper as mbh

from solver.engine.index import FloatArray, IntArray

SolveOutcome = Literal["optimal", "feasible", "none"]
SMALL_LP_MAX_VARIABLES = 2000


@dataclass(frozen=True, slots=True)
class LinearSolution:
    """The outcome of one solve: whether it is proven optimal, and the variable values."""

    outcome: SolveOutcome
    values: FloatArray
    objective: float


class LinearModel:
    """A linear (or mixed-integer) minimisation model built column- and row-wise."""

    def __init__(self) -> None:
        self.helper = mbh.ModelBuilderHelper()
        self.num_variables = 0
        self.has_integers = False
        # One handle per variable, so that a row's terms are passed in one call.
        self._handles: list[mbh.Variable] = []
        # Objective coefficients, pushed to the helper once, when solving.
        self._costs: list[FloatArray] = []

    def add_variables(
        self,
        lower: FloatArray,
        upper: FloatArray,
        integral: bool | np.ndarray = False,
        cost: FloatArray | None = None,
    ) -> IntArray:
        """Add one variable per bound and return their indices."""
        count = len(lower)
        flags = np.broadcast_to(np.asarray(integral, dtype=bool), (count,)).copy()
        self.has_integers = self.has_integers or bool(flags.any())
        lower_bounds: Any = np.asarray(lower, dtype=np.float64)
        upper_bounds: Any = np.asarray(upper, dtype=np.float64)
        flags_any: Any = flags
        indices = np.asarray(
            self.helper.add_var_array_with_bounds(lower_bounds, upper_bounds, flags_any, ""),
            dtype=np.int64,
        )
        self.num_variables += count
        helper = self.helper
        self._handles.extend(mbh.Variable(helper, i) for i in indices.tolist())
        self._costs.append(np.zeros(count) if cost is None else np.asarray(cost, np.float64))
        return indices

    def add_costs(
        self, variables: Sequence[int] | IntArray, cost: Sequence[float] | FloatArray
    ) -> None:
        """Add objective coefficients to some variables."""
        if len(self._costs) > 1:
            self._costs = [np.concatenate(self._costs)]
        np.add.at(self._costs[0], np.asarray(variables, dtype=np.int64), cost)

    def add_row(
        self,
        variables: Sequence[int],
        coefs: Sequence[float],
        lower: float = -np.inf,
        upper: float = np.inf,
    ) -> int:
        """Add the row lower ≤ Σ coef × variable ≤ upper and return its index."""
        helper = self.helper
        row = helper.add_linear_constraint()
        helper.set_constraint_lower_bound(row, lower)
        helper.set_constraint_upper_bound(row, upper)
        handles = self._handles
        helper.add_terms_to_constraint(
            row, [handles[var] for var in variables],
            coefs if isinstance(coefs, list) else list(coefs),
        )
        return row

    def add_rows(
        self,
        starts: IntArray,
        variables: IntArray,
        coefs: FloatArray,
        lower: FloatArray,
        upper: FloatArray,
    ) -> None:
        """Add rows lower ≤ Σ coef × variable ≤ upper; row r's terms are
        variables[starts[r]:starts[r + 1]] (starts ends with the number of terms)."""
        helper = self.helper
        handles = self._handles
        all_handles = [handles[var] for var in variables.tolist()]
        all_coefs = coefs.tolist()
        bounds = zip(lower.tolist(), upper.tolist(), strict=True)
        edges = starts.tolist()
        for (low, high), first, last in zip(bounds, edges[:-1], edges[1:], strict=True):
            row = helper.add_linear_constraint()
            helper.set_constraint_lower_bound(row, low)
            helper.set_constraint_upper_bound(row, high)
            helper.add_terms_to_constraint(row, all_handles[first:last], all_coefs[first:last])

    def solve(self, time_limit_s: float) -> LinearSolution:
        """Minimise the objective within a time limit; never prints.

        HiGHS solves MIPs and large LPs; GLOP's dual simplex, quicker to start, solves LPs of
        at most `SMALL_LP_MAX_VARIABLES` variables (half the time on a small week).
        """
        costs = np.concatenate(self._costs) if self._costs else np.zeros(0)
        self._costs = [costs]
        nonzero = np.flatnonzero(costs)
        self.helper.set_objective_coefficients(nonzero.tolist(), costs[nonzero].tolist())
        small_lp = not self.has_integers and self.num_variables <= SMALL_LP_MAX_VARIABLES
        solver_name = "glop" if small_lp else "highs"
        solver = mbh.ModelSolverHelper(solver_name)
        solver.enable_output(False)
        if small_lp:
            solver.set_solver_specific_parameters("use_dual_simplex:true,use_preprocessing:false")
        else:
            # output_flag=false also silences the banner HiGHS prints on stdout. On the pure
            # LPs of this engine, presolve only costs time (a third at department scale) and
            # the dual simplex beats HiGHS's own choice at region scale.
            options = "output_flag=false\nthreads=1"
            if not self.has_integers:
                options += "\npresolve=off\nsimplex_strategy=1"
            solver.set_solver_specific_parameters(options)
        solver.set_time_limit_in_seconds(max(0.01, time_limit_s))
        if self.has_integers:
            with _native_stdout_silenced():
                solver.solve(self.helper)
        else:
            solver.solve(self.helper)
        status = solver.status()
        if status == mbh.SolveStatus.OPTIMAL:
            outcome: SolveOutcome = "optimal"
        elif status == mbh.SolveStatus.FEASIBLE and solver.has_solution():
            outcome = "feasible"
        else:
            return LinearSolution("none", np.zeros(self.num_variables), np.inf)
        return LinearSolution(
            outcome, np.asarray(solver.variable_values(), dtype=np.float64),
            float(solver.objective_value()),
        )


@contextmanager
def _native_stdout_silenced() -> Iterator[None]:
    """Send the process's stdout (file descriptor 1) to /dev/null while native code runs.

    HiGHS 1.12's MIP solver prints a debugging line with printf whatever its output options,
    which would corrupt a JSON result written to stdout. The redirection is process-wide, so
    another thread's writes to stdout during a MIP solve are lost too.
    """
    if sys.stdout is not None:
        sys.stdout.flush()
    try:
        saved_fd = os.dup(1)
    except OSError:
        yield
        return
    try:
        with open(os.devnull, "wb") as devnull:
            os.dup2(devnull.fileno(), 1)
        yield
    finally:
        os.dup2(saved_fd, 1)
        os.close(saved_fd)
