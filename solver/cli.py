"""The `python -m solver` command line: solve, validate, explain and bench an instance file.

Exit codes: 0 success, 1 infeasible instance, 2 invalid instance or unreadable file.
"""

from __future__ import annotations

import argparse
import importlib
import re
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn

from solver.io import FormatError, dump, load, load_result
from solver.problem import Result

EXIT_OK = 0
EXIT_INFEASIBLE = 1
EXIT_INVALID = 2

_EXIT_BY_STATUS = {
    "optimal": EXIT_OK,
    "feasible": EXIT_OK,
    "infeasible": EXIT_INFEASIBLE,
    "invalid": EXIT_INVALID,
}
STDIO = "-"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line on `argv` (default: sys.argv) and return the exit code."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    # The bench has its own options; handing it the raw arguments keeps its --help its own.
    if arguments[:1] == ["bench"]:
        return run_bench(arguments[1:])
    if arguments[:1] == ["rounds"]:
        from solver.rounds.cli import main as rounds_main

        return rounds_main(arguments[1:])
    parser = build_parser()
    options = parser.parse_args(arguments)
    handler: Callable[[argparse.Namespace], int] = options.handler
    return handler(options)


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of `python -m solver`, with French help."""
    parser = _FrenchArgumentParser(
        prog="python -m solver",
        description="Répartition hebdomadaire des commandes des cantines entre producteurs "
        "(format pial-allocation/1).",
        epilog="Codes de sortie : 0 succès, 1 aucun plan possible, 2 instance invalide ou "
        "fichier illisible.",
    )
    _translate_titles(parser)
    commands = parser.add_subparsers(title="commandes", dest="command", required=True,
                                     metavar="COMMANDE")

    solve_parser = commands.add_parser(
        "solve", help="calculer la répartition d'une instance",
        description="Lit une instance JSON et écrit le résultat JSON (pial-allocation-result/1).",
    )
    solve_parser.add_argument("instance", metavar="INSTANCE.json",
                              help="fichier d'instance, ou - pour l'entrée standard")
    solve_parser.add_argument("-o", "--output", metavar="RESULTAT.json", default=STDIO,
                              help="fichier de résultat, ou - pour la sortie standard (défaut)")
    solve_parser.set_defaults(handler=run_solve)

    validate_parser = commands.add_parser(
        "validate", help="vérifier une instance sans la résoudre",
        description="Affiche OK, ou la liste des erreurs en nommant chaque champ fautif.",
    )
    validate_parser.add_argument("instance", metavar="INSTANCE.json",
                                 help="fichier d'instance, ou - pour l'entrée standard")
    validate_parser.set_defaults(handler=run_validate)

    explain_parser = commands.add_parser(
        "explain", help="expliquer un résultat en français",
        description="Raconte qui sert chaque ligne de commande et pourquoi, et la cause de "
        "chaque manque.",
    )
    explain_parser.add_argument("instance", metavar="INSTANCE.json",
                                help="fichier d'instance, ou - pour l'entrée standard")
    explain_parser.add_argument("result", metavar="RESULTAT.json",
                                help="fichier de résultat produit par « solve »")
    explain_parser.set_defaults(handler=run_explain)

    commands.add_parser(
        "bench", help="mesurer le solveur sur des instances générées (voir bench --help)",
        add_help=False,
    )
    commands.add_parser(
        "rounds", help="tournées de livraison d'un jour (voir rounds --help)", add_help=False,
    )
    for subparser in commands.choices.values():
        _translate_titles(subparser)
    return parser


def run_solve(options: argparse.Namespace) -> int:
    """Solve an instance file and write the result JSON."""
    # Lazy: `validate` and `--help` should not pay for importing OR-Tools.
    from solver import solve_json

    source = _read_bytes(options.instance)
    if source is None:
        return EXIT_INVALID
    result = solve_json(source)
    if not _write_text(dump(result), options.output):
        return EXIT_INVALID
    _report_errors(result)
    return _EXIT_BY_STATUS.get(result.status, EXIT_INVALID)


def run_validate(options: argparse.Namespace) -> int:
    """Print OK or the French error messages of an instance file."""
    source = _read_bytes(options.instance)
    if source is None:
        return EXIT_INVALID
    try:
        load(source)
    except FormatError as error:
        _write_text("".join(f"{message}\n" for message in error.errors), STDIO)
        return EXIT_INVALID
    _write_text("OK\n", STDIO)
    return EXIT_OK


def run_explain(options: argparse.Namespace) -> int:
    """Print a French explanation of a result for its instance."""
    from solver.explain import explain

    instance_source = _read_bytes(options.instance)
    result_source = _read_bytes(options.result)
    if instance_source is None or result_source is None:
        return EXIT_INVALID
    try:
        problem = load(instance_source)
    except FormatError as error:
        _print_error(f"{options.instance} : instance invalide", error.errors)
        return EXIT_INVALID
    try:
        result = load_result(result_source)
    except FormatError as error:
        _print_error(f"{options.result} : résultat illisible", error.errors)
        return EXIT_INVALID
    if not _write_text(explain(problem, result), STDIO):
        return EXIT_INVALID
    return EXIT_INFEASIBLE if result.status == "infeasible" else EXIT_OK


def run_bench(arguments: Sequence[str]) -> int:
    """Hand the arguments to the benchmark's own command line."""
    try:
        bench_main: Callable[[list[str]], int | None] = importlib.import_module(
            "solver.bench"
        ).main
    except (ImportError, AttributeError) as error:
        _print_error(f"le banc d'essai n'est pas disponible ({error})")
        return EXIT_INVALID
    return int(bench_main(list(arguments)) or 0)


def _read_bytes(path: str) -> bytes | None:
    """Read a file, or standard input for "-"; report and return None if unreadable."""
    try:
        if path == STDIO:
            return sys.stdin.buffer.read()
        with open(path, "rb") as file:
            return file.read()
    except OSError as error:
        _print_error(f"{path} : lecture impossible ({error.strerror or error})")
        return None


def _write_text(text: str, path: str) -> bool:
    """Write UTF-8 text to a file, or standard output for "-"; report failures."""
    # Lone surrogates (legal as JSON \u escapes) cannot be UTF-8; writing them back as \u escapes
    # keeps JSON output valid and text output readable.
    data = text.encode("utf-8", errors="backslashreplace")
    try:
        if path == STDIO:
            sys.stdout.flush()
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
        else:
            with open(path, "wb") as file:
                file.write(data)
    except OSError as error:
        _print_error(f"{path} : écriture impossible ({error.strerror or error})")
        return False
    return True


def _report_errors(result: Result) -> None:
    """Repeat an invalid instance's messages on standard error for whoever runs the command."""
    if result.status == "invalid":
        _print_error("instance invalide", result.errors)


def _print_error(headline: str, details: Sequence[str] = ()) -> None:
    """Print an error headline and its details on standard error."""
    lines = [f"erreur : {headline}", *(f"  {detail}" for detail in details)]
    data = ("\n".join(lines) + "\n").encode("utf-8", errors="backslashreplace")
    sys.stderr.flush()
    sys.stderr.buffer.write(data)
    sys.stderr.buffer.flush()


_ARGPARSE_MESSAGES = (
    (re.compile(r"the following arguments are required: (.*)"),
     r"arguments obligatoires manquants : \1"),
    (re.compile(r"argument (.*?): invalid choice: (.*?) \(choose from (.*)\)"),
     r"argument \1 : choix invalide \2 (choisir parmi \3)"),
    (re.compile(r"unrecognized arguments: (.*)"), r"arguments non reconnus : \1"),
    (re.compile(r"argument (.*?): expected one argument"), r"argument \1 : une valeur attendue"),
)


class _FrenchArgumentParser(argparse.ArgumentParser):
    """An argument parser whose usage line and error messages are in French."""

    def format_usage(self) -> str:
        """Return the usage line, introduced in French."""
        return _french_usage(super().format_usage())

    def format_help(self) -> str:
        """Return the help text, its usage line introduced in French."""
        return _french_usage(super().format_help())

    def error(self, message: str) -> NoReturn:
        """Print the usage and a French error message, then exit with status 2."""
        for pattern, french in _ARGPARSE_MESSAGES:
            if pattern.fullmatch(message):
                message = pattern.sub(french, message)
                break
        self.print_usage(sys.stderr)
        self.exit(EXIT_INVALID, f"{self.prog} : erreur : {message}\n")


def _french_usage(text: str) -> str:
    """Replace argparse's English "usage:" prefix."""
    return "utilisation : " + text.removeprefix("usage: ") if text.startswith("usage: ") else text


def _translate_titles(parser: argparse.ArgumentParser) -> None:
    """Give argparse's built-in section titles their French names."""
    for group in parser._action_groups:
        if group.title == "positional arguments":
            group.title = "arguments"
        elif group.title == "options":
            group.title = "options"
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction):
            action.help = "afficher cette aide et quitter"
