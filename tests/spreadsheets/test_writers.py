"""The pure writers and helpers: no database, no request."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from pial.spreadsheets.reading import parse_decimal_text
from pial.spreadsheets.styles import csv_safe, french_number, set_text
from pial.spreadsheets.xlsx_stream import DATE, MONEY, StreamingWorkbook


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


def test_streaming_workbook_reads_back() -> None:
    stream = io.BytesIO()
    workbook = StreamingWorkbook(stream)
    with workbook.sheet("Données", ("Texte", "Jour", "Montant"), (20, 12, 12)) as sheet:
        sheet.append(("=1+1", dt.date(2026, 11, 23), Decimal("12.50")), (0, DATE, MONEY))
        sheet.append((" espace & <balise>\x01", None, 3.5))
    with workbook.sheet("Vide", ("A",)):
        pass
    workbook.close()
    read = load_workbook(io.BytesIO(stream.getvalue()))
    assert read.sheetnames == ["Données", "Vide"]
    data = read["Données"]
    assert [cell.value for cell in data[1]] == ["Texte", "Jour", "Montant"]
    assert data["A1"].font.bold and data.freeze_panes == "A2"
    assert data["A2"].value == "=1+1" and data["A2"].data_type == "s"
    assert (
        data["B2"].value == dt.datetime(2026, 11, 23) and data["B2"].number_format == "dd/mm/yyyy"
    )
    assert data["C2"].value == 12.5 and data["C2"].number_format == '#,##0.00\\ "€"'
    assert data["A3"].value == " espace & <balise>" and data["B3"].value is None
    assert data.column_dimensions["A"].width == 20


def test_writers_import_neither_flask_nor_sqlalchemy() -> None:
    code = (
        "import sys\n"
        "import pial.spreadsheets.planning, pial.spreadsheets.season, "
        "pial.spreadsheets.macantine, pial.spreadsheets.entry, pial.spreadsheets.reading\n"
        "print(sorted(m for m in ('flask', 'sqlalchemy') if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
