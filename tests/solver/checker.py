"""An independent reading of the spec: distances, shares, a checker of every rule of a plan,
and the weighted cost of a plan.

It reads the `Problem` alone, never the engine, so that the tests compare the engine with the
spec and not with itself.
"""

from __future__ import annotations

import math
from collections import defaultdict

import pytest

from solver.problem import Problem, Result


def rows_of(result: Result) -> dict[tuple[str, str, str, str], float]:
    """Return the plan as {(grower, canteen, product, day): quantity}."""
    return {(r.grower, r.canteen, r.product, r.day): r.quantity for r in result.allocations}


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
