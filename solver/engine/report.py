"""Turn a plan (one quantity per pair) into the spec's result: rows, shortfalls, metrics, ledger."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from solver.engine.index import FloatArray, ProblemIndex
from solver.problem import AllocationRow, LedgerEntry, Metrics, Result, Shortfall, Status

# Quantities are reported to this many decimals: enough for any unit, free of float noise.
QUANTITY_DECIMALS = 9


@dataclass(frozen=True, slots=True)
class PlanCost:
    """The stage-4 terms of a plan, unweighted, and their weighted sum."""

    kg_km: float
    share_deviation_eur: float
    deliveries: int
    moved_from_previous: float
    weighted: float


def served_eur(index: ProblemIndex, quantities: FloatArray) -> float:
    """Return the value served by a plan."""
    return float((quantities * index.pair_price).sum())


def sold_eur_by_grower(index: ProblemIndex, quantities: FloatArray) -> FloatArray:
    """Return the value each grower sells in a plan."""
    sold: FloatArray = np.bincount(
        index.pair_grower, weights=quantities * index.pair_price, minlength=len(index.grower_ids)
    ).astype(np.float64)
    return sold


def evaluate(index: ProblemIndex, quantities: FloatArray) -> PlanCost:
    """Return the stage-4 terms of a plan exactly as the spec defines them."""
    weights = index.problem.settings.weights
    used = quantities > 0
    kg_km = float((quantities * index.pair_unit_kg * index.pair_km).sum())
    targets = index.targets_eur(served_eur(index, quantities))
    deviation = float(np.abs(sold_eur_by_grower(index, quantities) - targets).sum())
    # Not np.unique: its first call imports numpy.ma, 15 ms on a small week.
    num_trips = int(np.count_nonzero(np.bincount(index.pair_trip[used])))
    moved = 0.0
    if index.problem.previous:
        # Without a published plan there is nothing to move away from.
        moved = float(np.abs(quantities - index.pair_previous).sum()) + index.previous_outside_qty
    weighted = (
        weights.distance * kg_km
        + weights.fairness * deviation
        + weights.deliveries * num_trips
        + weights.stability * moved
    )
    return PlanCost(kg_km, deviation, num_trips, moved, weighted)


def is_worse(cost: float, than: float, tolerance: float = 1e-9) -> bool:
    """Return whether a weighted cost is worse than another beyond float noise."""
    return cost > than + tolerance * (1.0 + abs(than))


def build_result(
    index: ProblemIndex,
    quantities: FloatArray,
    status: Status,
    solve_s: float,
    weighted_lower_bound: float | None = None,
    served_upper_bounds: tuple[float, float] | None = None,
    time_limit_reached: bool | None = None,
) -> Result:
    """Return the spec's result for a plan, with its weighted value, and the proven lower
    bound on it with their gap when one is known; `served_upper_bounds` are proven upper
    bounds on the contract and total value served (stages 2 and 3); `time_limit_reached`
    whether the safety net was passed (`Metrics.time_limit_reached`)."""
    problem = index.problem
    price = {p.id: p.price for p in problem.products}
    quantities = quantities.round(QUANTITY_DECIMALS)
    used = quantities > 0
    lines = index.lines
    allocations = tuple(
        AllocationRow(
            grower=index.grower_ids[grower],
            canteen=lines[li].canteen,
            product=lines[li].product,
            day=lines[li].day,
            quantity=quantity,
        )
        for grower, li, quantity in zip(
            index.pair_grower[used].tolist(), index.pair_line[used].tolist(),
            quantities[used].tolist(), strict=True,
        )
    )
    served_by_order = _served_by_order(index, quantities)
    # Rounded as one array, as the allocations are (Python's round() per value costs more).
    ordered_qty = np.array([order.quantity for order in problem.orders])
    missing = np.maximum(0.0, ordered_qty - np.array(served_by_order)).round(QUANTITY_DECIMALS)
    shortfalls = tuple(
        Shortfall(order.canteen, order.product, order.day, quantity)
        for order, quantity in zip(problem.orders, missing.tolist(), strict=True)
    )
    ordered = sum(o.quantity * price[o.product] for o in problem.orders)
    ordered_contract = sum(
        o.quantity * price[o.product] for o in problem.orders if o.priority == "contract"
    )
    served_contract = sum(
        served_by_order[pos] * price[o.product]
        for pos, o in enumerate(problem.orders)
        if o.priority == "contract"
    )
    served = served_eur(index, quantities)
    cost = evaluate(index, quantities)
    metrics = Metrics(
        ordered_eur=ordered,
        served_eur=served,
        fill_rate=served / ordered if ordered > 0 else 1.0,
        contract_fill_rate=served_contract / ordered_contract if ordered_contract > 0 else 1.0,
        kg_km=cost.kg_km,
        deliveries=cost.deliveries,
        share_deviation_eur=cost.share_deviation_eur,
        moved_from_previous=cost.moved_from_previous,
        solve_s=solve_s,
        weighted=cost.weighted,
        weighted_lower_bound=weighted_lower_bound,
        gap=_gap(cost.weighted, weighted_lower_bound),
        contract_eur=served_contract,
        # Never below the value served: the bounds come through float sums.
        contract_eur_upper_bound=(
            None if served_upper_bounds is None else max(served_upper_bounds[0], served_contract)
        ),
        served_eur_upper_bound=(
            None if served_upper_bounds is None else max(served_upper_bounds[1], served)
        ),
        time_limit_reached=time_limit_reached,
    )
    sold = sold_eur_by_grower(index, quantities)
    ledger_after = tuple(
        LedgerEntry(g.id, g.ledger_eur + float(sold[i]) - index.shares[g.id] * served)
        for i, g in enumerate(problem.growers)
    )
    return Result(
        status=status,
        allocations=allocations,
        shortfalls=shortfalls,
        metrics=metrics,
        ledger_after=ledger_after,
    )


def _gap(weighted: float, bound: float | None) -> float | None:
    """Return (weighted − bound) / weighted, 0 when both are 0, None without a bound."""
    if bound is None:
        return None
    if weighted <= 0:
        return 0.0 if bound >= weighted - 1e-9 else None
    return max(0.0, (weighted - bound) / weighted)


def infeasible_result(messages: list[str], solve_s: float) -> Result:
    """Return the result of a week whose locked rows contradict the rules."""
    return Result(status="infeasible", errors=tuple(messages), metrics=Metrics(solve_s=solve_s))


def _served_by_order(index: ProblemIndex, quantities: FloatArray) -> list[float]:
    """Split each line's served quantity over its order lines, contract orders first."""
    orders = index.problem.orders
    served = [0.0] * len(orders)
    line_served = np.bincount(
        index.pair_line, weights=quantities, minlength=len(index.lines)
    ).tolist()
    for line, left in zip(index.lines, line_served, strict=True):
        ranked = line.order_positions
        if len(ranked) > 1:
            ranked = tuple(sorted(ranked, key=lambda pos: orders[pos].priority != "contract"))
        for pos in ranked:
            take = min(left, orders[pos].quantity)
            served[pos] = take
            left -= take
    return served
