"""The lexicographic optimum of a week, computed independently of the engine.

It solves the stages of the spec (contract value, then value served, then the weighted cost)
with SciPy's `milp` (its own HiGHS build, which coexists with OR-Tools in one process) over
every (grower, order line) pair, from the `Problem` alone.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

from solver.problem import Problem
from tests.solver.checker import spec_distance_km, spec_shares


@dataclass(frozen=True)
class Reference:
    """The lexicographic optimum of a week, computed independently of the engine."""

    contract_eur: float
    served_eur: float
    weighted: float | None


def reference_optimum(problem: Problem, with_weighted: bool = True,
                      time_limit_s: float = 20.0) -> Reference:
    """Solve the three stages with SciPy over every (grower, order line) pair of the spec."""
    s = problem.settings
    km = spec_distance_km(problem)
    prod = {p.id: p for p in problem.products}
    keys = sorted({(o.canteen, o.product, o.day) for o in problem.orders})
    contract_qty = defaultdict(float)
    total_qty = defaultdict(float)
    for o in problem.orders:
        total_qty[(o.canteen, o.product, o.day)] += o.quantity
        if o.priority == "contract":
            contract_qty[(o.canteen, o.product, o.day)] += o.quantity
    offer_products = defaultdict(set)
    for a in problem.availability:
        offer_products[a.grower].add(a.product)
    pairs = [(g.id, k) for g in problem.growers for k in keys if k[1] in offer_products[g.id]]
    locked = defaultdict(float)
    for r in problem.locked:
        locked[(r.grower, (r.canteen, r.product, r.day))] += r.quantity
    previous = defaultdict(float)
    for r in problem.previous:
        previous[(r.grower, (r.canteen, r.product, r.day))] += r.quantity
    cols: list[tuple[float, float, int]] = []  # (lb, ub, integral)
    def col(lb: float, ub: float, integral: int = 0) -> int:
        cols.append((lb, ub, integral))
        return len(cols) - 1
    col(0.0, 0.0)  # milp needs at least one column, even for an empty week
    step = {}
    x = {}
    for g, k in pairs:
        lot = prod[k[1]].lot
        step[(g, k)] = lot or 1.0
        far = s.max_km is not None and km[(g, k[0])] > s.max_km
        ub = 0.0 if far else total_qty[k] / step[(g, k)]
        if lot:
            ub = math.floor(ub + 1e-9)
        if (g, k) in locked:
            fixed = locked[(g, k)] / step[(g, k)]
            x[(g, k)] = col(fixed, fixed, 1 if lot else 0)
        else:
            x[(g, k)] = col(0.0, ub, 1 if lot else 0)
    rows: list[tuple[dict[int, float], float, float]] = []
    def q(pair: tuple[str, tuple[str, str, str]]) -> tuple[int, float]:
        return x[pair], step[pair]
    served_terms: dict[tuple[str, str, str], dict[int, float]] = defaultdict(dict)
    for pair in pairs:
        v, st = q(pair)
        served_terms[pair[1]][v] = st
    for k in keys:
        rows.append((served_terms[k], -np.inf, total_qty[k]))
    contract_var = {}
    for k in keys:
        if contract_qty[k] > 0:
            v = col(0.0, contract_qty[k])
            contract_var[k] = v
            rows.append(({v: 1.0, **{i: -c for i, c in served_terms[k].items()}}, -np.inf, 0.0))
    any_day = defaultdict(float)
    per_day = defaultdict(lambda: defaultdict(float))
    for a in problem.availability:
        if a.day is None:
            any_day[(a.grower, a.product)] += a.quantity
        else:
            per_day[(a.grower, a.product)][a.day] += a.quantity
    by_group_day = defaultdict(lambda: defaultdict(dict))
    for pair in pairs:
        v, st = q(pair)
        by_group_day[(pair[0], pair[1][1])][pair[1][2]][v] = st
    for gp, days in by_group_day.items():
        spills = {}
        for d, terms in days.items():
            b = col(0.0, np.inf)
            spills[b] = 1.0
            rows.append(({**terms, b: -1.0}, -np.inf, per_day[gp].get(d, 0.0)))
        rows.append((spills, -np.inf, any_day[gp]))
    if s.max_growers_per_line is not None:
        for k in keys:
            on = {}
            for pair in pairs:
                if pair[1] == k:
                    z = col(1.0 if locked.get(pair, 0) > 0 else 0.0, 1.0, 1)
                    on[z] = 1.0
                    v, st = q(pair)
                    rows.append(({v: st, z: -total_qty[k]}, -np.inf, 0.0))
            rows.append((on, -np.inf, float(s.max_growers_per_line)))
    n_base = len(cols)

    def run(cost: dict[int, float], extra_rows: list, extra_cols: list) -> tuple[float, np.ndarray]:
        all_cols = cols + extra_cols
        n = len(all_cols)
        c = np.zeros(n)
        for i, v in cost.items():
            c[i] += v
        all_rows = rows + extra_rows
        a = np.zeros((len(all_rows), n))
        lo = np.empty(len(all_rows))
        hi = np.empty(len(all_rows))
        for r, (terms, lb, ub) in enumerate(all_rows):
            for i, v in terms.items():
                a[r, i] += v
            lo[r], hi[r] = lb, ub
        options = {"time_limit": time_limit_s, "mip_rel_gap": 1e-9}
        for presolve in (True, False):
            res = milp(c, constraints=LinearConstraint(a, lo, hi),
                       integrality=np.array([t[2] for t in all_cols]),
                       bounds=Bounds([t[0] for t in all_cols], [t[1] for t in all_cols]),
                       options={**options, "presolve": presolve})
            # Every stage keeps a feasible point of the one before: an "infeasible" answer
            # is HiGHS's MIP presolve erring (seen on tiny weeks), so ask again without it.
            if res.status != 2:
                break
        assert res.status == 0, res.message
        return float(res.fun), res.x

    contract_value = {contract_var[k]: prod[k[1]].price for k in contract_var}
    best_contract = -run({v: -p for v, p in contract_value.items()}, [], [])[0]
    keep_contract = [(contract_value, best_contract - 1e-7 * (1 + best_contract), np.inf)]
    served_value = {x[pair]: step[pair] * prod[pair[1][1]].price for pair in pairs}
    best_served = -run({v: -p for v, p in served_value.items()}, keep_contract, [])[0]
    if not with_weighted:
        return Reference(best_contract, best_served, None)
    keep = [*keep_contract,
            (served_value, best_served - 1e-7 * (1 + best_served),
             best_served + 1e-7 * (1 + best_served))]
    w = s.weights
    extra_cols: list[tuple[float, float, int]] = []
    extra_rows: list = []
    cost: dict[int, float] = defaultdict(float)
    def extra(lb: float, ub: float, integral: int = 0) -> int:
        extra_cols.append((lb, ub, integral))
        return n_base + len(extra_cols) - 1
    for pair in pairs:
        kg = prod[pair[1][1]].unit_kg * step[pair]
        cost[x[pair]] += w.distance * kg * km[(pair[0], pair[1][0])]
    shares = spec_shares(problem)
    for g in problem.growers:
        target = shares[g.id] * best_served - s.ledger_catch_up * g.ledger_eur
        terms = {x[p]: step[p] * prod[p[1][1]].price for p in pairs if p[0] == g.id}
        dev = extra(0.0, np.inf)
        cost[dev] += w.fairness
        extra_rows.append(({**terms, dev: -1.0}, -np.inf, target))
        extra_rows.append(({**terms, dev: 1.0}, target, np.inf))
    if w.deliveries:
        trips = defaultdict(list)
        for pair in pairs:
            trips[(pair[0], pair[1][0], pair[1][2])].append(pair)
        for trip_pairs in trips.values():
            y = extra(0.0, 1.0, 1)
            cost[y] += w.deliveries
            for pair in trip_pairs:
                extra_rows.append(({x[pair]: step[pair], y: -total_qty[pair[1]]}, -np.inf, 0.0))
    moved_outside = sum(v for k, v in previous.items() if k not in x)
    if w.stability and problem.previous:
        for pair in pairs:
            m = extra(0.0, np.inf)
            cost[m] += w.stability
            extra_rows.append(({x[pair]: step[pair], m: -1.0}, -np.inf, previous.get(pair, 0.0)))
            extra_rows.append(({x[pair]: step[pair], m: 1.0}, previous.get(pair, 0.0), np.inf))
    weighted, _ = run(cost, keep + extra_rows, extra_cols)
    return Reference(best_contract, best_served, weighted + w.stability * moved_outside)
