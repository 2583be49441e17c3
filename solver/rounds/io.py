"""The rounds' JSON exchange format (docs/rounds-format.md): read a day, write its rounds.

Times are "HH:MM" strings in the files and minutes after midnight in memory.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, fields
from typing import Any, TypeVar

from solver.rounds.model import (
    INSTANCE_FORMAT,
    RESULT_FORMAT,
    Canteen,
    CollectionPoint,
    Farm,
    FarmShare,
    Line,
    Pin,
    Road,
    RoundsProblem,
    RoundsResult,
    Route,
    Settings,
    Stop,
    Totals,
    Unserved,
    Vehicle,
)

T = TypeVar("T")


class RoundsFormatError(ValueError):
    """A file that is not a valid rounds document; ``errors`` name each faulty field in French."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


def clock(minutes: int) -> str:
    """Return minutes after midnight as "HH:MM"."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def minutes_of(text: Any, where: str) -> int:
    """Return the minutes after midnight of an "HH:MM" string."""
    try:
        hours, minutes = str(text).split(":")
        value = int(hours) * 60 + int(minutes)
    except ValueError:
        raise RoundsFormatError([f"{where} : heure « {text} » attendue au format HH:MM"]) from None
    if not 0 <= value <= 24 * 60 or not 0 <= int(minutes) < 60:
        raise RoundsFormatError([f"{where} : heure « {text} » hors de la journée"])
    return value


_TIME_FIELDS = {
    "free_from_min": "free_from", "free_until_min": "free_until",
    "opens_min": "opens", "closes_min": "closes", "handover_min": "handover",
}


def problem_to_dict(problem: RoundsProblem) -> dict[str, Any]:
    """Return the JSON document of a day's problem."""

    def item(obj: Any) -> dict[str, Any]:
        data = asdict(obj)
        for name, label in _TIME_FIELDS.items():
            if name in data:
                data[label] = clock(data.pop(name))
        if "windows" in data:
            data["windows"] = [[clock(a), clock(b)] for a, b in data["windows"]]
        return data

    return {
        "format": INSTANCE_FORMAT,
        "day": problem.day,
        "settings": asdict(problem.settings),
        "farms": [item(farm) for farm in problem.farms],
        "canteens": [item(canteen) for canteen in problem.canteens],
        "points": [item(point) for point in problem.points],
        "vehicles": [item(vehicle) for vehicle in problem.vehicles],
        "lines": [item(line) for line in problem.lines],
        "roads": [item(road) for road in problem.roads],
        "pins": [item(pin) for pin in problem.pins],
    }


def problem_from_dict(data: Any) -> RoundsProblem:
    """Read a day's problem from its JSON document; raise RoundsFormatError naming each field."""
    if not isinstance(data, dict):
        raise RoundsFormatError(["le document doit être un objet JSON"])
    if data.get("format") != INSTANCE_FORMAT:
        raise RoundsFormatError([f"format : « {INSTANCE_FORMAT} » attendu"])
    errors: list[str] = []

    def read(group: str, cls: Callable[..., T]) -> tuple[T, ...]:
        items = data.get(group, [])
        if not isinstance(items, list):
            errors.append(f"{group} : une liste est attendue")
            return ()
        known = {f.name for f in fields(cls)}  # type: ignore[arg-type]
        result = []
        for index, raw in enumerate(items):
            where = f"{group}[{index}]"
            try:
                result.append(cls(**_item_arguments(raw, known, where)))
            except RoundsFormatError as error:
                errors.extend(error.errors)
            except TypeError as error:
                errors.append(f"{where} : champ manquant ou inconnu ({error})")
        return tuple(result)

    settings_data = data.get("settings", {})
    settings = Settings()
    if isinstance(settings_data, dict):
        try:
            settings = Settings(**_item_arguments(settings_data, {f.name for f in fields(Settings)},
                                                  "settings"))
        except (RoundsFormatError, TypeError) as error:
            errors.extend(getattr(error, "errors", [f"settings : {error}"]))
    problem = RoundsProblem(
        day=str(data.get("day", "")),
        farms=read("farms", Farm),
        canteens=read("canteens", Canteen),
        vehicles=read("vehicles", Vehicle),
        lines=read("lines", Line),
        points=read("points", CollectionPoint),
        roads=read("roads", Road),
        settings=settings,
        pins=read("pins", Pin),
    )
    if errors:
        raise RoundsFormatError(errors)
    return problem


def _item_arguments(raw: Any, known: set[str], where: str) -> dict[str, Any]:
    """Return the constructor arguments of one JSON object, its times turned into minutes."""
    if not isinstance(raw, dict):
        raise RoundsFormatError([f"{where} : un objet est attendu"])
    arguments: dict[str, Any] = {}
    for key, value in raw.items():
        name = next((n for n, label in _TIME_FIELDS.items() if label == key), key)
        if name not in known:
            raise RoundsFormatError([f"{where}.{key} : champ inconnu"])
        if name in _TIME_FIELDS:
            value = minutes_of(value, f"{where}.{key}")
        elif name == "windows":
            if not isinstance(value, list) or not all(
                isinstance(w, list) and len(w) == 2 for w in value
            ):
                raise RoundsFormatError([f"{where}.windows : liste de [début, fin] attendue"])
            value = tuple((minutes_of(a, f"{where}.windows"), minutes_of(b, f"{where}.windows"))
                          for a, b in value)
        elif name in ("lat", "lon", "quantity_kg", "capacity_kg", "distance_km", "road_factor",
                      "speed_kmh", "cost_per_km_eur", "cost_per_hour_eur", "co2_kg_per_km",
                      "time_limit_s"):
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise RoundsFormatError([f"{where}.{key} : nombre attendu"])
            value = float(value)
        elif name in ("crates", "capacity_crates", "loading_min", "unloading_min",
                      "handling_min", "solution_limit"):
            if isinstance(value, bool) or not isinstance(value, int):
                raise RoundsFormatError([f"{where}.{key} : nombre entier attendu"])
        elif name in ("id", "farm_id", "canteen_id", "a", "b", "line_id", "vehicle_id") and (
            value is not None
        ):
            value = str(value)
        arguments[name] = value
    return arguments


def result_to_dict(problem: RoundsProblem, result: RoundsResult) -> dict[str, Any]:
    """Return the JSON document of a day's rounds, carrying its problem so it can be checked."""

    def route(item: Route) -> dict[str, Any]:
        return {
            "vehicle_id": item.vehicle_id,
            "distance_km": item.distance_km,
            "duration_min": item.duration_min,
            "cost_eur": item.cost_eur,
            "co2_kg": item.co2_kg,
            "stops": [
                {
                    "place": stop.place, "name": stop.name,
                    "arrival": clock(stop.arrival_min), "departure": clock(stop.departure_min),
                    "load": list(stop.load), "drop": list(stop.drop),
                    "load_kg_after": stop.load_kg_after, "crates_after": stop.crates_after,
                }
                for stop in item.stops
            ],
        }

    pooled, baseline = result.pooled, result.baseline
    document: dict[str, Any] = {
        "format": RESULT_FORMAT,
        "status": result.status,
        "errors": list(result.errors),
        "problem": problem_to_dict(problem),
        "routes": [route(item) for item in result.routes],
        "unserved": [asdict(item) for item in result.unserved],
        "pooled": asdict(pooled) if pooled else None,
        "baseline": asdict(baseline) if baseline else None,
        "baseline_routes": [route(item) for item in result.baseline_routes],
        "shares": [{**asdict(share), "balance_eur": share.balance_eur}
                   for share in result.shares],
        "partner_credit_eur": result.partner_credit_eur,
    }
    return document


def result_from_dict(data: Any) -> tuple[RoundsProblem, RoundsResult]:
    """Read a rounds document back: its problem and its result."""
    if not isinstance(data, dict) or data.get("format") != RESULT_FORMAT:
        raise RoundsFormatError([f"format : « {RESULT_FORMAT} » attendu"])
    problem = problem_from_dict(data.get("problem"))
    try:
        def routes(items: list[dict[str, Any]]) -> tuple[Route, ...]:
            return tuple(
                Route(
                    str(item["vehicle_id"]),
                    tuple(Stop(
                        str(stop["place"]), str(stop["name"]),
                        minutes_of(stop["arrival"], "stops.arrival"),
                        minutes_of(stop["departure"], "stops.departure"),
                        tuple(str(x) for x in stop["load"]), tuple(str(x) for x in stop["drop"]),
                        float(stop["load_kg_after"]), int(stop["crates_after"]),
                    ) for stop in item["stops"]),
                    float(item["distance_km"]), int(item["duration_min"]),
                    float(item["cost_eur"]), float(item["co2_kg"]),
                )
                for item in items
            )

        result = RoundsResult(
            status=str(data["status"]),
            routes=routes(data["routes"]),
            unserved=tuple(Unserved(**item) for item in data["unserved"]),
            pooled=Totals(**data["pooled"]) if data.get("pooled") else None,
            baseline=Totals(**data["baseline"]) if data.get("baseline") else None,
            baseline_routes=routes(data.get("baseline_routes", [])),
            shares=tuple(FarmShare(s["farm_id"], s["share_eur"], s["credit_eur"])
                         for s in data.get("shares", [])),
            partner_credit_eur=float(data.get("partner_credit_eur", 0.0)),
            errors=tuple(data.get("errors", [])),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise RoundsFormatError([f"résultat illisible : {error}"]) from None
    return problem, result


def dumps(document: dict[str, Any]) -> str:
    """Return a document as indented JSON."""
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
