"""Validation of instances: every rule names the offending field by its JSON path, in French."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import solver
from solver.problem import Problem
from tests.solver.sample_instances import explain_instance, spec_instance

Instance = dict[str, Any]


def _set(path: str, value: Any) -> Callable[[Instance], None]:
    """Return a mutation setting the field at a dotted/indexed path, e.g. orders[0].quantity."""

    def mutate(instance: Instance) -> None:
        parts = re.findall(r"[^.\[\]]+|\[\d+\]", path)
        target: Any = instance
        for part in parts[:-1]:
            target = target[int(part[1:-1])] if part.startswith("[") else target.setdefault(
                part, {}
            )
        last = parts[-1]
        if last.startswith("["):
            target[int(last[1:-1])] = value
        else:
            target[last] = value

    return mutate


def _delete(path: str) -> Callable[[Instance], None]:
    """Return a mutation removing the field at a path."""

    def mutate(instance: Instance) -> None:
        parent, _, key = path.rpartition(".")
        target: Any = instance
        if parent:
            for part in re.findall(r"[^.\[\]]+|\[\d+\]", parent):
                target = target[int(part[1:-1])] if part.startswith("[") else target[part]
        del target[key]

    return mutate


def _append(key: str, row: dict[str, Any]) -> Callable[[Instance], None]:
    """Return a mutation adding a row to a list of the instance."""

    def mutate(instance: Instance) -> None:
        instance.setdefault(key, []).append(row)

    return mutate


def _duplicate(key: str, index: int = 0) -> Callable[[Instance], None]:
    """Return a mutation appending a copy of a row to its list."""

    def mutate(instance: Instance) -> None:
        instance[key].append(dict(instance[key][index]))

    return mutate


def _row(**fields: Any) -> dict[str, Any]:
    """Return an allocation row for the explain instance, overridable field by field."""
    row = {"grower": "g-proche", "canteen": "c-a", "product": "carotte", "day": "2026-11-23",
           "quantity": 5}
    row.update(fields)
    return row


RULES: list[tuple[str, Callable[[Instance], None], str]] = [
    # the format tag and the document's skeleton
    ("format missing", _delete("format"),
     'format: champ obligatoire manquant (attendu "pial-allocation/1")'),
    ("format wrong", _set("format", "pial-allocation/2"),
     'format: doit valoir "pial-allocation/1" (reçu "pial-allocation/2")'),
    ("week missing", _delete("week"), "week: champ obligatoire manquant"),
    ("products missing", _delete("products"), "products: champ obligatoire manquant"),
    ("growers missing", _delete("growers"), "growers: champ obligatoire manquant"),
    ("canteens missing", _delete("canteens"), "canteens: champ obligatoire manquant"),
    ("availability missing", _delete("availability"),
     "availability: champ obligatoire manquant"),
    ("orders missing", _delete("orders"), "orders: champ obligatoire manquant"),
    ("orders not a list", _set("orders", {"a": 1}), "orders: doit être une liste (reçu un objet)"),
    ("products null", _set("products", None), "products: doit être une liste (reçu null)"),
    ("order not an object", _set("orders[1]", "carotte"),
     'orders[1]: doit être un objet (reçu "carotte")'),
    ("settings not an object", _set("settings", [1]),
     "settings: doit être un objet (reçu une liste)"),
    ("weights not an object", _set("settings.weights", 3),
     "settings.weights: doit être un objet (reçu 3)"),
    ("distances not a list", _set("distances_km", "loin"),
     'distances_km: doit être une liste (reçu "loin")'),
    # missing fields and wrong types
    ("order day missing", _delete("orders[2].day"), "orders[2].day: champ obligatoire manquant"),
    ("product price missing", _delete("products[0].price"),
     "products[0].price: champ obligatoire manquant"),
    ("grower lat missing", _delete("growers[1].lat"), "growers[1].lat: champ obligatoire manquant"),
    ("quantity as text", _set("orders[3].quantity", "beaucoup"),
     'orders[3].quantity: doit être un nombre (reçu "beaucoup")'),
    ("quantity as boolean", _set("availability[0].quantity", True),
     "availability[0].quantity: doit être un nombre (reçu true)"),
    ("quantity null", _set("orders[0].quantity", None),
     "orders[0].quantity: doit être un nombre (reçu null)"),
    ("id as number", _set("growers[0].id", 7), "growers[0].id: doit être un texte (reçu 7)"),
    ("day as number", _set("orders[0].day", 20261123),
     "orders[0].day: doit être un texte (reçu 20261123)"),
    ("max growers not whole", _set("settings.max_growers_per_line", 1.5),
     "settings.max_growers_per_line: doit être un entier (reçu 1.5)"),
    # unknown ids
    ("unknown grower in availability", _set("availability[0].grower", "g-x"),
     'availability[0].grower: producteur inconnu "g-x"'),
    ("unknown product in availability", _set("availability[3].product", "navet"),
     'availability[3].product: produit inconnu "navet"'),
    ("unknown canteen in orders", _set("orders[4].canteen", "c-z"),
     'orders[4].canteen: cantine inconnue "c-z"'),
    ("unknown product in orders", _set("orders[0].product", "navet"),
     'orders[0].product: produit inconnu "navet"'),
    ("unknown grower in distances", _set("distances_km[1].grower", "g-x"),
     'distances_km[1].grower: producteur inconnu "g-x"'),
    ("unknown canteen in distances", _set("distances_km[2].canteen", "c-z"),
     'distances_km[2].canteen: cantine inconnue "c-z"'),
    ("unknown grower in locked", _append("locked", _row(grower="g-x")),
     'locked[0].grower: producteur inconnu "g-x"'),
    ("unknown canteen in previous", _append("previous", _row(canteen="c-z")),
     'previous[0].canteen: cantine inconnue "c-z"'),
    ("unknown product in previous", _append("previous", _row(product="navet")),
     'previous[0].product: produit inconnu "navet"'),
    # quantities, prices, weights
    ("negative order quantity", _set("orders[3].quantity", -5),
     "orders[3].quantity: doit être un nombre positif ou nul (reçu -5)"),
    ("negative offer", _set("availability[1].quantity", -0.5),
     "availability[1].quantity: doit être un nombre positif ou nul (reçu -0.5)"),
    ("negative locked quantity", _append("locked", _row(quantity=-5)),
     "locked[0].quantity: doit être un nombre positif ou nul (reçu -5)"),
    ("infinite previous quantity", _append("previous", _row(quantity=math.inf)),
     "previous[0].quantity: doit être un nombre fini (reçu Infinity)"),
    ("NaN order quantity", _set("orders[0].quantity", math.nan),
     "orders[0].quantity: doit être un nombre fini (reçu NaN)"),
    ("absurd quantity", _set("orders[0].quantity", 1e12),
     "orders[0].quantity: doit être un nombre au plus égal à 1000000000 (reçu 1000000000000)"),
    ("negative price", _set("products[2].price", -3),
     "products[2].price: doit être un nombre positif ou nul (reçu -3)"),
    ("NaN price", _set("products[0].price", math.nan),
     "products[0].price: doit être un nombre fini (reçu NaN)"),
    ("zero unit weight", _set("products[0].unit_kg", 0),
     "products[0].unit_kg: doit être un nombre strictement positif (reçu 0)"),
    ("zero lot", _set("products[0].lot", 0),
     "products[0].lot: doit être un nombre strictement positif (reçu 0)"),
    ("negative lot", _set("products[1].lot", -10),
     "products[1].lot: doit être un nombre strictement positif (reçu -10)"),
    ("negative distance", _set("distances_km[0].km", -1),
     "distances_km[0].km: doit être un nombre positif ou nul (reçu -1)"),
    ("latitude off the globe", _set("growers[0].lat", 91),
     "growers[0].lat: doit être un nombre compris entre -90 et 90 (reçu 91)"),
    ("longitude off the globe", _set("canteens[1].lon", -200),
     "canteens[1].lon: doit être un nombre compris entre -180 et 180 (reçu -200)"),
    ("target share above 1", _set("growers[0].target_share", 1.5),
     "growers[0].target_share: doit être un nombre compris entre 0 et 1 (reçu 1.5)"),
    ("negative target share", _set("growers[1].target_share", -0.1),
     "growers[1].target_share: doit être un nombre compris entre 0 et 1 (reçu -0.1)"),
    # ids and duplicate lines
    ("empty id", _set("products[3].id", " "),
     'products[3].id: doit être un identifiant non vide (reçu " ")'),
    ("empty name", _set("canteens[0].name", ""), 'canteens[0].name: doit être un texte non vide'),
    ("duplicate product id", _set("products[4].id", "carotte"),
     'products[4].id: identifiant en double "carotte" (déjà utilisé par products[0])'),
    ("duplicate grower id", _set("growers[1].id", "g-proche"),
     'growers[1].id: identifiant en double "g-proche" (déjà utilisé par growers[0])'),
    ("duplicate canteen id", _set("canteens[1].id", "c-a"),
     'canteens[1].id: identifiant en double "c-a" (déjà utilisé par canteens[0])'),
    ("duplicate order line", _duplicate("orders", 2),
     "orders[6]: ligne de commande en double (même cantine, produit et jour que orders[2])"),
    ("duplicate weekly offer", _duplicate("availability", 0),
     "availability[4]: offre en double (même producteur, produit et jour que availability[0])"),
    ("duplicate daily offer", _duplicate("availability", 2),
     "availability[4]: offre en double (même producteur, produit et jour que availability[2])"),
    ("duplicate distance", _duplicate("distances_km", 3),
     "distances_km[4]: distance en double (même producteur et cantine que distances_km[3])"),
    ("duplicate locked row", lambda i: i.update(locked=[_row(), _row(quantity=10)]),
     "locked[1]: ligne en double (même producteur, cantine, produit et jour que locked[0])"),
    # days, weeks and priorities
    ("day not ISO", _set("orders[0].day", "23/11/2026"),
     'orders[0].day: date invalide, attendu AAAA-MM-JJ (reçu "23/11/2026")'),
    ("day that does not exist", _set("orders[1].day", "2026-02-30"),
     "orders[1].day: la date 2026-02-30 n'existe pas"),
    ("day outside the week", _set("orders[1].day", "2026-11-30"),
     "orders[1].day: le 2026-11-30 n'est pas dans la semaine (du 2026-11-23 au 2026-11-29)"),
    ("offer day not ISO", _set("availability[2].day", "lundi"),
     'availability[2].day: date invalide, attendu AAAA-MM-JJ (reçu "lundi")'),
    ("locked day outside the week", _append("locked", _row(day="2026-12-01")),
     "locked[0].day: le 2026-12-01 n'est pas dans la semaine (du 2026-11-23 au 2026-11-29)"),
    ("week not ISO", _set("week", "2026-48"),
     'week: semaine ISO invalide, attendu AAAA-Wss (reçu "2026-48")'),
    ("week 53 of a 52-week year", _set("week", "2025-W53"),
     "week: la semaine 2025-W53 n'existe pas dans le calendrier ISO"),
    ("week zero", _set("week", "2026-W00"),
     "week: la semaine 2026-W00 n'existe pas dans le calendrier ISO"),
    ("unknown priority", _set("orders[0].priority", "urgent"),
     'orders[0].priority: doit valoir "contract" ou "regular" (reçu "urgent")'),
    # settings
    ("max km zero", _set("settings.max_km", 0),
     "settings.max_km: doit être un nombre strictement positif (reçu 0)"),
    ("max km negative", _set("settings.max_km", -80),
     "settings.max_km: doit être un nombre strictement positif (reçu -80)"),
    ("road factor below 1", _set("settings.road_factor", 0.9),
     "settings.road_factor: doit être un nombre supérieur ou égal à 1 (reçu 0.9)"),
    ("max growers zero", _set("settings.max_growers_per_line", 0),
     "settings.max_growers_per_line: doit être un entier supérieur ou égal à 1 ou null "
     "(reçu 0)"),
    ("negative weight", _set("settings.weights", {"fairness": -1}),
     "settings.weights.fairness: doit être un nombre positif ou nul (reçu -1)"),
    ("weight as text", _set("settings.weights", {"stability": "fort"}),
     'settings.weights.stability: doit être un nombre (reçu "fort")'),
    ("zero time limit", _set("settings.time_limit_s", 0),
     "settings.time_limit_s: doit être un nombre strictement positif (reçu 0)"),
    ("catch-up above 1", _set("settings.ledger_catch_up", 2),
     "settings.ledger_catch_up: doit être un nombre compris entre 0 et 1 (reçu 2)"),
]


@pytest.mark.parametrize(("mutate", "message"), [(m, e) for _, m, e in RULES],
                         ids=[name for name, _, _ in RULES])
def test_each_rule_names_the_offending_field(mutate: Callable[[Instance], None],
                                             message: str) -> None:
    instance = explain_instance()
    mutate(instance)

    errors = solver.validate(instance)

    assert any(error.startswith(message) for error in errors), errors


@pytest.mark.parametrize(("mutate", "message"), [(m, e) for _, m, e in RULES],
                         ids=[name for name, _, _ in RULES])
def test_each_rule_makes_solve_json_answer_invalid(mutate: Callable[[Instance], None],
                                                   message: str) -> None:
    instance = explain_instance()
    mutate(instance)

    result = solver.solve_json(json.dumps(instance))

    assert result.status == "invalid"
    assert any(error.startswith(message) for error in result.errors), result.errors


@pytest.mark.parametrize(
    ("literal", "shown"), [("NaN", "NaN"), ("Infinity", "Infinity"), ("-Infinity", "-Infinity"),
                           ("1e400", "Infinity")],
)
def test_non_finite_json_literals_are_refused(literal: str, shown: str) -> None:
    text = json.dumps(spec_instance()).replace('"quantity": 80', f'"quantity": {literal}')

    assert solver.validate(text) == [f"orders[0].quantity: doit être un nombre fini (reçu {shown})"]


def test_huge_integer_is_refused_without_traceback() -> None:
    text = json.dumps(spec_instance()).replace('"quantity": 80', '"quantity": ' + "9" * 400)

    assert solver.validate(text) == [
        "orders[0].quantity: doit être un nombre fini (reçu un entier démesuré)"
    ]


def test_valid_instances_have_no_errors() -> None:
    assert solver.validate(spec_instance()) == []
    assert solver.validate(explain_instance()) == []
    assert solver.validate(json.dumps(spec_instance())) == []


def test_week_53_of_a_53_week_year_is_valid() -> None:
    instance = spec_instance()
    instance["week"] = "2026-W53"
    instance["orders"][0]["day"] = "2026-12-28"

    assert solver.validate(instance) == []


def test_locked_rows_beyond_order_or_offer_are_not_a_validation_error() -> None:
    instance = spec_instance()
    instance["locked"] = [{"grower": "g-ferme-du-pic", "canteen": "c-cite-scolaire",
                           "product": "carotte", "day": "2026-11-23", "quantity": 500}]

    assert solver.validate(instance) == []


def test_several_errors_are_all_reported() -> None:
    instance = explain_instance()
    instance["orders"][0]["quantity"] = -1
    instance["orders"][1]["canteen"] = "c-z"
    instance["settings"]["max_km"] = 0

    assert len(solver.validate(instance)) == 3


@pytest.mark.parametrize(
    ("key", "limit", "make_row"),
    [
        ("growers", 2000, lambda i: {"id": f"g-{i}", "name": "G", "lat": 43.0, "lon": 0.5}),
        ("canteens", 2000, lambda i: {"id": f"c-{i}", "name": "C", "lat": 43.0, "lon": 0.5}),
        ("products", 5000, lambda i: {"id": f"p-{i}", "unit": "kg", "unit_kg": 1, "price": 1}),
        ("orders", 200_000, lambda i: {"canteen": "c-a", "product": "carotte",
                                       "day": "2026-11-23", "quantity": 1}),
        ("availability", 200_000, lambda i: {"grower": "g-proche", "product": "carotte",
                                             "quantity": 1}),
    ],
)
def test_absurd_sizes_are_refused(key: str, limit: int,
                                  make_row: Callable[[int], dict[str, Any]]) -> None:
    instance = explain_instance()
    row = make_row(0)
    instance[key] = [row] * (limit + 1) if key in ("orders", "availability") else [
        make_row(i) for i in range(limit + 1)
    ]

    errors = solver.validate(instance)

    assert f"{key}: {limit + 1} éléments, au-delà de la limite de {limit}" in errors


def test_sizes_at_the_limit_are_accepted() -> None:
    instance = explain_instance()
    instance["growers"] += [{"id": f"g-{i}", "lat": 43.0, "lon": 0.5} for i in range(1998)]

    assert solver.validate(instance) == []


def test_check_problem_validates_problems_built_in_code() -> None:
    problem = solver.load(spec_instance())
    broken = Problem(
        week="2026-W48",
        products=problem.products,
        growers=problem.growers,
        canteens=problem.canteens,
        availability=(solver.Availability(grower="g-ferme-du-pic", product="carotte",
                                          quantity=math.nan),),
        orders=(solver.OrderLine(canteen="c-cite-scolaire", product="carotte",
                                 day="2026-11-23", quantity="80"),),  # type: ignore[arg-type]
    )

    assert solver.validate(broken) == [
        "availability[0].quantity: doit être un nombre fini (reçu NaN)",
        'orders[0].quantity: doit être un nombre (reçu "80")',
    ]
    assert solver.solve(broken).status == "invalid"
    assert solver.solve(broken).errors == tuple(solver.validate(broken))


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(JSON_VALUES)
def test_arbitrary_json_never_raises(value: Any) -> None:
    text = json.dumps(value)

    errors = solver.validate(text)

    assert errors and all(isinstance(error, str) and ": " in error for error in errors)
    assert solver.solve_json(text).status == "invalid"


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=200))
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    assert solver.solve_json(data).status == "invalid"


FIELD_PATHS = [
    "format", "week", "products", "products[0]", "products[0].id", "products[0].unit_kg",
    "products[0].lot", "products[0].price", "growers", "growers[0].lat",
    "growers[0].target_share", "growers[1].ledger_eur", "canteens[0]", "canteens[1].id",
    "availability", "availability[0].quantity", "availability[2].day", "availability[1].grower",
    "orders", "orders[0]", "orders[0].day", "orders[1].priority", "orders[2].quantity",
    "orders[3].product", "distances_km", "distances_km[0].km", "settings", "settings.max_km",
    "settings.road_factor", "settings.max_growers_per_line", "settings.weights",
    "settings.weights.distance", "settings.time_limit_s",
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(FIELD_PATHS), JSON_VALUES)
def test_any_field_set_to_any_json_never_raises(path: str, value: Any) -> None:
    instance = explain_instance()
    _set(path, value)(instance)

    errors = solver.validate(json.dumps(instance))

    assert all(isinstance(error, str) for error in errors)
    # A reported error names a field of the document (or the document itself).
    for error in errors:
        assert re.match(r"^(document|[a-z_]+(\[\d+\])?(\.[a-z_]+(\[\d+\])?)*): ", error), error
