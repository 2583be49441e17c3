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
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import highspy
import numpy as np
import numpy.typing as npt
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

    def _arrays(self) -> _ModelArrays:
        """Return the columns, the objective and the rows (compressed sparse rows), joined."""
        costs = np.concatenate(self._costs) if self._costs else np.zeros(0)
        self._costs = [costs]

        def joined(blocks: list[Any], dtype: type) -> Any:
            if not blocks:
                return np.zeros(0, dtype=dtype)
            return np.concatenate([np.asarray(block, dtype=dtype) for block in blocks])

        lengths = joined(self._row_lengths, np.int64)
        # 32-bit indices are what OR-Tools and HiGHS read: 64-bit ones would be converted.
        indptr = np.zeros(len(lengths) + 1, dtype=np.int32)
        np.cumsum(lengths, out=indptr[1:])
        matrix = sp.csr_matrix(
            (joined(self._row_coefs, np.float64), joined(self._row_variables, np.int32), indptr),
            shape=(len(lengths), self.num_variables),
        )
        # Terms repeated within a row add up, as they would in a sum.
        matrix.sum_duplicates()
        return _ModelArrays(
            joined(self._lower, np.float64), joined(self._upper, np.float64), costs,
            joined(self._integral, bool), joined(self._row_lower, np.float64),
            joined(self._row_upper, np.float64), matrix,
        )

    def _builder(self, arrays: _ModelArrays) -> mbh.ModelBuilderHelper:
        """Return OR-Tools' model of these variables, rows and costs."""
        # OR-Tools' stubs misname the array type.
        lower: Any = arrays.lower
        upper: Any = arrays.upper
        cost: Any = arrays.cost
        row_lower: Any = arrays.row_lower
        row_upper: Any = arrays.row_upper
        builder = mbh.ModelBuilderHelper()
        builder.fill_model_from_sparse_data(
            lower, upper, cost, row_lower, row_upper, arrays.matrix
        )
        for var in np.flatnonzero(arrays.integral).tolist():
            builder.set_var_integrality(var, True)
        return builder

    def as_lp_text(self) -> str:
        """Return the model in the LP file format (a fingerprint of it, for tests)."""
        return str(self._builder(self._arrays()).export_to_lp_string())

    def solve(
        self,
        time_limit_s: float,
        max_nodes: int | None = None,
        count_work: bool = False,
        start: tuple[IntArray, FloatArray] | None = None,
        restarts: bool = True,
        may_be_infeasible: bool = False,
    ) -> LinearSolution:
        """Minimise the objective within a time limit; never prints.

        HiGHS solves MIPs and large LPs; GLOP's dual simplex, quicker to start, solves LPs of
        at most `SMALL_LP_MAX_VARIABLES` variables (half the time on a small week). A MIP
        stops after `max_nodes` branch-and-bound nodes: a limit counted in work, so that the
        same model gives the same answer whatever the machine's load (one thread, HiGHS's
        fixed seed); the time limit is then only a safety net. A MIP starts from `start`
        (variables and their values, those left out completed by HiGHS) when given: its
        answer is then never worse than that plan. With `count_work`, a MIP's solution also
        tells HiGHS's counts of its work (`LinearSolution`). Without `restarts`, HiGHS does
        not restart a MIP whose root fixed many of its columns. A MIP said infeasible is asked
        again without presolve (`_solve_mip`) unless it `may_be_infeasible`.
        """
        arrays = self._arrays()
        if self.has_integers:
            return _solve_mip(
                arrays, time_limit_s, max_nodes, count_work, start, restarts, may_be_infeasible
            )
        builder = self._builder(arrays)
        if self.num_variables <= SMALL_LP_MAX_VARIABLES:
            solver = _run(builder, "glop", "use_dual_simplex:true,use_preprocessing:false",
                          time_limit_s)
        else:
            # On the pure LPs of this engine, presolve only costs time (a third at department
            # scale) and the dual simplex beats HiGHS's own choice at region scale.
            options = f"{_HIGHS_BASE}\npresolve=off\nsimplex_strategy=1"
            solver = _run(builder, "highs", options, time_limit_s)
        status = solver.status()
        if status == mbh.SolveStatus.OPTIMAL:
            objective = float(solver.objective_value())
            values = np.asarray(solver.variable_values(), dtype=np.float64)
            return LinearSolution("optimal", values, objective, objective)
        if status == mbh.SolveStatus.FEASIBLE and solver.has_solution():
            values = np.asarray(solver.variable_values(), dtype=np.float64)
            return LinearSolution("feasible", values, float(solver.objective_value()))
        return LinearSolution("none", np.zeros(self.num_variables), np.inf)

    def solve_interior_point(self, time_limit_s: float) -> LinearSolution:
        """Minimise this LP with HiGHS's interior point method then crossover; return the
        solution if proven optimal.

        The interior point method is 7× quicker than the dual simplex on the LP of trips of a
        department week (`bound.py`, which solves it in a thread of its own: HiGHS lets go of
        Python's lock while it solves). HiGHS is created here, its banner silenced.
        """
        arrays = self._arrays()
        with _native_stdout_silenced():
            highs = highspy.Highs()  # type: ignore[no-untyped-call]
        highs.setOptionValue("output_flag", False)
        highs.setOptionValue("threads", 1)
        highs.setOptionValue("solver", "ipm")
        highs.setOptionValue("time_limit", max(0.01, time_limit_s) * WALL_PER_CPU_S)
        _pass_model(highs, arrays)
        highs.run()
        if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return LinearSolution("none", np.zeros(len(arrays.lower)), np.inf)
        objective = float(highs.getInfo().objective_function_value)
        values = np.asarray(highs.getSolution().col_value, dtype=np.float64)
        return LinearSolution("optimal", values, objective, objective)


def _pass_model(highs: highspy.Highs, arrays: _ModelArrays) -> None:
    """Hand a model's arrays to HiGHS (a minimisation, its integer columns marked)."""
    matrix = arrays.matrix
    integrality = np.where(
        arrays.integral, int(highspy.HighsVarType.kInteger), int(highspy.HighsVarType.kContinuous)
    ).astype(np.int32)
    highs.passModel(
        len(arrays.lower), matrix.shape[0], matrix.nnz, int(highspy.MatrixFormat.kRowwise),
        int(highspy.ObjSense.kMinimize), 0.0, arrays.cost, arrays.lower, arrays.upper,
        arrays.row_lower, arrays.row_upper, matrix.indptr.astype(np.int32),
        matrix.indices.astype(np.int32), matrix.data, integrality,
    )


@dataclass(frozen=True, slots=True)
class _ModelArrays:
    """A model as arrays: column bounds, costs and integrality, row bounds and matrix."""

    lower: FloatArray
    upper: FloatArray
    cost: FloatArray
    integral: npt.NDArray[np.bool_]
    row_lower: FloatArray
    row_upper: FloatArray
    matrix: sp.csr_matrix


def _run(
    builder: mbh.ModelBuilderHelper,
    solver_name: str,
    options: str,
    time_limit_s: float,
) -> mbh.ModelSolverHelper:
    """Solve an LP with one of OR-Tools' back-ends and its options within a time limit."""
    solver = mbh.ModelSolverHelper(solver_name)
    solver.enable_output(False)
    solver.set_solver_specific_parameters(options)
    solver.set_time_limit_in_seconds(max(0.01, time_limit_s) * WALL_PER_CPU_S)
    solver.solve(builder)
    return solver


def _solve_mip(
    arrays: _ModelArrays,
    time_limit_s: float,
    max_nodes: int | None,
    count_work: bool,
    start: tuple[IntArray, FloatArray] | None,
    restarts: bool = True,
    may_be_infeasible: bool = False,
) -> LinearSolution:
    """Solve a MIP with HiGHS itself (highspy): OR-Tools' wrapper cannot hand it a starting
    solution (`add_hint` crashes the process with HiGHS, OR-Tools 9.15)."""
    started = now()
    with _native_stdout_silenced() as silenced, _highs_log(count_work and silenced) as log:
        highs = _run_mip(arrays, time_limit_s, max_nodes, log, start, restarts=restarts)
        if (
            highs.getModelStatus() == highspy.HighsModelStatus.kInfeasible
            and not may_be_infeasible
        ):
            # A model that holds the plan it improves on is feasible, so this answer is
            # wrong: HiGHS's MIP presolve was seen to give it on a 15-variable week that SCIP,
            # CP-SAT and HiGHS without presolve all solve. Ask again so.
            left_s = time_limit_s - (now() - started)
            highs = _run_mip(
                arrays, left_s, max_nodes, log, start, presolve=False, restarts=restarts
            )
        work = log.counts() if log is not None else _UNKNOWN_WORK
    info = highs.getInfo()
    status = highs.getModelStatus()
    if info.primal_solution_status != _FEASIBLE_POINT:
        return LinearSolution("none", np.zeros(len(arrays.lower)), np.inf, **work)
    objective = float(info.objective_function_value)
    values = np.asarray(highs.getSolution().col_value, dtype=np.float64)
    dual = float(info.mip_dual_bound)
    if status == highspy.HighsModelStatus.kOptimal:
        return LinearSolution("optimal", values, objective, objective, **work)
    bound = min(dual, objective) if np.isfinite(dual) else -np.inf
    return LinearSolution("feasible", values, objective, bound, **work)


# HiGHS's code for a feasible primal point (`primal_solution_status`).
_FEASIBLE_POINT = 2
_UNKNOWN_WORK = {"lp_iterations": -1, "row_iterations": -1, "nodes": -1}


def _run_mip(
    arrays: _ModelArrays,
    time_limit_s: float,
    max_nodes: int | None,
    log: _HighsLog | None,
    start: tuple[IntArray, FloatArray] | None,
    presolve: bool = True,
    restarts: bool = True,
) -> highspy.Highs:
    """Run HiGHS once on the MIP with the engine's options (one thread, quiet, its log read
    into `log` if any), from `start` if given; return it, solved."""
    highs = highspy.Highs()  # type: ignore[no-untyped-call]
    highs.setOptionValue("output_flag", log is not None)
    highs.setOptionValue("log_to_console", False)
    if log is not None:
        highs.setOptionValue("log_file", str(log.path))
    highs.setOptionValue("threads", 1)
    highs.setOptionValue("time_limit", max(0.01, time_limit_s) * WALL_PER_CPU_S)
    if max_nodes is not None:
        highs.setOptionValue("mip_max_nodes", max(1, int(max_nodes)))
    if not presolve:
        highs.setOptionValue("presolve", "off")
    if not restarts:
        highs.setOptionValue("mip_allow_restart", False)
    _pass_model(highs, arrays)
    if start is not None:
        variables, values = start
        highs.setSolution(len(variables), variables.astype(np.int32), values)
    highs.run()
    if log is not None:
        log.read_run()
    return highs


class _HighsLog:
    """A file HiGHS writes its log to, read back to count the MIP's work."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lp_iterations = self.row_iterations = self.nodes = 0

    def read_run(self) -> None:
        """Add the simplex iterations, row-iterations and nodes of the run just logged."""
        log = self.path.read_text(encoding="utf-8", errors="replace")
        self.path.write_bytes(b"")
        iterations = _last_count(_LP_ITERATIONS, log)
        # The rows left by presolve (its first report; restarts shrink the model further);
        # the model's own rows when presolve is off or reduced nothing.
        presolved = _PRESOLVED_ROWS.search(log) or _MODEL_ROWS.search(log)
        rows = int(presolved.group(1)) if presolved else 0
        self.lp_iterations += iterations
        self.row_iterations += iterations * rows
        self.nodes += _last_count(_NODES, log)

    def counts(self) -> dict[str, int]:
        """Return the work of the runs read so far."""
        return {
            "lp_iterations": self.lp_iterations,
            "row_iterations": self.row_iterations,
            "nodes": self.nodes,
        }


# The lines of HiGHS's MIP report ("Solving report") that count its work.
_LP_ITERATIONS = re.compile(r"^\s*LP iterations\s+(\d+)", re.MULTILINE)
_NODES = re.compile(r"^\s*Nodes\s+(\d+)", re.MULTILINE)
_PRESOLVED_ROWS = re.compile(r"^Solving MIP model with:\s+(\d+) rows", re.MULTILINE)
_MODEL_ROWS = re.compile(r"^MIP has (\d+) rows", re.MULTILINE)


def _last_count(pattern: re.Pattern[str], log: str) -> int:
    """Return the number on the last line of a log matching a pattern, 0 if none does."""
    counts = pattern.findall(log)
    return int(counts[-1]) if counts else 0


@contextmanager
def _highs_log(count: bool) -> Iterator[_HighsLog | None]:
    """Yield a log file of HiGHS's own if `count` (None otherwise), removed after."""
    if not count:
        yield None
        return
    handle, name = tempfile.mkstemp(prefix="pial-highs-", suffix=".log")
    os.close(handle)
    path = Path(name)
    try:
        yield _HighsLog(path)
    finally:
        path.unlink(missing_ok=True)


class _StdoutSilence:
    """The process's stdout (file descriptor 1) sent to /dev/null while any thread needs it
    silent: the first to enter redirects it, the last to leave restores it (each thread
    saving and restoring on its own would leave it silenced when their solves overlap)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._holders = 0
        self._saved_fd: int | None = None

    def enter(self) -> bool:
        """Silence stdout (or keep it silenced); return whether it is."""
        with self._lock:
            if self._holders == 0:
                if sys.stdout is not None:
                    sys.stdout.flush()
                try:
                    saved_fd = os.dup(1)
                except OSError:
                    return False
                with open(os.devnull, "wb") as devnull:
                    os.dup2(devnull.fileno(), 1)
                self._saved_fd = saved_fd
            self._holders += 1
            return True

    def leave(self) -> None:
        """Give up one hold; the last restores stdout."""
        with self._lock:
            self._holders -= 1
            if self._holders == 0 and self._saved_fd is not None:
                os.dup2(self._saved_fd, 1)
                os.close(self._saved_fd)
                self._saved_fd = None


_STDOUT_SILENCE = _StdoutSilence()


@contextmanager
def _native_stdout_silenced() -> Iterator[bool]:
    """Send the process's stdout (file descriptor 1) to /dev/null while native code runs;
    yield whether it could.

    HiGHS prints its banner with printf when created, whatever its output options, which
    would corrupt a JSON result written to stdout. The redirection is process-wide, so
    another thread's writes to stdout during a MIP solve are lost too; the bound's thread
    and the solving thread share it (`_StdoutSilence`).
    """
    if not _STDOUT_SILENCE.enter():
        yield False
        return
    try:
        yield True
    finally:
        _STDOUT_SILENCE.leave()
