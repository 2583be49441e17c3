"""A linear programme solved again and again as bounds move: OR-Tools' GLOP, dual simplex.

The season plan raises or lowers the coverage rows' right-hand sides round after round. GLOP
keeps its basis between solves, and a basis stays dual feasible when only right-hand sides
change, so the dual simplex resumes from the previous optimum instead of starting over.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from solver.season.history import FloatArray

GLOP_OPTIONS = "use_dual_simplex:true"


class LinearProgram:
    """Minimise costs · x subject to lower ≤ rows · x ≤ upper and bounds on x."""

    def __init__(self) -> None:
        from ortools.linear_solver import pywraplp  # type: ignore[attr-defined]

        self._pywraplp = pywraplp
        self._solver = pywraplp.Solver.CreateSolver("GLOP")
        self._solver.SetSolverSpecificParametersAsString(GLOP_OPTIONS)
        self._objective = self._solver.Objective()
        self._objective.SetMinimization()
        self._variables: list[Any] = []
        self._rows: list[Any] = []

    def add_variable(self, lower: float, upper: float = np.inf, cost: float = 0.0) -> int:
        """Add a variable and return its index."""
        infinity = self._solver.infinity()
        variable = self._solver.NumVar(lower, upper if np.isfinite(upper) else infinity, "")
        if cost:
            self._objective.SetCoefficient(variable, cost)
        self._variables.append(variable)
        return len(self._variables) - 1

    def add_row(
        self,
        variables: Sequence[int],
        coefs: Sequence[float],
        lower: float = -np.inf,
        upper: float = np.inf,
    ) -> int:
        """Add the row lower ≤ Σ coef × variable ≤ upper and return its index."""
        infinity = self._solver.infinity()
        row = self._solver.Constraint(lower if np.isfinite(lower) else -infinity,
                                      upper if np.isfinite(upper) else infinity)
        for index, coef in zip(variables, coefs, strict=True):
            row.SetCoefficient(self._variables[index], coef)
        self._rows.append(row)
        return len(self._rows) - 1

    def set_row_lower(self, row: int, lower: float) -> None:
        """Change a row's lower bound (the basis is kept: the next solve resumes from it)."""
        self._rows[row].SetLb(lower)

    @property
    def num_rows(self) -> int:
        """Return how many rows the programme has."""
        return len(self._rows)

    def solve(self, time_limit_s: float) -> FloatArray | None:
        """Return the optimal values, or None when no optimum is found in time."""
        self._solver.SetTimeLimit(int(max(0.01, time_limit_s) * 1000))
        if self._solver.Solve() != self._pywraplp.Solver.OPTIMAL:
            return None
        return np.array([variable.solution_value() for variable in self._variables])
