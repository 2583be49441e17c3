"""A French, human-readable account of a result: who serves each order line, and why.

The account is rebuilt from the instance and the result alone (distances, shares, offers left),
so it also explains plans made by hand or by another solver. Numbers are written the French
way: decimal comma, space between thousands ("1 234,5 kg", "3,2 km", "168,00 €").
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from solver.problem import AllocationRow, OrderLine, Problem, Product, Result

# Quantities are floats; anything below this is rounding noise, not a kilogram left over.
QUANTITY_EPSILON = 1e-6

_WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
_STATUS_TEXT = {
    "optimal": "plan optimal",
    "feasible": "plan valable, optimalité non prouvée (limite de temps atteinte)",
    "infeasible": "aucun plan possible",
    "invalid": "instance invalide",
}
_MAX_NAMED = 3

LineKey = tuple[str, str, str]


def explain(problem: Problem, result: Result) -> str:
    """Return a French account of a result: summary, shares, then each order line."""
    lines = [f"Semaine {problem.week} — {_STATUS_TEXT.get(result.status, result.status)}"]
    if result.status == "invalid":
        lines.append("")
        lines.append("L'instance ne respecte pas le format pial-allocation/1 :")
        lines.extend(f"  - {message}" for message in result.errors)
        return "\n".join(lines) + "\n"
    context = _Context.build(problem, result)
    if result.status == "infeasible":
        lines.append("")
        lines.extend(_explain_infeasible(context))
        return "\n".join(lines) + "\n"
    lines.append("")
    lines.extend(_summary(context))
    lines.append("")
    lines.extend(_shares(context))
    lines.append("")
    lines.append("Commandes")
    for order in problem.orders:
        lines.extend(_explain_order(context, order))
    lines.extend(_stray_allocations(context))
    return "\n".join(lines) + "\n"


def format_number(value: float, decimals: int = 1) -> str:
    """Write a number the French way: decimal comma, spaced thousands, no trailing zeros."""
    if not math.isfinite(value):
        return "?"
    rounded = round(value, decimals)
    if rounded == 0:
        rounded = 0.0  # avoids "-0"
    text = f"{abs(rounded):,.{decimals}f}".replace(",", " ").replace(".", ",")
    if "," in text:
        text = text.rstrip("0").rstrip(",")
    return ("-" if rounded < 0 else "") + text


def format_eur(value: float) -> str:
    """Write an amount in euros with two decimals, French style ("1 234,50 €")."""
    if not math.isfinite(value):
        return "? €"
    rounded = round(value, 2)
    if rounded == 0:
        rounded = 0.0
    text = f"{abs(rounded):,.2f}".replace(",", " ").replace(".", ",")
    return ("-" if rounded < 0 else "") + text + " €"


def format_percent(ratio: float) -> str:
    """Write a ratio as a French percentage ("92,5 %")."""
    return f"{format_number(100 * ratio, 1)} %"


def format_day(day: str) -> str:
    """Write an ISO date as "lundi 23/11/2026" (the raw text if it is not a date)."""
    try:
        parsed = date.fromisoformat(day)
    except ValueError:
        return day
    return f"{_WEEKDAYS[parsed.weekday()]} {parsed:%d/%m/%Y}"


@dataclass
class _Context:
    """Everything the explanation looks up, indexed once."""

    problem: Problem
    result: Result
    products: dict[str, Product]
    grower_names: dict[str, str]
    canteen_names: dict[str, str]
    distance_km: dict[tuple[str, str], float]
    shares: dict[str, float]
    orders: dict[LineKey, OrderLine]
    rows_by_line: dict[LineKey, list[AllocationRow]] = field(default_factory=dict)
    rows_by_offer: dict[tuple[str, str], list[AllocationRow]] = field(default_factory=dict)
    weekly_offer: dict[tuple[str, str], float] = field(default_factory=dict)
    daily_offer: dict[tuple[str, str, str], float] = field(default_factory=dict)
    allocated: dict[tuple[str, str, str], float] = field(default_factory=dict)
    offering_growers: dict[str, set[str]] = field(default_factory=dict)
    locked: dict[tuple[str, str, str, str], float] = field(default_factory=dict)
    sold_eur: dict[str, float] = field(default_factory=dict)
    ledger_eur: dict[str, float] = field(default_factory=dict)
    trip_products: dict[tuple[str, str, str], set[str]] = field(default_factory=dict)
    candidates_by_line: dict[LineKey, list[str]] = field(default_factory=dict)

    @classmethod
    def build(cls, problem: Problem, result: Result) -> _Context:
        """Index the problem and result for the explanation."""
        # Lazy: the engine package imports OR-Tools, which explain() does not otherwise need.
        from solver.engine import distance_km, grower_shares

        context = cls(
            problem=problem,
            result=result,
            products={product.id: product for product in problem.products},
            grower_names={grower.id: grower.name for grower in problem.growers},
            canteen_names={canteen.id: canteen.name for canteen in problem.canteens},
            distance_km=distance_km(problem),
            shares=grower_shares(problem),
            orders={(line.canteen, line.product, line.day): line for line in problem.orders},
        )
        rows_by_line: dict[LineKey, list[AllocationRow]] = defaultdict(list)
        rows_by_offer: dict[tuple[str, str], list[AllocationRow]] = defaultdict(list)
        allocated: dict[tuple[str, str, str], float] = defaultdict(float)
        sold_eur: dict[str, float] = defaultdict(float)
        for row in result.allocations:
            rows_by_line[(row.canteen, row.product, row.day)].append(row)
            rows_by_offer[(row.grower, row.product)].append(row)
            allocated[(row.grower, row.product, row.day)] += row.quantity
            product = context.products.get(row.product)
            sold_eur[row.grower] += row.quantity * (product.price if product else 0.0)
        context.rows_by_line = dict(rows_by_line)
        context.rows_by_offer = dict(rows_by_offer)
        context.allocated = dict(allocated)
        context.sold_eur = dict(sold_eur)
        offering_growers: dict[str, set[str]] = defaultdict(set)
        for offer in problem.availability:
            if offer.quantity <= QUANTITY_EPSILON:
                continue
            offering_growers[offer.product].add(offer.grower)
            if offer.day is None:
                context.weekly_offer[(offer.grower, offer.product)] = offer.quantity
            else:
                context.daily_offer[(offer.grower, offer.product, offer.day)] = offer.quantity
        context.offering_growers = dict(offering_growers)
        context.locked = {
            (row.grower, row.canteen, row.product, row.day): row.quantity for row in problem.locked
        }
        context.ledger_eur = {grower.id: grower.ledger_eur for grower in problem.growers}
        trip_products: dict[tuple[str, str, str], set[str]] = defaultdict(set)
        for row in result.allocations:
            if row.quantity > QUANTITY_EPSILON:
                trip_products[(row.grower, row.canteen, row.day)].add(row.product)
        context.trip_products = dict(trip_products)
        return context

    def grower_name(self, grower_id: str) -> str:
        """Return a grower's name (its id if unknown)."""
        return self.grower_names.get(grower_id, grower_id)

    def canteen_name(self, canteen_id: str) -> str:
        """Return a canteen's name (its id if unknown)."""
        return self.canteen_names.get(canteen_id, canteen_id)

    def quantity(self, quantity: float, product_id: str) -> str:
        """Write a quantity with its product's unit ("12,5 kg")."""
        product = self.products.get(product_id)
        unit = product.unit if product else ""
        return f"{format_number(quantity, 2)} {unit}".rstrip()

    def km(self, grower_id: str, canteen_id: str) -> float | None:
        """Return the distance used by the solver for a pair (None if unknown)."""
        return self.distance_km.get((grower_id, canteen_id))

    def within_reach(self, grower_id: str, canteen_id: str) -> bool:
        """Tell whether a pair may be used under settings.max_km."""
        max_km = self.problem.settings.max_km
        km = self.km(grower_id, canteen_id)
        return max_km is None or (km is not None and km <= max_km + QUANTITY_EPSILON)

    def offered(self, grower_id: str, product_id: str, day: str) -> float:
        """Return what a grower offered that could go to a delivery on `day`."""
        return self.daily_offer.get((grower_id, product_id, day), 0.0) + self.weekly_offer.get(
            (grower_id, product_id), 0.0
        )

    def left_over(self, grower_id: str, product_id: str, day: str) -> float:
        """Return what a grower still had for `day` after the plan, day offer first then week."""
        # What a day's deliveries take beyond that day's own offer comes out of the week's offer.
        weekly_used = 0.0
        days = {row.day for row in self.rows_by_offer.get((grower_id, product_id), [])}
        for other_day in sorted(days):  # a fixed order: the float sum is the same every run
            day_offer = self.daily_offer.get((grower_id, product_id, other_day), 0.0)
            day_allocated = self.allocated.get((grower_id, product_id, other_day), 0.0)
            weekly_used += max(0.0, day_allocated - day_offer)
        day_offer = self.daily_offer.get((grower_id, product_id, day), 0.0)
        day_allocated = self.allocated.get((grower_id, product_id, day), 0.0)
        weekly_left = self.weekly_offer.get((grower_id, product_id), 0.0) - weekly_used
        return max(0.0, day_offer - day_allocated) + max(0.0, weekly_left)

    def target_eur(self, grower_id: str) -> float:
        """Return a grower's fairness target this week: share × served − catch-up × ledger."""
        served_eur = self.result.metrics.served_eur
        catch_up = self.problem.settings.ledger_catch_up
        return self.shares.get(grower_id, 0.0) * served_eur - catch_up * self.ledger_eur.get(
            grower_id, 0.0
        )

    def candidates(self, order: OrderLine) -> list[str]:
        """Return growers offering the line's product for its day within max_km, nearest first."""
        key = (order.canteen, order.product, order.day)
        if key not in self.candidates_by_line:
            growers = [
                grower_id
                for grower_id in self.offering_growers.get(order.product, set())
                if self.offered(grower_id, order.product, order.day) > QUANTITY_EPSILON
                and self.within_reach(grower_id, order.canteen)
            ]
            self.candidates_by_line[key] = sorted(
                growers, key=lambda g: (self.km(g, order.canteen) or math.inf, g)
            )
        return self.candidates_by_line[key]

    def lot(self, product_id: str) -> float | None:
        """Return the product's lot size, if any."""
        product = self.products.get(product_id)
        return product.lot if product else None

    def value_eur(self, quantity: float, product_id: str) -> float:
        """Return the value of a quantity at the group's price."""
        product = self.products.get(product_id)
        return quantity * (product.price if product else 0.0)


def _summary(context: _Context) -> list[str]:
    """Return the headline figures of the result."""
    metrics = context.result.metrics
    lines = [
        "Résumé",
        f"  Demande servie : {format_percent(metrics.fill_rate)} de la valeur commandée "
        f"({format_eur(metrics.served_eur)} sur {format_eur(metrics.ordered_eur)})",
    ]
    has_contract = any(line.priority == "contract" for line in context.problem.orders)
    if has_contract:
        lines.append(
            f"  Lignes sous contrat : {format_percent(metrics.contract_fill_rate)} servies"
        )
    lines.append(
        f"  Transport : {format_number(metrics.kg_km, 1)} kg·km, {metrics.deliveries} "
        f"tournée{'s' if metrics.deliveries > 1 else ''} (producteur, cantine, jour)"
    )
    lines.append(
        f"  Écart aux parts visées : {format_eur(metrics.share_deviation_eur)} au total"
    )
    if context.problem.previous:
        lines.append(
            "  Modifié par rapport au plan publié : "
            f"{format_number(metrics.moved_from_previous, 2)} unités déplacées"
        )
    lines.append(f"  Temps de calcul : {format_number(metrics.solve_s, 2)} s")
    return lines


def _shares(context: _Context) -> list[str]:
    """Return, per grower, value sold against the agreed share and the ledger before/after."""
    served_eur = context.result.metrics.served_eur
    ledger_after = {entry.grower: entry.ledger_eur for entry in context.result.ledger_after}
    lines = ["Parts des producteurs (vendu / visé)"]
    for grower in context.problem.growers:
        share = context.shares.get(grower.id, 0.0)
        sold_eur = context.sold_eur.get(grower.id, 0.0)
        target_eur = context.target_eur(grower.id)
        sold_share = sold_eur / served_eur if served_eur > 0 else 0.0
        after = ledger_after.get(grower.id)
        after_text = f", après {format_eur(after)}" if after is not None else ""
        lines.append(
            f"  {grower.name} : vendu {format_eur(sold_eur)} ({format_percent(sold_share)} des "
            f"ventes), part visée {format_percent(share)}, objectif {format_eur(target_eur)} ; "
            f"compte avant {format_eur(grower.ledger_eur)} ({_ledger_status(grower.ledger_eur)})"
            f"{after_text}"
        )
    return lines


def _ledger_status(ledger_eur: float) -> str:
    """Say whether a ledger is behind, ahead or level with the grower's share."""
    if ledger_eur < -0.005:
        return f"en retard de {format_eur(-ledger_eur)} sur sa part"
    if ledger_eur > 0.005:
        return f"en avance de {format_eur(ledger_eur)} sur sa part"
    return "à jour de sa part"


def _explain_order(context: _Context, order: OrderLine) -> list[str]:
    """Explain who serves one order line, why them, and why anything is missing."""
    key = (order.canteen, order.product, order.day)
    product = context.products.get(order.product)
    product_name = product.name if product else order.product
    rows = sorted(context.rows_by_line.get(key, []), key=lambda row: -row.quantity)
    rows = [row for row in rows if row.quantity > QUANTITY_EPSILON]
    served = sum(row.quantity for row in rows)
    priority = " (contrat)" if order.priority == "contract" else ""
    lines = [
        f"  {context.canteen_name(order.canteen)} — {product_name}, {format_day(order.day)}"
        f"{priority} : {context.quantity(order.quantity, order.product)} commandés, "
        f"{context.quantity(served, order.product)} servis"
    ]
    candidates = context.candidates(order)
    for row in rows:
        lines.append(f"    • {_explain_row(context, order, row, candidates)}")
    lines.extend(f"    {text}" for text in _passed_over(context, order, rows, candidates))
    shortfall = order.quantity - served
    if shortfall > QUANTITY_EPSILON * max(1.0, order.quantity):
        reasons = _shortfall_reasons(context, order, rows, candidates, shortfall)
        lines.append(
            f"    Manque {context.quantity(shortfall, order.product)} : " + " ; ".join(reasons)
        )
    return lines


def _explain_row(
    context: _Context, order: OrderLine, row: AllocationRow, candidates: list[str]
) -> str:
    """Explain why one grower sends what it sends to an order line."""
    head = f"{context.grower_name(row.grower)} : {context.quantity(row.quantity, row.product)}"
    lot = context.lot(row.product)
    if lot:
        num_lots = row.quantity / lot
        head += f" ({format_number(num_lots, 2)} lot{'s' if num_lots > 1 else ''} de "
        head += f"{context.quantity(lot, row.product)})"
    km = context.km(row.grower, order.canteen)
    reasons = []
    if km is not None:
        distance = f"à {format_number(km, 1)} km"
        if row.grower in candidates and len(candidates) > 1:
            rank = candidates.index(row.grower) + 1
            nearest = "la plus proche" if rank == 1 else f"la {rank}e plus proche"
            distance += f", {nearest} des {len(candidates)} fermes qui en proposent ce jour"
        elif row.grower in candidates:
            distance += ", seule ferme à portée qui en propose ce jour"
        reasons.append(distance)
    share = context.shares.get(row.grower, 0.0)
    ledger_eur = context.ledger_eur.get(row.grower, 0.0)
    reasons.append(f"part visée {format_percent(share)}, {_ledger_status(ledger_eur)}")
    is_nearest = bool(candidates) and candidates[0] == row.grower
    sold_eur = context.sold_eur.get(row.grower, 0.0)
    target_eur = context.target_eur(row.grower)
    weights = context.problem.settings.weights
    if not is_nearest and weights.fairness > 0 and sold_eur <= target_eur + 0.005:
        reasons.append(
            f"sous son objectif de la semaine (vendu {format_eur(sold_eur)} pour "
            f"{format_eur(target_eur)} visés)"
        )
    if weights.deliveries > 0 and _delivers_other_products(context, row):
        reasons.append(f"livre déjà {context.canteen_name(row.canteen)} ce jour (tournée groupée)")
    if (row.grower, row.canteen, row.product, row.day) in context.locked:
        reasons.append("quantité fixée à la main par la coordination")
    return head + " — " + " ; ".join(reasons)


def _passed_over(
    context: _Context, order: OrderLine, rows: list[AllocationRow], candidates: list[str]
) -> list[str]:
    """Explain why growers nearer than the farthest chosen one were not used."""
    serving = {row.grower for row in rows}
    if not serving:
        return []
    farthest_km = max(context.km(g, order.canteen) or 0.0 for g in serving)
    lines = []
    for grower_id in candidates:
        km = context.km(grower_id, order.canteen)
        if grower_id in serving or km is None or km >= farthest_km:
            continue
        left = context.left_over(grower_id, order.product, order.day)
        name = f"{context.grower_name(grower_id)} ({format_number(km, 1)} km)"
        lot = context.lot(order.product)
        locked = context.locked.get((grower_id, order.canteen, order.product, order.day))
        if locked is not None:
            lines.append(
                f"Plus proche mais non retenue : {name}, sa quantité sur cette ligne est fixée "
                f"à la main à {context.quantity(locked, order.product)}"
            )
        elif lot and QUANTITY_EPSILON < left < _usable_quantity(context, order.product):
            lines.append(
                f"Plus proche mais non retenue : {name}, il ne lui restait que "
                f"{context.quantity(left, order.product)}, moins qu'un lot de "
                f"{context.quantity(lot, order.product)}"
            )
        elif left < _usable_quantity(context, order.product):
            lines.append(
                f"Plus proche mais non retenue : {name}, son offre était déjà prise"
                f"{_where_it_went(context, grower_id, order)}"
            )
        else:
            lines.append(
                f"Plus proche mais non retenue : {name}, il lui restait "
                f"{context.quantity(left, order.product)} ; "
                + _why_not_chosen(context, grower_id, order)
            )
        if len(lines) >= _MAX_NAMED:
            break
    return lines


def _why_not_chosen(context: _Context, grower_id: str, order: OrderLine) -> str:
    """Say what the weighted objective gained by leaving a nearer grower with offer unused."""
    weights = context.problem.settings.weights
    sold_eur = context.sold_eur.get(grower_id, 0.0)
    target_eur = context.target_eur(grower_id)
    reasons = []
    if weights.fairness > 0 and sold_eur >= target_eur - 0.005:
        reasons.append(
            f"elle atteint déjà son objectif de la semaine (vendu {format_eur(sold_eur)} pour "
            f"{format_eur(target_eur)} visés)"
        )
    trip = (grower_id, order.canteen, order.day)
    if weights.deliveries > 0 and trip not in context.trip_products:
        reasons.append(
            f"elle ne livre pas {context.canteen_name(order.canteen)} ce jour (une tournée "
            "de plus)"
        )
    if not reasons:
        return (
            "écartée par le compromis entre distance, équité et tournées "
            f"({_ledger_status(context.ledger_eur.get(grower_id, 0.0))})"
        )
    return "écartée car " + " et ".join(reasons)


def _delivers_other_products(context: _Context, row: AllocationRow) -> bool:
    """Tell whether a grower's trip to this canteen that day also carries other products."""
    products = context.trip_products.get((row.grower, row.canteen, row.day), set())
    return bool(products - {row.product})


def _usable_quantity(context: _Context, product_id: str) -> float:
    """Return the smallest quantity worth sending: one lot, or any amount without lots."""
    lot = context.lot(product_id)
    return lot - QUANTITY_EPSILON if lot else QUANTITY_EPSILON


def _shortfall_reasons(
    context: _Context,
    order: OrderLine,
    rows: list[AllocationRow],
    candidates: list[str],
    shortfall: float,
) -> list[str]:
    """Say why an order line is not fully served, most fundamental reason first."""
    offering = [
        grower_id
        for grower_id in sorted(context.offering_growers.get(order.product, set()))
        if context.offered(grower_id, order.product, order.day) > QUANTITY_EPSILON
    ]
    if not offering:
        return [_no_offer_reason(context, order)]
    if not candidates:
        max_km = context.problem.settings.max_km or 0.0
        beyond = sorted(offering, key=lambda g: context.km(g, order.canteen) or math.inf)
        named = ", ".join(
            f"{context.grower_name(g)} à {format_number(context.km(g, order.canteen) or 0, 1)} km"
            for g in beyond[:_MAX_NAMED]
        )
        return [
            f"les seules offres ({named}) sont au-delà de la distance maximale de "
            f"{format_number(max_km, 1)} km"
        ]
    lot = context.lot(order.product)
    # Less than a lot missing means no further whole lot fits in the line, whatever the offers.
    if lot and order.quantity < lot - QUANTITY_EPSILON:
        return [
            f"la commande de {context.quantity(order.quantity, order.product)} est inférieure à "
            f"un lot de {context.quantity(lot, order.product)} : impossible à livrer en lots "
            "entiers"
        ]
    if lot and shortfall < lot - QUANTITY_EPSILON:
        return [
            f"arrondi au lot : il manque moins d'un lot de {context.quantity(lot, order.product)}"
            f" (la commande de {context.quantity(order.quantity, order.product)} n'est pas un "
            "multiple du lot)"
        ]
    reasons = []
    usable = _usable_quantity(context, order.product)
    left = {g: context.left_over(g, order.product, order.day) for g in candidates}
    # A pair locked by the coordinator sends exactly its locked quantity, leftovers or not.
    locked_on_line = {
        g: context.locked[(g, order.canteen, order.product, order.day)]
        for g in candidates
        if (g, order.canteen, order.product, order.day) in context.locked
    }
    locked_out = [g for g in locked_on_line if left[g] >= usable]
    if locked_out:
        named = ", ".join(
            f"{context.grower_name(g)} bloquée à "
            f"{context.quantity(locked_on_line[g], order.product)}"
            for g in locked_out[:_MAX_NAMED]
        )
        reasons.append(f"quantités fixées à la main par la coordination ({named})")
    still_usable = [g for g in candidates if left[g] >= usable and g not in locked_out]
    serving = {row.grower for row in rows}
    max_growers = context.problem.settings.max_growers_per_line
    product = context.products.get(order.product)
    if still_usable and max_growers is not None and len(serving) >= max_growers:
        waiting = still_usable[0]
        reasons.append(
            f"limite de {max_growers} ferme{'s' if max_growers > 1 else ''} par ligne atteinte "
            f"({context.grower_name(waiting)} avait encore "
            f"{context.quantity(left[waiting], order.product)})"
        )
    elif still_usable and product is not None and product.price <= 0:
        reasons.append(
            f"{product.name} a un prix nul : le servir n'ajoute rien à la valeur servie que "
            "la répartition maximise"
        )
    elif still_usable:
        named = ", ".join(
            f"{context.grower_name(g)} {context.quantity(left[g], order.product)}"
            for g in still_usable[:_MAX_NAMED]
        )
        why = (
            "le plan n'est pas prouvé optimal (limite de temps)"
            if context.result.status == "feasible"
            else "rien dans l'instance ne justifie ce manque, plan à vérifier"
        )
        reasons.append(f"des offres restaient disponibles ({named}) : {why}")
    if not still_usable:
        if lot:
            crumbs = [
                g for g in candidates if left[g] > QUANTITY_EPSILON and g not in locked_out
            ]
            if crumbs:
                named = ", ".join(
                    f"{context.grower_name(g)} {context.quantity(left[g], order.product)}"
                    for g in crumbs[:_MAX_NAMED]
                )
                reasons.append(
                    f"les restes ({named}) sont inférieurs à un lot de "
                    f"{context.quantity(lot, order.product)}"
                )
        used_up = [g for g in candidates if left[g] <= QUANTITY_EPSILON]
        if used_up:
            reasons.append(
                "les offres à portée sont épuisées : "
                + " ; ".join(
                    f"{context.grower_name(g)}{_where_it_went(context, g, order)}"
                    for g in used_up[:_MAX_NAMED]
                )
            )
    beyond = [
        g for g in offering if g not in candidates and not context.within_reach(g, order.canteen)
    ]
    if beyond and not still_usable:
        named = ", ".join(
            f"{context.grower_name(g)} à {format_number(context.km(g, order.canteen) or 0, 1)} km"
            for g in beyond[:_MAX_NAMED]
        )
        max_km = context.problem.settings.max_km or 0.0
        reasons.append(
            f"d'autres offres ({named}) sont au-delà de la distance maximale de "
            f"{format_number(max_km, 1)} km"
        )
    return reasons or ["raison non identifiée"]


def _no_offer_reason(context: _Context, order: OrderLine) -> str:
    """Say that nobody offers the product that day, and which days it is offered."""
    product = context.products.get(order.product)
    product_name = product.name if product else order.product
    other_days = sorted(
        {day for (_, product_id, day) in context.daily_offer if product_id == order.product}
    )
    text = f"aucune offre de {product_name} pour le {format_day(order.day)}"
    if other_days:
        text += " (offres seulement le " + ", ".join(format_day(d) for d in other_days) + ")"
    return text


def _where_it_went(context: _Context, grower_id: str, order: OrderLine) -> str:
    """Say which other lines took a grower's offer: contract lines, nearer lines, others."""
    own_km = context.km(grower_id, order.canteen)
    shares_week = context.weekly_offer.get((grower_id, order.product), 0.0) > 0
    taken: dict[str, float] = defaultdict(float)
    named: dict[str, list[str]] = defaultdict(list)
    for row in context.rows_by_offer.get((grower_id, order.product), []):
        if row.canteen == order.canteen and row.day == order.day:
            continue
        if row.day != order.day and not shares_week:
            continue
        other = context.orders.get((row.canteen, row.product, row.day))
        other_km = context.km(grower_id, row.canteen)
        if other is not None and other.priority == "contract" and order.priority != "contract":
            kind = "des lignes sous contrat"
        elif other_km is not None and own_km is not None and other_km < own_km:
            kind = "des cantines plus proches"
        elif other is not None and context.candidates(other) == [grower_id]:
            kind = "des cantines qu'elle est seule à pouvoir servir"
        else:
            kind = "d'autres lignes"
        taken[kind] += row.quantity
        if len(named[kind]) < _MAX_NAMED:
            where = context.canteen_name(row.canteen)
            if other_km is not None:
                where += f" à {format_number(other_km, 1)} km"
            if row.day != order.day:
                where += f" le {format_day(row.day)}"
            named[kind].append(f"{where} : {context.quantity(row.quantity, row.product)}")
    if not taken:
        return ""
    return " (partie vers " + " ; ".join(
        f"{kind} — {', '.join(named[kind])}" for kind in taken
    ) + ")"


def _explain_infeasible(context: _Context) -> list[str]:
    """Name the locked rows that contradict the offers, orders or settings."""
    conflicts = list(_locked_conflicts(context))
    lines = []
    if conflicts:
        lines.append("Les quantités fixées à la main sont contradictoires :")
        lines.extend(f"  - {conflict}" for conflict in conflicts)
    else:
        lines.append(
            "Aucun plan ne respecte toutes les contraintes, sans conflit évident entre les "
            "quantités fixées à la main ; vérifier les lignes « locked »."
        )
    if context.result.errors:
        lines.append("Le solveur signale :")
        lines.extend(f"  - {message}" for message in context.result.errors)
    return lines


def _locked_conflicts(context: _Context) -> Iterable[str]:
    """Yield, in French, each way the locked rows break the offers, orders or settings."""
    problem = context.problem
    locked_by_line: dict[LineKey, float] = defaultdict(float)
    growers_by_line: dict[LineKey, set[str]] = defaultdict(set)
    locked_by_offer_day: dict[tuple[str, str, str], float] = defaultdict(float)
    max_km = problem.settings.max_km
    for index, row in enumerate(problem.locked):
        line_key = (row.canteen, row.product, row.day)
        locked_by_line[line_key] += row.quantity
        if row.quantity > QUANTITY_EPSILON:
            growers_by_line[line_key].add(row.grower)
        locked_by_offer_day[(row.grower, row.product, row.day)] += row.quantity
        km = context.km(row.grower, row.canteen)
        if max_km is not None and km is not None and km > max_km and row.quantity > 0:
            yield (
                f"locked[{index}] : {context.grower_name(row.grower)} → "
                f"{context.canteen_name(row.canteen)} est à {format_number(km, 1)} km, au-delà "
                f"de la distance maximale de {format_number(max_km, 1)} km"
            )
        lot = context.lot(row.product)
        if lot and abs(row.quantity / lot - round(row.quantity / lot)) > 1e-6:
            yield (
                f"locked[{index}] : {context.quantity(row.quantity, row.product)} n'est pas un "
                f"multiple du lot de {context.quantity(lot, row.product)}"
            )
    max_growers = problem.settings.max_growers_per_line
    for line_key, quantity in locked_by_line.items():
        order = context.orders.get(line_key)
        ordered = order.quantity if order else 0.0
        if quantity > ordered + QUANTITY_EPSILON:
            yield (
                f"{_line_name(context, line_key)} : {context.quantity(quantity, line_key[1])} "
                f"fixés pour {context.quantity(ordered, line_key[1])} commandés"
            )
        if max_growers is not None and len(growers_by_line[line_key]) > max_growers:
            yield (
                f"{_line_name(context, line_key)} : {len(growers_by_line[line_key])} fermes "
                f"fixées, plus que la limite de {max_growers} par ligne"
            )
    # Beyond its own day's offer, each day's locked quantity draws on the week's offer.
    weekly_needed: dict[tuple[str, str], float] = defaultdict(float)
    for (grower, product, day), quantity in locked_by_offer_day.items():
        day_offer = context.daily_offer.get((grower, product, day), 0.0)
        weekly_needed[(grower, product)] += max(0.0, quantity - day_offer)
    for (grower, product), needed in weekly_needed.items():
        excess = needed - context.weekly_offer.get((grower, product), 0.0)
        if excess > QUANTITY_EPSILON:
            yield (
                f"{context.grower_name(grower)} / {_product_name(context, product)} : les "
                f"quantités fixées dépassent son offre de {context.quantity(excess, product)}"
            )


def _product_name(context: _Context, product_id: str) -> str:
    """Return a product's name (its id if unknown)."""
    product = context.products.get(product_id)
    return product.name if product else product_id


def _line_name(context: _Context, line_key: LineKey) -> str:
    """Name an order line: canteen, product and day."""
    canteen, product, day = line_key
    return (
        f"{context.canteen_name(canteen)} — {_product_name(context, product)}, "
        f"{format_day(day)}"
    )


def _stray_allocations(context: _Context) -> list[str]:
    """List allocation rows that match no order line, a sign of a result from another week."""
    stray = [key for key in context.rows_by_line if key not in context.orders]
    if not stray:
        return []
    return ["", "Allocations sans ligne de commande correspondante :"] + [
        f"  {context.canteen_name(canteen)} — {product}, {format_day(day)}"
        for canteen, product, day in sorted(stray)
    ]
