"""The allocation model: one variable per allowed (grower, order line) pair, one rule per method.

A model covers a *scope* — a set of order lines — while every pair outside the scope keeps its
current quantity: the whole week is the scope of the continuous LP, a few canteens are the
scope of one neighbourhood search step. Variables count *steps*: whole lots (crates) for a
product with a lot in integer mode, else units of the product.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from solver.engine.index import (
    FloatArray,
    IntArray,
    ProblemIndex,
    run_numbers,
    run_starts,
    sorted_runs,
)
from solver.engine.linear import LinearModel, LinearSolution


@dataclass(frozen=True, slots=True)
class ContractTerms:
    """The terms of the contract quantity served: variables, coefficients and their product
    (position in the catalogue)."""

    variables: IntArray
    coefs: FloatArray
    product: IntArray


def _rows_ending_with(
    starts: IntArray,
    variables: IntArray,
    coefs: FloatArray,
    tail_variables: IntArray,
    tail_coefs: Sequence[float],
) -> tuple[IntArray, FloatArray, IntArray]:
    """Return rows in compressed form whose row r holds the terms variables[starts[r]:
    starts[r + 1]] (the last row runs to the end), then the variables tail_variables[r]
    (one row of a 2-D array) with the coefficients `tail_coefs`.

    Return (variables, coefficients, row starts ending with the number of terms).
    """
    num_rows, tail = tail_variables.shape
    num_terms = len(variables)
    position = np.arange(num_terms) + tail * run_numbers(starts, num_terms)
    tail_first = np.concatenate((starts[1:], [num_terms])) + tail * np.arange(num_rows)
    tail_position = tail_first[:, None] + np.arange(tail)
    all_variables = np.empty(num_terms + tail * num_rows, dtype=np.int64)
    all_variables[position] = variables
    all_variables[tail_position] = tail_variables
    all_coefs = np.empty(len(all_variables))
    all_coefs[position] = coefs
    all_coefs[tail_position] = tail_coefs
    row_starts = np.concatenate((starts + tail * np.arange(num_rows), [len(all_variables)]))
    return all_variables, all_coefs, row_starts


class AllocationModel:
    """A linear or mixed-integer model of the allocation of some order lines."""

    def __init__(
        self,
        index: ProblemIndex,
        scope_lines: Sequence[int],
        current_q: FloatArray,
        *,
        relax: bool = False,
        blocked: npt.NDArray[np.bool_] | None = None,
        kept: npt.NDArray[np.bool_] | None = None,
    ) -> None:
        self.index = index
        self.relax = relax
        # Pairs that may send nothing here (unless locked): a restricted model.
        self.blocked = blocked
        # In-scope pairs that send what they send in `current_q`: only the others move.
        self.kept = kept
        self.lp = LinearModel()
        self.scope_lines = list(scope_lines)
        line_in_scope = np.zeros(len(index.lines), dtype=bool)
        line_in_scope[np.asarray(self.scope_lines, dtype=np.int64)] = True
        in_scope = line_in_scope[index.pair_line]
        self.in_scope = in_scope
        self.pairs: IntArray = np.flatnonzero(in_scope)
        self.outside_q: FloatArray = np.where(in_scope, 0.0, current_q)
        self.current_q = current_q
        self.var_of_pair = np.full(index.num_pairs, -1, dtype=np.int64)
        # The most steps each in-scope pair may send (its variable's upper bound).
        self.max_steps = np.zeros(index.num_pairs)
        # On/off variables (grower-limit switches, trips) in blocks, each with the pairs that
        # turn them on and, per pair, its variable's position in the block.
        self.on_off: list[tuple[IntArray, IntArray, IntArray]] = []
        self.x = self.add_quantities()
        self.var_of_pair[self.pairs] = self.x

    # --- variables -------------------------------------------------------------------------

    def add_quantities(self) -> IntArray:
        """Each pair sends a quantity in steps, between 0 and what the pair can carry; locked
        pairs send exactly their locked quantity, kept pairs what they send now."""
        idx = self.index
        steps = idx.pair_step[self.pairs]
        integral = idx.pair_integral[self.pairs]
        upper = idx.pair_upper[self.pairs] / steps
        upper = np.where(integral, np.floor(upper + 1e-9), upper)
        if self.blocked is not None:
            upper = np.where(self.blocked[self.pairs], 0.0, upper)
        locked = idx.pair_locked[self.pairs]
        is_locked = ~np.isnan(locked)
        lower = np.where(is_locked, locked / steps, 0.0)
        if self.kept is not None:
            kept = self.kept[self.pairs] & ~is_locked
            sent = self.current_q[self.pairs] / steps
            lower = np.where(kept, np.where(integral, sent.round(), sent), lower)
            is_locked |= kept
        upper = np.where(is_locked, lower, upper)
        self.max_steps[self.pairs] = upper
        return self.lp.add_variables(lower, upper, integral & ~self.relax)

    def quantity_terms(self, pairs: Sequence[int]) -> tuple[list[int], list[float]]:
        """Return (variables, coefficients) of Σ quantity over some in-scope pairs."""
        chosen = np.asarray(pairs, dtype=np.int64)
        return self.var_of_pair[chosen].tolist(), self.index.pair_step[chosen].tolist()

    def add_at_most_rows(self, pairs: IntArray, row_of_pair: IntArray, limits: FloatArray) -> None:
        """Add Σ quantity ≤ limits[r] over the pairs of each row r (all of one product).

        A row over a product with a lot counts whole lots, its limit rounded down: that keeps
        the LP relaxation of a pure flow structure integral, which is what makes the
        neighbourhood MIPs fast. A row that its pairs' own bounds already keep (a line served
        by one grower, an offer larger than all it can send) is left out: it would only slow
        the solver down.
        """
        if not len(pairs):
            return
        idx = self.index
        order, starts = sorted_runs(row_of_pair)
        pairs, row_of_pair = pairs[order], row_of_pair[order]
        first = pairs[starts]
        integral = idx.pair_integral[first]
        step = idx.pair_step[first]
        limit = np.maximum(0.0, limits[row_of_pair[starts]])
        upper = np.where(integral, np.floor(limit / step + 1e-9), limit)
        coefs = np.where(idx.pair_integral[pairs], 1.0, idx.pair_step[pairs])
        lengths = np.concatenate((starts[1:], [len(pairs)])) - starts
        most = np.add.reduceat(coefs * self.max_steps[pairs], starts)
        binding = most > upper + 1e-9 * (1.0 + upper)
        kept = np.repeat(binding, lengths)
        self.lp.add_rows(
            np.concatenate(([0], np.cumsum(lengths[binding]))), self.var_of_pair[pairs[kept]],
            coefs[kept], np.full(int(binding.sum()), -np.inf), upper[binding],
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
            for day in sorted(set(inside_by_day) | set(outside_by_day)):
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

    def add_order_limits(self) -> ContractTerms:
        """No order line receives more than ordered; return the terms of the contract
        quantity served, product by product."""
        idx = self.index
        pair_line = idx.pair_line[self.pairs]
        self.add_at_most_rows(self.pairs, pair_line, idx.line_qty)
        contract_qty = idx.line_contract_qty[pair_line]
        has_contract = contract_qty > 0
        # A line mixing contract and regular orders serves its contract part first: a
        # variable up to the contract part, at most what the line receives, stands for it.
        mixed = has_contract & (idx.line_qty[pair_line] > contract_qty)
        pure = has_contract & ~mixed
        mixed_pairs = self.pairs[mixed]
        starts = run_starts(pair_line[mixed])
        mixed_lines = pair_line[mixed][starts]
        served = self.lp.add_variables(
            np.zeros(len(mixed_lines)), idx.line_contract_qty[mixed_lines]
        )
        variables, coefs, row_starts = _rows_ending_with(
            starts, self.var_of_pair[mixed_pairs], -idx.pair_step[mixed_pairs],
            served[:, None], [1.0],
        )
        self.lp.add_rows(
            row_starts, variables, coefs, np.full(len(served), -np.inf), np.zeros(len(served))
        )
        pure_pairs = self.pairs[pure]
        return ContractTerms(
            variables=np.concatenate((self.var_of_pair[pure_pairs], served)),
            coefs=np.concatenate((idx.pair_step[pure_pairs], np.ones(len(served)))),
            product=np.concatenate(
                (idx.pair_product[pure_pairs], idx.line_product[mixed_lines])
            ),
        )

    def add_served_targets(
        self,
        contract_terms: ContractTerms,
        contract_target: dict[str, float],
        total_target: dict[str, float],
        per_product: bool = True,
    ) -> None:
        """Stages 2 and 3 are settled: each product's contract value served stays at least its
        optimum, and its total value served stays at its optimum.

        No slack is given: the solver's own tolerance absorbs float noise, while any explicit
        slack would be spent by the weighted stage, trading served value for kg·km.
        Without `per_product`, only the week's contract value (at least) and total value
        (exactly) are kept, in two rows: a relaxation valid for every plan serving those values.
        """
        idx = self.index
        products = [p.id for p in idx.problem.products]
        nan = float("nan")
        total = np.array([total_target.get(product, nan) for product in products])
        pair_product = idx.pair_product[self.pairs]
        if not per_product:
            self._add_week_value_rows(contract_terms, contract_target, total, pair_product)
            return
        with_total = ~np.isnan(total[pair_product])
        self._add_product_rows(
            self.var_of_pair[self.pairs[with_total]], idx.pair_step[self.pairs[with_total]],
            pair_product[with_total], lower=total, upper=total,
        )
        contract = np.array([contract_target.get(product, 0.0) for product in products])
        with_contract = contract[contract_terms.product] > 0
        self._add_product_rows(
            contract_terms.variables[with_contract], contract_terms.coefs[with_contract],
            contract_terms.product[with_contract],
            lower=contract, upper=np.full_like(contract, np.inf),
        )

    def _add_week_value_rows(
        self,
        contract_terms: ContractTerms,
        contract_target: dict[str, float],
        total: FloatArray,
        pair_product: IntArray,
    ) -> None:
        """Add the week's contract value ≥ its target and total value = its target."""
        idx = self.index
        price = np.array([p.price for p in idx.problem.products])
        with_total = ~np.isnan(total[pair_product])
        total_eur = float(np.nansum(total * price))
        self.lp.add_row(
            self.var_of_pair[self.pairs[with_total]].tolist(),
            (idx.pair_step[self.pairs[with_total]] * price[pair_product[with_total]]).tolist(),
            lower=total_eur, upper=total_eur,
        )
        contract_eur = sum(
            price[k] * contract_target.get(p.id, 0.0) for k, p in enumerate(idx.problem.products)
        )
        if contract_eur > 0:
            self.lp.add_row(
                contract_terms.variables.tolist(),
                (contract_terms.coefs * price[contract_terms.product]).tolist(),
                lower=contract_eur,
            )

    def _add_product_rows(
        self,
        variables: IntArray,
        coefs: FloatArray,
        product: IntArray,
        *,
        lower: FloatArray,
        upper: FloatArray,
    ) -> None:
        """Add lower[k] ≤ Σ coef × variable ≤ upper[k] over the terms of each product k."""
        order, starts = sorted_runs(product)
        product = product[order]
        row_product = product[starts]
        self.lp.add_rows(
            np.concatenate((starts, [len(product)])), variables[order], coefs[order],
            lower[row_product], upper[row_product],
        )

    def add_max_growers(self) -> None:
        """At most `max_growers_per_line` growers serve one order line."""
        limit = self.index.problem.settings.max_growers_per_line
        if limit is None:
            return
        idx = self.index
        lines = [li for li in self.scope_lines if len(idx.pairs_of_line[li]) > limit]
        if not lines:
            return
        sizes = np.array([len(idx.pairs_of_line[li]) for li in lines], dtype=np.int64)
        pairs = np.concatenate([idx.pairs_of_line[li] for li in lines]).astype(np.int64)
        # NaN (not locked) compares False: only positive locks force a switch on.
        lower = (idx.pair_locked[pairs] > 0).astype(np.float64)
        switches = self.lp.add_variables(lower, np.ones(len(pairs)), not self.relax)
        self.on_off.append((switches, pairs, np.arange(len(pairs))))
        # Each line's rows `step × quantity ≤ upper × switch`, then its row Σ switches ≤ limit:
        # the order HiGHS has always been given, which decides between plans of equal value.
        first = np.concatenate(([0], np.cumsum(sizes)[:-1]))
        line_of_pair = run_numbers(first, len(pairs))
        position = np.arange(len(pairs)) - first[line_of_pair]
        num_rows = len(pairs) + len(lines)
        switch_row = np.arange(len(pairs)) + line_of_pair
        limit_row = first + sizes + np.arange(len(lines))
        lengths = np.empty(num_rows, dtype=np.int64)
        lengths[switch_row] = 2
        lengths[limit_row] = sizes
        starts = np.concatenate(([0], np.cumsum(lengths)))
        variables = np.empty(starts[-1], dtype=np.int64)
        coefs = np.empty(starts[-1])
        at = np.column_stack((starts[switch_row], starts[switch_row] + 1))
        variables[at], coefs[at] = self._switch_terms(pairs, switches)
        at = starts[limit_row][line_of_pair] + position
        variables[at], coefs[at] = switches, 1.0
        upper = np.zeros(num_rows)
        upper[limit_row] = float(limit)
        self.lp.add_rows(starts, variables, coefs, np.full(num_rows, -np.inf), upper)

    def _switch_terms(self, pairs: IntArray, switches: IntArray) -> tuple[IntArray, FloatArray]:
        """Return, one row per pair, the variables and coefficients of its row
        `step × quantity − upper × switch ≤ 0`: the pair sends nothing unless its switch (a
        grower-limit switch, a trip) is on."""
        idx = self.index
        return (
            np.column_stack((self.var_of_pair[pairs], switches)),
            np.column_stack((idx.pair_step[pairs], -idx.pair_upper[pairs])),
        )

    # --- weighted objective terms (stage 4) --------------------------------------------------

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
        # Per grower in scope: sold + under − over = aim, with sold its value sold in the
        # scope and aim its target less what it sells outside; under and over cost `weight`.
        order, first = sorted_runs(idx.pair_grower[self.pairs])
        pairs = self.pairs[order]
        grower_of_pair = idx.pair_grower[pairs]
        growers = grower_of_pair[first]
        num_growers = len(growers)
        gaps = self.lp.add_variables(
            np.zeros(2 * num_growers), np.full(2 * num_growers, np.inf),
            cost=np.full(2 * num_growers, weight),
        ).reshape(num_growers, 2)
        aim = targets_eur[growers] - outside_eur[growers]
        variables, coefs, starts = _rows_ending_with(
            first, self.var_of_pair[pairs], value[pairs], gaps, [1.0, -1.0]
        )
        self.lp.add_rows(starts, variables, coefs, aim, aim)

    def add_delivery_cost(self, weight: float) -> None:
        """Consolidation: each distinct (grower, canteen, day) trip costs `weight`; a trip
        also made by pairs outside the scope is made whatever the scope does."""
        if weight == 0:
            return
        idx = self.index
        # The trips in the order of their first pair, each with its pairs in order.
        trips, first, trip_of_pair = np.unique(
            idx.pair_trip[self.pairs], return_index=True, return_inverse=True
        )
        order = np.argsort(first, kind="stable")
        rank = np.empty(len(trips), dtype=np.int64)
        rank[order] = np.arange(len(trips))
        trips, trip_of_pair = trips[order], rank[trip_of_pair.ravel()]
        by_trip = np.argsort(trip_of_pair, kind="stable")
        pairs, trip_of_pair = self.pairs[by_trip], trip_of_pair[by_trip]
        locked = idx.locked_quantities()
        # A trip made by a pair outside the scope (or locked on) is made whatever the scope
        # does: its cost is a constant here.
        made_outside = np.zeros(idx.trip_id_bound, dtype=bool)
        made_outside[idx.pair_trip[(self.outside_q > 0) | (locked > 0)]] = True
        trip_vars = self.lp.add_variables(
            made_outside[trips].astype(np.float64), np.ones(len(trips)), not self.relax,
            cost=np.full(len(trips), weight),
        )
        self.on_off.append((trip_vars, pairs, trip_of_pair))
        variables, coefs = self._switch_terms(pairs, trip_vars[trip_of_pair])
        self.lp.add_rows(
            np.arange(0, 2 * len(pairs) + 1, 2), variables.ravel(), coefs.ravel(),
            np.full(len(pairs), -np.inf), np.zeros(len(pairs)),
        )

    def add_stability_cost(self, weight: float) -> None:
        """Stability: every unit moved away from the previous plan costs `weight`."""
        if weight == 0 or not self.index.problem.previous:
            return
        idx = self.index
        step = idx.pair_step[self.pairs]
        previous = idx.pair_previous[self.pairs]
        variables = self.var_of_pair[self.pairs]
        fresh = previous <= 0
        self.lp.add_costs(variables[fresh], weight * step[fresh])
        # Elsewhere a variable `moved` ≥ |step × quantity − previous|, costing `weight`.
        count = int((~fresh).sum())
        moved = self.lp.add_variables(
            np.zeros(count), np.full(count, np.inf), cost=np.full(count, weight)
        )
        kept, step, previous = variables[~fresh], step[~fresh], previous[~fresh]
        self.lp.add_rows(
            np.arange(0, 4 * count + 1, 2),
            np.column_stack((kept, moved, kept, moved)).ravel(),
            np.column_stack((step, np.full(count, -1.0), step, np.ones(count))).ravel(),
            np.column_stack((np.full(count, -np.inf), previous)).ravel(),
            np.column_stack((previous, np.full(count, np.inf))).ravel(),
        )

    def objective_offset(self, total_target: dict[str, float]) -> float:
        """Return the constant part of stage 4 that the model's objective leaves out, when its
        scope is the whole week: the fairness gaps of growers without any pair (they sell
        nothing) and the previous plan's rows on pairs that do not exist."""
        idx = self.index
        weights = idx.problem.settings.weights
        offset = 0.0
        if idx.problem.previous:
            offset += weights.stability * idx.previous_outside_qty
        if weights.fairness > 0:
            targets = idx.targets_eur(self.served_eur(total_target))
            has_pairs = np.zeros(len(idx.grower_ids), dtype=bool)
            has_pairs[idx.pair_grower[self.pairs]] = True
            offset += weights.fairness * float(np.abs(targets[~has_pairs]).sum())
        return offset

    def served_eur(self, total_target: dict[str, float]) -> float:
        """Return the week's value served once the scope serves its targets (constant in
        stage 4)."""
        price = {p.id: p.price for p in self.index.problem.products}
        outside_eur = float((self.outside_q * self.index.pair_price).sum())
        return outside_eur + sum(price[p] * qty for p, qty in total_target.items())

    # --- solve -------------------------------------------------------------------------------

    def solve(
        self,
        time_limit_s: float,
        max_nodes: int | None = None,
        count_work: bool = False,
        start: FloatArray | None = None,
        restarts: bool = True,
        may_be_infeasible: bool = False,
    ) -> tuple[LinearSolution, FloatArray | None]:
        """Solve and return the solution with the full quantity array (None without a plan);
        a MIP starts from the plan `start` (full quantities) when given; with `count_work`,
        the solution tells HiGHS's counts of the MIP's work; `restarts` and
        `may_be_infeasible` as in `LinearModel.solve`."""
        solution = self.lp.solve(
            time_limit_s, max_nodes, count_work=count_work,
            start=None if start is None else self.start_values(start), restarts=restarts,
            may_be_infeasible=may_be_infeasible,
        )
        if solution.outcome == "none":
            return solution, None
        return solution, self.quantities_of(solution.values)

    def quantities_of(self, values: FloatArray) -> FloatArray:
        """Return the full quantity array that the model's variable values give (integral
        quantities rounded, as the solver's tolerances may leave them off by a hair)."""
        idx = self.index
        steps = values[self.x]
        integral = idx.pair_integral[self.pairs] & ~self.relax
        steps = np.where(integral, steps.round(), np.maximum(steps, 0.0))
        quantity = steps * idx.pair_step[self.pairs]
        quantity[np.abs(quantity) < 1e-9] = 0.0
        full = self.outside_q.copy()
        full[self.pairs] = quantity
        return full

    def start_values(self, plan: FloatArray) -> tuple[IntArray, FloatArray]:
        """Return the model's quantity and on/off variables with their values in a plan (full
        quantities); the solver completes the others (gaps, moves)."""
        idx = self.index
        steps = plan[self.pairs] / idx.pair_step[self.pairs]
        integral = idx.pair_integral[self.pairs] & ~self.relax
        steps = np.where(integral, steps.round(), steps)
        sends = plan > 0
        on = [
            np.bincount(owner, weights=sends[pairs], minlength=len(switches)) > 0
            for switches, pairs, owner in self.on_off
        ]
        return (
            np.concatenate((self.x, *(switches for switches, _, _ in self.on_off))),
            np.concatenate((steps, *on)).astype(np.float64),
        )


def build_weighted_model(
    index: ProblemIndex,
    scope_lines: Sequence[int],
    current_q: FloatArray,
    contract_target: dict[str, float],
    total_target: dict[str, float],
    *,
    relax: bool = False,
    with_integer_rules: bool = True,
    per_product: bool = True,
    blocked: npt.NDArray[np.bool_] | None = None,
    kept: npt.NDArray[np.bool_] | None = None,
) -> AllocationModel:
    """Build the stage-4 model of some lines: every rule, served optima kept, weighted costs.

    Without the integer rules (grower limit, trips) the model is the LP used as a guide.
    Without `per_product` only the week's contract and total values are kept (see
    `AllocationModel.add_served_targets`). `blocked` pairs send nothing (unless locked);
    `kept` pairs send what they send in `current_q`.
    """
    weights = index.problem.settings.weights
    model = AllocationModel(
        index, scope_lines, current_q, relax=relax, blocked=blocked, kept=kept
    )
    model.add_supply_limits()
    contract_terms = model.add_order_limits()
    model.add_served_targets(contract_terms, contract_target, total_target, per_product)
    if with_integer_rules:
        model.add_max_growers()
    model.add_distance_cost(weights.distance)
    model.add_fairness_cost(weights.fairness, index.targets_eur(model.served_eur(total_target)))
    if with_integer_rules:
        model.add_delivery_cost(weights.deliveries)
    model.add_stability_cost(weights.stability)
    return model

