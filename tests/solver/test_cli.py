"""`python -m solver`: solve, validate, explain and bench, run as a user would."""

from __future__ import annotations

import json
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import pytest

import solver
from solver import cli
from tests.solver.sample_instances import explain_instance, spec_instance

REPO_DIR = Path(__file__).resolve().parents[2]


def _run(*arguments: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "solver", *arguments], input=stdin, capture_output=True,
        cwd=REPO_DIR, timeout=120, check=False,
    )


def _write(path: Path, document: dict[str, Any]) -> Path:
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def _infeasible_instance() -> dict[str, Any]:
    instance = spec_instance()
    instance["locked"] = [{"grower": "g-ferme-du-pic", "canteen": "c-cite-scolaire",
                           "product": "carotte", "day": "2026-11-23", "quantity": 100}]
    return instance


def test_validate_prints_ok_for_a_valid_instance(tmp_path: Path) -> None:
    completed = _run("validate", str(_write(tmp_path / "week.json", spec_instance())))

    assert completed.returncode == 0
    assert completed.stdout.decode() == "OK\n"


def test_validate_prints_each_error_and_exits_2(tmp_path: Path) -> None:
    instance = spec_instance()
    instance["orders"][0]["quantity"] = -5
    instance["week"] = "semaine 48"

    completed = _run("validate", str(_write(tmp_path / "week.json", instance)))

    assert completed.returncode == 2
    assert completed.stdout.decode("utf-8").splitlines() == [
        'week: semaine ISO invalide, attendu AAAA-Wss (reçu "semaine 48")',
        "orders[0].quantity: doit être un nombre positif ou nul (reçu -5)",
    ]


def test_validate_reads_standard_input() -> None:
    completed = _run("validate", "-", stdin=json.dumps(spec_instance()).encode())

    assert (completed.returncode, completed.stdout) == (0, b"OK\n")


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"\xff\xfe\x00", "document: encodage UTF-8 invalide"),
     (b'{"format": ', "document: JSON mal formé, ligne 1 colonne 12"),
     (b"[1, 2]", "document: doit être un objet JSON (reçu une liste)")],
)
def test_validate_reports_unreadable_json_without_traceback(tmp_path: Path, content: bytes,
                                                            message: str) -> None:
    path = tmp_path / "week.json"
    path.write_bytes(content)

    completed = _run("validate", str(path))

    assert completed.returncode == 2
    assert completed.stdout.decode().startswith(message)
    assert b"Traceback" not in completed.stderr


def test_lone_surrogates_in_json_strings_do_not_break_the_output(tmp_path: Path) -> None:
    instance = spec_instance()
    instance["products"][0]["name"] = "Carotte \ud800"
    instance["orders"][0]["product"] = "carotte-\udfff"
    path = tmp_path / "week.json"
    path.write_text(json.dumps(instance), encoding="ascii")  # escapes the surrogates as \uXXXX

    validated = _run("validate", str(path))
    solved = _run("solve", str(path))

    assert validated.returncode == solved.returncode == 2
    assert validated.stdout.decode("utf-8") == (
        'orders[0].product: produit inconnu "carotte-\\udfff"\n'
    )
    assert json.loads(solved.stdout)["errors"] == ['orders[0].product: produit inconnu '
                                                   '"carotte-\udfff"']
    assert b"Traceback" not in validated.stderr + solved.stderr


def test_missing_file_exits_2_with_a_french_message(tmp_path: Path) -> None:
    completed = _run("solve", str(tmp_path / "absent.json"))

    assert completed.returncode == 2
    assert "lecture impossible" in completed.stderr.decode()
    assert b"Traceback" not in completed.stderr


def test_solve_writes_the_result_to_standard_output(tmp_path: Path) -> None:
    completed = _run("solve", str(_write(tmp_path / "week.json", spec_instance())))

    assert completed.returncode == 0
    result = json.loads(completed.stdout)
    assert result["format"] == "pial-allocation-result/1"
    assert result["status"] == "optimal"
    assert result["allocations"] == [
        {"grower": "g-ferme-du-pic", "canteen": "c-cite-scolaire", "product": "carotte",
         "day": "2026-11-23", "quantity": 80}
    ]
    assert "errors" not in result


def test_solve_reads_stdin_and_writes_the_output_file(tmp_path: Path) -> None:
    output = tmp_path / "result.json"

    completed = _run("solve", "-", "-o", str(output), stdin=json.dumps(spec_instance()).encode())

    assert completed.returncode == 0
    assert completed.stdout == b""
    assert solver.load_result(output.read_bytes()).status == "optimal"


def test_solve_of_an_invalid_instance_writes_errors_and_exits_2(tmp_path: Path) -> None:
    instance = spec_instance()
    del instance["growers"][0]["lat"]

    completed = _run("solve", str(_write(tmp_path / "week.json", instance)))

    assert completed.returncode == 2
    result = json.loads(completed.stdout)
    assert result["status"] == "invalid"
    assert result["errors"] == ["growers[0].lat: champ obligatoire manquant"]
    assert "growers[0].lat: champ obligatoire manquant" in completed.stderr.decode()


def test_solve_of_contradictory_locked_rows_exits_1(tmp_path: Path) -> None:
    completed = _run("solve", str(_write(tmp_path / "week.json", _infeasible_instance())))

    assert completed.returncode == 1
    result = json.loads(completed.stdout)
    assert result["status"] == "infeasible"
    assert result["errors"] == [
        "locked : c-cite-scolaire carotte 2026-11-23 reçoit 100 pour 80 commandés"
    ]


def test_explain_tells_why_lines_are_short(tmp_path: Path) -> None:
    instance_path = _write(tmp_path / "week.json", explain_instance())
    result_path = tmp_path / "result.json"
    assert _run("solve", str(instance_path), "-o", str(result_path)).returncode == 0

    completed = _run("explain", str(instance_path), str(result_path))

    assert completed.returncode == 0
    text = completed.stdout.decode("utf-8")
    assert "Manque 20 kg : aucune offre de Courge pour le mardi 24/11/2026" in text
    assert "au-delà de la distance maximale de 80 km" in text
    assert "Ferme Proche : 40 kg (8 lots de 5 kg) — à 12,5 km" in text


def test_explain_of_an_infeasible_result_exits_1(tmp_path: Path) -> None:
    instance_path = _write(tmp_path / "week.json", _infeasible_instance())
    result_path = tmp_path / "result.json"
    _run("solve", str(instance_path), "-o", str(result_path))

    completed = _run("explain", str(instance_path), str(result_path))

    assert completed.returncode == 1
    assert ("Cité scolaire — Carotte, lundi 23/11/2026 : 100 kg fixés pour 80 kg commandés"
            in completed.stdout.decode("utf-8"))


def test_explain_refuses_a_malformed_result(tmp_path: Path) -> None:
    instance_path = _write(tmp_path / "week.json", spec_instance())
    result_path = _write(tmp_path / "result.json", {"format": "pial-allocation-result/1"})

    completed = _run("explain", str(instance_path), str(result_path))

    assert completed.returncode == 2
    assert "résultat illisible" in completed.stderr.decode("utf-8")
    assert "status: champ obligatoire manquant" in completed.stderr.decode("utf-8")


def test_explain_refuses_an_invalid_instance(tmp_path: Path) -> None:
    instance = spec_instance()
    instance["week"] = "2026-W99"
    instance_path = _write(tmp_path / "week.json", instance)
    result_path = _write(tmp_path / "result.json", json.loads(solver.dump(
        solver.Result(status="optimal"))))

    completed = _run("explain", str(instance_path), str(result_path))

    assert completed.returncode == 2
    assert "week: la semaine 2026-W99 n'existe pas" in completed.stderr.decode("utf-8")


def test_help_is_in_french() -> None:
    completed = _run("--help")

    assert completed.returncode == 0
    text = completed.stdout.decode("utf-8")
    assert text.startswith("utilisation : python -m solver")
    assert "calculer la répartition d'une instance" in text
    assert "Codes de sortie : 0 succès, 1 aucun plan possible, 2 instance invalide" in text


def test_usage_errors_are_in_french_and_exit_2() -> None:
    missing_command = _run()
    missing_instance = _run("solve")
    unknown_command = _run("resoudre")

    assert missing_command.returncode == missing_instance.returncode == 2
    assert unknown_command.returncode == 2
    assert "arguments obligatoires manquants : COMMANDE" in missing_command.stderr.decode()
    assert missing_instance.stderr.decode("utf-8").splitlines() == [
        "utilisation : python -m solver solve [-h] [-o RESULTAT.json] INSTANCE.json",
        "python -m solver solve : erreur : arguments obligatoires manquants : INSTANCE.json",
    ]
    assert "choix invalide 'resoudre'" in unknown_command.stderr.decode("utf-8")


def test_bench_hands_its_arguments_to_the_bench_main(monkeypatch: pytest.MonkeyPatch) -> None:
    received: list[list[str]] = []

    def fake_main(argv: list[str]) -> int:
        received.append(argv)
        return 3

    fake_bench = types.ModuleType("solver.bench")
    fake_bench.main = fake_main  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "solver.bench", fake_bench)

    assert cli.main(["bench", "--scale", "luchon", "--help"]) == 3
    assert received == [["--scale", "luchon", "--help"]]


def test_bench_without_a_main_is_reported_not_raised(monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setitem(sys.modules, "solver.bench", types.ModuleType("solver.bench"))

    assert cli.main(["bench"]) == 2
    assert "le banc d'essai n'est pas disponible" in capsys.readouterr().err
