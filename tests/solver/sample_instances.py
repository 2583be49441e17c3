"""Small hand-made `pial-allocation/1` instances shared by the solver surface tests."""

from __future__ import annotations

import copy
from typing import Any

_SPEC_EXAMPLE: dict[str, Any] = {
    "format": "pial-allocation/1",
    "week": "2026-W48",
    "products": [
        {"id": "carotte", "name": "Carotte", "unit": "kg", "unit_kg": 1.0, "lot": 5,
         "price": 2.10},
    ],
    "growers": [
        {"id": "g-ferme-du-pic", "name": "Ferme du Pic", "lat": 42.84, "lon": 0.61,
         "target_share": 0.2, "ledger_eur": -35.0},
    ],
    "canteens": [
        {"id": "c-cite-scolaire", "name": "Cité scolaire", "lat": 42.79, "lon": 0.59},
    ],
    "availability": [
        {"grower": "g-ferme-du-pic", "product": "carotte", "quantity": 120},
    ],
    "orders": [
        {"canteen": "c-cite-scolaire", "product": "carotte", "day": "2026-11-23",
         "quantity": 80, "priority": "contract"},
    ],
    "distances_km": [
        {"grower": "g-ferme-du-pic", "canteen": "c-cite-scolaire", "km": 7.5},
    ],
    "locked": [],
    "previous": [],
    "settings": {
        "max_km": 80, "road_factor": 1.3, "max_growers_per_line": None,
        "ledger_catch_up": 0.5,
        "weights": {"distance": 1.0, "fairness": 1.0, "deliveries": 0.0, "stability": 0.0},
        "time_limit_s": 10,
    },
}

# Ferme Proche is near both canteens; Ferme Lointaine is beyond max_km (80 km) of both.
_EXPLAIN_EXAMPLE: dict[str, Any] = {
    "format": "pial-allocation/1",
    "week": "2026-W48",
    "products": [
        {"id": "carotte", "name": "Carotte", "unit": "kg", "unit_kg": 1, "lot": 5, "price": 2},
        {"id": "oignon", "name": "Oignon", "unit": "kg", "unit_kg": 1, "lot": 10, "price": 1.5},
        {"id": "poireau", "name": "Poireau", "unit": "kg", "unit_kg": 1, "price": 3},
        {"id": "courge", "name": "Courge", "unit": "kg", "unit_kg": 1, "price": 1.5},
        {"id": "tomate", "name": "Tomate", "unit": "kg", "unit_kg": 1, "price": 3},
    ],
    "growers": [
        {"id": "g-proche", "name": "Ferme Proche", "lat": 43.1, "lon": 0.7,
         "target_share": 0.5, "ledger_eur": -35},
        {"id": "g-loin", "name": "Ferme Lointaine", "lat": 44.2, "lon": 1.9,
         "target_share": 0.5, "ledger_eur": 12.5},
    ],
    "canteens": [
        {"id": "c-a", "name": "Cantine A", "lat": 43.1, "lon": 0.75},
        {"id": "c-b", "name": "Cantine B", "lat": 43.15, "lon": 0.8},
    ],
    "availability": [
        {"grower": "g-proche", "product": "carotte", "quantity": 100},
        {"grower": "g-proche", "product": "oignon", "quantity": 100},
        {"grower": "g-proche", "product": "poireau", "quantity": 30, "day": "2026-11-23"},
        {"grower": "g-loin", "product": "tomate", "quantity": 50},
    ],
    "orders": [
        {"canteen": "c-a", "product": "carotte", "day": "2026-11-23", "quantity": 60,
         "priority": "contract"},
        {"canteen": "c-b", "product": "carotte", "day": "2026-11-23", "quantity": 53},
        {"canteen": "c-a", "product": "oignon", "day": "2026-11-23", "quantity": 25},
        {"canteen": "c-a", "product": "courge", "day": "2026-11-24", "quantity": 20},
        {"canteen": "c-a", "product": "tomate", "day": "2026-11-24", "quantity": 10},
        {"canteen": "c-b", "product": "poireau", "day": "2026-11-24", "quantity": 10},
    ],
    "distances_km": [
        {"grower": "g-proche", "canteen": "c-a", "km": 5},
        {"grower": "g-proche", "canteen": "c-b", "km": 12.5},
        {"grower": "g-loin", "canteen": "c-a", "km": 120},
        {"grower": "g-loin", "canteen": "c-b", "km": 130},
    ],
    "settings": {"max_km": 80},
}

# Two growers with 10 kg each for a 20 kg line that only one of them may serve.
_MAX_GROWERS_EXAMPLE: dict[str, Any] = {
    "format": "pial-allocation/1",
    "week": "2026-W48",
    "products": [{"id": "salade", "name": "Salade", "unit": "kg", "unit_kg": 1, "price": 4}],
    "growers": [
        {"id": "g-1", "name": "Ferme Une", "lat": 43.0, "lon": 0.7},
        {"id": "g-2", "name": "Ferme Deux", "lat": 43.0, "lon": 0.8},
    ],
    "canteens": [{"id": "c-a", "name": "Cantine A", "lat": 43.0, "lon": 0.75}],
    "availability": [
        {"grower": "g-1", "product": "salade", "quantity": 10},
        {"grower": "g-2", "product": "salade", "quantity": 10},
    ],
    "orders": [{"canteen": "c-a", "product": "salade", "day": "2026-11-25", "quantity": 20}],
    "settings": {"max_growers_per_line": 1},
}


def spec_instance() -> dict[str, Any]:
    """Return a fresh copy of the spec's example instance (one grower, one canteen)."""
    return copy.deepcopy(_SPEC_EXAMPLE)


def explain_instance() -> dict[str, Any]:
    """Return a fresh instance whose plan has one shortfall of each kind."""
    return copy.deepcopy(_EXPLAIN_EXAMPLE)


def max_growers_instance() -> dict[str, Any]:
    """Return a fresh instance whose only line is capped by max_growers_per_line."""
    return copy.deepcopy(_MAX_GROWERS_EXAMPLE)
