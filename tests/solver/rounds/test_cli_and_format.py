"""The JSON exchange format read back, bad files named field by field, `rounds solve|check`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from solver.cli import main
from solver.rounds import (
    RoundsFormatError,
    Settings,
    problem_from_dict,
    problem_to_dict,
    result_from_dict,
    result_to_dict,
    solve_rounds,
)
from solver.rounds.generate import generate_day


def _day() -> dict[str, object]:
    return problem_to_dict(generate_day(num_farms=5, num_canteens=3, num_vans=2, seed=3,
                                        settings=Settings(solution_limit=30)))


def test_a_day_and_its_rounds_read_back_unchanged() -> None:
    problem = problem_from_dict(_day())
    result = solve_rounds(problem)

    document = json.loads(json.dumps(result_to_dict(problem, result)))
    problem_back, result_back = result_from_dict(document)

    assert problem_back == problem
    assert result_back.routes == result.routes
    assert result_back.unserved == result.unserved
    assert result_back.shares == result.shares
    assert document["problem"]["canteens"][0]["windows"] in (
        [["07:00", "10:00"]], [["09:30", "11:30"]]
    )


def test_a_bad_day_names_each_faulty_field_in_french() -> None:
    day = _day()
    day["canteens"][0]["windows"] = [["7h", "10:00"]]  # type: ignore[index]
    day["vehicles"][1]["capacity_kg"] = "beaucoup"  # type: ignore[index]

    with pytest.raises(RoundsFormatError) as raised:
        problem_from_dict(day)

    assert "canteens[0].windows : heure « 7h » attendue au format HH:MM" in raised.value.errors
    assert "vehicles[1].capacity_kg : nombre attendu" in raised.value.errors


def test_solve_then_check_on_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    day, rounds = tmp_path / "jour.json", tmp_path / "tournees.json"
    day.write_text(json.dumps(_day()), encoding="utf-8")

    assert main(["rounds", "solve", str(day), "-o", str(rounds)]) == 0
    assert main(["rounds", "check", str(rounds)]) == 0
    assert capsys.readouterr().out == "OK\n"

    # Move a delivery out of its canteen's windows: `check` must say so.
    document = json.loads(rounds.read_text(encoding="utf-8"))
    stop = next(s for r in document["routes"] for s in r["stops"] if s["place"].startswith(
        "canteen:"))
    stop["arrival"] = "23:00"
    rounds.write_text(json.dumps(document), encoding="utf-8")
    assert main(["rounds", "check", str(rounds)]) == 1
    assert "hors de ses fenêtres de livraison" in capsys.readouterr().out


def test_an_unreadable_day_exits_2_with_a_french_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    day = tmp_path / "jour.json"
    day.write_text('{"format": "pial-rounds/1", "lines": 3}', encoding="utf-8")

    assert main(["rounds", "solve", str(day)]) == 2
    assert "lines : une liste est attendue" in capsys.readouterr().err
