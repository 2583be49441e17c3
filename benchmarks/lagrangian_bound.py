"""Lagrangian bounds on an operational week against the LP of trips and quantities together.

Issue 22 suggests a stronger bound on stage 4 from a Lagrangian relaxation of the coupling
rows. This script measures three: the week's joint LP (`solver.engine.bound`, the engine's
strongest bound) is cut into blocks, one per (canteen, day), per (grower, day) or per grower;
the rows whose columns all lie in one block stay in it, the others (the coupling rows) are
priced. Each block is then solved as a MIP (lots and trips integral, HiGHS, a node limit; its
dual bound counts), and

    L(λ) = Σ_coupling λ_r · (row r's lower bound if λ_r > 0, else its upper bound)
           + Σ_blocks min over the block of (cost − Aᵀλ) · x
           + the columns in no block (fairness gaps) at their cheapest bound

is a lower bound on every plan for any prices λ whose sign matches each row's finite bounds:
the first λ are the LP's duals (with LP blocks this gives back the LP's optimum, printed as a
check), then subgradient steps (Polyak's step towards `--target`, projected) look for higher.

Usage (from the repository root, a few minutes per week):
    PYTHONPATH=. python benchmarks/lagrangian_bound.py [--weeks department:1,mid:2]
    [--steps 20] [--nodes 200]
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass

import highspy
import numpy as np
import scipy.sparse as sp

from solver.bench.generate import generate_instance
from solver.engine.bound import add_trip_relaxation, fewest_trips_by_place
from solver.engine.clock import now
from solver.engine.index import FloatArray, IntArray, ProblemIndex, index_problem
from solver.engine.linear import _ModelArrays, _pass_model
from solver.engine.model import build_weighted_model
from solver.engine.served import plan_served
from solver.io import read_problem

UNLIMITED_S = 1e6


@dataclass
class JointLP:
    """The week's joint LP as arrays, its optimum and duals, and the columns of the pairs'
    quantities and of the trips."""

    cost: FloatArray
    lower: FloatArray
    upper: FloatArray
    row_lower: FloatArray
    row_upper: FloatArray
    matrix: sp.csr_matrix
    integral: np.ndarray
    offset: float
    optimum: float
    duals: FloatArray
    pair_column: IntArray
    trip_column: IntArray


def joint_lp(index: ProblemIndex) -> JointLP:
    """Build the week's joint LP as the engine does and solve it for its duals."""
    deadline = now() + UNLIMITED_S
    served = plan_served(index, deadline)
    if not served.proven:
        raise SystemExit("stages 2 and 3 are not proven on this week: the joint LP bounds nothing")
    fewest = fewest_trips_by_place(
        index, served.contract_target, served.total_target, deadline
    ) or []
    model = build_weighted_model(
        index, range(len(index.lines)), served.quantities, served.contract_target,
        served.total_target, relax=True, with_integer_rules=False,
    )
    trip_column = add_trip_relaxation(
        model, fewest, served.contract_target, served.total_target
    )
    arrays = model.lp._arrays()
    highs = highspy.Highs()  # type: ignore[no-untyped-call]
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("solver", "ipm")
    _pass_model(highs, arrays)
    highs.run()
    if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        raise SystemExit("HiGHS did not solve the joint LP to optimality")
    integral = np.zeros(len(arrays.lower), dtype=bool)
    integral[model.var_of_pair[index.pair_integral & (model.var_of_pair >= 0)]] = True
    integral[trip_column] = True
    return JointLP(
        arrays.cost, arrays.lower, arrays.upper, arrays.row_lower, arrays.row_upper,
        arrays.matrix.tocsr(), integral, model.objective_offset(served.total_target),
        float(highs.getInfo().objective_function_value),
        np.asarray(highs.getSolution().row_dual, dtype=np.float64),
        model.var_of_pair, trip_column,
    )


def column_blocks(index: ProblemIndex, lp: JointLP, by: str) -> IntArray:
    """Return each column's block (-1: in none): blocks per (canteen, day) (`place`),
    (grower, day) (`grower-day`) or grower (`grower`)."""
    _, trip_of_pair = index.trips()
    block_of_key: dict[tuple[object, str], int] = {}
    block = np.full(len(lp.cost), -1, dtype=np.int64)
    for p in range(index.num_pairs):
        line = index.lines[int(index.pair_line[p])]
        owner = line.canteen if by == "place" else int(index.pair_grower[p])
        day = "" if by == "grower" else line.day
        b = block_of_key.setdefault((owner, day), len(block_of_key))
        if lp.pair_column[p] >= 0:
            block[lp.pair_column[p]] = b
        block[lp.trip_column[trip_of_pair[p]]] = b
    return block


def row_blocks(lp: JointLP, block: IntArray) -> IntArray:
    """Return each row's block if all its columns lie in that one block, else -1."""
    matrix = lp.matrix
    rows = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
    of_term = block[matrix.indices]
    low = np.full(matrix.shape[0], np.iinfo(np.int64).max)
    high = np.full(matrix.shape[0], -2)
    np.minimum.at(low, rows, of_term)
    np.maximum.at(high, rows, of_term)
    return np.where((low == high) & (low >= 0), low, -1)


Block = tuple[IntArray, IntArray, sp.csr_matrix]


def block_parts(lp: JointLP, block: IntArray, row_block: IntArray) -> list[Block]:
    """Return each block's columns, rows and their part of the matrix."""
    parts = []
    for b in range(int(block.max()) + 1):
        cols = np.flatnonzero(block == b)
        rows = np.flatnonzero(row_block == b)
        parts.append((cols, rows, lp.matrix[rows][:, cols].tocsr()))
    return parts


def lagrangian(
    lp: JointLP, block: IntArray, row_block: IntArray, parts: list[Block],
    prices: FloatArray, nodes: int, integral: bool,
) -> tuple[float, FloatArray]:
    """Return L(prices) (see the module's docstring) and the blocks' solutions."""
    coupling = row_block < 0
    lam = np.where(coupling, prices, 0.0)
    active = np.where(lam > 0, lp.row_lower, lp.row_upper)
    value = float((lam[lam != 0] * active[lam != 0]).sum())
    reduced = lp.cost - lp.matrix.T @ lam
    x = np.zeros(len(lp.cost))
    free = np.flatnonzero(block < 0)
    cheapest = np.where(reduced[free] >= 0, lp.lower[free], lp.upper[free])
    x[free] = cheapest
    terms = np.where(reduced[free] == 0, 0.0, reduced[free] * cheapest)
    value += float(terms.sum())  # -inf when a price leaves a column unbounded below
    for cols, rows, sub in parts:
        highs = highspy.Highs()  # type: ignore[no-untyped-call]
        highs.setOptionValue("output_flag", False)
        highs.setOptionValue("threads", 1)
        highs.setOptionValue("mip_max_nodes", nodes)
        kinds = lp.integral[cols] & integral
        _pass_model(highs, _ModelArrays(
            lp.lower[cols], lp.upper[cols], reduced[cols], kinds,
            lp.row_lower[rows], lp.row_upper[rows], sub,
        ))
        highs.run()
        info = highs.getInfo()
        # The MIP's dual bound, not its objective (`LinearModel.solve` reports that as the bound
        # of a MIP HiGHS calls optimal, up to its 0.01 % gap above the true optimum).
        value += info.mip_dual_bound if kinds.any() else info.objective_function_value
        x[cols] = np.asarray(highs.getSolution().col_value)
    return value + lp.offset, x


def projected(lp: JointLP, prices: FloatArray, gap_weight: float, priced: np.ndarray) -> FloatArray:
    """Return prices with the signs the rows' bounds allow (a row without a finite lower
    bound gets no positive price, ...), and within ± the fairness weight on rows that hold a
    fairness gap column (else that column would be unbounded below)."""
    prices = np.where(np.isfinite(lp.row_lower), prices, np.minimum(prices, 0.0))
    prices = np.where(np.isfinite(lp.row_upper), prices, np.maximum(prices, 0.0))
    return np.where(priced, np.clip(prices, -gap_weight, gap_weight), prices)


@dataclass
class BlockBounds:
    """What one kind of block gives on one week."""

    blocks: int
    priced_rows: int
    # L with LP blocks at the LP's duals: the LP's optimum again, if the prices are right.
    check: float
    at_duals: float
    best: float
    pass_cpu_s: float


def block_bounds(
    index: ProblemIndex, lp: JointLP, by: str, steps: int, nodes: int, target: float | None
) -> BlockBounds:
    """Return the Lagrangian bounds of one kind of block: at the LP's duals, then the best of
    `steps` subgradient steps aiming at `target` (default: 10 % above the first)."""
    block = column_blocks(index, lp, by)
    row_block = row_blocks(lp, block)
    coupling = row_block < 0
    holds_free = np.asarray(
        (abs(lp.matrix[:, np.flatnonzero(block < 0)]) > 0).sum(axis=1)
    ).ravel() > 0
    weight = index.problem.settings.weights.fairness
    prices = projected(lp, np.where(coupling, lp.duals, 0.0), weight, holds_free)
    parts = block_parts(lp, block, row_block)
    check, _ = lagrangian(lp, block, row_block, parts, prices, nodes, integral=False)
    started = time.process_time()
    at_duals, x = lagrangian(lp, block, row_block, parts, prices, nodes, integral=True)
    pass_cpu_s = time.process_time() - started
    best, value, theta = at_duals, at_duals, 0.1
    aim = target if target is not None else 1.1 * at_duals
    for step in range(steps):
        activity = lp.matrix @ x
        below = np.where(np.isfinite(lp.row_lower), lp.row_lower - activity, 0.0)
        above = np.where(np.isfinite(lp.row_upper), lp.row_upper - activity, 0.0)
        # L's slope along each coupling row's price: its active bound less its activity
        # (at a zero price, how far the blocks break the row, if they do).
        at_zero = np.where(below > 0, below, np.minimum(above, 0.0))
        slope = np.where(prices > 0, below, np.where(prices < 0, above, at_zero))
        direction = np.where(coupling, slope, 0.0)
        norm = float((direction**2).sum())
        if norm < 1e-12:
            break
        prices = projected(
            lp, prices + theta * (aim - value) / norm * direction, weight, holds_free
        )
        value, x = lagrangian(lp, block, row_block, parts, prices, nodes, integral=True)
        best = max(best, value)
        if step % 5 == 4:
            theta *= 0.6
    return BlockBounds(
        int(block.max()) + 1, int(coupling.sum()), check, at_duals, best, pass_cpu_s
    )


def measure(
    week: str, blocks: list[str], steps: int, nodes: int, target: float | None
) -> list[str]:
    """Return the report's lines of one week (scale:seed)."""
    scale, seed = week.split(":")
    index = index_problem(read_problem(generate_instance(scale, "operational", int(seed))))
    lp = joint_lp(index)
    optimum = lp.optimum + lp.offset
    lines = []
    for by in blocks:
        found = block_bounds(index, lp, by, steps, nodes, target)
        lines.append(
            f"| {week} | {by} | {found.blocks} | {found.priced_rows} | {optimum:,.2f} | "
            f"{found.check:,.2f} | {found.at_duals:,.2f} | {found.best:,.2f} ({steps} steps) | "
            f"{100 * (found.best / optimum - 1):+.2f} % | {found.pass_cpu_s:.1f} |"
        )
    return lines


def main() -> None:
    """Print one table row per week and kind of block."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weeks", default="department:1,mid:2")
    parser.add_argument("--blocks", default="place,grower-day,grower")
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--nodes", type=int, default=200)
    parser.add_argument("--target", type=float, default=None,
                        help="the subgradient's aim (default: 10 %% above L at the LP's duals)")
    args = parser.parse_args()
    print("| week | blocks per | blocks | priced rows | joint LP | L, LP blocks (check) | "
          "L at LP duals | best L | best against LP | CPU s per pass |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for week in args.weeks.split(","):
        for line in measure(week, args.blocks.split(","), args.steps, args.nodes, args.target):
            print(line, flush=True)


if __name__ == "__main__":
    main()
