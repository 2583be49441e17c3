"""A thin, array-friendly linear model, filled into OR-Tools' model builder in one call.

Variables and rows are collected as arrays (rows in compressed sparse row form) and handed to
the model builder at once when solving, so that models of 100 000 variables build in a fraction
of a second; the rules that give them meaning live in `model.py`.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import scipy.sparse as sp
from ortools.linear_solver.python import model_builder_helper as mbh

from solver.engine.clock import WALL_PER_CPU_S, now
from solver.engine.index import FloatArray, IntArray

SolveOutcome = Literal["optimal", "feasible", "none"]
SMALL_LP_MAX_VARIABLES = 2000
# Every HiGHS run: one thread, and no output (this also silences the banner it prints on stdout).
_HIGHS_BASE = "output_flag=false\nthreads=1"


@dataclass(frozen=True, slots=True)
class LinearSolution:
    """The outcome of one solve: whether it is proven optimal, and the variable values."""

    outcome: SolveOutcome
    values: FloatArray
    objective: float
    # A proven lower bound on the model's optimum: the objective of an optimal LP, the MIP's
    # dual bound (-inf when the solver proved nothing).
    bound: float = -np.inf
    # The MIP's work as HiGHS counts it, when asked for (`count_work`), the same on every run
    # of the same model whatever the machine's load; -1 when unknown. Its simplex iterations
    # (cuts, strong branching and heuristics included), these iterations times the rows of
    # the presolved model they pivot on, and its branch-and-bound nodes.
    lp_iterations: int = -1
    row_iterations: int = -1
    nodes: int = -1


class LinearModel:
    """A linear (or mixed-integer) minimisation model built column- and row-wise."""

    def __init__(self) -> None:
        self.num_variables = 0
        self.num_rows = 0
        self.has_integers = False
        # Columns and rows in blocks, joined once when solving.
        self._lower: list[FloatArray] = []
        self._upper: list[FloatArray] = []
        self._integral: list[np.ndarray] = []
        self._costs: list[FloatArray] = []
        self._row_lengths: list[Any] = []
        self._row_variables: list[Any] = []
        self._row_coefs: list[Any] = []
        self._row_lower: list[Any] = []
        self._row_upper: list[Any] = []

    def add_variables(
        self,
        lower: FloatArray,
        upper: FloatArray,
        integral: bool | np.ndarray = False,
        cost: FloatArray | None = None,
    ) -> IntArray:
        """Add one variable per bound and return their indices."""
        count = len(lower)
        flags = np.zeros(count, dtype=bool)
        flags[:] = integral
        self.has_integers = self.has_integers or bool(flags.any())
        # Copies, as for rows: the caller may reuse its arrays.
        self._lower.append(np.array(lower, dtype=np.float64))
        self._upper.append(np.array(upper, dtype=np.float64))
        self._integral.append(flags)
        self._costs.append(np.zeros(count) if cost is None else np.array(cost, np.float64))
        first = self.num_variables
        self.num_variables += count
        return np.arange(first, self.num_variables, dtype=np.int64)

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
        # Copied now: the caller may reuse its lists once the row is added.
        self._row_lengths.append([len(variables)])
        self._row_variables.append(np.array(variables, dtype=np.int64))
        self._row_coefs.append(np.array(coefs, dtype=np.float64))
        self._row_lower.append([lower])
        self._row_upper.append([upper])
        self.num_rows += 1
        return self.num_rows - 1

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
        edges = np.asarray(starts, dtype=np.int64)
        self._row_lengths.append(edges[1:] - edges[:-1])
        # Copies, as in add_row.
        self._row_variables.append(np.array(variables[edges[0]:edges[-1]], dtype=np.int64))
        self._row_coefs.append(np.array(coefs[edges[0]:edges[-1]], dtype=np.float64))
        self._row_lower.append(np.array(lower, dtype=np.float64))
        self._row_upper.append(np.array(upper, dtype=np.float64))
        self.num_rows += len(edges) - 1

    def _builder(self) -> mbh.ModelBuilderHelper:
        """Return OR-Tools' model of these variables, rows and costs."""
        costs = np.concatenate(self._costs) if self._costs else np.zeros(0)
        self._costs = [costs]

        def joined(blocks: list[Any], dtype: type) -> Any:
            if not blocks:
                return np.zeros(0, dtype=dtype)
            return np.concatenate([np.asarray(block, dtype=dtype) for block in blocks])

        lengths = joined(self._row_lengths, np.int64)
        # 32-bit indices are what OR-Tools reads: 64-bit ones would be converted on the way.
        indptr = np.zeros(len(lengths) + 1, dtype=np.int32)
        np.cumsum(lengths, out=indptr[1:])
        matrix = sp.csr_matrix(
            (joined(self._row_coefs, np.float64), joined(self._row_variables, np.int32), indptr),
            shape=(len(lengths), self.num_variables),
        )
        # Terms repeated within a row add up, as they would in a sum.
        matrix.sum_duplicates()
        objective: Any = costs  # OR-Tools' stubs misname the array type
        builder = mbh.ModelBuilderHelper()
        builder.fill_model_from_sparse_data(
            joined(self._lower, np.float64), joined(self._upper, np.float64), objective,
            joined(self._row_lower, np.float64), joined(self._row_upper, np.float64), matrix,
        )
        for var in np.flatnonzero(joined(self._integral, bool)).tolist():
            builder.set_var_integrality(var, True)
        return builder

    def solve(
        self,
        time_limit_s: float,
        max_nodes: int | None = None,
        interior_point: bool = False,
        count_work: bool = False,
    ) -> LinearSolution:
        """Minimise the objective within a time limit; never prints.

        HiGHS solves MIPs and large LPs; GLOP's dual simplex, quicker to start, solves LPs of
        at most `SMALL_LP_MAX_VARIABLES` variables (half the time on a small week). A MIP
        stops after `max_nodes` branch-and-bound nodes: a limit counted in work, so that the
        same model gives the same answer whatever the machine's load (one thread, HiGHS's
        fixed seed); the time limit is then only a safety net. With `interior_point`, a large
        LP is solved by HiGHS's interior point method then crossover: 7× quicker than its dual
        simplex on the LP of trips of a department week (`bound.py`). With `count_work`, a
        MIP's solution also tells HiGHS's counts of its work (`LinearSolution`).
        """
        started = now()
        builder = self._builder()
        work: dict[str, int] = {}
        small_lp = not self.has_integers and self.num_variables <= SMALL_LP_MAX_VARIABLES
        if small_lp:
            solver = _run(builder, "glop", "use_dual_simplex:true,use_preprocessing:false",
                          time_limit_s)
        elif not self.has_integers:
            # On the pure LPs of this engine, presolve only costs time (a third at department
            # scale) and the dual simplex beats HiGHS's own choice at region scale.
            options = f"{_HIGHS_BASE}\npresolve=off\nsimplex_strategy=1"
            if interior_point:
                options = f"{_HIGHS_BASE}\nsolver=ipm"
            solver = _run(builder, "highs", options, time_limit_s)
        else:
            mip_options = _HIGHS_BASE
            if max_nodes is not None:
                mip_options += f"\nmip_max_nodes={max(1, int(max_nodes))}"
            # HiGHS's log, written only to count its work, must not reach the real stdout.
            with (
                _native_stdout_silenced() as silenced,
                _highs_work_counter(count_work and silenced) as counter,
            ):
                solver = counter.run(builder, mip_options, time_limit_s)
                if solver.status() == mbh.SolveStatus.INFEASIBLE:
                    # Every model of this engine holds the plan it improves on, so this answer
                    # is wrong: HiGHS's MIP presolve was seen to give it on a 15-variable week
                    # that SCIP, CP-SAT and HiGHS without presolve all solve. Ask again so.
                    left_s = time_limit_s - (now() - started)
                    solver = counter.run(builder, f"{mip_options}\npresolve=off", left_s)
            work = {
                "lp_iterations": counter.lp_iterations,
                "row_iterations": counter.row_iterations,
                "nodes": counter.nodes,
            }
        status = solver.status()
        bound = -np.inf
        if status == mbh.SolveStatus.OPTIMAL:
            outcome: SolveOutcome = "optimal"
            bound = float(solver.objective_value())
        elif status == mbh.SolveStatus.FEASIBLE and solver.has_solution():
            outcome = "feasible"
        else:
            return LinearSolution("none", np.zeros(self.num_variables), np.inf, **work)
        if self.has_integers and solver.has_response():
            dual = float(solver.best_objective_bound())
            if np.isfinite(dual):
                bound = min(dual, float(solver.objective_value()))
        return LinearSolution(
            outcome, np.asarray(solver.variable_values(), dtype=np.float64),
            float(solver.objective_value()), bound, **work,
        )


def _run(
    builder: mbh.ModelBuilderHelper,
    solver_name: str,
    options: str,
    time_limit_s: float,
    output: bool = False,
) -> mbh.ModelSolverHelper:
    """Solve a model with one back-end and its options within a time limit."""
    solver = mbh.ModelSolverHelper(solver_name)
    solver.enable_output(output)
    solver.set_solver_specific_parameters(options)
    solver.set_time_limit_in_seconds(max(0.01, time_limit_s) * WALL_PER_CPU_S)
    solver.solve(builder)
    return solver


class _HighsWorkCounter:
    """Run HiGHS on MIPs and add up the simplex iterations, row-iterations and nodes that its
    logs report."""

    def __init__(self, log_path: Path | None) -> None:
        self.log_path = log_path
        self.lp_iterations = self.row_iterations = self.nodes = 0 if log_path else -1

    def run(
        self, builder: mbh.ModelBuilderHelper, options: str, time_limit_s: float
    ) -> mbh.ModelSolverHelper:
        """Solve a MIP with HiGHS and these options; count its work if there is a log file."""
        if self.log_path is None:
            return _run(builder, "highs", options, time_limit_s)
        # OR-Tools' wrapper does not hand HiGHS's counters back, nor its log to Python (no
        # callback binding): HiGHS writes its log to a file, and to the console, silenced.
        self.log_path.write_bytes(b"")
        solver = _run(
            builder, "highs", f"{options}\nlog_file={self.log_path}", time_limit_s, output=True
        )
        log = self.log_path.read_text(encoding="utf-8", errors="replace")
        iterations = _last_count(_LP_ITERATIONS, log)
        # The rows left by presolve (its first report; restarts shrink the model further);
        # the model's own rows when presolve is off or reduced nothing.
        presolved = _PRESOLVED_ROWS.search(log) or _MODEL_ROWS.search(log)
        rows = int(presolved.group(1)) if presolved else 0
        self.lp_iterations += iterations
        self.row_iterations += iterations * rows
        self.nodes += _last_count(_NODES, log)
        return solver


# The lines of HiGHS's MIP report ("Solving report") that count its work.
_LP_ITERATIONS = re.compile(r"^\s*LP iterations\s+(\d+)", re.MULTILINE)
_NODES = re.compile(r"^\s*Nodes\s+(\d+)", re.MULTILINE)
_PRESOLVED_ROWS = re.compile(r"^Presolve reductions: rows (\d+)", re.MULTILINE)
_MODEL_ROWS = re.compile(r"^MIP has (\d+) rows", re.MULTILINE)


def _last_count(pattern: re.Pattern[str], log: str) -> int:
    """Return the number on the last line of a log matching a pattern, 0 if none does."""
    counts = pattern.findall(log)
    return int(counts[-1]) if counts else 0


@contextmanager
def _highs_work_counter(count: bool) -> Iterator[_HighsWorkCounter]:
    """Yield a counter of HiGHS's work, with a log file of its own if `count`, removed after.

    OR-Tools reads HiGHS options as `name=value` split at spaces, commas and `=`: a log path
    holding one of them cannot be passed, and the work is then unknown (-1).
    """
    if not count:
        yield _HighsWorkCounter(None)
        return
    handle, name = tempfile.mkstemp(prefix="pial-highs-", suffix=".log")
    os.close(handle)
    path = Path(name)
    try:
        yield _HighsWorkCounter(None if re.search(r"[\s,=]", name) else path)
    finally:
        path.unlink(missing_ok=True)


@contextmanager
def _native_stdout_silenced() -> Iterator[bool]:
    """Send the process's stdout (file descriptor 1) to /dev/null while native code runs;
    yield whether it could.

    HiGHS 1.12's MIP solver prints a debugging line with printf whatever its output options,
    which would corrupt a JSON result written to stdout. The redirection is process-wide, so
    another thread's writes to stdout during a MIP solve are lost too.
    """
    if sys.stdout is not None:
        sys.stdout.flush()
    try:
        saved_fd = os.dup(1)
    except OSError:
        yield False
        return
    try:
        with open(os.devnull, "wb") as devnull:
            os.dup2(devnull.fileno(), 1)
        yield True
    finally:
        os.dup2(saved_fd, 1)
        os.close(saved_fd)
