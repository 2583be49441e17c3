"""Reading and writing the instance and result formats."""

from __future__ import annotations

import json
import math

import pytest

import solver
from solver import (
    AllocationRow,
    Availability,
    FormatError,
    Grower,
    LedgerEntry,
    Metrics,
    OrderLine,
    Problem,
    Product,
    Result,
    Settings,
    Shortfall,
    Weights,
)
from tests.solver.sample_instances import explain_instance, spec_instance


def test_load_reads_the_spec_example() -> None:
    problem = solver.load(json.dumps(spec_instance()))

    assert problem.week == "2026-W48"
    assert problem.products == (
        Product(id="carotte", name="Carotte", unit="kg", unit_kg=1.0, price=2.10, lot=5.0),
    )
    assert problem.growers[0].target_share == 0.2
    assert problem.growers[0].ledger_eur == -35.0
    assert problem.orders == (
        OrderLine(canteen="c-cite-scolaire", product="carotte", day="2026-11-23",
                  quantity=80.0, priority="contract"),
    )
    assert problem.settings.max_km == 80.0
    assert problem.settings.weights == Weights(distance=1.0, fairness=1.0)


def test_load_gives_float_quantities_for_json_integers() -> None:
    problem = solver.load(json.dumps(spec_instance()))

    assert isinstance(problem.availability[0].quantity, float)
    assert isinstance(problem.orders[0].quantity, float)


def test_load_applies_documented_defaults_to_optional_fields() -> None:
    instance = {
        "format": "pial-allocation/1",
        "week": "2026-W48",
        "products": [{"id": "poireau", "unit": "kg", "unit_kg": 1, "price": 3}],
        "growers": [{"id": "g-1", "lat": 43.0, "lon": 0.7}],
        "canteens": [{"id": "c-1", "lat": 43.1, "lon": 0.7}],
        "availability": [{"grower": "g-1", "product": "poireau", "quantity": 10}],
        "orders": [{"canteen": "c-1", "product": "poireau", "day": "2026-11-24", "quantity": 5}],
    }

    problem = solver.load(instance)

    assert problem.products[0].name == "poireau"
    assert problem.products[0].lot is None
    assert problem.growers[0] == Grower(id="g-1", name="g-1", lat=43.0, lon=0.7,
                                        target_share=None, ledger_eur=0.0)
    assert problem.availability[0].day is None
    assert problem.orders[0].priority == "regular"
    assert problem.distances_km == ()
    assert problem.locked == problem.previous == ()
    assert problem.settings == Settings()


def test_load_treats_null_optional_fields_as_absent() -> None:
    instance = spec_instance()
    instance["products"][0]["lot"] = None
    instance["growers"][0]["ledger_eur"] = None
    instance["availability"][0]["day"] = None
    instance["settings"] = {"max_km": None, "weights": {"fairness": 2}}

    problem = solver.load(instance)

    assert problem.products[0].lot is None
    assert problem.growers[0].ledger_eur == 0.0
    assert problem.availability[0].day is None
    assert problem.settings == Settings(max_km=None, weights=Weights(fairness=2.0))


def test_load_accepts_text_bytes_and_mappings() -> None:
    text = json.dumps(spec_instance(), ensure_ascii=False)

    from_text = solver.load(text)

    assert solver.load(text.encode("utf-8")) == from_text
    assert solver.load(bytearray(text.encode("utf-8"))) == from_text
    assert solver.load(b"\xef\xbb\xbf" + text.encode("utf-8")) == from_text  # with a BOM
    assert solver.load(spec_instance()) == from_text


def test_load_raises_format_error_with_french_messages() -> None:
    instance = spec_instance()
    instance["orders"][0]["quantity"] = -5

    with pytest.raises(FormatError) as raised:
        solver.load(instance)

    assert raised.value.errors == (
        "orders[0].quantity: doit être un nombre positif ou nul (reçu -5)",
    )
    assert isinstance(raised.value, ValueError)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (b"\xff\xfe{}", "document: encodage UTF-8 invalide (octet 0xff à la position 0)"),
        ("{", "document: JSON mal formé, ligne 1 colonne 2"),
        ('{"format": "pial-allocation/1",}', "document: JSON mal formé, ligne 1 colonne 32"),
        ("", "document: JSON mal formé, ligne 1 colonne 1 (valeur attendue)"),
        ("[]", "document: doit être un objet JSON (reçu une liste)"),
        ("42", "document: doit être un objet JSON (reçu 42)"),
        ("null", "document: doit être un objet JSON (reçu null)"),
        ("[" * 100_000 + "]" * 100_000, "document: JSON trop profondément imbriqué"),
        ("1" * 5000, "document: JSON illisible (entier trop long)"),
    ],
)
def test_unreadable_documents_raise_format_error(source: str | bytes, message: str) -> None:
    with pytest.raises(FormatError) as raised:
        solver.load(source)

    assert raised.value.errors[0].startswith(message)


def test_dump_problem_round_trips_every_field() -> None:
    problem = Problem(
        week="2026-W48",
        products=(Product(id="p", name="Pomme", unit="caisse", unit_kg=6.5, price=12.0, lot=2.0),
                  Product(id="q", name="Q", unit="kg", unit_kg=1.0, price=0.1 + 0.2)),
        growers=(Grower(id="g", name="G", lat=42.5, lon=0.5, target_share=0.25,
                        ledger_eur=-12.34),
                 Grower(id="h", name="H", lat=42.6, lon=0.6)),
        canteens=(solver.Canteen(id="c", name="Cantine é", lat=42.7, lon=0.7),),
        availability=(Availability(grower="g", product="p", quantity=10.0, day="2026-11-24"),
                      Availability(grower="h", product="q", quantity=3.5)),
        orders=(OrderLine(canteen="c", product="p", day="2026-11-24", quantity=4.0),
                OrderLine(canteen="c", product="q", day="2026-11-25", quantity=1.25,
                          priority="contract")),
        distances_km=(solver.Distance(grower="g", canteen="c", km=8.25),),
        locked=(AllocationRow(grower="g", canteen="c", product="p", day="2026-11-24",
                              quantity=2.0),),
        previous=(AllocationRow(grower="h", canteen="c", product="q", day="2026-11-25",
                                quantity=1.0),),
        settings=Settings(max_km=60.0, road_factor=1.4, max_growers_per_line=2,
                          ledger_catch_up=0.25,
                          weights=Weights(distance=0.5, fairness=2.0, deliveries=3.0,
                                          stability=0.1),
                          time_limit_s=2.5),
    )

    assert solver.load(solver.dump_problem(problem)) == problem


def test_dump_problem_of_a_loaded_instance_reads_back_equal() -> None:
    problem = solver.load(explain_instance())

    text = solver.dump_problem(problem)

    assert solver.load(text) == problem
    assert json.loads(text)["format"] == "pial-allocation/1"


def _sample_result(status: str = "optimal") -> Result:
    return Result(
        status=status,  # type: ignore[arg-type]
        allocations=(AllocationRow(grower="g", canteen="c", product="p", day="2026-11-23",
                                   quantity=80.0),),
        shortfalls=(Shortfall(canteen="c", product="p", day="2026-11-23", quantity=2.5),),
        metrics=Metrics(ordered_eur=168.0, served_eur=163.0, fill_rate=0.97,
                        contract_fill_rate=1.0, kg_km=600.0, deliveries=1,
                        share_deviation_eur=1.5, moved_from_previous=0.0, solve_s=0.01),
        ledger_after=(LedgerEntry(grower="g", ledger_eur=-35.0),),
    )


def test_dump_writes_the_spec_result_shape() -> None:
    document = json.loads(solver.dump(_sample_result()))

    assert list(document) == ["format", "status", "allocations", "shortfalls", "metrics",
                              "ledger_after"]
    assert document["format"] == "pial-allocation-result/1"
    assert document["allocations"] == [
        {"grower": "g", "canteen": "c", "product": "p", "day": "2026-11-23", "quantity": 80}
    ]
    assert document["shortfalls"][0]["quantity"] == 2.5
    assert document["metrics"] == {
        "ordered_eur": 168, "served_eur": 163, "fill_rate": 0.97, "contract_fill_rate": 1,
        "kg_km": 600, "deliveries": 1, "share_deviation_eur": 1.5, "moved_from_previous": 0,
        "solve_s": 0.01,
    }
    assert document["ledger_after"] == [{"grower": "g", "ledger_eur": -35}]


def test_dump_writes_the_errors_of_invalid_and_infeasible_results() -> None:
    invalid = Result(status="invalid", errors=("week: champ obligatoire manquant",))
    reason = "locked : g envoie 10 carotte de plus qu'offert"
    infeasible = Result(status="infeasible", errors=(reason,))

    assert json.loads(solver.dump(invalid))["errors"] == ["week: champ obligatoire manquant"]
    assert json.loads(solver.dump(infeasible))["errors"] == [reason]
    assert solver.load_result(solver.dump(infeasible)) == infeasible
    assert "errors" not in json.loads(solver.dump(Result(status="optimal")))


def test_dump_writes_non_finite_numbers_as_null() -> None:
    result = Result(status="optimal", metrics=Metrics(fill_rate=math.nan, kg_km=math.inf))

    document = json.loads(solver.dump(result))

    assert document["metrics"]["fill_rate"] is None
    assert document["metrics"]["kg_km"] is None


@pytest.mark.parametrize("status", ["optimal", "feasible", "infeasible"])
def test_load_result_reads_back_what_dump_writes(status: str) -> None:
    result = _sample_result(status)

    assert solver.load_result(solver.dump(result)) == result


def test_load_result_reads_back_invalid_results_with_errors() -> None:
    result = Result(status="invalid", errors=("a: b", "c: d"))

    assert solver.load_result(solver.dump(result)) == result


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"format": "pial-allocation/1"}, 'format: doit valoir "pial-allocation-result/1"'),
        ({"format": "pial-allocation-result/1", "status": "done", "allocations": [],
          "shortfalls": []}, "status: doit valoir optimal, feasible, infeasible, invalid"),
        ({"format": "pial-allocation-result/1", "status": "optimal", "shortfalls": []},
         "allocations: champ obligatoire manquant"),
        ({"format": "pial-allocation-result/1", "status": "optimal", "allocations": [{}],
          "shortfalls": []}, "allocations[0].grower: champ obligatoire manquant"),
        ({"format": "pial-allocation-result/1", "status": "optimal", "allocations": [],
          "shortfalls": [], "metrics": {"deliveries": 1.5}},
         "metrics.deliveries: doit être un entier (reçu 1.5)"),
    ],
)
def test_load_result_names_malformed_fields(document: dict[str, object], message: str) -> None:
    with pytest.raises(FormatError) as raised:
        solver.load_result(document)

    assert any(error.startswith(message) for error in raised.value.errors), raised.value.errors


def test_solve_json_turns_bad_input_into_an_invalid_result() -> None:
    result = solver.solve_json(b"\x80 not json")

    assert result.status == "invalid"
    assert result.errors == ("document: encodage UTF-8 invalide (octet 0x80 à la position 0)",)


def test_public_names_are_exported() -> None:
    for name in solver.__all__:
        assert hasattr(solver, name), name
    assert {"load", "dump", "load_result", "dump_problem", "validate", "solve", "solve_json",
            "explain", "Problem", "Result"} <= set(solver.__all__)
