"""Small instance builders, an independent plan checker and an independent reference optimum.

The checker and the reference read the spec, not the engine: they recompute distances,
shares and every rule from the `Problem` alone, and the reference solves the lexicographic
stages with SciPy's `milp` (its own HiGHS build, which coexists with OR-Tools in one process).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, replace
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from scipy.optimize import Bounds, LinearConstraint, milp

from solver.problem import (
    AllocationRow,
    Availability,
    Canteen,
    Distance,
    Grower,
    OrderLine,
    Problem,
    Product,
    Result,
    Settings,
    Weights,
)

DAY1, DAY2 = "2026-11-23", "2026-11-24"


def product(pid: str = "carotte", price: float = 2.0, lot: float | None = None,
            unit_kg: float = 1.0) -> Product:
    """Return a product priced per kg."""
    return Product(pid, pid.title(), "kg", unit_kg, price, lot)


def grower(gid: str, share: float | None = None, ledger_eur: float = 0.0) -> Grower:
    """Return a grower; coordinates are irrelevant when distances are given."""
    return Grower(gid, gid, 43.0, 0.6, share, ledger_eur)


def canteen(cid: str) -> Canteen:
    """Return a canteen; coordinates are irrelevant when distances are given."""
    return Canteen(cid, cid, 43.1, 0.6)


def week(
    *,
    products: list[Product],
    growers: list[Grower],
    canteens: list[Canteen],
    offers: list[tuple[str, str, float] | tuple[str, str, float, str]],
    orders: list[tuple[str, str, str, float] | tuple[str, str, str, float, str]],
    km: dict[tuple[str, str], float],
    weights: Weights | None = None,
    **settings: Any,
) -> Problem:
    """Return a week from compact tuples: offers (grower, product, qty[, day]), orders
    (canteen, product, day, qty[, priority]) and distances {(grower, canteen): km}."""
    return Problem(
        week="2026-W48",
        products=tuple(products),
        growers=tuple(growers),
        canteens=tuple(canteens),
        availability=tuple(
            Availability(o[0], o[1], o[2], o[3] if len(o) > 3 else None)  # type: ignore[misc]
            for o in offers
        ),
        orders=tuple(
            OrderLine(o[0], o[1], o[2], o[3], o[4] if len(o) > 4 else "regular")  # type: ignore[misc,arg-type]
            for o in orders
        ),
        distances_km=tuple(Distance(g, c, d) for (g, c), d in km.items()),
        settings=Settings(weights=weights or Weights(), **settings),
    )


def random_week(seed: int, num_growers: int, num_canteens: int, num_products: int,
                *, lots: bool, time_limit_s: float = 10.0) -> Problem:
    """Return a reproducible random week on a 40 × 40 km square, two delivery days."""
    import random

    rng = random.Random(seed)

    def spot() -> tuple[float, float]:
        return 43.0 + rng.uniform(0, 0.36), 0.5 + rng.uniform(0, 0.49)

    products = [Product(f"p{i}", f"P{i}", "kg", 1.0, rng.choice([1.5, 2.0, 3.0, 4.5]),
                        rng.choice([1, 5, 10]) if lots else None) for i in range(num_products)]
    growers = [Grower(f"g{i}", f"G{i}", *spot(), target_share=1.0) for i in range(num_growers)]
    canteens = [Canteen(f"c{i}", f"C{i}", *spot()) for i in range(num_canteens)]
    offers = [Availability(g.id, p.id, float(rng.randint(20, 200)))
              for g in growers for p in products if rng.random() < 0.5]
    orders = [OrderLine(c.id, p.id, day, float(rng.randint(5, 60)),
                        "contract" if rng.random() < 0.4 else "regular")
              for c in canteens for p in products if rng.random() < 0.5 for day in (DAY1, DAY2)]
    settings = Settings(
        max_km=60.0, max_growers_per_line=3 if lots else None, time_limit_s=time_limit_s,
        weights=Weights(distance=1.0, fairness=1.0, deliveries=20.0 if lots else 0.0),
    )
    return Problem("2026-W48", tuple(products), tuple(growers), tuple(canteens),
                   tuple(offers), tuple(orders), settings=settings)


def rows_of(result: Result) -> dict[tuple[str, str, str, str], float]:
    """Return the plan as {(grower, canteen, product, day): quantity}."""
    return {(r.grower, r.canteen, r.product, r.day): r.quantity for r in result.allocations}


# --- the independent reading of the spec -----------------------------------------------------


def spec_distance_km(problem: Problem) -> dict[tuple[str, str], float]:
    """Return pair distances: given, else haversine (R = 6371 km) × road factor."""
    given = {(d.grower, d.canteen): d.km for d in problem.distances_km}
    out = {}
    for g in problem.growers:
        for c in problem.canteens:
            if (g.id, c.id) in given:
                out[(g.id, c.id)] = given[(g.id, c.id)]
                continue
            p1, p2 = math.radians(g.lat), math.radians(c.lat)
            a = (math.sin((p2 - p1) / 2) ** 2
                 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(c.lon - g.lon) / 2) ** 2)
            out[(g.id, c.id)] = 2 * 6371.0 * math.asin(math.sqrt(a)) * problem.settings.road_factor
    return out


def spec_shares(problem: Problem) -> dict[str, float]:
    """Return shares: agreed ones renormalised over offering growers, else value offered."""
    price = {p.id: p.price for p in problem.products}
    offered = defaultdict(float)
    for a in problem.availability:
        offered[a.grower] += a.quantity * price[a.product]
    offering = {a.grower for a in problem.availability if a.quantity > 0}
    if all(g.target_share is not None for g in problem.growers):
        total = sum(g.target_share or 0.0 for g in problem.growers if g.id in offering)
        if total > 0:
            return {g.id: (g.target_share or 0.0) / total if g.id in offering else 0.0
                    for g in problem.growers}
    total = sum(offered.values())
    return {g.id: offered[g.id] / total if total > 0 else 0.0 for g in problem.growers}


def check_plan(problem: Problem, result: Result, tol: float = 1e-6) -> None:
    """Assert every feasibility rule of the spec, and the metrics and ledgers, on a result."""
    assert result.status in ("optimal", "feasible"), result.errors
    settings = problem.settings
    km = spec_distance_km(problem)
    price = {p.id: p.price for p in problem.products}
    lot = {p.id: p.lot for p in problem.products}
    ordered = defaultdict(float)
    for o in problem.orders:
        ordered[(o.canteen, o.product, o.day)] += o.quantity
    got = defaultdict(float)
    growers_on_line = defaultdict(set)
    used = defaultdict(lambda: defaultdict(float))
    for r in result.allocations:
        assert r.quantity > 0
        key = (r.canteen, r.product, r.day)
        assert key in ordered, f"row for no order line: {r}"
        got[key] += r.quantity
        growers_on_line[key].add(r.grower)
        if settings.max_km is not None:
            assert km[(r.grower, r.canteen)] <= settings.max_km + 1e-9, r
        if lot[r.product]:
            crates = r.quantity / lot[r.product]
            assert abs(crates - round(crates)) < 1e-7, r
        used[(r.grower, r.product)][r.day] += r.quantity
    for key, qty in got.items():
        assert qty <= ordered[key] + tol, key
        if settings.max_growers_per_line is not None:
            assert len(growers_on_line[key]) <= settings.max_growers_per_line
    any_day = defaultdict(float)
    per_day = defaultdict(lambda: defaultdict(float))
    for a in problem.availability:
        if a.day is None:
            any_day[(a.grower, a.product)] += a.quantity
        else:
            per_day[(a.grower, a.product)][a.day] += a.quantity
    for gp, by_day in used.items():
        spill = sum(max(0.0, q - per_day[gp].get(d, 0.0)) for d, q in by_day.items())
        assert spill <= any_day[gp] + tol, (gp, dict(by_day))
    rows = rows_of(result)
    for lock in problem.locked:
        assert abs(rows.get((lock.grower, lock.canteen, lock.product, lock.day), 0.0)
                   - lock.quantity) <= tol, lock
    served = sum(r.quantity * price[r.product] for r in result.allocations)
    assert result.metrics.served_eur == pytest.approx(served, rel=1e-9, abs=1e-9)
    assert len(result.shortfalls) == len(problem.orders)
    shares = spec_shares(problem)
    sold = defaultdict(float)
    for r in result.allocations:
        sold[r.grower] += r.quantity * price[r.product]
    ledger = {e.grower: e.ledger_eur for e in result.ledger_after}
    for g in problem.growers:
        expected = g.ledger_eur + sold[g.id] - shares[g.id] * served
        assert ledger[g.id] == pytest.approx(expected, abs=1e-6)


@dataclass(frozen=True)
class Reference:
    """The lexicographic optimum of a week, computed independently of the engine."""

    contract_eur: float
    served_eur: float
    weighted: float | None


def spec_weighted(problem: Problem, result: Result) -> float:
    """Return the stage-4 weighted cost of a result, computed from the spec."""
    w = problem.settings.weights
    km = spec_distance_km(problem)
    unit_kg = {p.id: p.unit_kg for p in problem.products}
    price = {p.id: p.price for p in problem.products}
    rows = rows_of(result)
    kg_km = sum(q * unit_kg[k[2]] * km[(k[0], k[1])] for k, q in rows.items())
    served = sum(q * price[k[2]] for k, q in rows.items())
    shares = spec_shares(problem)
    sold = defaultdict(float)
    for k, q in rows.items():
        sold[k[0]] += q * price[k[2]]
    deviation = sum(
        abs(sold[g.id] - (shares[g.id] * served - problem.settings.ledger_catch_up * g.ledger_eur))
        for g in problem.growers
    )
    trips = len({(k[0], k[1], k[3]) for k in rows})
    previous = defaultdict(float)
    for r in problem.previous:
        previous[(r.grower, r.canteen, r.product, r.day)] += r.quantity
    moved = sum(abs(rows.get(k, 0.0) - previous.get(k, 0.0)) for k in set(rows) | set(previous))
    if not problem.previous:
        moved = 0.0
    return (w.distance * kg_km + w.fairness * deviation + w.deliveries * trips
            + w.stability * moved)


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


@pytest.fixture(scope="session")
def kit() -> SimpleNamespace:
    """Return the builders, the independent checker and the independent reference optimum."""
    return SimpleNamespace(
        DAY1=DAY1, DAY2=DAY2, product=product, grower=grower, canteen=canteen, week=week,
        rows_of=rows_of, random_week=random_week, check_plan=check_plan,
        reference_optimum=reference_optimum,
        spec_weighted=spec_weighted, spec_shares=spec_shares, spec_distance_km=spec_distance_km,
        AllocationRow=AllocationRow, replace=replace,
    )
