"""Refusals are translatable: no bare French literal reaches a user, with or without a request."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask_babel import force_locale

from pial.errors import NotFound
from pial.weeks.calendar import get_week
from pial.weeks.saving import SaveReport

PIAL = Path(__file__).resolve().parents[2] / "pial"
GETTEXT_NAMES = {"_", "gettext", "ngettext", "lazy_gettext", "_l", "N_"}
BASE_REFUSALS = {"ServiceError", "NotFound", "Forbidden", "Conflict", "InvalidInput"}
# The backup commands speak to an operator in a terminal (CLI output stays French).
CLI_ONLY = {Path("pial/maintenance/backups.py")}
# These pass on a message marked elsewhere (N_ subjects and unit names, pial/units.py; the
# spreadsheets' Flask-free shim).
FORWARDERS = {
    Path("pial/notifications/messages.py"), Path("pial/spreadsheets/data.py"), Path("pial/i18n.py"),
}


def _modules() -> Iterator[tuple[Path, ast.Module]]:
    for path in sorted(PIAL.rglob("*.py")):
        yield path, ast.parse(path.read_text(encoding="utf-8"))


def _called_name(call: ast.Call) -> str:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return ""


def _refusal_classes() -> set[str]:
    """Return ServiceError and every class of pial/ that derives from it, however deep."""
    names = set(BASE_REFUSALS)
    classes = [node for _path, tree in _modules() for node in ast.walk(tree)
               if isinstance(node, ast.ClassDef)]  # fmt: skip
    grew = True
    while grew:
        grew = False
        for node in classes:
            bases = {base.id for base in node.bases if isinstance(base, ast.Name)}
            if node.name not in names and bases & names:
                names.add(node.name)
                grew = True
    return names


def _bare_text(node: ast.AST) -> bool:
    """Tell whether ``node`` builds user text without gettext (literal, f-string, concatenation)."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and any(char.isalpha() for char in node.value)
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
        return _bare_text(node.left) or _bare_text(node.right)
    return False


def _field_messages(node: ast.AST) -> Iterator[ast.AST]:
    """Yield the messages of a literal ``{"field": ["message", …]}`` mapping."""
    if isinstance(node, ast.Dict):
        for value in node.values:
            if isinstance(value, ast.List):
                yield from value.elts


def _untranslated(refusals: set[str]) -> list[str]:
    found = []
    for path, tree in _modules():
        where = path.relative_to(PIAL.parent)
        if where in CLI_ONLY:
            continue
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = _called_name(node)
            if name in refusals or name == "flash":
                messages = list(node.args[:1])
                for argument in [*node.args[1:], *(k.value for k in node.keywords)]:
                    messages.extend(_field_messages(argument))
                found += [f"{where}:{m.lineno} {name}" for m in messages if _bare_text(m)]
            literal = node.args and isinstance(node.args[0], ast.Constant)
            if name in GETTEXT_NAMES and node.args and not literal and where not in FORWARDERS:
                found.append(f"{where}:{node.lineno} {name}() of a non-literal")
    return found


def test_no_refusal_nor_flash_carries_a_bare_literal() -> None:
    refusals = _refusal_classes()
    assert {"AccountError", "StaleVersion", "BackupError"} <= refusals
    assert _untranslated(refusals) == []


def test_the_scan_catches_a_bare_refusal() -> None:
    tree = ast.parse('raise Conflict(f"La semaine {n} est close.")\nflash("Enregistré.", "ok")')
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)]
    assert all(_bare_text(call.args[0]) for call in calls)
    assert not _bare_text(ast.parse('_("Semaine %(n)s", n=n)', mode="eval").body)


def test_a_service_outside_a_request_speaks_french_then_english(db: Any) -> None:
    """The scheduler and the CLI run services under an app context only: French by default."""
    with pytest.raises(NotFound) as french:
        get_week("2099-W01")
    assert str(french.value) == "La semaine 2099-W01 n'existe pas encore."
    with force_locale("en"), pytest.raises(NotFound) as english:
        get_week("2099-W01")
    assert str(english.value) == "Week 2099-W01 does not exist yet."


def test_a_save_report_agrees_in_both_languages(app_context: None) -> None:
    report = SaveReport("order", saved=0, created=0, updated=0, unchanged=0, removed=3, version="")
    assert report.describe() == "0 ligne de commande enregistrée, 3 retirées."
    with force_locale("en"):
        assert report.describe() == "0 order lines saved, 3 removed."
