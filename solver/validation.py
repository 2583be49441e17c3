"""Semantic validation of a `pial-allocation/1` problem, with French messages naming JSON paths.

Structure (types, required fields) is checked while reading JSON in `solver.io`; this module
checks what a well-typed problem can still get wrong: unknown or duplicate ids, out-of-range
numbers, bad dates and weeks, duplicate lines, absurd sizes. Each message starts with the
offending field's path in the spec's names, e.g.
``orders[3].quantity: doit être un nombre positif ou nul (reçu -5)``.

Optional fields and their defaults (everything else in the spec is required):

- ``products[].lot``: no lot (any quantity); ``products[].name``: the id.
- ``growers[].target_share``: none (shares by value offered); ``growers[].ledger_eur``: 0;
  ``growers[].name`` / ``canteens[].name``: the id.
- ``availability[].day``: any day of the week.
- ``orders[].priority``: ``"regular"``.
- ``distances_km``, ``locked``, ``previous``: empty lists.
- ``settings`` and each of its keys: the defaults of `solver.problem.Settings`
  (``max_km`` null = no limit, ``road_factor`` 1.3, ``max_growers_per_line`` null = no limit,
  ``ledger_catch_up`` 0.5, ``weights`` distance 1, fairness 1, deliveries 0, stability 0,
  ``time_limit_s`` 10).

Locked rows that exceed an order or an offer are *not* invalid: they make the problem
infeasible, which is the engine's answer to give.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import TYPE_CHECKING

from solver.problem import INSTANCE_FORMAT, AllocationRow, Problem

if TYPE_CHECKING:
    from solver.io import Source

# Sizes beyond these are refused: they are far above a regional group and would only make the
# solver run out of memory or time instead of answering.
MAX_PRODUCTS = 5_000
MAX_GROWERS = 2_000
MAX_CANTEENS = 2_000
MAX_AVAILABILITY_LINES = 200_000
MAX_ORDER_LINES = 200_000
MAX_DISTANCES = 1_000_000
MAX_LOCKED_ROWS = 200_000
MAX_PREVIOUS_ROWS = 200_000

SIZE_LIMITS: Mapping[str, int] = {
    "products": MAX_PRODUCTS,
    "growers": MAX_GROWERS,
    "canteens": MAX_CANTEENS,
    "availability": MAX_AVAILABILITY_LINES,
    "orders": MAX_ORDER_LINES,
    "distances_km": MAX_DISTANCES,
    "locked": MAX_LOCKED_ROWS,
    "previous": MAX_PREVIOUS_ROWS,
}

# Magnitudes beyond these are data-entry errors, and would overflow the integer scaling of a
# MIP/CP model long before they meant anything.
MAX_QUANTITY = 1e9
MAX_PRICE_EUR = 1e6
MAX_UNIT_KG = 1e4
MAX_DISTANCE_KM = 40_000.0
MAX_LEDGER_EUR = 1e12
MAX_WEIGHT = 1e9
MAX_TIME_LIMIT_S = 86_400.0

PRIORITIES = ("contract", "regular")

_UNKNOWN_GROWER = "producteur inconnu"
_UNKNOWN_PRODUCT = "produit inconnu"
_UNKNOWN_CANTEEN = "cantine inconnue"

_DAY_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")
_WEEK_PATTERN = re.compile(r"(\d{4})-W(\d{2})")


def validate(source: Source | Problem) -> list[str]:
    """Return the French messages of everything wrong with an instance; empty when valid."""
    # solver.io imports this module, so the reverse import waits until it is needed.
    from solver.io import FormatError, load

    if isinstance(source, Problem):
        return check_problem(source)
    try:
        load(source)
    except FormatError as error:
        return list(error.errors)
    return []


def check_problem(problem: Problem) -> list[str]:
    """Return the messages of every semantic error of a well-typed problem."""
    errors: list[str] = []
    if problem.format != INSTANCE_FORMAT:
        errors.append(
            f"format: doit valoir {show_value(INSTANCE_FORMAT)} (reçu {show_value(problem.format)})"
        )
    if _check_sizes(problem, errors):
        return errors
    week_days = _check_week(problem.week, errors)
    product_ids = _check_ids("products", problem.products, errors)
    grower_ids = _check_ids("growers", problem.growers, errors)
    canteen_ids = _check_ids("canteens", problem.canteens, errors)
    _check_products(problem, errors)
    _check_growers(problem, errors)
    _check_canteens(problem, errors)
    _check_availability(problem, grower_ids, product_ids, week_days, errors)
    _check_orders(problem, canteen_ids, product_ids, week_days, errors)
    _check_distances(problem, grower_ids, canteen_ids, errors)
    for name in ("locked", "previous"):
        rows: tuple[AllocationRow, ...] = getattr(problem, name)
        _check_rows(name, rows, grower_ids, canteen_ids, product_ids, week_days, errors)
    _check_settings(problem, errors)
    return errors


def _check_sizes(problem: Problem, errors: list[str]) -> bool:
    """Report lists longer than the documented limits; True if any is."""
    too_big = False
    for name, limit in SIZE_LIMITS.items():
        size = len(getattr(problem, name))
        if size > limit:
            errors.append(f"{name}: {size} éléments, au-delà de la limite de {limit}")
            too_big = True
    return too_big


def _check_week(week: object, errors: list[str]) -> set[str] | None:
    """Check the ISO week and return its seven ISO dates (None when the week is unusable)."""
    match = _WEEK_PATTERN.fullmatch(week) if isinstance(week, str) else None
    if match is None:
        errors.append(f"week: semaine ISO invalide, attendu AAAA-Wss (reçu {show_value(week)})")
        return None
    try:
        monday = date.fromisocalendar(int(match[1]), int(match[2]), 1)
    except ValueError:
        errors.append(f"week: la semaine {week} n'existe pas dans le calendrier ISO")
        return None
    return {(monday + timedelta(days=offset)).isoformat() for offset in range(7)}


def _check_ids(name: str, items: Iterable[object], errors: list[str]) -> set[str]:
    """Check that ids are non-empty and unique; return the set of well-formed ids."""
    first_index: dict[str, int] = {}
    for index, item in enumerate(items):
        item_id = getattr(item, "id", None)
        path = f"{name}[{index}].id"
        if not isinstance(item_id, str) or not item_id.strip():
            errors.append(f"{path}: doit être un identifiant non vide (reçu {show_value(item_id)})")
        elif item_id in first_index:
            errors.append(
                f"{path}: identifiant en double {show_value(item_id)} "
                f"(déjà utilisé par {name}[{first_index[item_id]}])"
            )
        else:
            first_index[item_id] = index
    return set(first_index)


def _check_products(problem: Problem, errors: list[str]) -> None:
    """Check units, weights, lots and prices of the catalogue."""
    for index, product in enumerate(problem.products):
        path = f"products[{index}]"
        _check_text(f"{path}.name", product.name, errors)
        _check_text(f"{path}.unit", product.unit, errors)
        _check_number(f"{path}.unit_kg", product.unit_kg, errors, strict=True, maximum=MAX_UNIT_KG)
        _check_number(f"{path}.price", product.price, errors, maximum=MAX_PRICE_EUR)
        if product.lot is not None:
            _check_number(f"{path}.lot", product.lot, errors, strict=True, maximum=MAX_QUANTITY)


def _check_growers(problem: Problem, errors: list[str]) -> None:
    """Check coordinates, target shares and ledgers of the growers."""
    for index, grower in enumerate(problem.growers):
        path = f"growers[{index}]"
        _check_text(f"{path}.name", grower.name, errors)
        _check_coordinates(path, grower.lat, grower.lon, errors)
        if grower.target_share is not None:
            _check_number(
                f"{path}.target_share", grower.target_share, errors, maximum=1.0, interval=True
            )
        _check_number(
            f"{path}.ledger_eur", grower.ledger_eur, errors,
            minimum=-MAX_LEDGER_EUR, maximum=MAX_LEDGER_EUR, interval=True,
        )


def _check_canteens(problem: Problem, errors: list[str]) -> None:
    """Check names and coordinates of the canteens."""
    for index, canteen in enumerate(problem.canteens):
        path = f"canteens[{index}]"
        _check_text(f"{path}.name", canteen.name, errors)
        _check_coordinates(path, canteen.lat, canteen.lon, errors)


def _check_availability(
    problem: Problem,
    grower_ids: set[str],
    product_ids: set[str],
    week_days: set[str] | None,
    errors: list[str],
) -> None:
    """Check offers: known ids, valid days, sane quantities, one line per grower/product/day."""
    first_index: dict[tuple[str, str, str | None], int] = {}
    for index, line in enumerate(problem.availability):
        path = f"availability[{index}]"
        _check_reference(f"{path}.grower", line.grower, grower_ids, _UNKNOWN_GROWER, errors)
        _check_reference(f"{path}.product", line.product, product_ids, _UNKNOWN_PRODUCT, errors)
        if line.day is not None:
            _check_day(f"{path}.day", line.day, week_days, errors)
        _check_number(f"{path}.quantity", line.quantity, errors, maximum=MAX_QUANTITY)
        key = (line.grower, line.product, line.day)
        if key in first_index:
            errors.append(
                f"{path}: offre en double (même producteur, produit et jour que "
                f"availability[{first_index[key]}])"
            )
        else:
            first_index[key] = index


def _check_orders(
    problem: Problem,
    canteen_ids: set[str],
    product_ids: set[str],
    week_days: set[str] | None,
    errors: list[str],
) -> None:
    """Check order lines: known ids, valid days, priority, one line per canteen/product/day."""
    first_index: dict[tuple[str, str, str], int] = {}
    for index, line in enumerate(problem.orders):
        path = f"orders[{index}]"
        _check_reference(f"{path}.canteen", line.canteen, canteen_ids, _UNKNOWN_CANTEEN, errors)
        _check_reference(f"{path}.product", line.product, product_ids, _UNKNOWN_PRODUCT, errors)
        _check_day(f"{path}.day", line.day, week_days, errors)
        _check_number(f"{path}.quantity", line.quantity, errors, maximum=MAX_QUANTITY)
        if line.priority not in PRIORITIES:
            errors.append(
                f"{path}.priority: doit valoir \"contract\" ou \"regular\" "
                f"(reçu {show_value(line.priority)})"
            )
        key = (line.canteen, line.product, line.day)
        if key in first_index:
            errors.append(
                f"{path}: ligne de commande en double (même cantine, produit et jour que "
                f"orders[{first_index[key]}])"
            )
        else:
            first_index[key] = index


def _check_distances(
    problem: Problem, grower_ids: set[str], canteen_ids: set[str], errors: list[str]
) -> None:
    """Check known road distances: known ids, sane km, one per grower/canteen pair."""
    first_index: dict[tuple[str, str], int] = {}
    for index, distance in enumerate(problem.distances_km):
        path = f"distances_km[{index}]"
        _check_reference(f"{path}.grower", distance.grower, grower_ids, _UNKNOWN_GROWER, errors)
        _check_reference(f"{path}.canteen", distance.canteen, canteen_ids, _UNKNOWN_CANTEEN, errors)
        _check_number(f"{path}.km", distance.km, errors, maximum=MAX_DISTANCE_KM)
        key = (distance.grower, distance.canteen)
        if key in first_index:
            errors.append(
                f"{path}: distance en double (même producteur et cantine que "
                f"distances_km[{first_index[key]}])"
            )
        else:
            first_index[key] = index


def _check_rows(
    name: str,
    rows: Iterable[AllocationRow],
    grower_ids: set[str],
    canteen_ids: set[str],
    product_ids: set[str],
    week_days: set[str] | None,
    errors: list[str],
) -> None:
    """Check locked or previous allocation rows: known ids, valid days, one row per key."""
    first_index: dict[tuple[str, str, str, str], int] = {}
    for index, row in enumerate(rows):
        path = f"{name}[{index}]"
        _check_reference(f"{path}.grower", row.grower, grower_ids, _UNKNOWN_GROWER, errors)
        _check_reference(f"{path}.canteen", row.canteen, canteen_ids, _UNKNOWN_CANTEEN, errors)
        _check_reference(f"{path}.product", row.product, product_ids, _UNKNOWN_PRODUCT, errors)
        _check_day(f"{path}.day", row.day, week_days, errors)
        _check_number(f"{path}.quantity", row.quantity, errors, maximum=MAX_QUANTITY)
        key = (row.grower, row.canteen, row.product, row.day)
        if key in first_index:
            errors.append(
                f"{path}: ligne en double (même producteur, cantine, produit et jour que "
                f"{name}[{first_index[key]}])"
            )
        else:
            first_index[key] = index


def _check_settings(problem: Problem, errors: list[str]) -> None:
    """Check that every setting lies in its meaningful range."""
    settings = problem.settings
    if settings.max_km is not None:
        _check_number("settings.max_km", settings.max_km, errors, strict=True)
    _check_number("settings.road_factor", settings.road_factor, errors, minimum=1.0, maximum=10.0)
    max_growers = settings.max_growers_per_line
    if max_growers is not None and (
        isinstance(max_growers, bool) or not isinstance(max_growers, int) or max_growers < 1
    ):
        errors.append(
            "settings.max_growers_per_line: doit être un entier supérieur ou égal à 1 ou null "
            f"(reçu {show_value(max_growers)})"
        )
    _check_number(
        "settings.ledger_catch_up", settings.ledger_catch_up, errors, maximum=1.0, interval=True
    )
    for weight_name in ("distance", "fairness", "deliveries", "stability"):
        _check_number(
            f"settings.weights.{weight_name}",
            getattr(settings.weights, weight_name),
            errors,
            maximum=MAX_WEIGHT,
        )
    _check_number(
        "settings.time_limit_s", settings.time_limit_s, errors,
        strict=True, maximum=MAX_TIME_LIMIT_S,
    )


def _check_text(path: str, value: object, errors: list[str]) -> None:
    """Require a non-empty text."""
    if not isinstance(value, str) or not value.strip():
        errors.append(f"{path}: doit être un texte non vide (reçu {show_value(value)})")


def _check_coordinates(path: str, lat: object, lon: object, errors: list[str]) -> None:
    """Require WGS84 latitude and longitude."""
    _check_number(f"{path}.lat", lat, errors, minimum=-90.0, maximum=90.0, interval=True)
    _check_number(f"{path}.lon", lon, errors, minimum=-180.0, maximum=180.0, interval=True)


def _check_reference(
    path: str, value: object, known_ids: set[str], unknown: str, errors: list[str]
) -> None:
    """Require an id that names an entity declared in the instance."""
    if not isinstance(value, str) or value not in known_ids:
        errors.append(f"{path}: {unknown} {show_value(value)}")


def _check_day(path: str, value: object, week_days: set[str] | None, errors: list[str]) -> None:
    """Require an ISO date (AAAA-MM-JJ) inside the instance's week."""
    if week_days is not None and value in week_days:
        return
    if not isinstance(value, str) or not _DAY_PATTERN.fullmatch(value):
        errors.append(f"{path}: date invalide, attendu AAAA-MM-JJ (reçu {show_value(value)})")
        return
    try:
        date.fromisoformat(value)
    except ValueError:
        errors.append(f"{path}: la date {value} n'existe pas")
        return
    if week_days is not None and value not in week_days:
        first_day, last_day = min(week_days), max(week_days)
        errors.append(
            f"{path}: le {value} n'est pas dans la semaine (du {first_day} au {last_day})"
        )


def _check_number(
    path: str,
    value: object,
    errors: list[str],
    *,
    minimum: float = 0.0,
    strict: bool = False,
    maximum: float | None = None,
    interval: bool = False,
) -> None:
    """Require a finite number at least minimum (above it when strict) and at most maximum."""
    # Fast path for the common case; NaN fails every comparison and takes the slow path.
    if (
        type(value) is float
        and maximum is not None
        and (minimum < value if strict else minimum <= value)
        and value <= maximum
    ):
        return
    if isinstance(value, bool) or not isinstance(value, int | float):
        errors.append(f"{path}: doit être un nombre (reçu {show_value(value)})")
        return
    if not _is_finite_number(value):
        errors.append(f"{path}: doit être un nombre fini (reçu {show_value(value)})")
        return
    number = float(value)
    too_low = number <= minimum if strict else number < minimum
    too_high = maximum is not None and number > maximum
    if not (too_low or too_high):
        return
    if interval:
        rule = f"compris entre {show_value(minimum)} et {show_value(maximum)}"
    elif too_low and minimum == 0:
        rule = "strictement positif" if strict else "positif ou nul"
    elif too_low:
        comparison = "strictement supérieur" if strict else "supérieur ou égal"
        rule = f"{comparison} à {show_value(minimum)}"
    else:
        rule = f"au plus égal à {show_value(maximum)}"
    errors.append(f"{path}: doit être un nombre {rule} (reçu {show_value(value)})")


def _is_finite_number(value: object) -> bool:
    """Tell whether a value is a real, finite number (booleans are not numbers)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def show_value(value: object) -> str:
    """Render a received value for an error message the way it was written in JSON."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value) if abs(value) < 10**18 else "un entier démesuré"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return repr(value)
    if isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False)
        return text if len(text) <= 60 else text[:57] + '…"'
    if isinstance(value, Mapping):
        return "un objet"
    if isinstance(value, list | tuple):
        return "une liste"
    return type(value).__name__
