"""Stage 4 of a continuous week as one min-cost flow: proximity, fairness and stability at once.

The served optima fix every product's total (and contract) quantity, so the week's value
served is fixed too, and a grower's fairness gap |sold − target| costs, up to a constant,
twice the weight on what it sells beyond its target. Value sold is a flow once each product's
flow is counted in units of equal value: a step of `RESOLUTION` of a product becomes `k` flow
units, `k` its price in units of `10**-decimals` €, refined by a factor of `FINER_UNITS`. The
network of the served stage then gets one node per grower between the source and its offers,
whose arcs from the source carry its target for free and any excess at the fairness cost, and
a contract and a regular hub per product, whose supplies are the product's served optima.
Capacities, supplies and flows are exact integers; only the costs are rounded, the largest to
`COST_SCALE`.

A week with a price of more than `MAX_PRICE_DECIMALS` decimals or not above zero, or flows
too large for 64-bit costs, is left to the LP (`None`)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from solver.engine.index import FloatArray, IntArray, ProblemIndex
from solver.engine.served import (
    CONTRACT_HUB,
    COST_SCALE,
    REGULAR_HUB,
    RESOLUTION,
    SOURCE,
    FlowNetwork,
    ServedPlan,
    min_cost_flows,
)

MAX_PRICE_DECIMALS = 4
# A unit of flow is worth at most this share of the smallest price step (finer units keep
# each grower's fairness kink closer to its exact target), if sums of flow × cost allow.
FINER_UNITS = (100, 10, 1)
# Flows × integer costs (the largest `COST_SCALE`) along a path stay below 2**62.
MAX_SUPPLY = 2.0**61 / COST_SCALE


@dataclass(frozen=True, slots=True)
class _Arcs:
    """Arcs of a flow network: ends, capacities and (real) unit costs."""

    tails: IntArray
    heads: IntArray
    caps: IntArray
    costs: FloatArray

    def __add__(self, other: _Arcs) -> _Arcs:
        return _Arcs(
            np.concatenate((self.tails, other.tails)), np.concatenate((self.heads, other.heads)),
            np.concatenate((self.caps, other.caps)), np.concatenate((self.costs, other.costs)),
        )


@dataclass(frozen=True, slots=True)
class _AddedNodes:
    """Nodes added after the served stage's: one per grower, then two hubs per product."""

    grower: IntArray
    contract_hub: IntArray
    regular_hub: IntArray

    @classmethod
    def after(cls, first: int, num_growers: int, num_products: int) -> _AddedNodes:
        """Lay the added nodes out from node number `first` on."""
        grower = first + np.arange(num_growers)
        contract_hub = first + num_growers + np.arange(num_products)
        return cls(grower, contract_hub, contract_hub + num_products)

    @property
    def end(self) -> int:
        """Return the number of nodes in all."""
        return int(self.regular_hub[-1]) + 1


def weighted_flow_plan(index: ProblemIndex, served: ServedPlan) -> FloatArray | None:
    """Return the cheapest plan serving the served optima (weighted stage), or None.

    None when the week is not continuous, or when its prices or size do not fit exact integer
    flows (see the module's docstring).
    """
    flows = served.pending_flow
    if flows is None or index.integer_mode:
        return None
    num_products = len(index.problem.products)

    def per_product(line_steps: IntArray) -> IntArray:
        return np.bincount(index.line_product, weights=line_steps, minlength=num_products) \
            .round().astype(np.int64)

    contract_steps, total_steps = per_product(flows.line_contract), per_product(flows.line_total)
    units = _flow_units(index, total_steps)
    if units is None:
        return None
    scale, euros_per_unit = units
    supply = int(total_steps @ scale)
    if supply == 0:
        return served.quantities.copy()
    network = flows.network
    nodes = _AddedNodes.after(network.num_nodes, len(index.grower_ids), num_products)
    arc_product = _arc_products(index, network)
    arcs = _served_stage_arcs(index, network, nodes, arc_product, scale, supply)
    # Contract flow beyond the contract optimum counts as regular.
    arcs += _Arcs(
        nodes.contract_hub, nodes.regular_hub, np.full(num_products, supply),
        np.zeros(num_products),
    )
    arcs += _fairness_arcs(index, served, nodes.grower, supply, euros_per_unit)
    supplies = np.zeros(nodes.end, dtype=np.int64)
    supplies[SOURCE] = supply
    supplies[nodes.contract_hub] = -contract_steps * scale
    supplies[nodes.regular_hub] = (contract_steps - total_steps) * scale

    # Arcs that can carry nothing are left out: the flow's time grows with the arcs.
    useful = np.flatnonzero(arcs.caps > 0)
    useful_flows = min_cost_flows(
        arcs.tails[useful], arcs.heads[useful], arcs.caps[useful], arcs.costs[useful], supplies
    )
    if useful_flows is None:
        return None
    arc_flows = np.zeros(len(arcs.caps), dtype=np.int64)
    arc_flows[useful] = useful_flows
    on_pair = np.flatnonzero(network.pair_of_arc >= 0)
    steps = arc_flows[on_pair] / scale[arc_product[on_pair]]
    quantities = served.quantities.copy()
    np.add.at(quantities, network.pair_of_arc[on_pair], steps * RESOLUTION)
    return quantities


def _served_stage_arcs(
    index: ProblemIndex,
    network: FlowNetwork,
    nodes: _AddedNodes,
    arc_product: IntArray,
    scale: IntArray,
    supply: int,
) -> _Arcs:
    """Return the served stage's arcs counted in flow units (`scale` per step of each arc's
    product): offers leave their grower's node, lines reach their product's hubs."""
    group_grower = np.array([group.grower for group in index.groups], dtype=np.int64)
    tails = network.tails.copy()
    from_source = (network.group_of_arc >= 0) & (tails == SOURCE)
    tails[from_source] = nodes.grower[group_grower[network.group_of_arc[from_source]]]
    heads = np.where(
        network.heads == CONTRACT_HUB, nodes.contract_hub[arc_product], network.heads
    )
    heads = np.where(heads == REGULAR_HUB, nodes.regular_hub[arc_product], heads)
    k = scale[arc_product]
    # No arc carries more than the supply: bounded in steps first, no product overflows.
    caps = np.minimum(np.minimum(network.caps, supply // k + 1) * k, supply)
    return _Arcs(tails, heads, caps, network.costs / k)


def _fairness_arcs(
    index: ProblemIndex,
    served: ServedPlan,
    grower_node: IntArray,
    supply: int,
    euros_per_unit: float,
) -> _Arcs:
    """Return the arcs from the source to each grower: its target (less what its locked rows
    sell) for free, anything beyond at twice the fairness weight per euro."""
    price = {p.id: p.price for p in index.problem.products}
    value_served = sum(price[product] * qty for product, qty in served.total_target.items())
    num_growers = len(grower_node)
    locked_eur = np.bincount(
        index.pair_grower, weights=served.quantities * index.pair_price, minlength=num_growers
    )
    aim_eur = index.targets_eur(value_served) - locked_eur
    aim_units = np.floor(np.clip(aim_eur / euros_per_unit, 0, supply)).astype(np.int64)
    beyond_cost = 2.0 * index.problem.settings.weights.fairness * euros_per_unit
    return _Arcs(
        np.full(2 * num_growers, SOURCE), np.concatenate((grower_node, grower_node)),
        np.concatenate((aim_units, np.full(num_growers, supply))),
        np.concatenate((np.zeros(num_growers), np.full(num_growers, beyond_cost))),
    )


def _flow_units(index: ProblemIndex, total_steps: IntArray) -> tuple[IntArray, float] | None:
    """Return each product's flow units per step and the euros one unit is worth, or None
    when a price is zero or too fine, or the week too large, for exact integer flows."""
    prices = np.array([p.price for p in index.problem.products], dtype=np.float64)
    if (prices <= 0).any():
        return None
    for decimals in range(MAX_PRICE_DECIMALS + 1):
        scaled = prices * 10.0**decimals
        whole = np.round(scaled)
        if np.all(np.abs(scaled - whole) <= 1e-9 * np.maximum(1.0, scaled)):
            break
    else:
        return None
    supply = float(total_steps @ whole)
    for finer in FINER_UNITS:
        if supply * finer <= MAX_SUPPLY:
            return whole.astype(np.int64) * finer, RESOLUTION * 10.0**-decimals / finer
    return None


def _arc_products(index: ProblemIndex, network: FlowNetwork) -> IntArray:
    """Return the product (its position) whose quantity each arc of the network carries."""
    position = index.product_position
    group_product = np.array([position[g.product] for g in index.groups], dtype=np.int64)
    arc_product = np.zeros(len(network.caps), dtype=np.int64)
    on_pair = network.pair_of_arc >= 0
    arc_product[on_pair] = index.pair_product[network.pair_of_arc[on_pair]]
    to_hub = network.line_of_arc >= 0
    arc_product[to_hub] = index.line_product[network.line_of_arc[to_hub]]
    of_offer = network.group_of_arc >= 0
    arc_product[of_offer] = group_product[network.group_of_arc[of_offer]]
    return arc_product
