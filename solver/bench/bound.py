"""The spec's lexicographic stages solved by HiGHS: an LP bound, or a generic MIP for comparison.

Both methods build one mixed-integer model of the week: a quantity per (offer, line) arc,
crates per (grower, line) pair (quantity = lot × crates), on/off switches for the
growers-per-line cap (quantity ≤ M × switch, Σ switches ≤ cap) and trips (quantity ≤ M × trip),
with M the most a pair can carry in whole crates. Rows over one product with a lot count whole
crates: a line's and an offer's limits are rounded down to whole crates (an offer's only where
each of its arcs is its pair's only arc), which every plan in crates obeys anyway. `mip` hands
that model to HiGHS's MIP under a time limit, to show what a generic engine reaches; `lp` is its
LP relaxation (crates, switches and trips continuous), so each stage's optimum bounds what any
plan can reach. The model is built in one sparse matrix.

Run it in its own process (`python -m solver.bench.bound lp instance.json out.json`), so that
the bench measures its time and memory apart from the solver's.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass, field
from typing import Any

import highspy
import numpy as np
import scipy.sparse as sp

from solver.bench.instance import (
    Arcs,
    BenchInstance,
    FloatArray,
    IntArray,
    build_arcs,
    parse_instance,
)
from solver.bench.metrics import aggregate_rows

STAGES = ("contract", "served", "weighted")
STAGE_REL_TOL = 1e-7
PRESOLVE_MAX_MIP_COLS = 50_000


@dataclass
class ModelBuilder:
    """Columns with bounds and integrality, and constraint rows as sparse triplets."""

    col_lower: list[FloatArray] = field(default_factory=list)
    col_upper: list[FloatArray] = field(default_factory=list)
    col_integer: list[np.ndarray[Any, Any]] = field(default_factory=list)
    row_lower: list[FloatArray] = field(default_factory=list)
    row_upper: list[FloatArray] = field(default_factory=list)
    triplets: list[tuple[IntArray, IntArray, FloatArray]] = field(default_factory=list)
    num_cols: int = 0
    num_rows: int = 0

    def add_cols(self, count: int, lower: Any, upper: Any, integer: bool = False) -> IntArray:
        """Add `count` columns and return their indices."""
        self.col_lower.append(np.broadcast_to(np.asarray(lower, float), count).copy())
        self.col_upper.append(np.broadcast_to(np.asarray(upper, float), count).copy())
        self.col_integer.append(np.full(count, integer))
        first, self.num_cols = self.num_cols, self.num_cols + count
        return np.arange(first, self.num_cols, dtype=np.int64)

    def add_rows(
        self, count: int, row: Any, col: Any, value: Any, lower: Any, upper: Any
    ) -> IntArray:
        """Add `count` rows given as (row offset, column, coefficient) triplets."""
        row = np.asarray(row, np.int64)
        self.triplets.append(
            (
                row + self.num_rows,
                np.asarray(col, np.int64),
                np.broadcast_to(np.asarray(value, float), row.shape).copy(),
            )
        )
        self.row_lower.append(np.broadcast_to(np.asarray(lower, float), count).copy())
        self.row_upper.append(np.broadcast_to(np.asarray(upper, float), count).copy())
        first, self.num_rows = self.num_rows, self.num_rows + count
        return np.arange(first, self.num_rows, dtype=np.int64)

    def append_to(
        self, h: highspy.Highs, first_col: int, first_row: int, cost: FloatArray, integer: bool
    ) -> None:
        """Add the columns and rows built since (first_col, first_row) to a live HiGHS model."""
        num_new_cols, num_new_rows = self.num_cols - first_col, self.num_rows - first_row
        lower, upper = np.concatenate(self.col_lower), np.concatenate(self.col_upper)
        h.addCols(
            num_new_cols,
            cost[first_col:],
            lower[first_col:],
            upper[first_col:],
            0,
            np.zeros(0, np.int32),
            np.zeros(0, np.int32),
            np.zeros(0),
        )
        if integer:
            is_int = np.concatenate(self.col_integer)[first_col:]
            new = np.arange(first_col, self.num_cols, dtype=np.int32)[is_int]
            h.changeColsIntegrality(len(new), new, np.full(len(new), highspy.HighsVarType.kInteger))
        rows = np.concatenate([t[0] for t in self.triplets]) - first_row
        keep = rows >= 0
        cols = np.concatenate([t[1] for t in self.triplets])[keep]
        vals = np.concatenate([t[2] for t in self.triplets])[keep]
        matrix = sp.csr_matrix((vals, (rows[keep], cols)), shape=(num_new_rows, self.num_cols))
        h.addRows(
            num_new_rows,
            np.concatenate(self.row_lower)[first_row:],
            np.concatenate(self.row_upper)[first_row:],
            matrix.nnz,
            matrix.indptr.astype(np.int32),
            matrix.indices.astype(np.int32),
            matrix.data,
        )

    def to_highs(self, integer: bool) -> highspy.Highs:
        """Pass the model to a fresh, silent HiGHS instance."""
        rows = np.concatenate([t[0] for t in self.triplets])
        cols = np.concatenate([t[1] for t in self.triplets])
        vals = np.concatenate([t[2] for t in self.triplets])
        matrix = sp.csc_matrix((vals, (rows, cols)), shape=(self.num_rows, self.num_cols))
        matrix.sum_duplicates()
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = self.num_cols, self.num_rows
        lp.col_cost_ = np.zeros(self.num_cols)
        lp.col_lower_ = np.concatenate(self.col_lower)
        lp.col_upper_ = np.concatenate(self.col_upper)
        lp.row_lower_ = np.concatenate(self.row_lower)
        lp.row_upper_ = np.concatenate(self.row_upper)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = self.num_cols, self.num_rows
        lp.a_matrix_.start_ = matrix.indptr.astype(np.int32)
        lp.a_matrix_.index_ = matrix.indices.astype(np.int32)
        lp.a_matrix_.value_ = matrix.data
        if integer:
            is_int = np.concatenate(self.col_integer)
            lp.integrality_ = [
                highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous
                for i in is_int
            ]
        h = highspy.Highs()  # type: ignore[no-untyped-call]
        h.setOptionValue("output_flag", False)
        h.passModel(lp)
        return h


@dataclass
class AllocationModel:
    """The built model: HiGHS instance plus the column groups each stage needs."""

    highs: highspy.Highs
    builder: ModelBuilder
    arcs: Arcs
    quantity: IntArray
    served: int
    deviation: IntArray
    trips: IntArray
    pair_cap: FloatArray
    contract_cost: FloatArray
    weighted_cost: FloatArray
    weighted_offset: float


def build_model(inst: BenchInstance, integer: bool) -> AllocationModel:
    """Build the feasibility rules, then the three stage objectives, for HiGHS."""
    arcs = build_arcs(inst)
    num_arcs, num_pairs = len(arcs.line), len(arcs.pair_line)
    price = inst.price_eur[inst.line_product[arcs.line]]
    m = ModelBuilder()

    # Each arc carries part of a line's quantity from one offer; it can never exceed either.
    arc_upper = np.minimum(inst.line_quantity[arcs.line], inst.offer_quantity[arcs.offer])
    quantity = m.add_cols(num_arcs, 0.0, arc_upper)
    served = int(m.add_cols(1, 0.0, np.inf)[0])
    dev_plus = m.add_cols(inst.num_growers, 0.0, np.inf)
    dev_minus = m.add_cols(inst.num_growers, 0.0, np.inf)

    # No grower sends more than it offered; no line receives more than ordered. A line of a
    # product with a lot receives whole crates, so at most its quantity rounded down to crates;
    # so does an offer whose every arc is the only one of its pair.
    arc_lot = inst.lot[inst.line_product[arcs.line]]
    sole_arc = np.bincount(arcs.pair, minlength=len(arcs.pair_line))[arcs.pair] == 1
    offer_row, offer_of_arc = np.unique(arcs.offer, return_inverse=True)
    offer_lot = np.zeros(len(offer_row))
    offer_lot[offer_of_arc] = arc_lot
    offer_in_crates = (offer_lot > 0) & (
        np.bincount(offer_of_arc, weights=~sole_arc, minlength=len(offer_row)) == 0
    )
    m.add_rows(
        len(offer_row), offer_of_arc, quantity, 1.0, -np.inf,
        _whole_crates(inst.offer_quantity[offer_row], np.where(offer_in_crates, offer_lot, 0.0)),
    )
    line_row, line_of_arc = np.unique(arcs.line, return_inverse=True)
    m.add_rows(
        len(line_row), line_of_arc, quantity, 1.0, -np.inf,
        _whole_crates(inst.line_quantity[line_row], inst.lot[inst.line_product[line_row]]),
    )

    # The total value served, then each grower's distance to its fair target.
    m.add_rows(
        1,
        np.concatenate(([0], np.zeros(num_arcs, np.int64))),
        np.concatenate(([served], quantity)),
        np.concatenate(([1.0], -price)),
        0.0,
        0.0,
    )
    g = np.arange(inst.num_growers)
    m.add_rows(
        inst.num_growers,
        np.concatenate((arcs.grower, g, g, g)),
        np.concatenate((quantity, np.full(inst.num_growers, served), dev_plus, dev_minus)),
        np.concatenate((price, -inst.share, -np.ones(inst.num_growers), np.ones(inst.num_growers))),
        -inst.ledger_catch_up * inst.ledger_eur,
        -inst.ledger_catch_up * inst.ledger_eur,
    )

    pair_quantity_cap = np.minimum(
        inst.line_quantity[arcs.pair_line],
        np.bincount(arcs.pair, weights=inst.offer_quantity[arcs.offer], minlength=num_pairs),
    )
    lot = inst.lot[inst.line_product[arcs.pair_line]]
    # The most a pair can carry, in whole crates: the tightest M of the switch rows.
    pair_cap = np.maximum(_whole_crates(pair_quantity_cap, lot), 1e-9)
    if (lot > 0).any():
        # Every quantity sent is a whole number of crates (continuous crates in the LP).
        with_lot = np.flatnonzero(lot > 0)
        crates = m.add_cols(
            len(with_lot), 0.0, np.floor(pair_cap[with_lot] / lot[with_lot] + 1e-9), True
        )
        pair_row = np.full(num_pairs, -1)
        pair_row[with_lot] = np.arange(len(with_lot))
        on_lot = pair_row[arcs.pair] >= 0
        m.add_rows(
            len(with_lot),
            np.concatenate((pair_row[arcs.pair][on_lot], np.arange(len(with_lot)))),
            np.concatenate((quantity[on_lot], crates)),
            np.concatenate((np.ones(on_lot.sum()), -lot[with_lot])),
            0.0,
            0.0,
        )
    if inst.max_growers_per_line is not None:
        # A line is served by at most K growers: a pair may carry goods only if it is chosen.
        used_lines, line_of_pair = np.unique(arcs.pair_line, return_inverse=True)
        chosen = m.add_cols(num_pairs, 0.0, 1.0, True)
        _add_switch_rows(m, arcs, quantity, chosen, pair_cap)
        m.add_rows(
            len(used_lines),
            line_of_pair,
            chosen,
            1.0,
            -np.inf,
            float(inst.max_growers_per_line),
        )
    _add_locked_rows(m, inst, arcs, quantity)

    km = inst.distance_km[arcs.grower, inst.line_canteen[arcs.line]]
    kg = inst.unit_kg[inst.line_product[arcs.line]]
    contract_cost = np.zeros(m.num_cols)
    contract_cost[quantity] = np.where(inst.line_contract[arcs.line], price, 0.0)
    weighted_cost = np.zeros(m.num_cols)
    weighted_cost[quantity] = inst.weights.distance * kg * km
    weighted_cost[dev_plus] = weighted_cost[dev_minus] = inst.weights.fairness
    weighted_offset = _add_stability(m, inst, arcs, quantity, weighted_cost)
    weighted_cost = np.concatenate((weighted_cost, np.zeros(m.num_cols - len(weighted_cost))))
    contract_cost = np.concatenate((contract_cost, np.zeros(m.num_cols - len(contract_cost))))
    return AllocationModel(
        highs=m.to_highs(integer),
        builder=m,
        arcs=arcs,
        quantity=quantity,
        served=served,
        deviation=np.concatenate((dev_plus, dev_minus)),
        trips=np.zeros(0, np.int64),
        pair_cap=pair_cap,
        contract_cost=contract_cost,
        weighted_cost=weighted_cost,
        weighted_offset=weighted_offset,
    )


def _whole_crates(quantity: FloatArray, lot: FloatArray) -> FloatArray:
    """Round quantities down to whole crates where a lot is given (lot > 0)."""
    safe_lot = np.where(lot > 0, lot, 1.0)
    crates = np.floor(quantity / safe_lot + 1e-9) * safe_lot
    return np.where(lot > 0, crates, quantity)


def _trip_of_pair(inst: BenchInstance, arcs: Arcs) -> tuple[IntArray, int]:
    trip_key = (arcs.pair_grower * len(inst.canteen_ids) + inst.line_canteen[arcs.pair_line]) * len(
        inst.days
    ) + inst.line_day[arcs.pair_line]
    unique_trips, trip_of_pair = np.unique(trip_key, return_inverse=True)
    return trip_of_pair.astype(np.int64), len(unique_trips)


def add_trips(model: AllocationModel, inst: BenchInstance, integer: bool) -> IntArray:
    """Add the binary trip variables and their switch rows, priced; return each pair's trip.

    Trips cost nothing before the weighted stage and every trip may be taken there, so they
    join the model only then: kept from the start, they slow HiGHS down a hundredfold. In the
    LP relaxation a trip is continuous: at least the largest share of its pairs' M carried.
    """
    arcs, m = model.arcs, model.builder
    first_col, first_row = m.num_cols, m.num_rows
    # A pair may carry goods only on a trip of its grower to its canteen that day.
    trip_of_pair, num_trips = _trip_of_pair(inst, arcs)
    trips = m.add_cols(num_trips, 0.0, 1.0, True)
    _add_switch_rows(m, arcs, model.quantity, trips[trip_of_pair], model.pair_cap)
    cost = np.zeros(m.num_cols)
    cost[trips] = inst.weights.deliveries
    m.append_to(model.highs, first_col, first_row, cost, integer)
    model.trips = trips
    model.weighted_cost = np.concatenate((model.weighted_cost, cost[first_col:]))
    model.contract_cost = np.concatenate((model.contract_cost, np.zeros(len(trips))))
    return trip_of_pair


def _add_switch_rows(
    m: ModelBuilder, arcs: Arcs, quantity: IntArray, switch_of_pair: IntArray, pair_cap: FloatArray
) -> None:
    num_pairs = len(arcs.pair_line)
    m.add_rows(
        num_pairs,
        np.concatenate((arcs.pair, np.arange(num_pairs))),
        np.concatenate((quantity, switch_of_pair)),
        np.concatenate((np.ones(len(quantity)), -pair_cap)),
        -np.inf,
        0.0,
    )


def _pair_lookup(inst: BenchInstance, arcs: Arcs) -> dict[tuple[str, str, str, str], int]:
    return {
        (
            inst.grower_ids[g],
            inst.canteen_ids[inst.line_canteen[line]],
            inst.product_ids[inst.line_product[line]],
            inst.days[inst.line_day[line]],
        ): p
        for p, (g, line) in enumerate(zip(arcs.pair_grower, arcs.pair_line, strict=True))
    }


def _add_locked_rows(m: ModelBuilder, inst: BenchInstance, arcs: Arcs, quantity: IntArray) -> None:
    locked = aggregate_rows(inst.rows("locked"))
    if not locked:
        return
    pair_of = _pair_lookup(inst, arcs)
    for key, q in locked.items():
        if key not in pair_of:
            # No usable link can carry it: an empty row fixed to q makes the model infeasible.
            m.add_rows(1, np.zeros(0), np.zeros(0), np.zeros(0), q, q)
            continue
        on_pair = np.flatnonzero(arcs.pair == pair_of[key])
        m.add_rows(1, np.zeros(len(on_pair)), quantity[on_pair], 1.0, q, q)


def _add_stability(
    m: ModelBuilder, inst: BenchInstance, arcs: Arcs, quantity: IntArray, weighted_cost: FloatArray
) -> float:
    """Price |quantity − previous| per pair; previous rows no arc can carry are a constant."""
    previous = aggregate_rows(inst.rows("previous"))
    if inst.weights.stability <= 0 or not previous:
        return 0.0
    pair_of = _pair_lookup(inst, arcs)
    num_pairs = len(arcs.pair_line)
    previous_q = np.zeros(num_pairs)
    offset = 0.0
    for key, q in previous.items():
        if key in pair_of:
            previous_q[pair_of[key]] = q
        else:
            offset += inst.weights.stability * q
    moved = m.add_cols(num_pairs, 0.0, np.inf)
    for sign in (1.0, -1.0):
        m.add_rows(
            num_pairs,
            np.concatenate((arcs.pair, np.arange(num_pairs))),
            np.concatenate((quantity, moved)),
            np.concatenate((np.full(len(quantity), sign), -np.ones(num_pairs))),
            -np.inf,
            sign * previous_q,
        )
    weighted_cost.resize(m.num_cols, refcheck=False)
    weighted_cost[moved] = inst.weights.stability
    return offset


def solve_stages(inst: BenchInstance, integer: bool, time_limit_s: float) -> dict[str, Any]:
    """Solve contract value, then value served, then the weighted sum, each fixing the last."""
    started = time.perf_counter()
    model = build_model(inst, integer)
    h = model.highs
    if integer and h.getNumCol() > PRESOLVE_MAX_MIP_COLS:
        # HiGHS's MIP presolve does not watch the clock: at region scale it ran 138 s past a
        # 20 s limit. Without it the time limit holds.
        h.setOptionValue("presolve", "off")
    build_s = time.perf_counter() - started
    stages: dict[str, Any] = {}
    col_value: FloatArray | None = None
    for number, name in enumerate(STAGES):
        if name == "weighted" and inst.weights.deliveries > 0:
            trip_of_pair = add_trips(model, inst, integer)
            if col_value is not None:
                # Warm start: a trip is taken exactly when it carries goods.
                pair_q = np.bincount(
                    model.arcs.pair,
                    weights=col_value[model.quantity],
                    minlength=len(model.arcs.pair_line),
                )
                taken = np.zeros(len(model.trips))
                np.maximum.at(taken, trip_of_pair, (pair_q > 1e-9).astype(float))
                col_value = np.concatenate((col_value, taken))
        cost, sense = _stage_objective(model, name)
        if integer:
            left_s = time_limit_s - (time.perf_counter() - started)
            h.setOptionValue("time_limit", max(1.0, left_s / (len(STAGES) - number)))
        if not integer and name == "weighted" and len(model.trips):
            # With one row per (pair, trip), HiGHS's simplex takes minutes at department scale
            # where its interior point takes seconds.
            h.setOptionValue("solver", "ipm")
        h.changeObjectiveSense(sense)
        columns = np.arange(len(cost), dtype=np.int32)
        h.changeColsCost(len(columns), columns, cost)
        if integer and col_value is not None:
            warm = highspy.HighsSolution()
            warm.col_value = list(col_value)
            warm.value_valid = True
            h.setSolution(warm)
        h.run()
        status = h.modelStatusToString(h.getModelStatus())
        if h.getInfo().primal_solution_status != highspy.kSolutionStatusFeasible:
            stages[name] = {"status": status, "value": None}
            if integer:
                stages[name]["bound"] = _finite(h.getInfo().mip_dual_bound)
            break
        col_value = np.asarray(h.getSolution().col_value)
        value = float(np.dot(cost, col_value))
        if name == "weighted":
            value += model.weighted_offset
        stages[name] = {"status": status, "value": value, "run_s": float(h.getRunTime())}
        if integer:
            stages[name]["bound"] = _finite(h.getInfo().mip_dual_bound)
        if name != "weighted":
            # Later stages keep this stage's value, up to a relative hair for rounding.
            floor = value - STAGE_REL_TOL * max(1.0, abs(value))
            nz = np.flatnonzero(cost)
            h.addRow(floor, highspy.kHighsInf, len(nz), nz.astype(np.int32), cost[nz])
    outcome: dict[str, Any] = {
        "stages": stages,
        "build_s": build_s,
        "num_cols": int(h.getNumCol()),
        "num_rows": int(h.getNumRow()),
    }
    if col_value is not None:
        x = col_value
        outcome["kg_km"] = float(
            np.dot(
                inst.unit_kg[inst.line_product[model.arcs.line]]
                * inst.distance_km[model.arcs.grower, inst.line_canteen[model.arcs.line]],
                x[model.quantity],
            )
        )
        outcome["share_deviation_eur"] = float(x[model.deviation].sum())
        outcome["deliveries"] = float(x[model.trips].sum())
        outcome["allocations"] = _rows(inst, model.arcs, x[model.quantity], integer)
    return outcome


def _rows(
    inst: BenchInstance, arcs: Arcs, arc_quantity: FloatArray, integer: bool
) -> list[dict[str, Any]]:
    pair_quantity = np.bincount(arcs.pair, weights=arc_quantity, minlength=len(arcs.pair_line))
    lot = inst.lot[inst.line_product[arcs.pair_line]]
    if integer:
        # Integer solutions carry solver tolerances (4.9999999 crates); snap them to the grid.
        with_lot = lot > 0
        pair_quantity[with_lot] = np.round(pair_quantity[with_lot] / lot[with_lot]) * lot[with_lot]
    pair_quantity[pair_quantity < 1e-7] = 0.0
    return [
        {
            "grower": inst.grower_ids[g],
            "canteen": inst.canteen_ids[inst.line_canteen[line]],
            "product": inst.product_ids[inst.line_product[line]],
            "day": inst.days[inst.line_day[line]],
            "quantity": float(q),
        }
        for g, line, q in zip(arcs.pair_grower, arcs.pair_line, pair_quantity, strict=True)
        if q > 0
    ]


def _finite(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None


def _stage_objective(model: AllocationModel, name: str) -> tuple[FloatArray, Any]:
    if name == "contract":
        return model.contract_cost, highspy.ObjSense.kMaximize
    if name == "served":
        cost = np.zeros(len(model.contract_cost))
        cost[model.served] = 1.0
        return cost, highspy.ObjSense.kMaximize
    return model.weighted_cost, highspy.ObjSense.kMinimize


def main(argv: list[str]) -> int:
    """Solve `lp` or `mip` for one instance file and write the outcome as JSON."""
    mode, instance_path, out_path = argv[:3]
    time_limit_s = float(argv[3]) if len(argv) > 3 else 60.0
    with open(instance_path, encoding="utf-8") as f:
        inst = parse_instance(json.load(f))
    outcome = solve_stages(inst, integer=mode == "mip", time_limit_s=time_limit_s)
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump(outcome, f)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
