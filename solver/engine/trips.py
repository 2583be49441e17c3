"""Close small trips: move what a trip carries onto growers already driving to that canteen.

A fast greedy pass for large integer weeks, run before the neighbourhood search. For each
(grower, canteen, day) trip, smallest first, every quantity it carries is moved to another
grower that already serves the same canteen that day and can supply it. The whole quantity
of a pair moves, so a line never gains a grower beyond `max_growers_per_line`. The moves are
kept only when the trip saved outweighs the extra kg·km, fairness gap and moves from the
previous plan. Quantities move within their order line, so what each line receives — and so
stages 2 and 3 — is unchanged; whole lots stay whole.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from solver.engine.clock import now
from solver.engine.index import FloatArray, ProblemIndex
from solver.engine.report import served_eur, sold_eur_by_grower

# Trips of at most this many pairs are tried for closing by exchanges.
EXCHANGE_MAX_PAIRS = 3


class _PlanState:
    """A plan with the running sums a move needs: supply used, open trips, sales."""

    def __init__(self, index: ProblemIndex, quantities: FloatArray) -> None:
        self.index = index
        self.q = quantities.copy()
        # The index's per-pair arrays as lists: moves read them an element at a time, which
        # lists do several times faster (the same floats, so the same sums).
        self.pair_grower: list[int] = index.pair_grower.tolist()
        self.pair_price: list[float] = index.pair_price.tolist()
        self.pair_group: list[int] = index.pair_group.tolist()
        self.pair_day: list[str] = [index.days[day] for day in index.pair_day.tolist()]
        self.pair_trip: list[int] = index.pair_trip.tolist()
        self.pair_kg_km: list[float] = (index.pair_unit_kg * index.pair_km).tolist()
        self.sold_eur: list[float] = sold_eur_by_grower(index, self.q).tolist()
        self.targets_eur: list[float] = index.targets_eur(served_eur(index, self.q)).tolist()
        self.used: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        for p in np.flatnonzero(self.q > 0).tolist():
            self.used[self.pair_group[p]][self.pair_day[p]] += float(self.q[p])
        self.pairs_in_trip: list[int] = np.bincount(
            index.pair_trip[self.q > 0], minlength=index.trip_id_bound
        ).tolist()
        self.open_trips = sum(1 for count in self.pairs_in_trip if count > 0)
        self._pairs_of_trip: dict[int, list[int]] | None = None
        self._pair_of_line: dict[int, dict[int, int]] = {}

    def move(self, source: int, target: int, quantity: float) -> None:
        """Move a quantity from one pair to another of the same line."""
        for pair, signed in ((source, -quantity), (target, quantity)):
            before = float(self.q[pair])
            after = before + signed
            if abs(after) < 1e-9:
                after = 0.0
            self.q[pair] = after
            self.sold_eur[self.pair_grower[pair]] += signed * self.pair_price[pair]
            self.used[self.pair_group[pair]][self.pair_day[pair]] += signed
            trip = self.pair_trip[pair]
            carried_before = self.pairs_in_trip[trip]
            carried = carried_before + int(after > 0) - int(before > 0)
            self.pairs_in_trip[trip] = carried
            self.open_trips += int(carried > 0) - int(carried_before > 0)

    def pairs_of_trip(self, trip: int) -> list[int]:
        """Return the pairs of a (grower, canteen, day) trip."""
        if self._pairs_of_trip is None:
            self._pairs_of_trip = defaultdict(list)
            for p, t in enumerate(self.pair_trip):
                self._pairs_of_trip[t].append(p)
        return self._pairs_of_trip[trip]

    def pair_of_line(self, grower: int) -> dict[int, int]:
        """Return a grower's pair of each line it may serve (`ProblemIndex.pair_at`, as a map
        built when first asked: the exchanges ask millions of times on a region)."""
        pair_of_line = self._pair_of_line.get(grower)
        if pair_of_line is None:
            pairs = np.flatnonzero(self.index.pair_grower == grower)
            lines = self.index.pair_line[pairs].tolist()
            pair_of_line = dict(zip(lines, pairs.tolist(), strict=True))
            self._pair_of_line[grower] = pair_of_line
        return pair_of_line

    def within_offer(self, group_id: int) -> bool:
        """Return whether an offer group's sends fit its offer: each day's own quantity, then
        the any-day quantity for what spills over."""
        group = self.index.groups[group_id]
        used = self.used[group_id]
        spill = sum(max(0.0, qty - group.day_qty.get(d, 0.0)) for d, qty in used.items())
        return spill <= group.any_day_qty + 1e-9 * (1.0 + group.any_day_qty)

    def spare(self, target: int) -> float:
        """Return how much more a pair's grower can supply of its product on its day."""
        group = self.index.groups[self.pair_group[target]]
        used = self.used[self.pair_group[target]]
        day = self.pair_day[target]
        own_left = max(0.0, group.day_qty.get(day, 0.0) - used.get(day, 0.0))
        spill = sum(max(0.0, qty - group.day_qty.get(d, 0.0)) for d, qty in used.items())
        return own_left + max(0.0, group.any_day_qty - spill)

    def cost_of_move(self, source: int, target: int, quantity: float) -> float:
        """Return the change of weighted cost (without trips) if a quantity moves pairs."""
        idx = self.index
        weights = idx.problem.settings.weights
        kg_km = quantity * (self.pair_kg_km[target] - self.pair_kg_km[source])
        value = quantity * self.pair_price[source]
        g_from, g_to = self.pair_grower[source], self.pair_grower[target]
        gap = 0.0
        if g_from != g_to:
            sold, aim = self.sold_eur, self.targets_eur
            gap = (
                abs(sold[g_from] - value - aim[g_from]) - abs(sold[g_from] - aim[g_from])
                + abs(sold[g_to] + value - aim[g_to]) - abs(sold[g_to] - aim[g_to])
            )
        moved = 0.0
        if idx.problem.previous:
            prev_s, prev_t = idx.pair_previous[source], idx.pair_previous[target]
            q_s, q_t = self.q[source], self.q[target]
            moved = (
                abs(q_s - quantity - prev_s) - abs(q_s - prev_s)
                + abs(q_t + quantity - prev_t) - abs(q_t - prev_t)
            )
        return float(
            weights.distance * kg_km + weights.fairness * gap + weights.stability * moved
        )


def close_small_trips(index: ProblemIndex, quantities: FloatArray, deadline: float) -> FloatArray:
    """Return the plan with every trip closed whose load is cheaper to carry by others."""
    weights = index.problem.settings.weights
    if weights.deliveries <= 0 or index.num_pairs == 0:
        return quantities
    limit = index.problem.settings.max_growers_per_line
    state = _PlanState(index, quantities)
    locked = ~np.isnan(index.pair_locked)
    pairs_of_trip: dict[int, list[int]] = defaultdict(list)
    for p in np.flatnonzero(state.q > 0).tolist():
        pairs_of_trip[int(index.pair_trip[p])].append(p)
    load_eur = {t: float(state.q[ps] @ index.pair_price[ps]) for t, ps in pairs_of_trip.items()}
    for trip in sorted(pairs_of_trip, key=load_eur.__getitem__):
        if now() > deadline:
            break
        carried = [p for p in pairs_of_trip[trip] if state.q[p] > 0]
        if not carried or locked[carried].any():
            continue
        done: list[tuple[int, int, float, float]] = []
        emptied = all(_empty_pair(state, trip, source, done, limit) for source in carried)
        if emptied and sum(move[3] for move in done) < weights.deliveries - 1e-9:
            continue
        for source, target, quantity, _ in reversed(done):
            state.move(target, source, quantity)
    return state.q


def _empty_pair(
    state: _PlanState,
    trip: int,
    source: int,
    done: list[tuple[int, int, float, float]],
    limit: int | None,
) -> bool:
    """Move all of a pair's quantity, in whole lots, to the cheapest open trips of its line.

    Record each move and its cost in `done`; return whether the pair is now empty. Once the
    pair is empty the line has lost its grower, so it may gain as many as the limit allows.
    """
    idx = state.index
    step = float(idx.pair_step[source]) if idx.pair_integral[source] else 0.0
    left = float(state.q[source])
    line_pairs = idx.pairs_of_line[int(idx.pair_line[source])]
    num_growers = int((state.q[line_pairs] > 0).sum())
    slots = len(line_pairs) if limit is None else limit - (num_growers - 1)
    candidates = []
    for target in line_pairs:
        other_trip = int(idx.pair_trip[target])
        if (
            other_trip == trip
            or state.pairs_in_trip[other_trip] == 0
            or not np.isnan(idx.pair_locked[target])
        ):
            continue
        unit_cost = state.cost_of_move(source, target, step or 1.0) / (step or 1.0)
        candidates.append((unit_cost, target))
    for _, target in sorted(candidates):
        room = min(state.spare(target), idx.pair_upper[target] - state.q[target], left)
        take = float(np.floor(room / step + 1e-9) * step) if step else room
        if take <= 1e-9:
            continue
        if state.q[target] <= 0:
            if slots <= 0:
                continue
            slots -= 1
        cost = state.cost_of_move(source, target, take)
        state.move(source, target, take)
        done.append((source, target, take, cost))
        left -= take
        if left <= 1e-9:
            return True
    return False


def swap_to_close_trips(
    index: ProblemIndex, quantities: FloatArray, deadline: float, max_passes: int = 5
) -> FloatArray:
    """Return the plan improved by closing small trips through exchanges across canteens.

    Each pair of a trip of at most `EXCHANGE_MAX_PAIRS` pairs (grower g to canteen A, product p)
    moves, in whole, to a grower h that already drives to A: on h's spare offer, or in exchange
    for what h sends of p to another line B, which g then takes (all of it, or as much as g
    gave). Lots stay whole, and what each line receives, so stages 2 and 3, is unchanged. Each
    pair takes its cheapest such move; the trip's moves are kept when the trips they close
    outweigh the extra kg·km, fairness gap and moves, else undone.
    """
    weights = index.problem.settings.weights
    if weights.deliveries <= 0 or index.num_pairs == 0:
        return quantities
    state = _PlanState(index, quantities)
    free: list[bool] = np.isnan(index.pair_locked).tolist()
    for _ in range(max_passes):
        improved = False
        pairs_in_trip = np.array(state.pairs_in_trip)
        for trip in np.flatnonzero(
            (pairs_in_trip > 0) & (pairs_in_trip <= EXCHANGE_MAX_PAIRS)
        ).tolist():
            if now() > deadline:
                return state.q
            carried = [p for p in state.pairs_of_trip(trip) if state.q[p] > 0]
            if carried and all(free[p] for p in carried):
                improved |= _close_trip(state, carried, free)
        if not improved:
            break
    return state.q


Move = tuple[int, int, float]


def _close_trip(state: _PlanState, carried: list[int], free: list[bool]) -> bool:
    """Move every pair of a trip by its cheapest relocation; keep the moves if the plan's
    cost falls, else undo them. Return whether they were kept."""
    trips_before = state.open_trips
    cost = 0.0
    made: list[Move] = []
    for a in carried:
        best: tuple[float, list[Move]] | None = None
        for moves in _relocations(state, a, free):
            trial = _apply(state, moves)
            if trial is not None:
                trial += state.index.problem.settings.weights.deliveries * (
                    state.open_trips - trips_before
                )
                if best is None or trial < best[0] - 1e-12:
                    best = (trial, moves)
                _undo(state, moves)
        if best is None:
            _undo(state, made)
            return False
        applied = _apply(state, best[1])
        assert applied is not None
        cost += applied
        made += best[1]
    cost += state.index.problem.settings.weights.deliveries * (
        state.open_trips - trips_before
    )
    if cost < -1e-9:
        return True
    _undo(state, made)
    return False


def _relocations(state: _PlanState, a: int, free: list[bool]) -> list[list[Move]]:
    """Return the ways to move all of pair a to a grower already driving to its canteen that
    day: on that grower's spare offer, or in exchange for what it sends to another line."""
    idx = state.index
    limit = idx.problem.settings.max_growers_per_line
    g, line_a = state.pair_grower[a], int(idx.pair_line[a])
    qa = float(state.q[a])
    line_growers = int((state.q[idx.pairs_of_line[line_a]] > 0).sum())
    lines_b = idx.lines_by_product[idx.lines[line_a].product]
    g_pair_of_line = state.pair_of_line(g)
    found: list[list[Move]] = []
    for a2 in idx.pairs_of_line[line_a]:
        h = state.pair_grower[a2]
        if (
            h == g
            or not free[a2]
            or state.pairs_in_trip[state.pair_trip[a2]] == 0
            or state.q[a2] + qa > idx.pair_upper[a2] + 1e-9
            # g leaves the line: h may join it only within the limit.
            or (limit is not None and state.q[a2] <= 0 and line_growers > limit)
        ):
            continue
        found.append([(a, a2, qa)])
        h_pair_of_line = state.pair_of_line(h)
        for line_b in lines_b:
            b2 = g_pair_of_line.get(line_b)
            b = h_pair_of_line.get(line_b)
            if line_b == line_a or b2 is None or b is None or not (free[b2] and free[b]):
                continue
            whole_b = float(state.q[b])
            if whole_b <= 0:
                continue
            for qb in (whole_b,) if abs(whole_b - qa) <= 1e-9 else (whole_b, qa):
                if qb > whole_b + 1e-9 or state.q[b2] + qb > idx.pair_upper[b2] + 1e-9:
                    continue
                if (
                    limit is not None
                    and qb < whole_b - 1e-9
                    and state.q[b2] <= 0
                    and int((state.q[idx.pairs_of_line[line_b]] > 0).sum()) >= limit
                ):
                    continue  # line B keeps h and would gain g beyond the limit
                found.append([(a, a2, qa), (b, b2, qb)])
    return found


def _apply(state: _PlanState, moves: list[Move]) -> float | None:
    """Make some moves and return their cost without trips, or undo them and return None if
    they overdraw an offer."""
    cost = 0.0
    for source, target, quantity in moves:
        cost += state.cost_of_move(source, target, quantity)
        state.move(source, target, quantity)
    if all(state.within_offer(int(state.index.pair_group[m[1]])) for m in moves):
        return cost
    _undo(state, moves)
    return None


def _undo(state: _PlanState, moves: list[Move]) -> None:
    """Undo moves, last first."""
    for source, target, quantity in reversed(moves):
        state.move(target, source, quantity)
