"""Stages 2 and 3 — the most contract value, then the most value, that can be served.

Every feasibility rule concerns one product at a time, so both optima are computed product by
product. Without a grower limit per line each product is a flow network (growers' offers →
order lines), and a maximum flow sent first to contract lines and then augmented to all lines
attains both optima at once: augmenting paths never reduce the flow into contract lines.
Capacities are counted in whole lots for products with a lot (integral max flow = integral
optimum), else in units of `RESOLUTION` of the product's unit. A min-cost flow with the same
served amounts gives a first complete plan, cheapest in kg·km and previous-plan moves.
When a line of that plan breaks `max_growers_per_line`, the lines over the limit keep their
largest growers and the flows are recomputed; if that serves less than the flow bound (or if
lots blur the flow, see `_lots_blur_the_flow`), a small MIP per product tries to prove or beat
it within a bounded time, the flow plan staying the fallback.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from ortools.graph.python import max_flow, min_cost_flow

from solver.engine.clock import now
from solver.engine.index import (
    FloatArray,
    IntArray,
    ProblemIndex,
    run_numbers,
    run_starts,
    sorted_runs,
    whole_lots,
)
from solver.engine.model import AllocationModel, build_weighted_model

RESOLUTION = 1e-4
# A product that needs a MIP (grower limit, or lots that blur the flow) stops each of its two
# MIPs after this many nodes: effort counted in work, so the plan does not depend on the
# machine's load. Time limits below are only safety nets.
PRODUCT_MIP_MAX_NODES = 500
MIN_MIP_TIME_S = 0.05
# Share of the week's time limit that product MIPs may take together (safety net); the rest
# improves the weighted stage.
MIP_TIME_SHARE = 0.5
# Integer costs of the min-cost flow are scaled so the largest arc cost is about this.
COST_SCALE = 1e6


@dataclass(slots=True)
class ServedPlan:
    """Per-product served optima (in product units) and a first plan achieving them."""

    contract_target: dict[str, float]
    total_target: dict[str, float]
    quantities: FloatArray
    proven: bool
    # A continuous week defers its first plan (a min-cost flow) until something needs it.
    pending_flow: MaximumFlows | None = None
    # Proven upper bounds on each product's contract and total optima, where they may exceed
    # the targets (products not proven optimal); a product not named is at its target.
    contract_upper: dict[str, float] = field(default_factory=dict)
    total_upper: dict[str, float] = field(default_factory=dict)

    def upper_bounds_eur(self, price: dict[str, float]) -> tuple[float, float]:
        """Return proven upper bounds on the contract value and the total value that any
        feasible plan serves (the values served when stages 2 and 3 are proven)."""
        contract = sum(
            price[p] * self.contract_upper.get(p, qty) for p, qty in self.contract_target.items()
        )
        total = sum(price[p] * self.total_upper.get(p, qty) for p, qty in self.total_target.items())
        return contract, total

    def first_plan(self) -> FloatArray:
        """Return the first complete plan reaching the served optima."""
        if self.pending_flow is not None:
            flows = self.pending_flow
            _cheapest_flow(flows.network, flows.contract, flows.total, self.quantities)
            self.pending_flow = None
        return self.quantities


@dataclass(slots=True)
class FlowNetwork:
    """The flow network of some lines; arc capacities and quantities in steps of `unit`."""

    unit: float
    num_nodes: int
    tails: IntArray
    heads: IntArray
    caps: IntArray
    costs: FloatArray
    pair_of_arc: IntArray
    # The line whose contract or regular part an arc to a hub carries (-1 for other arcs).
    line_of_arc: IntArray
    # The supply group whose offer an arc carries, from the source or between its nodes
    # (-1 for other arcs).
    group_of_arc: IntArray
    is_regular: npt.NDArray[np.bool_]
    base_contract: float
    base_total: float


@dataclass(frozen=True, slots=True)
class MaximumFlows:
    """A network's maximum flows (in steps): to contract lines, to all lines, and per line."""

    network: FlowNetwork
    contract: int
    total: int
    line_contract: IntArray
    line_total: IntArray


SOURCE, SINK, CONTRACT_HUB, REGULAR_HUB = 0, 1, 2, 3


def plan_served(index: ProblemIndex, deadline: float) -> ServedPlan:
    """Compute each product's served optima and a first plan that reaches them."""
    quantities = index.locked_quantities()
    if not index.integer_mode:
        return _plan_served_continuous(index, quantities)
    contract_target: dict[str, float] = {}
    total_target: dict[str, float] = {}
    limit = index.problem.settings.max_growers_per_line
    mip_deadline = now() + MIP_TIME_SHARE * (deadline - now())
    price = {p.id: p.price for p in index.problem.products}
    # Products whose flow plan is not proven optimal, with the value possibly left on the table,
    # and their flow bounds (the grower limit and lots relaxed): proven upper bounds.
    unproven: list[tuple[tuple[float, float], str]] = []
    contract_upper: dict[str, float] = {}
    total_upper: dict[str, float] = {}
    for product, lines in index.lines_by_product.items():
        pairs = [p for li in lines for p in index.pairs_of_line[li]]
        network = _build_network(index, lines, quantities, _product_unit(index, product))
        contract_flow, total_flow = _max_flows(network)
        bound = _flow_bound(network, (contract_flow, total_flow))
        plan = quantities.copy()
        _cheapest_flow(network, contract_flow, total_flow, plan)
        served = bound
        if limit is not None and _breaks_grower_limit(index, lines, plan, limit):
            plan, served = _respect_grower_limit(index, product, lines, quantities, plan, limit)
        blurred = _lots_blur_the_flow(index, product, lines)
        if blurred:
            # Counted in whole lots per node, the flow may miss what lots combined across
            # nodes serve: the flow without lots bounds every plan instead.
            relaxed = _build_network(index, lines, quantities, RESOLUTION)
            bound = _flow_bound(relaxed, _max_flows(relaxed))
        if _is_better(bound, served) or blurred:
            gap = (price[product] * (bound[0] - served[0]), price[product] * (bound[1] - served[1]))
            unproven.append((gap, product))
            contract_upper[product], total_upper[product] = bound
        quantities[pairs] = plan[pairs]
        contract_target[product], total_target[product] = served
    # The largest possible gains first: the time for MIPs is bounded.
    proven = True
    for _, product in sorted(unproven, reverse=True):
        lines = index.lines_by_product[product]
        left_s = mip_deadline - now()
        found = None
        if left_s > MIN_MIP_TIME_S:
            found = _solve_product_mip(
                index, product, lines, quantities, left_s
            )
        proven &= found is not None and found.proven
        served = (contract_target[product], total_target[product])
        if found is not None and _is_better(found.served, served):
            pairs = [p for li in lines for p in index.pairs_of_line[li]]
            quantities[pairs] = found.plan[pairs]
            contract_target[product], total_target[product] = found.served
        if found is not None:
            contract_upper[product] = min(contract_upper[product], found.contract_upper)
            total_upper[product] = min(total_upper[product], found.total_upper)
        # Never below what is served (the bounds carry the solvers' tolerances).
        contract_upper[product] = max(contract_upper[product], contract_target[product])
        total_upper[product] = max(total_upper[product], total_target[product])
    return ServedPlan(
        contract_target, total_target, quantities, proven,
        contract_upper=contract_upper, total_upper=total_upper,
    )


def _plan_served_continuous(index: ProblemIndex, base: FloatArray) -> ServedPlan:
    """Compute the served optima of a continuous week with one flow network for all products.

    Products share no node, so one maximum flow is a maximum flow of every product at once;
    each product's optima are read on its lines' arcs to the hubs. The first plan (a min-cost
    flow) is only a fallback for stage 4, so it is left for `first_plan` to compute.
    """
    all_lines = [li for lines in index.lines_by_product.values() for li in lines]
    network = _build_network(index, all_lines, base, RESOLUTION)
    contract_flow, total_flow, contract_arcs, total_arcs = _max_flows_by_arc(network)
    # Arcs from a line node to a hub carry the line's contract part or its regular part.
    to_hub = network.line_of_arc >= 0
    hub_line = network.line_of_arc[to_hub]
    num_lines = len(index.lines)
    contract_steps = np.bincount(
        hub_line, weights=contract_arcs[to_hub], minlength=num_lines
    ).round().astype(np.int64)
    total_steps = np.bincount(
        hub_line, weights=total_arcs[to_hub], minlength=num_lines
    ).round().astype(np.int64)
    line_done = np.bincount(index.pair_line, weights=base, minlength=num_lines)
    line_contract = np.minimum(line_done, index.line_contract_qty) + contract_steps * RESOLUTION
    line_total = line_done + total_steps * RESOLUTION
    products = [p.id for p in index.problem.products]
    num_products = len(products)
    contract_by_product = np.bincount(
        index.line_product, weights=line_contract, minlength=num_products
    ).tolist()
    total_by_product = np.bincount(
        index.line_product, weights=line_total, minlength=num_products
    ).tolist()
    ordered = np.bincount(index.line_product, minlength=num_products).tolist()
    # Only products that are ordered get targets, as in integer weeks.
    contract_target = {
        product: contract_by_product[k] for k, product in enumerate(products) if ordered[k]
    }
    total_target = {
        product: total_by_product[k] for k, product in enumerate(products) if ordered[k]
    }
    return ServedPlan(
        contract_target, total_target, base.copy(), proven=True,
        pending_flow=MaximumFlows(
            network, contract_flow, total_flow, contract_steps, total_steps
        ),
    )


def _product_unit(index: ProblemIndex, product: str) -> float:
    """Return the step a product's flows count in: its lot in integer mode, else `RESOLUTION`."""
    integral = index.integer_mode and bool(
        next(p.lot for p in index.problem.products if p.id == product)
    )
    return index.step[product] if integral else RESOLUTION


def _is_better(served: tuple[float, float], than: tuple[float, float]) -> bool:
    """Return whether (contract, total) served beats another pair lexicographically."""
    slack = 1e-9 * (1.0 + abs(than[0]) + abs(than[1]))
    if served[0] > than[0] + slack:
        return True
    return abs(served[0] - than[0]) <= slack and served[1] > than[1] + slack


def _respect_grower_limit(
    index: ProblemIndex,
    product: str,
    lines: list[int],
    base: FloatArray,
    plan: FloatArray,
    limit: int,
) -> tuple[FloatArray, tuple[float, float]]:
    """Return a flow plan of one product obeying the grower limit, and what it serves.

    Each line over the limit keeps a few growers (locked ones first) and the flows are
    recomputed without the others, until no line is over: each round settles a line. Two
    rankings of the growers to keep are tried — by quantity sent, and by quantity sent plus
    half of what the pair could carry — and the plan serving more is kept.
    """
    pairs = [p for li in lines for p in index.pairs_of_line[li]]
    best: tuple[FloatArray, tuple[float, float]] | None = None
    for reach_weight in (0.0, 0.5):
        blocked = np.zeros(index.num_pairs, dtype=bool)
        attempt = plan
        served = (_contract_served(index, lines, plan), float(plan[pairs].sum()))
        while over := [li for li in lines if _growers_of_line(index, li, attempt) > limit]:
            for li in over:
                sent = attempt[index.pairs_of_line[li]]
                reach = index.pair_upper[index.pairs_of_line[li]]
                unlocked = np.isnan(index.pair_locked[index.pairs_of_line[li]])
                order = np.lexsort((-(sent + reach_weight * reach), unlocked))
                blocked[np.asarray(index.pairs_of_line[li])[order[limit:]]] = True
            network = _build_network(index, lines, base, _product_unit(index, product), blocked)
            contract_flow, total_flow = _max_flows(network)
            attempt = base.copy()
            _cheapest_flow(network, contract_flow, total_flow, attempt)
            served = (
                network.base_contract + contract_flow * network.unit,
                network.base_total + total_flow * network.unit,
            )
        if best is None or _is_better(served, best[1]):
            best = (attempt, served)
    return best if best is not None else (plan, served)


def relaxed_week_model(index: ProblemIndex, served: ServedPlan) -> AllocationModel:
    """Build the whole week's stage-4 LP without the integer rules (grower limit, trips),
    each product's served optima kept: the guide that plans are rounded from."""
    return build_weighted_model(
        index, range(len(index.lines)), served.quantities, served.contract_target,
        served.total_target, relax=True, with_integer_rules=False,
    )


def round_relaxation(
    index: ProblemIndex,
    served: ServedPlan,
    relaxed_q: FloatArray,
    trip_charge_per_kg: FloatArray | None = None,
) -> FloatArray:
    """Return a plan in whole lots close to a fractional one, serving the same optima.

    Each pair keeps its fractional quantity rounded down (on a line with more growers than
    `max_growers_per_line`, only the largest keep theirs); per product, a min-cost flow then
    places the missing lots, a pair whose trip the plan does not make yet costing
    `trip_charge_per_kg` more per kg. A line at the grower limit takes no new grower; a line
    the flow takes past it keeps its largest newcomers and the flow runs again. A product
    the flow cannot complete so is placed again from its locks alone, the same way, and
    failing that keeps the first plan's quantities.
    """
    unit = np.where(index.pair_integral, index.pair_step, RESOLUTION)
    floors = np.floor(np.clip(relaxed_q, 0.0, None) / unit + 1e-9) * unit
    quantities = np.where(np.isnan(index.pair_locked), floors, index.pair_locked)
    limit = index.problem.settings.max_growers_per_line
    _, trip_of_pair = index.trips()
    for product, lines in index.lines_by_product.items():
        pairs = np.array([p for li in lines for p in index.pairs_of_line[li]], dtype=np.int64)
        if limit is not None:
            _keep_largest_growers(index, lines, quantities, limit)
        charge = None
        if trip_charge_per_kg is not None:
            made = np.bincount(trip_of_pair, weights=quantities) > 0
            charge = np.where(made[trip_of_pair], 0.0, trip_charge_per_kg)
        placed = _place_product(index, served, product, lines, quantities, charge, True)
        if placed is None:
            quantities[pairs] = np.nan_to_num(index.pair_locked[pairs], nan=0.0)
            placed = _place_product(index, served, product, lines, quantities, charge, False)
        if placed is None:
            placed = quantities
            placed[pairs] = served.quantities[pairs]
        quantities = placed
    return quantities


# A rounded product whose flow still breaks the grower limit after this many re-runs (each
# blocking more newcomers) keeps the first plan's quantities.
ROUNDING_MAX_RUNS = 6


def _keep_largest_growers(
    index: ProblemIndex, lines: list[int], quantities: FloatArray, limit: int
) -> None:
    """On each line served by more growers than allowed, keep the locked pairs and the largest
    others up to the limit; the rest send nothing (in place)."""
    for li in lines:
        line_pairs = np.asarray(index.pairs_of_line[li], dtype=np.int64)
        users = line_pairs[quantities[line_pairs] > 0]
        if len(users) <= limit:
            continue
        unlocked = users[np.isnan(index.pair_locked[users])]
        room = max(0, limit - (len(users) - len(unlocked)))
        by_size = unlocked[np.argsort(-quantities[unlocked], kind="stable")]
        quantities[by_size[room:]] = 0.0


def _place_product(
    index: ProblemIndex,
    served: ServedPlan,
    product: str,
    lines: list[int],
    quantities: FloatArray,
    charge_per_kg: FloatArray | None,
    close_full_lines: bool,
) -> FloatArray | None:
    """Return `quantities` with one product's missing lots placed by a min-cost flow within
    the grower limit (see `round_relaxation`), or None if no flow so found serves its optima.
    With `close_full_lines`, lines already at the limit take no new grower."""
    limit = index.problem.settings.max_growers_per_line
    blocked = np.zeros(index.num_pairs, dtype=bool)
    if limit is not None and close_full_lines:
        for li in lines:
            line_pairs = np.asarray(index.pairs_of_line[li], dtype=np.int64)
            if _growers_of_line(index, li, quantities) >= limit:
                blocked[line_pairs[quantities[line_pairs] <= 0]] = True
    for _ in range(ROUNDING_MAX_RUNS):
        network = _build_network(
            index, lines, quantities, _product_unit(index, product), blocked, charge_per_kg
        )
        contract_left = round(
            (served.contract_target[product] - network.base_contract) / network.unit
        )
        total_left = round((served.total_target[product] - network.base_total) / network.unit)
        attempt = quantities.copy()
        try:
            _cheapest_flow(network, max(0, contract_left), max(0, total_left), attempt)
        except RuntimeError:
            return None
        if limit is None:
            return attempt
        over = [li for li in lines if _growers_of_line(index, li, attempt) > limit]
        if not over:
            return attempt
        for li in over:
            line_pairs = np.asarray(index.pairs_of_line[li], dtype=np.int64)
            room = max(0, limit - _growers_of_line(index, li, quantities))
            newcomers = line_pairs[(attempt[line_pairs] > 0) & (quantities[line_pairs] <= 0)]
            by_size = newcomers[np.argsort(-attempt[newcomers], kind="stable")]
            blocked[line_pairs[quantities[line_pairs] <= 0]] = True
            blocked[by_size[:room]] = False
    return None


def _growers_of_line(index: ProblemIndex, line: int, quantities: FloatArray) -> int:
    """Return how many pairs send something to a line."""
    return int(np.count_nonzero(quantities[index.pairs_of_line[line]] > 0))


def _build_network(
    index: ProblemIndex,
    lines: list[int],
    base: FloatArray,
    unit: float,
    blocked: npt.NDArray[np.bool_] | None = None,
    charge_per_kg: FloatArray | None = None,
) -> FlowNetwork:
    """Build the flow network of some lines, counted in steps of `unit`, for what comes on top
    of `base` quantities (locked rows, and any quantities already settled), taken off the
    capacities; a pair's kg cost `charge_per_kg` more when given.

    Nodes: source, sink, contract and regular hubs, one per line, one per grower's any-day
    offer and one per (grower, day) served.
    """
    def steps(quantity: FloatArray) -> IntArray:
        return np.maximum(0, np.floor(quantity / unit + 1e-9)).astype(np.int64)

    # Line nodes, each with an arc to the contract hub and one to the regular hub.
    line_ids = np.asarray(lines, dtype=np.int64)
    num_lines = len(line_ids)
    line_node = np.full(len(index.lines), -1, dtype=np.int64)
    line_node[line_ids] = 4 + np.arange(num_lines)
    done = np.bincount(index.pair_line, weights=base, minlength=len(index.lines))[line_ids]
    contract_qty = index.line_contract_qty[line_ids]
    quantity = index.line_qty[line_ids]
    base_total = float(done.sum())
    base_contract = float(np.minimum(done, contract_qty).sum())
    contract_left = steps(contract_qty - done)
    total_left = steps(quantity - done)
    # Arcs are laid out as they always were (a line's contract arc, then its regular arc; per
    # offer its any-day arc, then each day's arcs): the flows' ties, and so the plans, depend
    # on the order.
    line_nodes = line_node[line_ids]
    tails = [np.repeat(line_nodes, 2)]
    is_regular_arc = np.arange(2 * num_lines) % 2 == 1
    heads = [np.where(is_regular_arc, REGULAR_HUB, CONTRACT_HUB)]
    caps = [
        np.concatenate((contract_left[:, None], (total_left - contract_left)[:, None]), axis=1)
        .ravel()
    ]
    regular = [is_regular_arc]
    num_nodes = 4 + num_lines

    # One node per (grower's offer, day served), in the order the offer's pairs first reach
    # that day; before them, one node per offer for any day that has room left.
    pairs = np.array([p for li in lines for p in index.pairs_of_line[li]], dtype=np.int64)
    num_days = max(1, len(index.days))
    pair_key = index.pair_group[pairs] * num_days + index.pair_day[pairs]
    by_key, key_begins = sorted_runs(pair_key)
    keys, first_seen = pair_key[by_key][key_begins], by_key[key_begins]
    day_of_pair = np.empty(len(pairs), dtype=np.int64)
    day_of_pair[by_key] = run_numbers(key_begins, len(pairs))
    order = np.lexsort((first_seen, keys // num_days))
    position = np.empty(len(keys), dtype=np.int64)
    position[order] = np.arange(len(keys))
    keys, day_of_pair = keys[order], position[day_of_pair]
    day_group, day = keys // num_days, keys % num_days
    # Days come grouped by offer.
    group_begins = run_starts(day_group)
    offer_groups = day_group[group_begins]
    group_of_day = run_numbers(group_begins, len(keys))
    rank_in_group = np.arange(len(keys)) - group_begins[group_of_day]
    # Settled quantities use their day's own offer first: it can serve nothing else.
    own = index.group_day_qty[day_group, day] - np.bincount(
        day_of_pair, weights=base[pairs], minlength=len(keys)
    )
    spill = np.bincount(group_of_day, weights=np.maximum(0.0, -own), minlength=len(offer_groups))
    any_room = index.group_any_day_qty[offer_groups] - spill
    has_room = (any_room > 0).astype(np.int64)
    nodes_of_group = has_room + np.bincount(group_of_day, minlength=len(offer_groups))
    first_node = num_nodes + np.cumsum(nodes_of_group) - nodes_of_group
    num_nodes += int(nodes_of_group.sum())
    any_node = np.where(has_room > 0, first_node, -1)
    day_node = first_node[group_of_day] + has_room[group_of_day] + rank_in_group
    pair_day_node = np.full(index.num_pairs, -1, dtype=np.int64)
    pair_day_node[pairs] = day_node[day_of_pair]
    with_room = has_room > 0
    with_own = own > 0
    fed = any_node[group_of_day] >= 0
    slots = 2 * (len(keys) + 1)
    offer_arcs = {
        "tail": np.concatenate([
            np.full(int(with_room.sum()), SOURCE), np.full(int(with_own.sum()), SOURCE),
            any_node[group_of_day][fed],
        ]),
        "head": np.concatenate([any_node[with_room], day_node[with_own], day_node[fed]]),
        "cap": np.concatenate([
            steps(any_room[with_room]), steps(own[with_own]), np.full(int(fed.sum()), 2**40),
        ]),
        "group": np.concatenate([
            offer_groups[with_room], offer_groups[group_of_day[with_own]],
            offer_groups[group_of_day[fed]],
        ]),
        "key": np.concatenate([
            np.flatnonzero(with_room) * slots,
            group_of_day[with_own] * slots + 2 * (1 + rank_in_group[with_own]),
            group_of_day[fed] * slots + 2 * (1 + rank_in_group[fed]) + 1,
        ]),
    }
    laid_out = np.argsort(offer_arcs["key"], kind="stable")
    tails.append(offer_arcs["tail"][laid_out])
    heads.append(offer_arcs["head"][laid_out])
    caps.append(offer_arcs["cap"][laid_out])
    regular.append(np.zeros(len(laid_out), bool))
    offer_group_of_arc = offer_arcs["group"][laid_out]

    is_free = np.isnan(index.pair_locked[pairs])
    if blocked is not None:
        is_free &= ~blocked[pairs]
    free = pairs[is_free]
    weights = index.problem.settings.weights
    km_cost = weights.distance * index.pair_unit_kg[free] * index.pair_km[free] * unit
    if charge_per_kg is not None:
        km_cost = km_cost + charge_per_kg[free] * index.pair_unit_kg[free] * unit
    move_cost = weights.stability * unit if index.problem.previous else 0.0
    room = index.pair_upper[free] - base[free]
    cap = np.maximum(0, np.floor(room / unit + 1e-9)).astype(np.int64)
    previous = np.maximum(0, np.floor((index.pair_previous[free] - base[free]) / unit + 1e-9))
    kept = np.minimum(previous.astype(np.int64), cap) if move_cost > 0 else np.zeros_like(cap)
    # Up to the previous quantity a unit saves a move; beyond it, it costs one.
    pair_tails = np.concatenate([pair_day_node[free], pair_day_node[free]])
    pair_heads = np.concatenate([line_node[index.pair_line[free]]] * 2)
    pair_caps = np.concatenate([kept, cap - kept])
    pair_costs = np.concatenate([km_cost - move_cost, km_cost + move_cost])
    num_fixed = sum(len(t) for t in tails)
    return FlowNetwork(
        unit=unit,
        num_nodes=num_nodes,
        tails=np.concatenate([*tails, pair_tails]).astype(np.int64),
        heads=np.concatenate([*heads, pair_heads]).astype(np.int64),
        caps=np.concatenate([*caps, pair_caps]).astype(np.int64),
        costs=np.concatenate([np.zeros(num_fixed), pair_costs]),
        pair_of_arc=np.concatenate([np.full(num_fixed, -1, dtype=np.int64), free, free]),
        line_of_arc=np.concatenate(
            [np.repeat(line_ids, 2), np.full(num_fixed - 2 * num_lines + 2 * len(free), -1)]
        ),
        group_of_arc=np.concatenate([
            np.full(2 * num_lines, -1), offer_group_of_arc, np.full(2 * len(free), -1)
        ]).astype(np.int64),
        is_regular=np.concatenate([*regular, np.zeros(2 * len(free), bool)]),
        base_contract=base_contract,
        base_total=base_total,
    )


def _flow_bound(network: FlowNetwork, flows: tuple[int, int]) -> tuple[float, float]:
    """Return the contract and total quantities of a network's maximum flows (in steps, as
    `_max_flows` gives them): upper bounds on what any plan its network relaxes serves."""
    contract_flow, total_flow = flows
    return (
        network.base_contract + contract_flow * network.unit,
        network.base_total + total_flow * network.unit,
    )


def _max_flows(network: FlowNetwork) -> tuple[int, int]:
    """Return the most steps that reach contract lines, and the most that reach all lines."""
    contract, total, _, _ = _max_flows_by_arc(network)
    return contract, total


def _max_flows_by_arc(network: FlowNetwork) -> tuple[int, int, IntArray, IntArray]:
    """Return both maximum flows (contract lines only, then all lines) and their arc flows."""
    heads = np.where(
        (network.heads == CONTRACT_HUB) | (network.heads == REGULAR_HUB), SINK, network.heads
    )

    def run(include_regular: bool) -> tuple[int, IntArray]:
        solver = max_flow.SimpleMaxFlow()
        keep = network.caps > 0
        if not include_regular:
            keep &= ~network.is_regular
        arcs = solver.add_arcs_with_capacity(
            network.tails[keep].astype(np.int32), heads[keep].astype(np.int32),
            network.caps[keep],
        )
        status = solver.solve(SOURCE, SINK)
        if status != solver.OPTIMAL:
            raise RuntimeError(f"max flow failed with status {status}")
        flows = np.zeros(len(network.caps), dtype=np.int64)
        flows[keep] = np.asarray(solver.flows(np.asarray(arcs, dtype=np.int32)))
        return int(solver.optimal_flow()), flows

    contract, contract_arcs = run(include_regular=False)
    total, total_arcs = run(include_regular=True)
    return contract, total, contract_arcs, total_arcs


def _cheapest_flow(
    network: FlowNetwork, contract_flow: int, total_flow: int, quantities: FloatArray
) -> None:
    """Add to `quantities` the cheapest flow serving exactly the given amounts (in steps)."""
    if total_flow == 0:
        return
    supplies = np.zeros(network.num_nodes, dtype=np.int64)
    supplies[[SOURCE, CONTRACT_HUB, REGULAR_HUB]] = (
        total_flow, -contract_flow, contract_flow - total_flow
    )
    flows = min_cost_flows(network.tails, network.heads, network.caps, network.costs, supplies)
    if flows is None:
        raise RuntimeError("no flow serves the given amounts")
    used = (network.pair_of_arc >= 0) & (flows > 0)
    np.add.at(quantities, network.pair_of_arc[used], flows[used] * network.unit)


def min_cost_flows(
    tails: IntArray, heads: IntArray, caps: IntArray, costs: FloatArray, supplies: IntArray
) -> IntArray | None:
    """Return each arc's flow in a cheapest flow meeting every node's supply, or None.

    Costs are rounded to integers, the largest to `COST_SCALE`.
    """
    top = float(np.abs(costs).max(initial=0.0))
    scale = COST_SCALE / top if top > 0 else 0.0
    solver = min_cost_flow.SimpleMinCostFlow()
    arcs = solver.add_arcs_with_capacity_and_unit_cost(
        tails.astype(np.int32), heads.astype(np.int32), caps,
        np.round(costs * scale).astype(np.int64),
    )
    solver.set_nodes_supplies(np.arange(len(supplies), dtype=np.int32), supplies)
    if solver.solve() != solver.OPTIMAL:
        return None
    return np.asarray(solver.flows(arcs), dtype=np.int64)


def _lots_blur_the_flow(index: ProblemIndex, product: str, lines: list[int]) -> bool:
    """Return whether counting in whole lots per flow node could understate an optimum.

    That happens when a grower's any-day and named-day offers combine into one crate, or
    when a line's contract part is not a whole number of lots.
    """
    has_lot = any(p.lot for p in index.problem.products if p.id == product)
    if not (index.integer_mode and has_lot):
        return False
    lot = index.step[product]
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
    return any(_growers_of_line(index, li, quantities) > limit for li in lines)


@dataclass(frozen=True, slots=True)
class ProductOptimum:
    """One product's MIP plan, what it serves (contract, total), whether both stages are
    proven, and the MIPs' proven upper bounds on the contract and total optima."""

    plan: FloatArray
    served: tuple[float, float]
    proven: bool
    contract_upper: float
    total_upper: float


def _solve_product_mip(
    index: ProblemIndex, product: str, lines: list[int], base: FloatArray, time_s: float
) -> ProductOptimum | None:
    """Maximise one product's contract then total service exactly, as two small MIPs; return
    None if the first finds no plan.

    The contract stage minimises −contract − nudge × total, so minus its dual bound caps the
    contract optimum (its plan's contract, once proven); the total stage keeps at least the
    contract found, a set that holds every plan at the contract optimum, so minus its dual
    bound caps stage 3.
    """
    pairs = [p for li in lines for p in index.pairs_of_line[li]]
    started = now()
    plan: FloatArray | None = None
    proven = True
    contract_goal = 0.0
    upper = {"contract": np.inf, "total": np.inf}
    for stage in ("contract", "total"):
        model = AllocationModel(index, lines, base)
        model.add_supply_limits()
        contract_terms = model.add_order_limits()
        model.add_max_growers()
        variables, coefs = model.quantity_terms(pairs)
        if stage == "contract":
            model.lp.add_costs(contract_terms.variables, -contract_terms.coefs)
            # A nudge towards total service, worth less than half a unit of contract, so that
            # the contract plan is already a good fallback if the total stage runs out of time.
            nudge = 0.5 / (1.0 + sum(index.lines[li].quantity for li in lines))
            model.lp.add_costs(variables, [-nudge * c for c in coefs])
        else:
            model.add_served_targets(contract_terms, {product: contract_goal}, {})
            model.lp.add_costs(variables, [-c for c in coefs])
        left_s = time_s - (now() - started)
        # The total stage starts from the contract stage's plan, which serves the contract.
        solution, found = model.solve(
            max(0.02, left_s), max_nodes=PRODUCT_MIP_MAX_NODES, start=plan
        )
        if solution.outcome != "optimal" and np.isfinite(solution.bound):
            upper[stage] = -solution.bound
        if found is None:
            proven = False
            break
        proven &= solution.outcome == "optimal"
        plan = found
        contract_goal = _contract_served(index, lines, plan)
        if solution.outcome == "optimal":
            # The nudge is worth less than a unit of contract: the contract found is the most.
            upper[stage] = contract_goal if stage == "contract" else float(plan[pairs].sum())
    if plan is None:
        return None
    served = (_contract_served(index, lines, plan), float(plan[pairs].sum()))
    return ProductOptimum(plan, served, proven, upper["contract"], upper["total"])


def _contract_served(index: ProblemIndex, lines: list[int], quantities: FloatArray) -> float:
    """Return the contract quantity served on some lines: a line serves its contract first."""
    return float(
        sum(
            min(float(quantities[index.pairs_of_line[li]].sum()), index.lines[li].contract_qty)
            for li in lines
        )
    )
