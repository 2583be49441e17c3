"""The allocation model: one variable per allowed (grower, order line) pair, one rule per method.

A model covers a *scope* — a set of order lines — while every pair outside the scope keeps its
current quantity: the whole week is the scope of the continuous LP, a few canteens are the
scope of one neighbourhood search step. Variables count *steps*: whole lots (crates) for a
product with a lot in integer mode, else units of the product.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import numpy as np

from solver.engine.index import FloatArray, IntArray, ProblemIndex
from solver.engine.linear import LinearModel, LinearSolution


class AllocationModel:
    """A linear or mixed-integer model of the allocation of some order lines."""

    def __init__(
        self,
        index: ProblemIndex,
        scope_lines: Sequence[int],
        current_q: FloatArray,
        *,
        relax: bool = False,
    ) -> None:
        self.index = index
        self.relax = relax
        self.lp = LinearModel()
        self.scope_lines = list(scope_lines)
        pairs = [p for li in self.scope_lines for p in index.pairs_of_line[li]]
        self.pairs: IntArray = np.array(sorted(pairs), dtype=np.int64)
        in_scope = np.zeros(index.num_pairs, dtype=bool)
        in_scope[self.pairs] = True
        self.in_scope = in_scope
        self.outside_q: FloatArray = np.where(in_scope, 0.0, current_q)
        self.current_q = current_q
        self.var_of_pair = np.full(index.num_pairs, -1, dtype=np.int64)
        self.x = self.add_quantities()
        self.var_of_pair[self.pairs] = self.x

    # --- variables -------------------------------------------------------------------------

    def add_quantities(self) -> IntArray:
        """Each pair sends a quantity in steps, between 0 and what the pair can carry; locked
        pairs send exactly their locked quantity."""
        idx = self.index
        steps = idx.pair_step[self.pairs]
        integral = idx.pair_integral[self.pairs]
        upper = idx.pair_upper[self.pairs] / steps
        upper = np.where(integral, np.floor(upper + 1e-9), upper)
        locked = idx.pair_locked[self.pairs]
        is_locked = ~np.isnan(locked)
        lower = np.where(is_locked, np.nan_to_num(locked) / steps, 0.0)
        upper = np.where(is_locked, lower, upper)
        return self.lp.add_variables(lower, upper, integral & ~self.relax)

    def quantity_terms(self, pairs: Sequence[int]) -> tuple[list[int], list[float]]:
        """Return (variables, coefficients) of Σ quantity over some in-scope pairs."""
        chosen = np.asarray(pairs, dtype=np.int64)
        return self.var_of_pair[chosen].tolist(), self.index.pair_step[chosen].tolist()

    def add_at_most_rows(self, pairs: IntArray, row_of_pair: IntArray, limits: FloatArray) -> None:
        """Add Σ quantity ≤ limits[r] over the pairs of each row r (all of one product).

        A row over a product with a lot counts whole lots, its limit rounded down: that keeps
        the LP relaxation of a pure flow structure integral, which is what makes the
        neighbourhood MIPs fast.
        """
        if not len(pairs):
            return
        idx = self.index
        order = np.argsort(row_of_pair, kind="stable")
        pairs, row_of_pair = pairs[order], row_of_pair[order]
        starts = np.flatnonzero(np.diff(row_of_pair, prepend=-1))
        first = pairs[starts]
        integral = idx.pair_integral[first]
        step = idx.pair_step[first]
        limit = np.maximum(0.0, limits[row_of_pair[starts]])
        upper = np.where(integral, np.floor(limit / step + 1e-9), limit)
        coefs = np.where(idx.pair_integral[pairs], 1.0, idx.pair_step[pairs])
        self.lp.add_rows(
            np.append(starts, len(pairs)), self.var_of_pair[pairs], coefs,
            np.full(len(starts), -np.inf), upper,
        )

    # --- feasibility rules -----------------------------------------------------------------

    def add_supply_limits(self) -> None:
        """No grower sends more of a product than it offered; a quantity offered for a named
        day serves only that day, the rest serves any day."""
        idx = self.index
        num_days = len(idx.days)
        outside_use = np.bincount(
            idx.pair_group * num_days + idx.pair_day, weights=self.outside_q,
            minlength=len(idx.groups) * num_days,
        ).reshape(len(idx.groups), num_days)
        # Offers for any day only, or for named days only: one row per group or (group, day).
        pair_group = idx.pair_group[self.pairs]
        pair_day = idx.pair_day[self.pairs]
        any_day_qty, day_qty = idx.group_any_day_qty, idx.group_day_qty
        has_day = np.array([bool(g.day_qty) for g in idx.groups], dtype=bool)
        any_only = ~has_day[pair_group]
        day_only = has_day[pair_group] & (any_day_qty[pair_group] <= 0)
        simple = any_only | day_only
        row_key = np.where(any_only, pair_group * num_days, pair_group * num_days + pair_day)
        room_of_pair = np.where(
            any_only,
            any_day_qty[pair_group] - outside_use[pair_group].sum(axis=1),
            day_qty[pair_group, pair_day] - outside_use[pair_group, pair_day],
        )
        limit_of_key = np.zeros(len(idx.groups) * num_days)
        limit_of_key[row_key[simple]] = room_of_pair[simple]
        self.add_at_most_rows(self.pairs[simple], row_key[simple], limit_of_key)
        inside: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
        for p, gi, day in zip(
            self.pairs[~simple].tolist(), pair_group[~simple].tolist(),
            pair_day[~simple].tolist(), strict=True,
        ):
            inside[gi][idx.days[day]].append(p)
        for gi, inside_by_day in inside.items():
            group = idx.groups[gi]
            outside_by_day = {
                idx.days[d]: float(used) for d, used in enumerate(outside_use[gi]) if used > 0
            }
            # Mixed offers: what a day needs beyond its own offer spills onto the any-day offer.
            spill_vars: list[int] = []
            fixed_spill = 0.0
            for day in set(inside_by_day) | set(outside_by_day):
                own = group.day_qty.get(day, 0.0) - outside_by_day.get(day, 0.0)
                if day not in inside_by_day:
                    fixed_spill += max(0.0, -own)
                    continue
                spill = int(self.lp.add_variables(np.zeros(1), np.full(1, np.inf))[0])
                spill_vars.append(spill)
                variables, coefs = self.quantity_terms(inside_by_day[day])
                self.lp.add_row([*variables, spill], [*coefs, -1.0], upper=own)
            room = group.any_day_qty - fixed_spill
            self.lp.add_row(spill_vars, [1.0] * len(spill_vars), upper=max(0.0, room))

    def add_order_limits(self) -> dict[int, tuple[list[int], list[float]]]:
        """No order line receives more than ordered; return each line's contract-served terms."""
        idx = self.index
        line_qty = np.array([line.quantity for line in idx.lines])
        self.add_at_most_rows(self.pairs, idx.pair_line[self.pairs], line_qty)
        contract_terms: dict[int, tuple[list[int], list[float]]] = {}
        for li in self.scope_lines:
            line = idx.lines[li]
            if line.contract_qty <= 0 or not idx.pairs_of_line[li]:
                continue
            variables, coefs = self.quantity_terms(idx.pairs_of_line[li])
            if line.contract_qty <= 0:
                continue
            if line.regular_qty <= 0:
                contract_terms[li] = (variables, coefs)
                continue
            # A line mixing contract and regular orders serves its contract part first.
            served = int(self.lp.add_variables(np.zeros(1), np.full(1, line.contract_qty))[0])
            self.lp.add_row([*variables, served], [*[-c for c in coefs], 1.0], upper=0.0)
            contract_terms[li] = ([served], [1.0])
        return contract_terms

    def add_served_targets(
        self,
        contract_terms: dict[int, tuple[list[int], list[float]]],
        contract_target: dict[str, float],
        total_target: dict[str, float],
    ) -> None:
        """Stages 2 and 3 are settled: each product's contract value served stays at least its
        optimum, and its total value served stays at its optimum.

        No slack is given: the solver's own tolerance absorbs float noise, while any explicit
        slack would be spent by the weighted stage, trading served value for kg·km.
        """
        idx = self.index
        by_product: dict[str, list[int]] = defaultdict(list)
        for li in self.scope_lines:
            by_product[idx.lines[li].product].append(li)
        for product, lines in by_product.items():
            total = total_target.get(product)
            pairs = [p for li in lines for p in idx.pairs_of_line[li]]
            if pairs and total is not None:
                self.lp.add_row(
                    *self.quantity_terms(pairs),
                    lower=total,
                    upper=total,
                )
            contract = contract_target.get(product, 0.0)
            if contract <= 0:
                continue
            variables: list[int] = []
            coefs: list[float] = []
            for li in lines:
                if li in contract_terms:
                    variables.extend(contract_terms[li][0])
                    coefs.extend(contract_terms[li][1])
            self.lp.add_row(variables, coefs, lower=contract)

    def add_max_growers(self) -> None:
        """At most `max_growers_per_line` growers serve one order line."""
        limit = self.index.problem.settings.max_growers_per_line
        if limit is None:
            return
        idx = self.index
        for li in self.scope_lines:
            pairs = idx.pairs_of_line[li]
            if len(pairs) <= limit:
                continue
            used = self.add_switches(pairs)
            self.lp.add_row(used.tolist(), [1.0] * len(pairs), upper=float(limit))

    def add_switches(self, pairs: Sequence[int]) -> IntArray:
        """Add one on/off variable per pair that must be on for the pair to send anything."""
        idx = self.index
        num = len(pairs)
        # NaN (not locked) compares False: only positive locks force a switch on.
        lower = (idx.pair_locked[list(pairs)] > 0).astype(np.float64)
        switches = self.lp.add_variables(lower, np.ones(num), not self.relax)
        for p, switch in zip(pairs, switches.tolist(), strict=True):
            var = int(self.var_of_pair[p])
            step = float(idx.pair_step[p])
            self.lp.add_row([var, switch], [step, -float(idx.pair_upper[p])], upper=0.0)
        return switches

    # --- weighted objective terms (stage 4) --------------------------------------------------

    def add_free_cost_variable(self, weight: float) -> int:
        """Add one variable ≥ 0 costing `weight` per unit (a gap or a move to be measured)."""
        added = self.lp.add_variables(np.zeros(1), np.full(1, np.inf), cost=np.full(1, weight))
        return int(added[0])

    def add_distance_cost(self, weight: float) -> None:
        """Proximity: every kg carried one km costs `weight`."""
        if weight == 0:
            return
        idx = self.index
        cost = weight * idx.pair_unit_kg * idx.pair_km * idx.pair_step
        self.lp.add_costs(self.x, cost[self.pairs])

    def add_fairness_cost(self, weight: float, targets_eur: FloatArray) -> None:
        """Fairness: each grower's value sold should meet its target; the gap costs `weight`/€."""
        if weight == 0:
            return
        idx = self.index
        value = idx.pair_price * idx.pair_step
        outside_eur = np.bincount(
            idx.pair_grower, weights=self.outside_q * idx.pair_price, minlength=len(idx.grower_ids)
        )
        # Per grower in scope: sold − gap ≤ aim and sold + gap ≥ aim, with sold its value sold
        # in the scope and aim its target less what it sells outside.
        order = np.argsort(idx.pair_grower[self.pairs], kind="stable")
        pairs = self.pairs[order]
        grower_of_pair = idx.pair_grower[pairs]
        first = np.flatnonzero(np.diff(grower_of_pair, prepend=-1))
        growers = grower_of_pair[first]
        gaps = self.lp.add_variables(
            np.zeros(len(growers)), np.full(len(growers), np.inf),
            cost=np.full(len(growers), weight),
        )
        # Each row: the grower's pairs, then its gap variable.
        block = np.searchsorted(first, np.arange(len(pairs)), "right") - 1
        position = np.arange(len(pairs)) + block
        gap_position = np.append(first[1:], len(pairs)) + np.arange(len(growers))
        variables = np.empty(len(pairs) + len(growers), dtype=np.int64)
        variables[position] = self.var_of_pair[pairs]
        variables[gap_position] = gaps
        starts = np.append(first + np.arange(len(growers)), len(variables))
        aim = targets_eur[growers] - outside_eur[growers]
        for sign, lower, upper in ((-1.0, -np.inf, aim), (1.0, aim, np.inf)):
            coefs = np.empty(len(variables))
            coefs[position] = value[pairs]
            coefs[gap_position] = sign
            self.lp.add_rows(
                starts, variables, coefs, np.broadcast_to(lower, len(growers)).astype(float),
                np.broadcast_to(upper, len(growers)).astype(float),
            )

    def add_delivery_cost(self, weight: float) -> None:
        """Consolidation: each distinct (grower, canteen, day) trip costs `weight`."""
        if weight == 0:
            return
        idx = self.index
        pairs_of_trip: dict[int, list[int]] = defaultdict(list)
        for p, trip in zip(self.pairs.tolist(), idx.pair_trip[self.pairs].tolist(), strict=True):
            pairs_of_trip[trip].append(p)
        trips = list(pairs_of_trip.values())
        locked = np.nan_to_num(idx.pair_locked, nan=0.0)
        lower = np.array([float(any(locked[p] > 0 for p in pairs)) for pairs in trips])
        trip_vars = self.lp.add_variables(
            lower, np.ones(len(trips)), not self.relax, cost=np.full(len(trips), weight)
        )
        for pairs, trip in zip(trips, trip_vars.tolist(), strict=True):
            for p in pairs:
                var = int(self.var_of_pair[p])
                self.lp.add_row(
                    [var, trip], [float(idx.pair_step[p]), -float(idx.pair_upper[p])], upper=0.0
                )

    def add_stability_cost(self, weight: float) -> None:
        """Stability: every unit moved away from the previous plan costs `weight`."""
        if weight == 0 or not self.index.problem.previous:
            return
        idx = self.index
        for p in self.pairs.tolist():
            var = int(self.var_of_pair[p])
            step = float(idx.pair_step[p])
            previous = float(idx.pair_previous[p])
            if previous <= 0:
                self.lp.add_costs([var], [weight * step])
                continue
            moved = self.add_free_cost_variable(weight)
            self.lp.add_row([var, moved], [step, -1.0], upper=previous)
            self.lp.add_row([var, moved], [step, 1.0], lower=previous)

    # --- solve -------------------------------------------------------------------------------

    def solve(self, time_limit_s: float) -> tuple[LinearSolution, FloatArray | None]:
        """Solve and return the solution with the full quantity array (None without a plan)."""
        solution = self.lp.solve(time_limit_s)
        if solution.outcome == "none":
            return solution, None
        idx = self.index
        steps = solution.values[self.x]
        integral = idx.pair_integral[self.pairs] & ~self.relax
        steps = np.where(integral, np.round(steps), np.clip(steps, 0.0, None))
        quantity = steps * idx.pair_step[self.pairs]
        quantity[np.abs(quantity) < 1e-9] = 0.0
        full = self.outside_q.copy()
        full[self.pairs] = quantity
        return solution, full


def build_weighted_model(
    index: ProblemIndex,
    scope_lines: Sequence[int],
    current_q: FloatArray,
    contract_target: dict[str, float],
    total_target: dict[str, float],
    *,
    relax: bool = False,
    with_integer_rules: bool = True,
) -> AllocationModel:
    """Build the stage-4 model of some lines: every rule, served optima kept, weighted costs.

    Without the integer rules (grower limit, trips) the model is the LP used as a guide.
    """
    weights = index.problem.settings.weights
    model = AllocationModel(index, scope_lines, current_q, relax=relax)
    model.add_supply_limits()
    contract_terms = model.add_order_limits()
    model.add_served_targets(contract_terms, contract_target, total_target)
    if with_integer_rules:
        model.add_max_growers()
    model.add_distance_cost(weights.distance)
    served_eur = float(total_target_value(index, current_q, scope_lines, total_target))
    model.add_fairness_cost(weights.fairness, index.targets_eur(served_eur))
    if with_integer_rules:
        model.add_delivery_cost(weights.deliveries)
    model.add_stability_cost(weights.stability)
    return model


def total_target_value(
    index: ProblemIndex,
    current_q: FloatArray,
    scope_lines: Sequence[int],
    total_target: dict[str, float],
) -> float:
    """Return the week's value served once the scope serves its targets (constant in stage 4)."""
    price = {p.id: p.price for p in index.problem.products}
    in_scope = np.zeros(index.num_pairs, dtype=bool)
    for li in scope_lines:
        in_scope[index.pairs_of_line[li]] = True
    outside_eur = float((np.where(in_scope, 0.0, current_q) * index.pair_price).sum())
    return outside_eur + sum(price[p] * qty for p, qty in total_target.items())
