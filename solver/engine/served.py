"""Stages 2 and 3 — the most contract value, then the most value, that can be served.

Every feasibility rule concerns one product at a time, so both optima are computed product by
product. Without a grower limit per line each product is a flow network (growers' offers →
order lines), and a maximum flow sent first to contract lines and then augmented to all lines
attains both optima at once: augmenting paths never reduce the flow into contract lines.
Capacities are counted in whole lots for products with a lot (integral max flow = integral
optimum), else in units of `RESOLUTION` of the product's unit. A min-cost flow with the same
served amounts gives a first complete plan, cheapest in kg·km and previous-plan moves.
When a line of that plan breaks `max_growers_per_line`, the product is solved as a small MIP.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from ortools.graph.python import max_flow, min_cost_flow

from solver.engine.index import FloatArray, ProblemIndex, whole_lots
from solver.engine.model import AllocationModel

RESOLUTION = 1e-4
# Integer costs of the min-cost flow are scaled so the largest arc cost is about this.
COST_SCALE = 1e6


@dataclass(slots=True)
class ServedPlan:
    """Per-product served optima (in product units) and a first plan achieving them."""

    contract_target: dict[str, float]
    total_target: dict[str, float]
    quantities: FloatArray
    proven: bool


@dataclass(slots=True)
class _Network:
    """One product's flow network; arc capacities and quantities in steps of `unit`."""

    unit: float
    num_nodes: int
    tails: list[int]
    heads: list[int]
    caps: list[int]
    costs: list[float]
    pair_of_arc: dict[int, int]
    contract_arcs: list[int]
    regular_arcs: list[int]
    total_cap: dict[int, int]
    base_contract: float
    base_total: float


SOURCE, SINK, CONTRACT_HUB, REGULAR_HUB = 0, 1, 2, 3


def plan_served(index: ProblemIndex, deadline: float) -> ServedPlan:
    """Compute each product's served optima and a first plan that reaches them."""
    quantities = np.nan_to_num(index.pair_locked, nan=0.0)
    contract_target: dict[str, float] = {}
    total_target: dict[str, float] = {}
    proven = True
    limit = index.problem.settings.max_growers_per_line
    for product, lines in index.lines_by_product.items():
        network = _build_network(index, product, lines, quantities)
        contract_flow, total_flow = _max_flows(network)
        contract_target[product] = network.base_contract + contract_flow * network.unit
        total_target[product] = network.base_total + total_flow * network.unit
        _cheapest_flow(network, contract_flow, total_flow, quantities)
        breaks_limit = limit is not None and _breaks_grower_limit(index, lines, quantities, limit)
        if breaks_limit or _lots_blur_the_flow(index, product, lines):
            proven &= _solve_product_mip(
                index, lines, quantities, contract_target, total_target, product, deadline
            )
    return ServedPlan(contract_target, total_target, quantities, proven)


def round_relaxation(
    index: ProblemIndex, served: ServedPlan, relaxed_q: FloatArray
) -> FloatArray:
    """Return a plan in whole lots close to a fractional one, serving the same optima.

    Each pair keeps its fractional quantity rounded down; per product, a min-cost flow then
    places the missing lots. The fractional remainder is a fractional flow of that residual
    network with integral capacities and demands, so an integral one exists. A product whose
    rounded plan breaks the grower limit keeps the first plan's quantities.
    """
    unit = np.where(index.pair_integral, index.pair_step, RESOLUTION)
    floors = np.floor(np.clip(relaxed_q, 0.0, None) / unit + 1e-9) * unit
    quantities = np.where(np.isnan(index.pair_locked), floors, index.pair_locked)
    limit = index.problem.settings.max_growers_per_line
    for product, lines in index.lines_by_product.items():
        network = _build_network(index, product, lines, quantities)
        contract_left = round((served.contract_target[product] - network.base_contract)
                              / network.unit)
        total_left = round((served.total_target[product] - network.base_total) / network.unit)
        pairs = [p for li in lines for p in index.pairs_of_line[li]]
        try:
            _cheapest_flow(network, max(0, contract_left), max(0, total_left), quantities)
        except RuntimeError:
            quantities[pairs] = served.quantities[pairs]
            continue
        if limit is not None and _breaks_grower_limit(index, lines, quantities, limit):
            quantities[pairs] = served.quantities[pairs]
    return quantities


def _build_network(
    index: ProblemIndex, product: str, lines: list[int], base: FloatArray
) -> _Network:
    """Build the flow network of one product for what comes on top of `base` quantities
    (locked rows, and any quantities already settled), taken off the capacities."""
    lot = index.step[product]
    integral = index.integer_mode and bool(
        next(p.lot for p in index.problem.products if p.id == product)
    )
    unit = lot if integral else RESOLUTION

    def steps(quantity: float) -> int:
        return max(0, whole_lots(quantity, unit))

    weights = index.problem.settings.weights
    tails: list[int] = []
    heads: list[int] = []
    caps: list[int] = []
    costs: list[float] = []
    pair_of_arc: dict[int, int] = {}

    def add_arc(tail: int, head: int, cap: int, cost: float = 0.0) -> int:
        tails.append(tail)
        heads.append(head)
        caps.append(cap)
        costs.append(cost)
        return len(tails) - 1

    num_nodes = 4
    line_node: dict[int, int] = {}
    contract_arcs: list[int] = []
    regular_arcs: list[int] = []
    total_cap: dict[int, int] = {}
    base_contract = base_total = 0.0
    for li in lines:
        line = index.lines[li]
        line_node[li] = num_nodes
        num_nodes += 1
        done = float(sum(base[p] for p in index.pairs_of_line[li]))
        base_total += done
        base_contract += min(done, line.contract_qty)
        contract_left = steps(max(0.0, line.contract_qty - done))
        total_left = steps(max(0.0, line.quantity - done))
        total_cap[line_node[li]] = total_left
        contract_arcs.append(add_arc(line_node[li], CONTRACT_HUB, contract_left))
        regular_arcs.append(add_arc(line_node[li], REGULAR_HUB, total_left - contract_left))

    groups = sorted({int(index.pair_group[p]) for li in lines for p in index.pairs_of_line[li]})
    for gi in groups:
        group = index.groups[gi]
        base_by_day: dict[str, float] = defaultdict(float)
        free_by_day: dict[str, list[int]] = defaultdict(list)
        for p in group.pairs:
            day = index.lines[index.pair_line[p]].day
            base_by_day[day] += base[p]
            if np.isnan(index.pair_locked[p]):
                free_by_day[day].append(p)
        # Settled quantities use their day's own offer first: it can serve nothing else.
        spill = sum(
            max(0.0, qty - group.day_qty.get(day, 0.0)) for day, qty in base_by_day.items()
        )
        any_day_node = -1
        if group.any_day_qty - spill > 0:
            any_day_node = num_nodes
            num_nodes += 1
            add_arc(SOURCE, any_day_node, steps(group.any_day_qty - spill))
        for day, pairs in free_by_day.items():
            day_node = num_nodes
            num_nodes += 1
            own = group.day_qty.get(day, 0.0) - base_by_day.get(day, 0.0)
            if own > 0:
                add_arc(SOURCE, day_node, steps(own))
            if any_day_node >= 0:
                add_arc(any_day_node, day_node, 2**40)
            for p in pairs:
                li = int(index.pair_line[p])
                km_cost = weights.distance * index.pair_unit_kg[p] * index.pair_km[p] * unit
                cap = steps(index.pair_upper[p] - base[p])
                previous = steps(index.pair_previous[p] - base[p])
                move_cost = weights.stability * unit if index.problem.previous else 0.0
                if previous > 0 and move_cost > 0:
                    kept = min(previous, cap)
                    pair_of_arc[add_arc(day_node, line_node[li], kept, km_cost - move_cost)] = p
                    cap -= kept
                pair_of_arc[add_arc(day_node, line_node[li], cap, km_cost + move_cost)] = p
    return _Network(
        unit, num_nodes, tails, heads, caps, costs, pair_of_arc, contract_arcs, regular_arcs,
        total_cap, base_contract, base_total,
    )


def _max_flows(network: _Network) -> tuple[int, int]:
    """Return the most steps that reach contract lines, and the most that reach all lines."""
    regular = set(network.regular_arcs)

    def run(include_regular: bool) -> int:
        solver = max_flow.SimpleMaxFlow()
        for arc, (tail, head, cap) in enumerate(
            zip(network.tails, network.heads, network.caps, strict=True)
        ):
            if arc in regular and not include_regular:
                continue
            if head in (CONTRACT_HUB, REGULAR_HUB):
                head = SINK
            if cap > 0:
                solver.add_arc_with_capacity(tail, head, cap)
        status = solver.solve(SOURCE, SINK)
        if status != solver.OPTIMAL:
            raise RuntimeError(f"max flow failed with status {status}")
        return int(solver.optimal_flow())

    return run(include_regular=False), run(include_regular=True)


def _cheapest_flow(
    network: _Network, contract_flow: int, total_flow: int, quantities: FloatArray
) -> None:
    """Write into `quantities` the cheapest flow serving exactly the optimal amounts."""
    if total_flow == 0:
        return
    top = max((abs(c) for c in network.costs), default=0.0)
    scale = COST_SCALE / top if top > 0 else 0.0
    solver = min_cost_flow.SimpleMinCostFlow()
    arcs = []
    for tail, head, cap, cost in zip(
        network.tails, network.heads, network.caps, network.costs, strict=True
    ):
        arc = solver.add_arc_with_capacity_and_unit_cost(tail, head, cap, round(cost * scale))
        arcs.append(arc)
    solver.set_node_supply(SOURCE, total_flow)
    solver.set_node_supply(CONTRACT_HUB, -contract_flow)
    solver.set_node_supply(REGULAR_HUB, contract_flow - total_flow)
    status = solver.solve()
    if status != solver.OPTIMAL:
        raise RuntimeError(f"min cost flow failed with status {status}")
    for arc, p in network.pair_of_arc.items():
        flow = solver.flow(arcs[arc])
        if flow:
            quantities[p] += flow * network.unit


def _lots_blur_the_flow(index: ProblemIndex, product: str, lines: list[int]) -> bool:
    """Return whether counting in whole lots per flow node could understate an optimum.

    That happens when a grower's any-day and named-day offers combine into one crate, or
    when a line's contract part is not a whole number of lots.
    """
    lot = index.step[product]
    if lot == 1.0 and not any(p.lot for p in index.problem.products if p.id == product):
        return False
    if not index.integer_mode:
        return False
    mixed_offer = any(
        group.any_day_qty > 0 and group.day_qty
        for group in index.groups
        if group.product == product
    )
    split_line = any(
        index.lines[li].contract_qty > 0
        and index.lines[li].regular_qty > 0
        and whole_lots(index.lines[li].contract_qty, lot) * lot < index.lines[li].contract_qty
        for li in lines
    )
    return mixed_offer or split_line


def _breaks_grower_limit(
    index: ProblemIndex, lines: list[int], quantities: FloatArray, limit: int
) -> bool:
    """Return whether some line of the plan is served by more growers than allowed."""
    return any(
        sum(1 for p in index.pairs_of_line[li] if quantities[p] > 0) > limit for li in lines
    )


def _solve_product_mip(
    index: ProblemIndex,
    lines: list[int],
    quantities: FloatArray,
    contract_target: dict[str, float],
    total_target: dict[str, float],
    product: str,
    deadline: float,
) -> bool:
    """Maximise one product's contract then total service under the grower limit, as MIPs.

    Updates targets and quantities in place; returns whether both optima are proven.
    """
    pairs = [p for li in lines for p in index.pairs_of_line[li]]
    quantities[pairs] = np.nan_to_num(index.pair_locked[pairs], nan=0.0)
    proven = True
    contract_goal = 0.0
    for stage in ("contract", "total"):
        model = AllocationModel(index, lines, quantities)
        model.add_supply_limits()
        contract_terms = model.add_order_limits()
        model.add_max_growers()
        if stage == "contract":
            for variables, coefs in contract_terms.values():
                model.lp.add_costs(variables, [-c for c in coefs])
        else:
            model.add_served_targets(contract_terms, {product: contract_goal}, {})
            variables, coefs = model.quantity_terms(pairs)
            model.lp.add_costs(variables, [-c for c in coefs])
        solution, plan = model.solve(max(0.05, deadline - time.perf_counter()))
        if plan is None:
            # Out of time: the plan so far (locked rows, or the contract stage) stays valid.
            proven = False
            break
        proven &= solution.outcome == "optimal"
        quantities[pairs] = plan[pairs]
        contract_goal = _contract_served(index, lines, quantities)
    contract_target[product] = _contract_served(index, lines, quantities)
    total_target[product] = float(quantities[pairs].sum())
    return proven


def _contract_served(index: ProblemIndex, lines: list[int], quantities: FloatArray) -> float:
    """Return the contract quantity served on some lines: a line serves its contract first."""
    return float(
        sum(
            min(float(quantities[index.pairs_of_line[li]].sum()), index.lines[li].contract_qty)
            for li in lines
        )
    )
