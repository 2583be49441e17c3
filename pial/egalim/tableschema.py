"""Read a Frictionless table schema and check rows of text cells against its own rules.

Only what ma-cantine's purchase schema uses is interpreted: the field names and their order,
the types ``string``, ``any``, ``date`` (with a ``%``-format), ``number`` (decimal point) and
``boolean`` (``trueValues``/``falseValues``), and the ``required`` and ``pattern`` constraints.
A field of another type, or another constraint, raises ``ValueError`` when the schema is read,
so a new rule published by ma-cantine can never be silently ignored. Pure: no Flask, no
database; messages go through :func:`pial.spreadsheets.data.gettext`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from pial.spreadsheets.data import gettext

SCHEMA_DIR = Path(__file__).parent / "schemas"
PURCHASE_SCHEMA_PATH = SCHEMA_DIR / "achats_siret.json"
"""The verbatim copy of ma-cantine's ``achats_siret.json`` (see ``schemas/SOURCE.md``)."""

KNOWN_TYPES = {"string", "any", "date", "number", "boolean"}
KNOWN_CONSTRAINTS = {"required", "pattern"}
MISSING_VALUES = ("",)  # Frictionless' default: an empty cell is a missing value
NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
DEFAULT_TRUE = ("true", "True", "TRUE", "1")
DEFAULT_FALSE = ("false", "False", "FALSE", "0")


@dataclass(frozen=True, slots=True)
class Field:
    """One column of a table schema and the rules its cells follow."""

    name: str
    type: str
    date_format: str | None
    required: bool
    pattern: re.Pattern[str] | None
    true_values: tuple[str, ...]
    false_values: tuple[str, ...]
    enum: tuple[str, ...]  # the documented values (``doc_enum``), for ordering and display

    def problem(self, cell: str) -> str | None:
        """Return a French message saying why ``cell`` breaks this field's rules, or None."""
        if cell in MISSING_VALUES:
            return gettext("valeur obligatoire manquante") if self.required else None
        if self.type == "date" and not _is_date(cell, self.date_format):
            return gettext("« %(cell)s » n'est pas une date au format AAAA-MM-JJ", cell=cell)
        if self.type == "number" and not NUMBER.fullmatch(cell):
            return gettext(
                "« %(cell)s » n'est pas un nombre écrit avec un point décimal", cell=cell
            )
        if self.type == "boolean" and cell not in self.true_values + self.false_values:
            return gettext(
                "« %(cell)s » n'est pas une des valeurs %(values)s",
                cell=cell, values=", ".join(self.true_values + self.false_values),
            )  # fmt: skip
        if self.pattern is not None and not self.pattern.fullmatch(cell):
            return gettext("« %(cell)s » n'est pas une valeur admise", cell=cell)
        return None


@dataclass(frozen=True, slots=True)
class TableSchema:
    """The fields of a table schema, in order, and the file's encoding."""

    name: str
    encoding: str
    fields: tuple[Field, ...]

    @property
    def field_names(self) -> tuple[str, ...]:
        """Return the header of a conforming file, in order."""
        return tuple(field.name for field in self.fields)

    def field(self, name: str) -> Field:
        """Return the field called ``name``."""
        return next(field for field in self.fields if field.name == name)

    def header_problems(self, header: list[str]) -> list[str]:
        """Return why a header row differs from the schema's fields (names and order)."""
        if tuple(header) == self.field_names:
            return []
        return [
            gettext(
                "En-tête : « %(found)s » au lieu de « %(expected)s ».",
                found=",".join(header), expected=",".join(self.field_names),
            )
        ]  # fmt: skip

    def row_problems(self, row: Mapping[str, str]) -> list[tuple[str, str]]:
        """Return (field name, French message) for each cell of ``row`` that breaks a rule."""
        problems = []
        for field in self.fields:
            message = field.problem(row.get(field.name, ""))
            if message is not None:
                problems.append((field.name, message))
        return problems


def _is_date(cell: str, date_format: str | None) -> bool:
    try:
        if date_format is None:
            dt.date.fromisoformat(cell)
        else:
            dt.datetime.strptime(cell, date_format)
    except ValueError:
        return False
    return True


def _field(descriptor: Mapping[str, Any]) -> Field:
    """Read one field descriptor, refusing a type or constraint this module does not know."""
    name = descriptor["name"]
    kind = descriptor.get("type", "string")
    constraints = descriptor.get("constraints", {})
    if kind not in KNOWN_TYPES or set(constraints) - KNOWN_CONSTRAINTS:
        raise ValueError(f"field {name}: type {kind} or constraints {sorted(constraints)} unknown")
    date_format = descriptor.get("format")
    if kind != "date" or date_format in (None, "default", "any"):
        date_format = None
    pattern = constraints.get("pattern")
    return Field(
        name=name,
        type=kind,
        date_format=date_format,
        required=bool(constraints.get("required", False)),
        pattern=re.compile(pattern) if pattern else None,
        true_values=tuple(descriptor.get("trueValues", DEFAULT_TRUE)),
        false_values=tuple(descriptor.get("falseValues", DEFAULT_FALSE)),
        enum=tuple(descriptor.get("doc_enum", ())),
    )


def read_schema(path: Path) -> TableSchema:
    """Read a table schema file."""
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    return TableSchema(
        name=descriptor.get("name", path.stem),
        encoding=descriptor.get("encoding", "utf-8"),
        fields=tuple(_field(field) for field in descriptor["fields"]),
    )


@cache
def purchase_schema() -> TableSchema:
    """Return ma-cantine's purchase-import schema, read once from the repository's copy."""
    return read_schema(PURCHASE_SCHEMA_PATH)
