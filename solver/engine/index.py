"""Index a problem into order lines, supply groups and allowed (grower, line) pairs.

Everything the models need is computed once here: which grower may serve which order line
(offers the product on that day, within `max_km`), how far, in which step (a product's lot,
else a continuous quantity), what is locked and what was published before.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np
import numpy.typing as npt

from solver.engine.geography import distance_matrix_km
from solver.problem import Problem
from solver.shares import grower_shares

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

# Quantities are compared with this relative slack: inputs are decimals, sums are floats.
QUANTITY_EPS = 1e-9
# Candidate (line, offer) pairs screened at once when indexing a week (memory, not results).
CANDIDATES_PER_BLOCK = 1 << 20


def run_starts(sorted_keys: IntArray) -> IntArray:
    """Return where each run of equal keys begins in an array of sorted keys."""
    begins = np.ones(len(sorted_keys), dtype=bool)
    np.not_equal(sorted_keys[1:], sorted_keys[:-1], out=begins[1:])
    return np.flatnonzero(begins)


def sorted_runs(keys: IntArray) -> tuple[IntArray, IntArray]:
    """Return the stable order that sorts `keys`, and where each run of equal keys begins in
    the sorted keys."""
    order = np.argsort(keys, kind="stable")
    return order, run_starts(keys[order])


def run_numbers(begins: IntArray, length: int) -> IntArray:
    """Return, for each position of an array cut into runs beginning at `begins`, its run."""
    return np.searchsorted(begins, np.arange(length), "right") - 1


def whole_lots(quantity: float, lot: float) -> int:
    """Return how many whole lots fit in a quantity, forgiving float noise."""
    return math.floor(quantity / lot + 1e-9)


@dataclass(frozen=True, slots=True)
class Line:
    """One (canteen, product, day) to deliver: order lines of the same key are merged."""

    canteen: str
    product: str
    day: str
    contract_qty: float
    regular_qty: float
    order_positions: tuple[int, ...]

    @property
    def quantity(self) -> float:
        """Return the whole quantity ordered on this line."""
        return self.contract_qty + self.regular_qty


@dataclass(slots=True)
class SupplyGroup:
    """What one grower offers of one product: a quantity for any day and per-day quantities."""

    grower: int
    product: str
    any_day_qty: float = 0.0
    day_qty: dict[str, float] = field(default_factory=dict)
    pairs: list[int] = field(default_factory=list)

    def reach_on(self, day: str) -> float:
        """Return the most this grower can deliver of the product on one day."""
        return self.any_day_qty + self.day_qty.get(day, 0.0)


@dataclass(slots=True)
class ProblemIndex:
    """The problem seen as lines, supply groups and pairs, with the data of each pair."""

    problem: Problem
    integer_mode: bool
    grower_ids: list[str]
    lines: list[Line]
    # Each product's position in `problem.products`, by which products are numbered below.
    product_position: dict[str, int]
    # Per line: its product (position), whole and contract quantity.
    line_product: IntArray
    line_qty: FloatArray
    line_contract_qty: FloatArray
    groups: list[SupplyGroup]
    lines_by_product: dict[str, list[int]]
    step: dict[str, float]
    pair_grower: IntArray
    pair_line: IntArray
    # Per pair: its product (position).
    pair_product: IntArray
    pair_group: IntArray
    pair_km: FloatArray
    pair_step: FloatArray
    pair_integral: npt.NDArray[np.bool_]
    pair_upper: FloatArray
    pair_price: FloatArray
    pair_unit_kg: FloatArray
    pair_locked: FloatArray
    pair_previous: FloatArray
    days: list[str]
    pair_day: IntArray
    pair_trip: IntArray
    pairs_of_line: list[list[int]]
    # Line li's pairs are pairs line_first_pair[li] to line_first_pair[li + 1] - 1.
    line_first_pair: IntArray
    group_any_day_qty: FloatArray
    group_day_qty: FloatArray
    previous_outside_qty: float
    shares: dict[str, float]
    contradictions: list[str]

    @property
    def num_pairs(self) -> int:
        """Return the number of allowed (grower, line) pairs."""
        return len(self.pair_line)

    def pair_at(self, grower: int, line: int) -> int | None:
        """Return the pair of a grower (position) and a line, or None if it is not allowed."""
        return _pair_at(self.pair_grower, self.line_first_pair, grower, line)

    @property
    def trip_id_bound(self) -> int:
        """Return one more than the largest trip id of `pair_trip` (arrays indexed by trip id
        have this length)."""
        return int(self.pair_trip.max(initial=-1)) + 1

    def trips(self) -> tuple[int, IntArray]:
        """Return how many (grower, canteen, day) trips the pairs lie on, and each pair's trip
        numbered from 0."""
        trip_ids, trip_of_pair = np.unique(self.pair_trip, return_inverse=True)
        numbers: IntArray = trip_of_pair
        return len(trip_ids), numbers

    def locked_quantities(self) -> FloatArray:
        """Return each pair's locked quantity, 0 where the pair is not locked."""
        locked = self.pair_locked
        return np.where(np.isnan(locked), 0.0, locked)

    def targets_eur(self, served_eur: float) -> FloatArray:
        """Return every grower's fairness target for a given total value served."""
        catch_up = self.problem.settings.ledger_catch_up
        return np.array([
            self.shares[g.id] * served_eur - catch_up * g.ledger_eur for g in self.problem.growers
        ])


def is_integer_mode(problem: Problem) -> bool:
    """Return whether the week needs integer decisions (lots, trip costs, grower limits)."""
    settings = problem.settings
    return (
        any(p.lot for p in problem.products)
        or settings.weights.deliveries > 0
        or settings.max_growers_per_line is not None
    )


def index_problem(problem: Problem) -> ProblemIndex:
    """Build the index of a validated problem, recording contradictions among locked rows."""
    integer_mode = is_integer_mode(problem)
    products = {p.id: p for p in problem.products}
    grower_ids = [g.id for g in problem.growers]
    grower_pos = {g: i for i, g in enumerate(grower_ids)}
    max_km = problem.settings.max_km
    step = {
        p.id: (float(p.lot) if integer_mode and p.lot else 1.0) for p in problem.products
    }

    lines, line_of = _merge_order_lines(problem)
    groups = _group_offers(problem, grower_pos)

    locked_qty: dict[tuple[int, int], float] = defaultdict(float)
    contradictions: list[str] = []
    for row in problem.locked:
        key = (row.canteen, row.product, row.day)
        if key not in line_of:
            contradictions.append(
                f"locked : {row.grower} → {row.canteen} {row.product} {row.day} : aucune commande"
                " ne correspond à cette ligne"
            )
            continue
        locked_qty[(grower_pos[row.grower], line_of[key])] += row.quantity

    days = sorted({line.day for line in lines})
    product_position = {p.id: k for k, p in enumerate(problem.products)}
    line_data = _line_columns(problem, lines, days, product_position)
    line_product, line_canteen, line_day, line_qty = line_data
    group_product, group_grower, group_any_day_qty, group_day_qty = _group_columns(
        groups, days, product_position
    )
    # What each grower can send of a product on each day: its any-day offer and that day's.
    group_reach = group_any_day_qty[:, None] + group_day_qty
    pair_grower, pair_line, pair_group, pair_km, pair_upper = _allowed_pairs(
        problem, line_data, (group_product, group_grower, group_reach), set(locked_qty)
    )
    num_pairs = len(pair_line)
    # Pairs come by line: each line's pairs are a range.
    line_first_pair = np.searchsorted(pair_line, np.arange(len(lines) + 1))
    pairs_of_line = [list(range(a, b)) for a, b in pairwise(line_first_pair.tolist())]
    for pair, gi in enumerate(pair_group.tolist()):
        groups[gi].pairs.append(pair)
    pair_product = line_product[pair_line]
    catalogue = problem.products
    product_step = np.array([step[p.id] for p in catalogue], dtype=np.float64)
    product_integral = np.array([integer_mode and bool(p.lot) for p in catalogue], dtype=bool)
    product_price = np.array([p.price for p in catalogue], dtype=np.float64)
    product_unit_kg = np.array([p.unit_kg for p in catalogue], dtype=np.float64)
    pair_day = line_day[pair_line]
    # One number per (grower, canteen, day) trip.
    pair_trip = (
        (pair_grower * len(problem.canteens) + line_canteen[pair_line]) * len(days) + pair_day
    )
    pair_locked = np.full(num_pairs, np.nan)
    for (g, li), qty in locked_qty.items():
        line = lines[li]
        where = f"locked : {grower_ids[g]} → {line.canteen} {line.product} {line.day}"
        no_offer = f"ce producteur n'offre pas de {line.product} ce jour-là"
        pi = _pair_at(pair_grower, line_first_pair, g, li)
        if pi is None:
            if qty > 0:
                contradictions.append(f"{where} : {no_offer}")
                continue
            # A zero lock on an unusable pair is simply the absence of a row.
            continue
        pair_locked[pi] = qty
        km = float(pair_km[pi])
        if qty > 0 and max_km is not None and km > max_km:
            contradictions.append(
                f"{where} : {_french_number(km, 1)} km, au-delà de la distance maximale"
                f" (max_km {_french_number(max_km)})"
            )
        if qty > 0 and groups[int(pair_group[pi])].reach_on(line.day) <= 0:
            contradictions.append(f"{where} : {no_offer}")
        lot = products[line.product].lot
        if lot and abs(qty / lot - round(qty / lot)) > 1e-9:
            contradictions.append(
                f"{where} : {_french_number(qty)} n'est pas un nombre entier de lots de"
                f" {_french_number(lot)}"
            )
        pair_upper[pi] = max(float(pair_upper[pi]), qty)

    pair_previous = np.zeros(num_pairs)
    previous_outside_qty = 0.0
    for row in problem.previous:
        key = (row.canteen, row.product, row.day)
        grower, li = grower_pos.get(row.grower, -1), line_of.get(key, -1)
        pi = None if li < 0 else _pair_at(pair_grower, line_first_pair, grower, li)
        if pi is None:
            previous_outside_qty += row.quantity
        else:
            pair_previous[pi] += row.quantity

    index = ProblemIndex(
        problem=problem,
        integer_mode=integer_mode,
        grower_ids=grower_ids,
        lines=lines,
        product_position=product_position,
        line_product=line_product,
        line_qty=line_qty,
        line_contract_qty=np.array([line.contract_qty for line in lines], dtype=np.float64),
        groups=groups,
        lines_by_product=_lines_by_product(lines),
        step=step,
        pair_grower=pair_grower,
        pair_line=pair_line,
        pair_product=pair_product,
        pair_group=pair_group,
        pair_km=pair_km,
        pair_step=product_step[pair_product],
        pair_integral=product_integral[pair_product],
        pair_upper=pair_upper,
        pair_price=product_price[pair_product],
        pair_unit_kg=product_unit_kg[pair_product],
        pair_locked=pair_locked,
        pair_previous=pair_previous,
        days=days,
        pair_day=pair_day,
        pair_trip=pair_trip,
        pairs_of_line=pairs_of_line,
        line_first_pair=line_first_pair,
        group_any_day_qty=group_any_day_qty,
        group_day_qty=group_day_qty,
        previous_outside_qty=previous_outside_qty,
        shares=grower_shares(problem),
        contradictions=contradictions,
    )
    if problem.locked:
        contradictions.extend(_locked_overflows(index))
    return index


def _line_columns(
    problem: Problem, lines: list[Line], days: list[str], product_pos: dict[str, int]
) -> tuple[IntArray, IntArray, IntArray, FloatArray]:
    """Return each line's product, canteen and day (their positions) and its quantity."""
    canteen_pos = {c.id: j for j, c in enumerate(problem.canteens)}
    day_pos = {day: i for i, day in enumerate(days)}
    return (
        np.array([product_pos[line.product] for line in lines], dtype=np.int64),
        np.array([canteen_pos[line.canteen] for line in lines], dtype=np.int64),
        np.array([day_pos[line.day] for line in lines], dtype=np.int64),
        np.array([line.quantity for line in lines], dtype=np.float64),
    )


def _group_columns(
    groups: list[SupplyGroup], days: list[str], product_pos: dict[str, int]
) -> tuple[IntArray, IntArray, FloatArray, FloatArray]:
    """Return each supply group's product (its position), grower, any-day quantity and
    quantity per day (a groups × days array)."""
    day_qty = np.array(
        [[g.day_qty.get(day, 0.0) for day in days] for g in groups], dtype=np.float64
    ).reshape(len(groups), len(days))
    return (
        np.array([product_pos[g.product] for g in groups], dtype=np.int64),
        np.array([g.grower for g in groups], dtype=np.int64),
        np.array([g.any_day_qty for g in groups], dtype=np.float64),
        day_qty,
    )


def _allowed_pairs(
    problem: Problem,
    line_data: tuple[IntArray, IntArray, IntArray, FloatArray],
    group_data: tuple[IntArray, IntArray, FloatArray],
    locked: set[tuple[int, int]],
) -> tuple[IntArray, IntArray, IntArray, FloatArray, FloatArray]:
    """Return (grower, line, group, km, upper) of every allowed or locked pair, by line, and
    within a line by group, from each line's (product, canteen, day, quantity) and each
    supply group's (product, grower, reach by day).

    A pair is allowed when the line orders something, the grower offers the product for
    that day or any day (`group_reach[group, day]` > 0), and the distance is within `max_km`.
    """
    line_product, line_canteen, line_day, line_qty = line_data
    group_product, group_grower, group_reach = group_data
    km_matrix = distance_matrix_km(problem)
    num_products = len(problem.products)
    groups_by_product = np.argsort(group_product, kind="stable")
    num_groups_of = np.bincount(group_product, minlength=num_products)
    first_group_of = np.cumsum(num_groups_of) - num_groups_of
    per_line = num_groups_of[line_product]
    num_growers = len(problem.growers)
    locked_keys = np.array(
        sorted(li * num_growers + g for g, li in locked), dtype=np.int64
    )
    max_km = problem.settings.max_km
    # Candidates (line, group of the line's product) are screened a block of lines at a time:
    # at 1000 growers × 1000 canteens they number millions, and whole-week arrays of them
    # took most of the solver's peak memory.
    ends = np.cumsum(per_line)
    chunks: list[tuple[IntArray, IntArray, IntArray, FloatArray, FloatArray]] = []
    begin = 0
    while begin < len(line_product):
        end = int(np.searchsorted(ends, ends[begin] - per_line[begin] + CANDIDATES_PER_BLOCK,
                                  side="right"))
        end = max(end, begin + 1)
        lines = np.arange(begin, end, dtype=np.int64)
        counts = per_line[lines]
        line_of = np.repeat(lines, counts)
        rank = np.arange(len(line_of)) - np.repeat(np.cumsum(counts) - counts, counts)
        group_of = groups_by_product[np.repeat(first_group_of[line_product[lines]], counts) + rank]
        grower_of = group_grower[group_of]
        km_of = km_matrix[grower_of, line_canteen[line_of]]
        reach = group_reach[group_of, line_day[line_of]]
        usable = (reach > 0) & (line_qty[line_of] > 0)
        if max_km is not None:
            usable &= km_of <= max_km
        if len(locked_keys):
            usable |= np.isin(line_of * num_growers + grower_of, locked_keys)
        upper_of = np.minimum(reach, line_qty[line_of])
        chunks.append((
            grower_of[usable].astype(np.int64), line_of[usable], group_of[usable].astype(np.int64),
            km_of[usable].astype(np.float64), upper_of[usable].astype(np.float64),
        ))
        begin = end
    if not chunks:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty, np.zeros(0), np.zeros(0)
    growers, line_ids, group_ids, kms, uppers = zip(*chunks, strict=True)
    return (
        np.concatenate(growers), np.concatenate(line_ids), np.concatenate(group_ids),
        np.concatenate(kms), np.concatenate(uppers),
    )


def _pair_at(
    pair_grower: IntArray, line_first_pair: IntArray, grower: int, line: int
) -> int | None:
    """Return the pair of a grower and a line among the line's range of pairs, or None."""
    first = int(line_first_pair[line])
    found = np.flatnonzero(pair_grower[first:int(line_first_pair[line + 1])] == grower)
    return first + int(found[0]) if len(found) else None


def _merge_order_lines(problem: Problem) -> tuple[list[Line], dict[tuple[str, str, str], int]]:
    """Merge order lines sharing (canteen, product, day): a plan row cannot tell them apart."""
    contract: dict[tuple[str, str, str], float] = defaultdict(float)
    regular: dict[tuple[str, str, str], float] = defaultdict(float)
    positions: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    for pos, order in enumerate(problem.orders):
        key = (order.canteen, order.product, order.day)
        target = contract if order.priority == "contract" else regular
        target[key] += order.quantity
        positions[key].append(pos)
    lines = [
        Line(key[0], key[1], key[2], contract[key], regular[key], tuple(pos))
        for key, pos in positions.items()
    ]
    return lines, {key: i for i, key in enumerate(positions)}


def _group_offers(problem: Problem, grower_pos: dict[str, int]) -> list[SupplyGroup]:
    """Gather each grower's offers of one product, any-day and per day."""
    groups: list[SupplyGroup] = []
    group_of: dict[tuple[int, str], int] = {}
    for offer in problem.availability:
        key = (grower_pos[offer.grower], offer.product)
        if key not in group_of:
            group_of[key] = len(groups)
            groups.append(SupplyGroup(grower=key[0], product=offer.product))
        group = groups[group_of[key]]
        if offer.day is None:
            group.any_day_qty += offer.quantity
        else:
            group.day_qty[offer.day] = group.day_qty.get(offer.day, 0.0) + offer.quantity
    return groups


def _lines_by_product(lines: list[Line]) -> dict[str, list[int]]:
    """Return the positions of the lines of each product."""
    by_product: dict[str, list[int]] = defaultdict(list)
    for li, line in enumerate(lines):
        by_product[line.product].append(li)
    return dict(by_product)


def supply_overflow(group: SupplyGroup, used_by_day: dict[str, float]) -> float:
    """Return how much a grower's use of a product exceeds its offer (0 when it fits).

    Day-specific quantities are used first on their own day: they can serve nothing else.
    """
    spill = sum(
        max(0.0, used - group.day_qty.get(day, 0.0)) for day, used in used_by_day.items()
    )
    return max(0.0, spill - group.any_day_qty)


def _locked_overflows(index: ProblemIndex) -> list[str]:
    """Return the contradictions of locked rows summed per order line and per supply group."""
    messages: list[str] = []
    settings = index.problem.settings
    locked = index.locked_quantities()
    for li, line in enumerate(index.lines):
        pairs = index.pairs_of_line[li]
        total = float(sum(locked[p] for p in pairs))
        if total > line.quantity * (1 + QUANTITY_EPS) + QUANTITY_EPS:
            messages.append(
                f"locked : {line.canteen} {line.product} {line.day} reçoit"
                f" {_french_number(total)} pour {_french_number(line.quantity)} commandés"
            )
        limit = settings.max_growers_per_line
        num_locked = sum(1 for p in pairs if locked[p] > 0)
        if limit is not None and num_locked > limit:
            messages.append(
                f"locked : {line.canteen} {line.product} {line.day} a {num_locked} producteurs"
                f" verrouillés, plus que max_growers_per_line ({limit})"
            )
    for group in index.groups:
        used_by_day: dict[str, float] = defaultdict(float)
        for p in group.pairs:
            used_by_day[index.lines[index.pair_line[p]].day] += locked[p]
        excess = supply_overflow(group, used_by_day)
        if excess > QUANTITY_EPS * (1 + sum(used_by_day.values())):
            messages.append(
                f"locked : {index.grower_ids[group.grower]} envoie {_french_number(excess)}"
                f" {group.product} de plus qu'offert"
            )
    return messages


def _french_number(value: float, decimals: int | None = None) -> str:
    """Write a number the French way: decimal comma, no useless zeros (12,5 ; 30)."""
    text = f"{value:.{decimals}f}" if decimals is not None else f"{value:g}"
    return text.replace(".", ",")
