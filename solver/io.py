"""Reading and writing the `pial-allocation/1` instance and `pial-allocation-result/1` result.

Reading never lets a Python exception through on bad input: whatever is wrong (bytes that are
not UTF-8, malformed JSON, a list where an object is expected, a missing field...) becomes a
`FormatError` whose `errors` are French messages starting with the JSON path at fault.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeGuard, TypeVar, cast

from solver.problem import (
    INSTANCE_FORMAT,
    RESULT_FORMAT,
    AllocationRow,
    Availability,
    Canteen,
    Distance,
    Grower,
    LedgerEntry,
    Metrics,
    OrderLine,
    Priority,
    Problem,
    Product,
    Result,
    Settings,
    Shortfall,
    Status,
    Weights,
)
from solver.validation import SIZE_LIMITS, check_problem, show_value

Source = str | bytes | bytearray | Mapping[str, Any]

STATUSES = ("optimal", "feasible", "infeasible", "invalid")

_T = TypeVar("_T")
_MISSING: Any = object()
# Whole numbers up to this size convert to floats exactly (JSON often writes 25 for 25.0).
_EXACT_INT_LIMIT = 2**53


class FormatError(ValueError):
    """A document that is not a valid instance (or result); `errors` says why, in French."""

    def __init__(self, errors: Sequence[str]) -> None:
        self.errors: tuple[str, ...] = tuple(errors)
        super().__init__("\n".join(self.errors))


def load(source: Source) -> Problem:
    """Parse and validate a `pial-allocation/1` instance; raise `FormatError` if it is invalid."""
    problem = read_problem(decode_json(source))
    errors = check_problem(problem)
    if errors:
        raise FormatError(errors)
    return problem


def load_result(source: Source) -> Result:
    """Parse a `pial-allocation-result/1` document; raise `FormatError` if it is malformed."""
    return read_result(decode_json(source))


def dump(result: Result) -> str:
    """Write a result as JSON text in the spec's result shape, with its `errors` (why an
    instance is invalid, or which locked rows make a week infeasible) when it has any."""
    document: dict[str, Any] = {
        "format": result.format,
        "status": result.status,
        "allocations": [_allocation_json(row) for row in result.allocations],
        "shortfalls": [
            {"canteen": line.canteen, "product": line.product, "day": line.day,
             "quantity": line.quantity}
            for line in result.shortfalls
        ],
        "metrics": {
            "ordered_eur": result.metrics.ordered_eur,
            "served_eur": result.metrics.served_eur,
            "fill_rate": result.metrics.fill_rate,
            "contract_fill_rate": result.metrics.contract_fill_rate,
            "kg_km": result.metrics.kg_km,
            "deliveries": result.metrics.deliveries,
            "share_deviation_eur": result.metrics.share_deviation_eur,
            "moved_from_previous": result.metrics.moved_from_previous,
            "solve_s": result.metrics.solve_s,
            **_optional_metrics(result.metrics),
        },
        "ledger_after": [
            {"grower": entry.grower, "ledger_eur": entry.ledger_eur}
            for entry in result.ledger_after
        ],
    }
    if result.errors:
        document["errors"] = list(result.errors)
    return _format_document(document)


def dump_problem(problem: Problem) -> str:
    """Write a problem as a `pial-allocation/1` instance that `load` reads back equal."""
    settings = problem.settings
    document: dict[str, Any] = {
        "format": problem.format,
        "week": problem.week,
        "products": [
            _without_none({"id": product.id, "name": product.name, "unit": product.unit,
                           "unit_kg": product.unit_kg, "lot": product.lot,
                           "price": product.price})
            for product in problem.products
        ],
        "growers": [
            _without_none({"id": grower.id, "name": grower.name, "lat": grower.lat,
                           "lon": grower.lon, "target_share": grower.target_share,
                           "ledger_eur": grower.ledger_eur})
            for grower in problem.growers
        ],
        "canteens": [
            {"id": canteen.id, "name": canteen.name, "lat": canteen.lat, "lon": canteen.lon}
            for canteen in problem.canteens
        ],
        "availability": [
            _without_none({"grower": line.grower, "product": line.product, "day": line.day,
                           "quantity": line.quantity})
            for line in problem.availability
        ],
        "orders": [
            {"canteen": line.canteen, "product": line.product, "day": line.day,
             "quantity": line.quantity, "priority": line.priority}
            for line in problem.orders
        ],
        "distances_km": [
            {"grower": distance.grower, "canteen": distance.canteen, "km": distance.km}
            for distance in problem.distances_km
        ],
        "locked": [_allocation_json(row) for row in problem.locked],
        "previous": [_allocation_json(row) for row in problem.previous],
        "settings": {
            "max_km": settings.max_km,
            "road_factor": settings.road_factor,
            "max_growers_per_line": settings.max_growers_per_line,
            "ledger_catch_up": settings.ledger_catch_up,
            "weights": {
                "distance": settings.weights.distance,
                "fairness": settings.weights.fairness,
                "deliveries": settings.weights.deliveries,
                "stability": settings.weights.stability,
            },
            "time_limit_s": settings.time_limit_s,
        },
    }
    return _format_document(document)


def _is_object(value: object) -> TypeGuard[Mapping[str, Any]]:
    """Return whether a value is a JSON object (a mapping).

    Parsed JSON objects are dicts: the exact type test comes first, as the `Mapping` check
    costs a tenth of a millisecond the first time a process makes it.
    """
    return type(value) is dict or isinstance(value, Mapping)


def decode_json(source: Source) -> object:
    """Turn JSON text, UTF-8 bytes or an already-parsed mapping into JSON data."""
    if _is_object(source):
        return source
    if isinstance(source, bytes | bytearray):
        try:
            # utf-8-sig also accepts the byte-order mark some Windows editors write.
            text = bytes(source).decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise FormatError(
                [f"document: encodage UTF-8 invalide (octet {error.object[error.start]:#04x} "
                 f"à la position {error.start})"]
            ) from None
    elif isinstance(source, str):
        text = source
    else:
        raise FormatError(
            [f"document: attendu du texte JSON, des octets ou un objet (reçu "
             f"{type(source).__name__})"]
        )
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise FormatError(
            [f"document: JSON mal formé, ligne {error.lineno} colonne {error.colno} "
             f"({_json_error_in_french(error.msg)})"]
        ) from None
    except RecursionError:
        raise FormatError(["document: JSON trop profondément imbriqué"]) from None
    except ValueError as error:
        # Python refuses integers of more than 4300 digits (a denial-of-service guard).
        reason = "entier trop long" if "integer string conversion" in str(error) else str(error)
        raise FormatError([f"document: JSON illisible ({reason})"]) from None


def read_problem(data: object) -> Problem:
    """Build a problem from parsed JSON, checking structure and types only."""
    reader = _Reader()
    document = reader.document(data, INSTANCE_FORMAT)
    if document is None:
        raise FormatError(reader.errors)
    settings_data = reader.optional_object(document, "settings", "settings")
    problem = Problem(
        week=reader.text(document, "week", ""),
        products=reader.rows(document, "products", _read_product),
        growers=reader.rows(document, "growers", _read_grower),
        canteens=reader.rows(document, "canteens", _read_canteen),
        availability=reader.rows(document, "availability", _read_availability),
        orders=reader.rows(document, "orders", _read_order),
        distances_km=reader.rows(document, "distances_km", _read_distance, required=False),
        locked=reader.rows(document, "locked", _read_allocation, required=False),
        previous=reader.rows(document, "previous", _read_allocation, required=False),
        settings=_read_settings(reader, settings_data),
    )
    if reader.errors:
        raise FormatError(reader.errors)
    return problem


def read_result(data: object) -> Result:
    """Build a result from parsed JSON, checking structure and types."""
    reader = _Reader()
    document = reader.document(data, RESULT_FORMAT)
    if document is None:
        raise FormatError(reader.errors)
    status = reader.text(document, "status", "")
    if status not in STATUSES and not reader.errors:
        reader.fail("status", f"doit valoir {', '.join(STATUSES)} (reçu {show_value(status)})")
    metrics = reader.optional_object(document, "metrics", "metrics") or {}
    errors_data = reader.optional_list(document, "errors", "errors")
    result = Result(
        status=cast(Status, status),
        allocations=reader.rows(document, "allocations", _read_allocation),
        shortfalls=reader.rows(document, "shortfalls", _read_shortfall),
        metrics=Metrics(
            ordered_eur=reader.number(metrics, "ordered_eur", "metrics", 0.0),
            served_eur=reader.number(metrics, "served_eur", "metrics", 0.0),
            fill_rate=reader.number(metrics, "fill_rate", "metrics", 0.0),
            contract_fill_rate=reader.number(metrics, "contract_fill_rate", "metrics", 0.0),
            kg_km=reader.number(metrics, "kg_km", "metrics", 0.0),
            deliveries=reader.integer(metrics, "deliveries", "metrics", 0),
            share_deviation_eur=reader.number(metrics, "share_deviation_eur", "metrics", 0.0),
            moved_from_previous=reader.number(metrics, "moved_from_previous", "metrics", 0.0),
            solve_s=reader.number(metrics, "solve_s", "metrics", 0.0),
            weighted=reader.number(metrics, "weighted", "metrics", None),
            weighted_lower_bound=reader.number(metrics, "weighted_lower_bound", "metrics", None),
            gap=reader.number(metrics, "gap", "metrics", None),
            contract_eur=reader.number(metrics, "contract_eur", "metrics", None),
            contract_eur_upper_bound=reader.number(
                metrics, "contract_eur_upper_bound", "metrics", None
            ),
            served_eur_upper_bound=reader.number(
                metrics, "served_eur_upper_bound", "metrics", None
            ),
            time_limit_reached=reader.flag(metrics, "time_limit_reached", "metrics", None),
        ),
        ledger_after=reader.rows(document, "ledger_after", _read_ledger_entry, required=False),
        errors=tuple(
            reader.text_item(message, f"errors[{index}]")
            for index, message in enumerate(errors_data or [])
        ),
    )
    if reader.errors:
        raise FormatError(reader.errors)
    return result


class _Reader:
    """Typed field access on parsed JSON that records errors instead of raising."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def fail(self, path: str, message: str) -> None:
        """Record an error about the field at `path`."""
        self.errors.append(f"{path}: {message}")

    def document(self, data: object, expected_format: str) -> Mapping[str, Any] | None:
        """Return the top-level object if it carries the expected format tag."""
        if not _is_object(data):
            self.fail("document", f"doit être un objet JSON (reçu {show_value(data)})")
            return None
        if "format" not in data:
            self.fail("format", f"champ obligatoire manquant (attendu \"{expected_format}\")")
            return None
        if data["format"] != expected_format:
            self.fail(
                "format",
                f"doit valoir \"{expected_format}\" (reçu {show_value(data['format'])})",
            )
            return None
        return data

    def rows(
        self,
        data: Mapping[str, Any],
        key: str,
        read_row: Callable[[_Reader, Mapping[str, Any], str], _T],
        *,
        required: bool = True,
    ) -> tuple[_T, ...]:
        """Read a list of objects with `read_row`, refusing lists above the size limits."""
        items = self.optional_list(data, key, key) if not required else self.list(data, key, key)
        if items is None:
            return ()
        limit = SIZE_LIMITS.get(key)
        if limit is not None and len(items) > limit:
            self.fail(key, f"{len(items)} éléments, au-delà de la limite de {limit}")
            return ()
        rows: list[_T] = []
        for index, item in enumerate(items):
            path = f"{key}[{index}]"
            if _is_object(item):
                rows.append(read_row(self, item, path))
            else:
                self.fail(path, f"doit être un objet (reçu {show_value(item)})")
        return tuple(rows)

    def list(self, data: Mapping[str, Any], key: str, path: str) -> Sequence[Any] | None:
        """Return a required list field."""
        if key not in data:
            self.fail(path, "champ obligatoire manquant")
            return None
        if data[key] is None:
            self.fail(path, "doit être une liste (reçu null)")
            return None
        return self.optional_list(data, key, path)

    def optional_list(self, data: Mapping[str, Any], key: str, path: str) -> Sequence[Any] | None:
        """Return an optional list field (None when absent or null)."""
        value = data.get(key)
        if value is None:
            return None
        if not isinstance(value, list | tuple):
            self.fail(path, f"doit être une liste (reçu {show_value(value)})")
            return None
        return value

    def optional_object(
        self, data: Mapping[str, Any], key: str, path: str
    ) -> Mapping[str, Any] | None:
        """Return an optional object field (None when absent or null)."""
        value = data.get(key)
        if value is None:
            return None
        if not _is_object(value):
            self.fail(path, f"doit être un objet (reçu {show_value(value)})")
            return None
        return value

    def text(self, data: Mapping[str, Any], key: str, where: str, default: Any = _MISSING) -> Any:
        """Return the text field `key` of the object at `where`; absent or null gives `default`."""
        value = data.get(key)
        if type(value) is str:
            return value
        found, value = self._value(data, key, where, default)
        if not found:
            return "" if default is _MISSING else default
        return self.text_item(value, _field_path(where, key))

    def text_item(self, value: object, path: str) -> str:
        """Return a value that must be a text."""
        if not isinstance(value, str):
            self.fail(path, f"doit être un texte (reçu {show_value(value)})")
            return ""
        return value

    def number(self, data: Mapping[str, Any], key: str, where: str, default: Any = _MISSING) -> Any:
        """Return the number field `key` as a float; absent or null gives `default`."""
        value = data.get(key)
        if type(value) is float:
            return value
        if type(value) is int and -_EXACT_INT_LIMIT <= value <= _EXACT_INT_LIMIT:
            return float(value)
        found, value = self._value(data, key, where, default)
        if not found:
            return 0.0 if default is _MISSING else default
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(_field_path(where, key), f"doit être un nombre (reçu {show_value(value)})")
            return 0.0
        try:
            return float(value)
        except OverflowError:
            path = _field_path(where, key)
            self.fail(path, f"doit être un nombre fini (reçu {show_value(value)})")
            return 0.0

    def integer(self, data: Mapping[str, Any], key: str, where: str, default: int | None) -> Any:
        """Return an optional whole-number field (integral floats such as 2.0 are accepted)."""
        found, value = self._value(data, key, where, default)
        if not found:
            return default
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, float) and math.isfinite(value) and value.is_integer():
            return int(value)
        self.fail(_field_path(where, key), f"doit être un entier (reçu {show_value(value)})")
        return default

    def flag(self, data: Mapping[str, Any], key: str, where: str, default: bool | None) -> Any:
        """Return an optional true/false field."""
        found, value = self._value(data, key, where, default)
        if not found:
            return default
        if isinstance(value, bool):
            return value
        self.fail(_field_path(where, key), f"doit valoir true ou false (reçu {show_value(value)})")
        return default

    def _value(
        self, data: Mapping[str, Any], key: str, where: str, default: Any
    ) -> tuple[bool, Any]:
        """Return (True, raw value), or (False, None) for an absent or null optional field."""
        optional = default is not _MISSING
        if key not in data or (optional and data[key] is None):
            if not optional:
                self.fail(_field_path(where, key), "champ obligatoire manquant")
            return False, None
        return True, data[key]


def _field_path(where: str, key: str) -> str:
    """Return the JSON path of field `key` of the object at `where` ("" for the document)."""
    return f"{where}.{key}" if where else key


def _read_product(reader: _Reader, data: Mapping[str, Any], path: str) -> Product:
    """Read one catalogue product."""
    product_id = reader.text(data, "id", path)
    return Product(
        id=product_id,
        name=reader.text(data, "name", path, product_id),
        unit=reader.text(data, "unit", path),
        unit_kg=reader.number(data, "unit_kg", path),
        price=reader.number(data, "price", path),
        lot=reader.number(data, "lot", path, None),
    )


def _read_grower(reader: _Reader, data: Mapping[str, Any], path: str) -> Grower:
    """Read one grower."""
    grower_id = reader.text(data, "id", path)
    return Grower(
        id=grower_id,
        name=reader.text(data, "name", path, grower_id),
        lat=reader.number(data, "lat", path),
        lon=reader.number(data, "lon", path),
        target_share=reader.number(data, "target_share", path, None),
        ledger_eur=reader.number(data, "ledger_eur", path, 0.0),
    )


def _read_canteen(reader: _Reader, data: Mapping[str, Any], path: str) -> Canteen:
    """Read one canteen."""
    canteen_id = reader.text(data, "id", path)
    return Canteen(
        id=canteen_id,
        name=reader.text(data, "name", path, canteen_id),
        lat=reader.number(data, "lat", path),
        lon=reader.number(data, "lon", path),
    )


def _read_availability(reader: _Reader, data: Mapping[str, Any], path: str) -> Availability:
    """Read one offer line."""
    return Availability(
        grower=reader.text(data, "grower", path),
        product=reader.text(data, "product", path),
        quantity=reader.number(data, "quantity", path),
        day=reader.text(data, "day", path, None),
    )


def _read_order(reader: _Reader, data: Mapping[str, Any], path: str) -> OrderLine:
    """Read one order line."""
    return OrderLine(
        canteen=reader.text(data, "canteen", path),
        product=reader.text(data, "product", path),
        day=reader.text(data, "day", path),
        quantity=reader.number(data, "quantity", path),
        priority=cast(Priority, reader.text(data, "priority", path, "regular")),
    )


def _read_distance(reader: _Reader, data: Mapping[str, Any], path: str) -> Distance:
    """Read one known road distance."""
    return Distance(
        grower=reader.text(data, "grower", path),
        canteen=reader.text(data, "canteen", path),
        km=reader.number(data, "km", path),
    )


def _read_allocation(reader: _Reader, data: Mapping[str, Any], path: str) -> AllocationRow:
    """Read one allocation row (result, locked or previous)."""
    return AllocationRow(
        grower=reader.text(data, "grower", path),
        canteen=reader.text(data, "canteen", path),
        product=reader.text(data, "product", path),
        day=reader.text(data, "day", path),
        quantity=reader.number(data, "quantity", path),
    )


def _read_shortfall(reader: _Reader, data: Mapping[str, Any], path: str) -> Shortfall:
    """Read one shortfall row."""
    return Shortfall(
        canteen=reader.text(data, "canteen", path),
        product=reader.text(data, "product", path),
        day=reader.text(data, "day", path),
        quantity=reader.number(data, "quantity", path),
    )


def _read_ledger_entry(reader: _Reader, data: Mapping[str, Any], path: str) -> LedgerEntry:
    """Read one grower's ledger after the week."""
    return LedgerEntry(
        grower=reader.text(data, "grower", path),
        ledger_eur=reader.number(data, "ledger_eur", path),
    )


def _read_settings(reader: _Reader, data: Mapping[str, Any] | None) -> Settings:
    """Read the settings, each missing key taking the default of `Settings`."""
    defaults = Settings()
    if data is None:
        return defaults
    weights_data = reader.optional_object(data, "weights", "settings.weights") or {}
    default_weights = defaults.weights
    return Settings(
        max_km=reader.number(data, "max_km", "settings", defaults.max_km),
        road_factor=reader.number(data, "road_factor", "settings", defaults.road_factor),
        max_growers_per_line=reader.integer(
            data, "max_growers_per_line", "settings", defaults.max_growers_per_line
        ),
        ledger_catch_up=reader.number(data, "ledger_catch_up", "settings",
                                      defaults.ledger_catch_up),
        weights=Weights(
            distance=reader.number(weights_data, "distance", "settings.weights",
                                   default_weights.distance),
            fairness=reader.number(weights_data, "fairness", "settings.weights",
                                   default_weights.fairness),
            deliveries=reader.number(weights_data, "deliveries", "settings.weights",
                                     default_weights.deliveries),
            stability=reader.number(weights_data, "stability", "settings.weights",
                                    default_weights.stability),
        ),
        time_limit_s=reader.number(data, "time_limit_s", "settings",
                                   defaults.time_limit_s),
    )


def _optional_metrics(metrics: Metrics) -> dict[str, float | bool]:
    """Return the optional metrics a result reports (weighted value, its bound, the gap; the
    contract value and the bounds on stages 2 and 3; whether the time limit was reached)."""
    optional: dict[str, float | bool | None] = {
        "weighted": metrics.weighted,
        "weighted_lower_bound": metrics.weighted_lower_bound,
        "gap": metrics.gap,
        "contract_eur": metrics.contract_eur,
        "contract_eur_upper_bound": metrics.contract_eur_upper_bound,
        "served_eur_upper_bound": metrics.served_eur_upper_bound,
        "time_limit_reached": metrics.time_limit_reached,
    }
    return {key: value for key, value in optional.items() if value is not None}


def _allocation_json(row: AllocationRow) -> dict[str, Any]:
    """Return the JSON object of an allocation row."""
    return {"grower": row.grower, "canteen": row.canteen, "product": row.product,
            "day": row.day, "quantity": row.quantity}


def _without_none(data: dict[str, Any]) -> dict[str, Any]:
    """Drop optional fields left unset, so the output reads like a hand-written instance."""
    return {key: value for key, value in data.items() if value is not None}


def _format_document(document: Mapping[str, Any]) -> str:
    """Render a document with one top-level field per line and one row per line."""
    lines = []
    for key, value in document.items():
        rendered_key = json.dumps(key)
        if isinstance(value, list) and value:
            rows = ",\n".join(f"    {_compact_row(row)}" for row in value)
            lines.append(f"  {rendered_key}: [\n{rows}\n  ]")
        else:
            lines.append(f"  {rendered_key}: {_compact_json(value)}")
    return "{\n" + ",\n".join(lines) + "\n}\n"


def _compact_row(row: Any) -> str:
    """Render one list item on one line; flat row objects take a fast path."""
    if not isinstance(row, dict):
        return _compact_json(row)
    plain = {
        key: _plain_number(value) if type(value) is float else value
        for key, value in row.items()
    }
    return json.dumps(plain, ensure_ascii=False, allow_nan=False)


def _plain_number(value: float) -> float | int | None:
    """Return 80 for 80.0, None for NaN and infinities, other floats unchanged."""
    if not math.isfinite(value):
        return None
    if value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def _compact_json(value: Any) -> str:
    """Render a value on one line, integral floats as integers and non-finite numbers as null."""
    return json.dumps(_plain_json(value), ensure_ascii=False, allow_nan=False)


def _plain_json(value: Any) -> Any:
    """Return value with floats made JSON-safe: 80.0 becomes 80, NaN and infinities null."""
    if isinstance(value, float):
        return _plain_number(value)
    if isinstance(value, Mapping):
        return {key: _plain_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain_json(item) for item in value]
    return value


_JSON_MESSAGES = {
    "Expecting value": "valeur attendue",
    "Expecting property name enclosed in double quotes": "nom de champ entre guillemets attendu",
    "Expecting ':' delimiter": "« : » attendu",
    "Expecting ',' delimiter": "« , » attendu",
    "Extra data": "données en trop après le document",
    "Unterminated string starting at": "texte non terminé",
    "Invalid control character at": "caractère de contrôle dans un texte",
    "Invalid \\escape": "séquence d'échappement invalide",
}


def _json_error_in_french(message: str) -> str:
    """Translate the json module's error message, keeping it as is when unknown."""
    return _JSON_MESSAGES.get(message, message)
