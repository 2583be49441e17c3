"""Reproducible `pial-allocation/1` instances at three scales and in two variants.

Scales: `luchon` (the real valley: 6 farms, 2 canteens, placed on real communes), `department`
(50 growers, 40 canteens over ~100 × 100 km) and `region` (200 × 200 over ~200 × 300 km).
Variants: `continuous` (no lots, no trip cost, no cap on growers per line) and `operational`
(crates, a trip cost, at most 3 growers per line). Quantities follow the orders of magnitude of
`shared/data/README.md`: meals per canteen type, portions per product family, prices per kg.
The same (scale, variant, seed) always gives the same JSON, whatever the machine.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

# "mid" is last so that the other scales keep their random streams (seeded by position).
SCALES = ("luchon", "department", "region", "mid", "national")
# What `python -m solver bench` runs unless told: « national » is run on its own, continuous
# (`--also national/continuous/1`, as benchmarks/allocation_solver.sh does), for its memory.
BENCH_SCALES = ("luchon", "department", "region", "mid")
VARIANTS = ("continuous", "operational")
WEEK = "2026-W48"
DAYS = ("2026-11-23", "2026-11-26")

KM_PER_DEGREE_LAT = 111.32


@dataclass(frozen=True, slots=True)
class Scale:
    """The size and geography of one benchmark scale."""

    num_growers: int
    num_canteens: int
    num_products: int
    offer_fraction: float
    order_fraction: float
    center_lat: float
    center_lon: float
    span_ns_km: float
    span_ew_km: float
    max_km: float
    time_limit_s: float


SCALE_SPECS = {
    "luchon": Scale(6, 2, 30, 0.5, 0.6, 42.79, 0.59, 20, 20, 40, 10),
    "department": Scale(50, 40, 60, 0.3, 0.3, 43.15, 0.75, 100, 100, 80, 10),
    "region": Scale(200, 200, 80, 0.25, 0.3, 43.40, 1.00, 300, 200, 60, 60),
    # A mid-size week: about 2,500 (grower, line) pairs when operational, above the whole
    # MIP's size limit (`WHOLE_MIP_MAX_PAIRS`), which its 300 nodes do not solve in time.
    "mid": Scale(25, 20, 50, 0.3, 0.3, 43.15, 0.75, 60, 60, 50, 10),
    # 1000 growers × 1000 canteens over Occitanie: the memory target of a continuous week.
    "national": Scale(1000, 1000, 80, 0.2, 0.25, 43.60, 1.44, 400, 400, 60, 60),
}

# (id, name, unit, unit_kg, price range €/unit, crate size in units, portion per meal in kg)
CATALOGUE: tuple[tuple[str, str, str, float, tuple[float, float], float, float], ...] = (
    ("carotte", "Carotte", "kg", 1.0, (1.2, 2.0), 5, 0.10),
    ("pomme-de-terre", "Pomme de terre", "kg", 1.0, (1.0, 1.6), 10, 0.15),
    ("poireau", "Poireau", "kg", 1.0, (2.0, 3.0), 5, 0.08),
    ("courge-butternut", "Courge butternut", "kg", 1.0, (1.5, 2.5), 10, 0.12),
    ("potimarron", "Potimarron", "kg", 1.0, (1.8, 2.8), 10, 0.12),
    ("betterave", "Betterave", "kg", 1.0, (1.5, 2.4), 5, 0.08),
    ("panais", "Panais", "kg", 1.0, (2.2, 3.2), 5, 0.08),
    ("chou-vert", "Chou vert", "kg", 1.0, (1.5, 2.5), 10, 0.10),
    ("chou-rouge", "Chou rouge", "kg", 1.0, (1.8, 2.6), 10, 0.06),
    ("chou-fleur", "Chou-fleur", "piece", 1.0, (2.0, 3.0), 6, 0.10),
    ("brocoli", "Brocoli", "kg", 1.0, (3.0, 4.5), 5, 0.08),
    ("celeri-rave", "Céleri-rave", "kg", 1.0, (2.0, 3.0), 5, 0.06),
    ("navet", "Navet", "kg", 1.0, (1.5, 2.5), 5, 0.08),
    ("radis-noir", "Radis noir", "kg", 1.0, (2.0, 3.0), 5, 0.04),
    ("radis-rose", "Radis rose", "botte", 0.25, (1.2, 1.8), 12, 0.02),
    ("oignon", "Oignon jaune", "kg", 1.0, (1.5, 2.2), 10, 0.03),
    ("oignon-rouge", "Oignon rouge", "kg", 1.0, (2.0, 3.0), 5, 0.02),
    ("echalote", "Échalote", "kg", 1.0, (4.0, 6.0), 2, 0.01),
    ("ail", "Ail", "kg", 1.0, (8.0, 12.0), 1, 0.005),
    ("laitue", "Laitue", "piece", 0.35, (1.0, 1.5), 12, 0.04),
    ("batavia", "Batavia", "piece", 0.35, (1.0, 1.5), 12, 0.04),
    ("mache", "Mâche", "kg", 1.0, (10.0, 14.0), 1, 0.02),
    ("epinard", "Épinard", "kg", 1.0, (4.0, 6.0), 2, 0.08),
    ("blette", "Blette", "kg", 1.0, (2.5, 3.5), 5, 0.08),
    ("mesclun", "Mesclun", "kg", 1.0, (10.0, 15.0), 1, 0.02),
    ("persil", "Persil", "botte", 0.1, (0.8, 1.2), 20, 0.002),
    ("ciboulette", "Ciboulette", "botte", 0.05, (0.8, 1.2), 20, 0.001),
    ("fenouil", "Fenouil", "kg", 1.0, (2.5, 3.5), 5, 0.06),
    ("topinambour", "Topinambour", "kg", 1.0, (2.5, 3.5), 5, 0.08),
    ("patate-douce", "Patate douce", "kg", 1.0, (3.0, 4.0), 5, 0.10),
    ("pomme", "Pomme", "kg", 1.0, (2.0, 2.8), 10, 0.12),
    ("poire", "Poire", "kg", 1.0, (2.4, 3.2), 10, 0.12),
    ("kiwi", "Kiwi", "kg", 1.0, (3.0, 4.0), 5, 0.08),
    ("lentille", "Lentille verte", "kg", 1.0, (3.5, 5.0), 5, 0.05),
    ("haricot-sec", "Haricot sec", "kg", 1.0, (4.0, 6.0), 5, 0.05),
    ("pois-chiche", "Pois chiche", "kg", 1.0, (3.5, 5.0), 5, 0.05),
    ("farine-ble", "Farine de blé", "kg", 1.0, (1.5, 2.2), 5, 0.03),
    ("oeuf", "Œuf", "piece", 0.06, (0.25, 0.35), 30, 0.03),
    ("courgette", "Courgette (serre)", "kg", 1.0, (2.5, 3.5), 5, 0.10),
    ("tomate", "Tomate (conservée)", "kg", 1.0, (2.5, 4.0), 5, 0.08),
    ("chou-kale", "Chou kale", "kg", 1.0, (4.0, 6.0), 2, 0.05),
    ("chou-bruxelles", "Chou de Bruxelles", "kg", 1.0, (3.5, 5.0), 5, 0.08),
    ("rutabaga", "Rutabaga", "kg", 1.0, (1.5, 2.5), 5, 0.08),
    ("scorsonere", "Scorsonère", "kg", 1.0, (4.0, 6.0), 5, 0.06),
    ("cerfeuil-tubereux", "Cerfeuil tubéreux", "kg", 1.0, (6.0, 9.0), 2, 0.04),
    ("endive", "Endive", "kg", 1.0, (3.0, 4.5), 5, 0.05),
    ("chou-chinois", "Chou chinois", "kg", 1.0, (2.0, 3.0), 5, 0.06),
    ("pourpier", "Pourpier", "kg", 1.0, (8.0, 12.0), 1, 0.02),
    ("roquette", "Roquette", "kg", 1.0, (10.0, 14.0), 1, 0.015),
    ("coriandre", "Coriandre", "botte", 0.1, (0.8, 1.2), 20, 0.002),
    ("jus-pomme", "Jus de pomme", "litre", 1.0, (2.5, 3.5), 6, 0.10),
    ("compote", "Compote de pomme", "kg", 1.0, (4.0, 6.0), 5, 0.08),
    ("fromage-blanc", "Fromage blanc", "kg", 1.0, (4.0, 6.0), 5, 0.08),
    ("yaourt", "Yaourt nature", "piece", 0.125, (0.35, 0.5), 24, 0.125),
    ("miel", "Miel", "kg", 1.0, (12.0, 16.0), 1, 0.005),
    ("noix", "Noix", "kg", 1.0, (8.0, 12.0), 1, 0.01),
    ("chataigne", "Châtaigne", "kg", 1.0, (5.0, 7.0), 2, 0.03),
    ("coing", "Coing", "kg", 1.0, (3.0, 4.0), 5, 0.04),
    ("pain", "Pain de campagne", "kg", 1.0, (4.0, 5.5), 2, 0.05),
    ("pomme-de-terre-grenaille", "Pomme de terre grenaille", "kg", 1.0, (2.0, 3.0), 5, 0.12),
)
PRODUCT_VARIANTS = ("", " (second choix)")

CANTEEN_TYPES = (
    # (kind, probability, meals per day range, portion factor)
    ("Collège", 0.25, (300, 600), 1.2),
    ("École", 0.45, (40, 120), 0.9),
    ("EHPAD", 0.2, (120, 180), 1.2),
    ("Crèche", 0.1, (20, 40), 0.7),
)

# Real communes of the Luchon valley and the Barousse (town-hall coordinates, INSEE data).
LUCHON_GROWERS = (
    ("Antignac", 42.8249, 0.60033),
    ("Cier-de-Luchon", 42.85611, 0.60061),
    ("Garin", 42.81035, 0.50602),
    ("Cierp-Gaud", 42.91402, 0.63858),
    ("Marignac", 42.91379, 0.65794),
    ("Juzet-de-Luchon", 42.8086, 0.60941),
)
LUCHON_CANTEENS = (
    ("Cité scolaire Edmond-Rostand", "Bagnères-de-Luchon", 42.7912, 0.59119, 480),
    ("EHPAD de Saint-Mamet", "Saint-Mamet", 42.78298, 0.60232, 150),
)


def resized(scale: str, growers: int, canteens: int, products: int) -> Scale:
    """Return a scale's spec with another number of growers, canteens and products (its
    geography and ratios kept), for `generate_instance`'s `spec`."""
    return replace(
        SCALE_SPECS[scale], num_growers=growers, num_canteens=canteens, num_products=products
    )


def generate_instance(
    scale: str, variant: str, seed: int, spec: Scale | None = None
) -> dict[str, Any]:
    """Return a `pial-allocation/1` document for one (scale, variant, seed); with `spec`, a
    week of that scale's kind (its names and random stream) with another size and geography."""
    if scale not in SCALE_SPECS or variant not in VARIANTS:
        raise ValueError(f"unknown scale {scale!r} or variant {variant!r}")
    spec = SCALE_SPECS[scale] if spec is None else spec
    operational = variant == "operational"
    rng = np.random.default_rng([seed, SCALES.index(scale), VARIANTS.index(variant)])

    products = _products(spec.num_products, operational, rng)
    growers, grower_size = _growers(scale, spec, rng)
    canteens, meals_per_day = _canteens(scale, spec, rng)
    orders = _orders(products, canteens, meals_per_day, spec, operational, rng)
    availability = _availability(products, growers, grower_size, orders, spec, operational, rng)
    doc: dict[str, Any] = {
        "format": "pial-allocation/1",
        "week": WEEK,
        "products": products,
        "growers": growers,
        "canteens": canteens,
        "availability": availability,
        "orders": orders,
        "locked": [],
        "previous": [],
        "settings": {
            "max_km": spec.max_km,
            "road_factor": 1.3,
            "max_growers_per_line": 3 if operational else None,
            "ledger_catch_up": 0.5,
            "weights": {
                "distance": 0.01,
                "fairness": 1.0,
                "deliveries": 20.0 if operational else 0.0,
                "stability": 0.0,
            },
            "time_limit_s": spec.time_limit_s,
        },
    }
    if scale == "luchon":
        doc["distances_km"] = _mountain_road_distances(growers, canteens, rng)
    return doc


def _products(
    num_products: int, operational: bool, rng: np.random.Generator
) -> list[dict[str, Any]]:
    products: list[dict[str, Any]] = []
    for variant in PRODUCT_VARIANTS:
        for pid, name, unit, unit_kg, (low, high), crate, _portion in CATALOGUE:
            if len(products) == num_products:
                return products
            discount = 0.8 if variant else 1.0
            product: dict[str, Any] = {
                "id": pid + ("-2" if variant else ""),
                "name": name + variant,
                "unit": unit,
                "unit_kg": unit_kg,
                "price": round(float(rng.uniform(low, high)) * discount, 2),
            }
            if operational:
                product["lot"] = crate
            products.append(product)
    return products


def _portion_kg(product_id: str) -> float:
    base_id = product_id.removesuffix("-2")
    return next(row[6] for row in CATALOGUE if row[0] == base_id)


def _scatter(spec: Scale, count: int, rng: np.random.Generator) -> list[tuple[float, float]]:
    """Place points uniformly over the scale's rectangle (north-south × east-west km)."""
    km_per_degree_lon = KM_PER_DEGREE_LAT * math.cos(math.radians(spec.center_lat))
    lat = spec.center_lat + rng.uniform(-0.5, 0.5, count) * spec.span_ns_km / KM_PER_DEGREE_LAT
    lon = spec.center_lon + rng.uniform(-0.5, 0.5, count) * spec.span_ew_km / km_per_degree_lon
    return [(round(float(a), 5), round(float(b), 5)) for a, b in zip(lat, lon, strict=True)]


def _growers(
    scale: str, spec: Scale, rng: np.random.Generator
) -> tuple[list[dict[str, Any]], list[float]]:
    size = [float(s) for s in rng.lognormal(0.0, 0.5, spec.num_growers)]
    if scale == "luchon":
        places = [(name, lat, lon) for name, lat, lon in LUCHON_GROWERS]
    else:
        places = [
            (f"Ferme {i + 1:03d}", lat, lon)
            for i, (lat, lon) in enumerate(_scatter(spec, spec.num_growers, rng))
        ]
    weights = np.array(size) * rng.uniform(0.8, 1.2, spec.num_growers)
    shares = weights / weights.sum()
    growers = []
    for i, (place, lat, lon) in enumerate(places):
        growers.append(
            {
                "id": f"g-{i + 1:03d}",
                "name": f"Ferme de {place}" if scale == "luchon" else place,
                "lat": lat,
                "lon": lon,
                "target_share": round(float(shares[i]), 4),
                "ledger_eur": round(float(rng.normal(0.0, 40.0)), 2),
            }
        )
    return growers, size


def _canteens(
    scale: str, spec: Scale, rng: np.random.Generator
) -> tuple[list[dict[str, Any]], list[float]]:
    canteens: list[dict[str, Any]] = []
    meals: list[float] = []
    if scale == "luchon":
        for i, (name, _commune, lat, lon, meals_per_day) in enumerate(LUCHON_CANTEENS):
            canteens.append({"id": f"c-{i + 1:03d}", "name": name, "lat": lat, "lon": lon})
            meals.append(float(meals_per_day))
        return canteens, meals
    kinds = rng.choice(len(CANTEEN_TYPES), size=spec.num_canteens, p=[t[1] for t in CANTEEN_TYPES])
    for i, (lat, lon) in enumerate(_scatter(spec, spec.num_canteens, rng)):
        kind, _p, (low, high), factor = CANTEEN_TYPES[int(kinds[i])]
        canteens.append(
            {"id": f"c-{i + 1:03d}", "name": f"{kind} {i + 1:03d}", "lat": lat, "lon": lon}
        )
        meals.append(float(rng.integers(low, high + 1)) * factor)
    return canteens, meals


def _orders(
    products: list[dict[str, Any]],
    canteens: list[dict[str, Any]],
    meals_per_day: list[float],
    spec: Scale,
    operational: bool,
    rng: np.random.Generator,
) -> list[dict[str, Any]]:
    num_ordered = max(1, round(spec.order_fraction * len(products)))
    orders = []
    for canteen, meals in zip(canteens, meals_per_day, strict=True):
        contract = rng.random(len(products)) < 0.3
        for day in DAYS:
            for p in sorted(rng.choice(len(products), size=num_ordered, replace=False)):
                product = products[int(p)]
                units = (
                    meals * _portion_kg(product["id"]) * rng.uniform(0.7, 1.3) / product["unit_kg"]
                )
                quantity = max(1, round(units))
                lot = product.get("lot")
                if operational and lot and rng.random() < 0.8:
                    quantity = max(1, round(quantity / lot)) * lot
                orders.append(
                    {
                        "canteen": canteen["id"],
                        "product": product["id"],
                        "day": day,
                        "quantity": quantity,
                        "priority": "contract" if contract[int(p)] else "regular",
                    }
                )
    return orders


def _availability(
    products: list[dict[str, Any]],
    growers: list[dict[str, Any]],
    grower_size: list[float],
    orders: list[dict[str, Any]],
    spec: Scale,
    operational: bool,
    rng: np.random.Generator,
) -> list[dict[str, Any]]:
    """Offer roughly the demand, scarce on some products and plentiful on others."""
    demand = {p["id"]: 0.0 for p in products}
    for order in orders:
        demand[order["product"]] += order["quantity"]
    num_offered = max(1, round(spec.offer_fraction * len(products)))
    offers_of = {p["id"]: [] for p in products}  # type: dict[str, list[int]]
    for g in range(len(growers)):
        for p in rng.choice(len(products), size=num_offered, replace=False):
            offers_of[products[int(p)]["id"]].append(g)
    availability = []
    for product in products:
        who = sorted(offers_of[product["id"]])
        if not who or demand[product["id"]] == 0:
            continue
        total = demand[product["id"]] * rng.uniform(0.55, 1.35)
        weight = np.array([grower_size[g] for g in who]) * rng.uniform(0.5, 1.5, len(who))
        lot = product.get("lot") or 1
        for g, part in zip(who, weight / weight.sum(), strict=True):
            quantity = max(1, math.floor(total * float(part) / lot)) * lot
            row: dict[str, Any] = {
                "grower": growers[g]["id"],
                "product": product["id"],
                "quantity": quantity,
            }
            if rng.random() < 0.1:
                row["day"] = DAYS[int(rng.integers(len(DAYS)))]
            availability.append(row)
    return availability


def _mountain_road_distances(
    growers: list[dict[str, Any]], canteens: list[dict[str, Any]], rng: np.random.Generator
) -> list[dict[str, Any]]:
    """Give road distances for the valley: winding roads, 1.2 to 1.6 × the straight line."""
    rows = []
    for g in growers:
        for c in canteens:
            straight_km = _great_circle_km(g["lat"], g["lon"], c["lat"], c["lon"])
            km = straight_km * float(rng.uniform(1.2, 1.6)) + 1.0
            rows.append({"grower": g["id"], "canteen": c["id"], "km": round(km, 1)})
    return rows


def _great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    h = (
        math.sin((phi2 - phi1) / 2) ** 2
        + math.cos(phi1) * math.cos(phi2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(h))
