"""Two heuristics the solver must beat: nearest grower first, and today's pro-rata split.

Both serve contract lines first, then the others, in the instance's order, and keep every rule of
the spec (offers by day, max_km, lots, max growers per line, locked rows).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import numpy as np

from solver.bench.instance import ANY_DAY, BenchInstance
from solver.bench.metrics import aggregate_rows

QUANTITY_TOL = 1e-9

# How a line's wanted quantity is split: (growers, available, wanted, lot, slots) -> taken.
Split = Callable[[list[int], dict[int, float], float, float, int], dict[int, float]]


class Stock:
    """What each grower still has of each product: per named day, and for any day."""

    def __init__(self, inst: BenchInstance) -> None:
        """Load the instance's availability."""
        self._left: dict[tuple[int, int, int], float] = defaultdict(float)
        for o in range(len(inst.offer_quantity)):
            key = (int(inst.offer_grower[o]), int(inst.offer_product[o]), int(inst.offer_day[o]))
            self._left[key] += float(inst.offer_quantity[o])

    def available(self, grower: int, product: int, day: int) -> float:
        """Return what the grower can still send of a product on a day."""
        return self._left.get((grower, product, day), 0.0) + self._left.get(
            (grower, product, ANY_DAY), 0.0
        )

    def take(self, grower: int, product: int, day: int, quantity: float) -> None:
        """Use day-bound stock first, since the any-day stock can serve other days too."""
        from_day = min(quantity, self._left.get((grower, product, day), 0.0))
        if from_day > 0:
            self._left[(grower, product, day)] -= from_day
        if quantity - from_day > 0:
            self._left[(grower, product, ANY_DAY)] -= quantity - from_day


def nearest_grower_first(inst: BenchInstance) -> list[dict[str, Any]]:
    """Serve each line from the nearest growers that still have stock (baseline b)."""
    return _allocate(inst, _take_nearest)


def pro_rata(inst: BenchInstance) -> list[dict[str, Any]]:
    """Split each line in proportion to the eligible growers' remaining offers (baseline c)."""
    return _allocate(inst, _take_pro_rata)


def _allocate(inst: BenchInstance, split: Split) -> list[dict[str, Any]]:
    stock = Stock(inst)
    offering: dict[int, set[int]] = defaultdict(set)
    for o in range(len(inst.offer_quantity)):
        offering[int(inst.offer_product[o])].add(int(inst.offer_grower[o]))
    quantity: dict[tuple[int, int], float] = {}
    need = inst.line_quantity.copy()
    num_growers_of = np.zeros(inst.num_lines, dtype=np.int64)
    _apply_locked(inst, stock, quantity, need, num_growers_of)

    order = sorted(range(inst.num_lines), key=lambda line: not inst.line_contract[line])
    for line in order:
        canteen, product, day = (
            int(inst.line_canteen[line]),
            int(inst.line_product[line]),
            int(inst.line_day[line]),
        )
        lot = float(inst.lot[product])
        wanted = math.floor(need[line] / lot + 1e-9) * lot if lot > 0 else float(need[line])
        growers = sorted(
            (
                g
                for g in offering[product]
                if inst.allowed[g, canteen] and (g, line) not in quantity
            ),
            key=lambda g: (inst.distance_km[g, canteen], g),
        )
        slots = (
            inst.max_growers_per_line - int(num_growers_of[line])
            if inst.max_growers_per_line is not None
            else len(growers)
        )
        available = {g: _whole_lots(stock.available(g, product, day), lot) for g in growers}
        growers = [g for g in growers if available[g] > QUANTITY_TOL]
        if wanted <= QUANTITY_TOL or slots <= 0 or not growers:
            continue
        for g, q in split(growers, available, wanted, lot, slots).items():
            if q > QUANTITY_TOL:
                stock.take(g, product, day, q)
                quantity[(g, line)] = q
    return _rows(inst, quantity)


def _take_nearest(
    growers: list[int], available: dict[int, float], wanted: float, lot: float, slots: int
) -> dict[int, float]:
    taken: dict[int, float] = {}
    for g in growers[:slots]:
        q = min(available[g], wanted - sum(taken.values()))
        if q > QUANTITY_TOL:
            taken[g] = q
    return taken


def _take_pro_rata(
    growers: list[int], available: dict[int, float], wanted: float, lot: float, slots: int
) -> dict[int, float]:
    # With a cap on growers per line, the spreadsheet keeps the biggest offers.
    chosen = sorted(growers, key=lambda g: -available[g])[:slots]
    total = sum(available[g] for g in chosen)
    if total <= wanted:
        return {g: available[g] for g in chosen}
    if lot <= 0:
        return {g: wanted * available[g] / total for g in chosen}
    exact = {g: wanted * available[g] / total / lot for g in chosen}
    lots = {g: math.floor(exact[g]) for g in chosen}
    spare = round(wanted / lot) - sum(lots.values())
    for g in sorted(chosen, key=lambda g: lots[g] - exact[g]):
        if spare <= 0:
            break
        if (lots[g] + 1) * lot <= available[g] + 1e-9:
            lots[g] += 1
            spare -= 1
    return {g: n * lot for g, n in lots.items()}


def _whole_lots(quantity: float, lot: float) -> float:
    return math.floor(quantity / lot + 1e-9) * lot if lot > 0 else quantity


def _apply_locked(
    inst: BenchInstance,
    stock: Stock,
    quantity: dict[tuple[int, int], float],
    need: np.ndarray[Any, Any],
    num_growers_of: np.ndarray[Any, Any],
) -> None:
    grower_at = {g: i for i, g in enumerate(inst.grower_ids)}
    for (grower, canteen, product, day), q in aggregate_rows(inst.rows("locked")).items():
        line = inst.line_index[(canteen, product, day)]
        g = grower_at[grower]
        stock.take(g, int(inst.line_product[line]), int(inst.line_day[line]), q)
        quantity[(g, line)] = q
        need[line] -= q
        num_growers_of[line] += 1


def _rows(inst: BenchInstance, quantity: dict[tuple[int, int], float]) -> list[dict[str, Any]]:
    return [
        {
            "grower": inst.grower_ids[g],
            "canteen": inst.canteen_ids[inst.line_canteen[line]],
            "product": inst.product_ids[inst.line_product[line]],
            "day": inst.days[inst.line_day[line]],
            "quantity": q,
        }
        for (g, line), q in sorted(quantity.items(), key=lambda item: (item[0][1], item[0][0]))
    ]
