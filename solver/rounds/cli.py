"""`python -m solver rounds solve|check`: plan a day's rounds from a file, or verify them.

Exit codes: 0 success (every line served, or every rule holds), 1 some lines unserved or some
rule broken, 2 invalid or unreadable file.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from solver.cli import (
    EXIT_INFEASIBLE,
    EXIT_INVALID,
    EXIT_OK,
    STDIO,
    _FrenchArgumentParser,
    _print_error,
    _read_bytes,
    _translate_titles,
    _write_text,
)
from solver.rounds.check import check_rounds
from solver.rounds.io import (
    RoundsFormatError,
    dumps,
    problem_from_dict,
    result_from_dict,
    result_to_dict,
)


def main(argv: Sequence[str]) -> int:
    """Run `python -m solver rounds` on ``argv``; return the exit code."""
    parser = _FrenchArgumentParser(
        prog="python -m solver rounds",
        description="Tournées de livraison d'un jour (formats pial-rounds/1 et "
        "pial-rounds-result/1, voir docs/rounds-format.md).",
        epilog="Codes de sortie : 0 succès, 1 lignes non servies ou règle enfreinte, "
        "2 fichier invalide ou illisible.",
    )
    _translate_titles(parser)
    commands = parser.add_subparsers(title="commandes", dest="command", required=True,
                                     metavar="COMMANDE")
    solve = commands.add_parser("solve", help="calculer les tournées d'un jour")
    solve.add_argument("instance", metavar="JOUR.json", help="fichier du jour, ou - ")
    solve.add_argument("-o", "--output", metavar="TOURNEES.json", default=STDIO,
                       help="fichier de tournées, ou - pour la sortie standard (défaut)")
    check = commands.add_parser("check", help="vérifier chaque règle d'un fichier de tournées")
    check.add_argument("rounds", metavar="TOURNEES.json", help="fichier écrit par « solve »")
    for subparser in commands.choices.values():
        _translate_titles(subparser)
    options = parser.parse_args(list(argv))
    if options.command == "solve":
        return _solve(options)
    return _check(options)


def _load_json(path: str) -> object | None:
    """Read a JSON file; report and return None when unreadable."""
    source = _read_bytes(path)
    if source is None:
        return None
    try:
        data: object = json.loads(source)
    except ValueError as error:
        _print_error(f"{path} : JSON illisible ({error})")
        return None
    return data


def _solve(options: argparse.Namespace) -> int:
    """Solve a day file and write the rounds document."""
    from solver.rounds.solve import solve_rounds

    data = _load_json(options.instance)
    if data is None:
        return EXIT_INVALID
    try:
        problem = problem_from_dict(data)
    except RoundsFormatError as error:
        _print_error(f"{options.instance} : jour invalide", error.errors)
        return EXIT_INVALID
    result = solve_rounds(problem)
    if result.status == "invalid":
        _print_error(f"{options.instance} : jour invalide", result.errors)
        return EXIT_INVALID
    if not _write_text(dumps(result_to_dict(problem, result)), options.output):
        return EXIT_INVALID
    for item in result.unserved:
        sys.stderr.write(f"ligne {item.line_id} non servie : {item.message}\n")
    return EXIT_OK if result.status == "ok" else EXIT_INFEASIBLE


def _check(options: argparse.Namespace) -> int:
    """Print OK, or each broken rule of a rounds document."""
    data = _load_json(options.rounds)
    if data is None:
        return EXIT_INVALID
    try:
        problem, result = result_from_dict(data)
    except RoundsFormatError as error:
        _print_error(f"{options.rounds} : fichier de tournées invalide", error.errors)
        return EXIT_INVALID
    errors = check_rounds(problem, result)
    _write_text("".join(f"{message}\n" for message in errors) if errors else "OK\n", STDIO)
    return EXIT_INFEASIBLE if errors else EXIT_OK
