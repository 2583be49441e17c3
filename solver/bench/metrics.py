"""The one metric function and the one feasibility checker every bench method is judged by.

Both read a plan as the spec's `allocations` rows and recompute everything from the instance,
whatever the method reported about itself.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np

from solver.bench.instance import ANY_DAY, BenchInstance, is_lot_multiple

RowKey = tuple[str, str, str, str]  # grower, canteen, product, day

QUANTITY_TOL = 1e-6


@dataclass(frozen=True, slots=True)
class PlanMetrics:
    """What a plan achieves, objective by objective, in the spec's order."""

    ordered_eur: float
    served_eur: float
    contract_ordered_eur: float
    contract_eur: float
    kg_km: float
    share_deviation_eur: float
    deliveries: int
    moved_from_previous: float
    weighted: float
    violations: tuple[str, ...]

    @property
    def feasible(self) -> bool:
        """Tell whether the plan keeps every rule of the spec."""
        return not self.violations


def aggregate_rows(rows: list[dict[str, Any]]) -> dict[RowKey, float]:
    """Sum allocation rows by (grower, canteen, product, day)."""
    total: dict[RowKey, float] = defaultdict(float)
    for row in rows:
        total[(row["grower"], row["canteen"], row["product"], row["day"])] += float(row["quantity"])
    return dict(total)


def measure_plan(inst: BenchInstance, allocations: list[dict[str, Any]]) -> PlanMetrics:
    """Recompute a plan's figures (value served, kg·km, fairness, trips) and violations."""
    grower_at = {g: i for i, g in enumerate(inst.grower_ids)}
    canteen_at = {c: i for i, c in enumerate(inst.canteen_ids)}
    product_at = {p: i for i, p in enumerate(inst.product_ids)}
    quantity = aggregate_rows(allocations)

    line_price = inst.price_eur[inst.line_product]
    served_eur = contract_eur = kg_km = 0.0
    sold_eur = np.zeros(inst.num_growers)
    trips: set[tuple[str, str, str]] = set()
    for (grower, canteen, product, day), q in quantity.items():
        if grower not in grower_at or canteen not in canteen_at or product not in product_at:
            continue  # reported by the checker; nothing to measure
        value_eur = q * float(inst.price_eur[product_at[product]])
        served_eur += value_eur
        sold_eur[grower_at[grower]] += value_eur
        line = inst.line_index.get((canteen, product, day))
        if line is not None and inst.line_contract[line]:
            contract_eur += value_eur
        kg_km += (
            q
            * float(inst.unit_kg[product_at[product]])
            * float(inst.distance_km[grower_at[grower], canteen_at[canteen]])
        )
        if q > QUANTITY_TOL:
            trips.add((grower, canteen, day))

    target_eur = inst.share * served_eur - inst.ledger_catch_up * inst.ledger_eur
    share_deviation_eur = float(np.abs(sold_eur - target_eur).sum())
    previous = aggregate_rows(inst.rows("previous"))
    moved = sum(
        abs(quantity.get(k, 0.0) - previous.get(k, 0.0)) for k in set(quantity) | set(previous)
    )
    w = inst.weights
    weighted = (
        w.distance * kg_km
        + w.fairness * share_deviation_eur
        + w.deliveries * len(trips)
        + w.stability * moved
    )
    return PlanMetrics(
        ordered_eur=float((inst.line_quantity * line_price).sum()),
        served_eur=served_eur,
        contract_ordered_eur=float((inst.line_quantity * line_price)[inst.line_contract].sum()),
        contract_eur=contract_eur,
        kg_km=kg_km,
        share_deviation_eur=share_deviation_eur,
        deliveries=len(trips),
        moved_from_previous=moved,
        weighted=weighted,
        violations=tuple(check_plan(inst, allocations)),
    )


def check_plan(inst: BenchInstance, allocations: list[dict[str, Any]]) -> list[str]:
    """List every rule of the spec's feasibility stage that a plan breaks (empty when valid)."""
    grower_at = {g: i for i, g in enumerate(inst.grower_ids)}
    canteen_at = {c: i for i, c in enumerate(inst.canteen_ids)}
    product_at = {p: i for i, p in enumerate(inst.product_ids)}
    violations: list[str] = []

    for i, row in enumerate(allocations):
        q = row.get("quantity")
        if not isinstance(q, int | float) or not math.isfinite(q) or q < -QUANTITY_TOL:
            violations.append(f"allocations[{i}]: quantity {q!r} is not a non-negative number")
        unknown = [
            f
            for f, ids in (("grower", grower_at), ("canteen", canteen_at), ("product", product_at))
            if row.get(f) not in ids
        ]
        if unknown:
            violations.append(f"allocations[{i}]: unknown {', '.join(unknown)}")
        elif (row["canteen"], row["product"], row["day"]) not in inst.line_index:
            violations.append(
                f"allocations[{i}]: no order line {row['canteen']}/{row['product']}/{row['day']}"
            )
        elif isinstance(q, int | float):
            lot = float(inst.lot[product_at[row["product"]]])
            if not is_lot_multiple(float(q), lot):
                violations.append(
                    f"allocations[{i}]: {q} {row['product']} is not a multiple of the lot {lot:g}"
                )
    if violations:
        return violations

    quantity = {k: q for k, q in aggregate_rows(allocations).items() if q > QUANTITY_TOL}
    violations += _check_lines(inst, quantity)
    violations += _check_offers(inst, quantity)
    for (grower, canteen, _product, day), q in quantity.items():
        km = float(inst.distance_km[grower_at[grower], canteen_at[canteen]])
        if inst.max_km is not None and km > inst.max_km * (1 + 1e-9):
            violations.append(
                f"{grower} → {canteen} on {day}: {km:.1f} km is beyond max_km "
                f"{inst.max_km:g} ({q:g} sent)"
            )
    violations += _check_growers_per_line(inst, quantity)
    for key, locked_q in aggregate_rows(inst.rows("locked")).items():
        if not math.isclose(quantity.get(key, 0.0), locked_q, rel_tol=1e-9, abs_tol=QUANTITY_TOL):
            violations.append(
                f"locked row {'/'.join(key)} = {locked_q:g} not kept ({quantity.get(key, 0.0):g})"
            )
    return violations


def _check_lines(inst: BenchInstance, quantity: dict[RowKey, float]) -> list[str]:
    received: dict[int, float] = defaultdict(float)
    for (_grower, canteen, product, day), q in quantity.items():
        received[inst.line_index[(canteen, product, day)]] += q
    return [
        f"order line {inst.canteen_ids[inst.line_canteen[line]]}/"
        f"{inst.product_ids[inst.line_product[line]]}/{inst.days[inst.line_day[line]]} receives "
        f"{q:g} > ordered {inst.line_quantity[line]:g}"
        for line, q in sorted(received.items())
        if q > inst.line_quantity[line] + QUANTITY_TOL * max(1.0, float(inst.line_quantity[line]))
    ]


def _check_offers(inst: BenchInstance, quantity: dict[RowKey, float]) -> list[str]:
    """Check offers: day-bound stock serves its day only, the rest serves any day."""
    day_at = {d: i for i, d in enumerate(inst.days)}
    used: dict[tuple[str, str], dict[int, float]] = defaultdict(lambda: defaultdict(float))
    for (grower, _canteen, product, day), q in quantity.items():
        used[(grower, product)][day_at[day]] += q
    offered: dict[tuple[str, str], dict[int, float]] = defaultdict(lambda: defaultdict(float))
    for o in range(len(inst.offer_quantity)):
        key = (inst.grower_ids[inst.offer_grower[o]], inst.product_ids[inst.offer_product[o]])
        offered[key][int(inst.offer_day[o])] += float(inst.offer_quantity[o])
    violations = []
    for (grower, product), per_day in sorted(used.items()):
        stock: dict[int, float] = offered.get((grower, product), {})
        any_day_left = stock.get(ANY_DAY, 0.0)
        for day_index, q in sorted(per_day.items()):
            beyond = q - stock.get(day_index, 0.0)
            if beyond > 0:
                any_day_left -= beyond
        total = sum(per_day.values())
        if any_day_left < -QUANTITY_TOL * max(1.0, total):
            violations.append(
                f"{grower} sends {total:g} {product} over the week, beyond its offer "
                f"({sum(stock.values()):g}, by day {dict(stock)})"
            )
    return violations


def _check_growers_per_line(inst: BenchInstance, quantity: dict[RowKey, float]) -> list[str]:
    if inst.max_growers_per_line is None:
        return []
    growers_of: dict[tuple[str, str, str], int] = defaultdict(int)
    for _grower, canteen, product, day in quantity:
        growers_of[(canteen, product, day)] += 1
    return [
        f"order line {'/'.join(line)} is served by {n} growers > max_growers_per_line "
        f"{inst.max_growers_per_line}"
        for line, n in sorted(growers_of.items())
        if n > inst.max_growers_per_line
    ]


def build_result(
    inst: BenchInstance, allocations: list[dict[str, Any]], status: str, solve_s: float
) -> dict[str, Any]:
    """Wrap a plan in the spec's result shape, with metrics from `measure_plan`."""
    m = measure_plan(inst, allocations)
    quantity = aggregate_rows(allocations)
    received: dict[tuple[str, str, str], float] = defaultdict(float)
    for (_grower, canteen, product, day), q in quantity.items():
        received[(canteen, product, day)] += q
    shortfalls = []
    for (canteen, product, day), line in inst.line_index.items():
        missing = float(inst.line_quantity[line]) - received.get((canteen, product, day), 0.0)
        shortfalls.append(
            {
                "canteen": canteen,
                "product": product,
                "day": day,
                "quantity": _clean(max(0.0, missing)),
            }
        )
    sold_eur = np.zeros(inst.num_growers)
    grower_at = {g: i for i, g in enumerate(inst.grower_ids)}
    product_at = {p: i for i, p in enumerate(inst.product_ids)}
    for (grower, _canteen, product, _day), q in quantity.items():
        sold_eur[grower_at[grower]] += q * float(inst.price_eur[product_at[product]])
    ledger_after = inst.ledger_eur + sold_eur - inst.share * m.served_eur
    return {
        "format": "pial-allocation-result/1",
        "status": status,
        "allocations": [
            {"grower": g, "canteen": c, "product": p, "day": d, "quantity": _clean(q)}
            for (g, c, p, d), q in quantity.items()
            if q > QUANTITY_TOL
        ],
        "shortfalls": shortfalls,
        "metrics": {
            "ordered_eur": round(m.ordered_eur, 2),
            "served_eur": round(m.served_eur, 2),
            "fill_rate": m.served_eur / m.ordered_eur if m.ordered_eur else 1.0,
            "contract_fill_rate": (
                m.contract_eur / m.contract_ordered_eur if m.contract_ordered_eur else 1.0
            ),
            "kg_km": round(m.kg_km, 3),
            "deliveries": m.deliveries,
            "share_deviation_eur": round(m.share_deviation_eur, 2),
            "moved_from_previous": m.moved_from_previous,
            "solve_s": solve_s,
        },
        "ledger_after": [
            {"grower": g, "ledger_eur": round(float(v), 2)}
            for g, v in zip(inst.grower_ids, ledger_after, strict=True)
        ],
    }


def _clean(q: float) -> float | int:
    """Write whole quantities as JSON integers."""
    return round(q) if abs(q - round(q)) < 1e-9 else q
