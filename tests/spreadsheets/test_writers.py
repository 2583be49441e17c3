"""The pure writers and helpers: no database, no request."""

from __future__ import annotations

import io
import subprocess
import sys
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from pial.spreadsheets.reading import parse_decimal_text
from pial.spreadsheets.styles import csv_safe, french_number, set_text


@pytest.mark.parametrize(
    "text", ["=1+1", "+33 6", "-2", "@SUM(A1)", '=HYPERLINK("http://x","clic")']
)
def test_set_text_never_writes_a_formula(text: str) -> None:
    workbook = Workbook()
    set_text(workbook.active["A1"], text)
    stream = io.BytesIO()
    workbook.save(stream)
    cell = load_workbook(io.BytesIO(stream.getvalue())).active["A1"]
    assert cell.value == text and cell.data_type == "s"


def test_csv_safe_prefixes_formula_triggers() -> None:
    assert csv_safe("=cmd") == "'=cmd"
    assert csv_safe("-5") == "'-5"
    assert csv_safe("Ferme du Pradet") == "Ferme du Pradet"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("12,5", Decimal("12.5")), ("1 234,5", Decimal("1234.5")), (" 3.25 ", Decimal("3.25")),
     ("abc", None), ("1,2,3", None), ("", None)],
)  # fmt: skip
def test_parse_decimal_text(text: str, expected: Decimal | None) -> None:
    assert parse_decimal_text(text) == expected


def test_french_number() -> None:
    assert french_number(Decimal("1234.5")) == "1\u202f234,50"


def test_writers_import_neither_flask_nor_sqlalchemy() -> None:
    code = (
        "import sys\n"
        "import pial.spreadsheets.planning, pial.spreadsheets.season, "
        "pial.spreadsheets.entry, pial.spreadsheets.reading\n"
        "print(sorted(m for m in ('flask', 'sqlalchemy') if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
