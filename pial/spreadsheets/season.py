"""The season workbook: every published allocation line in one tidy table, plus pivots.

Written in openpyxl's write-only mode: rows stream to disk as they come, so a full year of
lines costs little memory and time. The pivots are summed on the way.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

from pial.spreadsheets.data import SeasonRow
from pial.spreadsheets.styles import (
    DATE_FORMAT,
    FORMULA_TRIGGERS,
    HEADER_FILL,
    HEADER_FONT,
    KG_KM_FORMAT,
    MONEY_FORMAT,
    QUANTITY_FORMAT,
)

DATA_SHEET = "Données"
PIVOT_SHEETS = {
    "farm_name": "Par producteur",
    "canteen_name": "Par cantine",
    "product_name": "Par produit",
}
DATA_COLUMNS = (
    "Semaine", "Jour", "Producteur", "Cantine", "Produit", "Quantité", "Unité",
    "Quantité (kg)", "Valeur HT (€)", "Distance (km)",
)  # fmt: skip
PIVOT_COLUMNS = ("Quantité (kg)", "Valeur HT (€)", "kg·km", "Lignes")


@dataclass(slots=True)
class _Totals:
    quantity_kg: Decimal = Decimal(0)
    value_eur: Decimal = Decimal(0)
    kg_km: Decimal = Decimal(0)
    lines: int = 0


def write_season_workbook(season_code: str, rows: Iterable[SeasonRow], stream: IO[bytes]) -> int:
    """Stream a season's rows and its pivots to ``stream``; return the number of rows."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(DATA_SHEET)
    sheet.freeze_panes = "A2"
    _set_widths(sheet, (10, 11, 26, 30, 24, 11, 8, 13, 13, 12))
    sheet.append([_header_cell(sheet, title) for title in DATA_COLUMNS])
    totals: dict[str, dict[str, _Totals]] = {key: defaultdict(_Totals) for key in PIVOT_SHEETS}
    count = 0
    for row in rows:
        sheet.append(
            [
                row.iso_week,
                _date_cell(sheet, row),
                _text(sheet, row.farm_name),
                _text(sheet, row.canteen_name),
                _text(sheet, row.product_name),
                row.quantity,
                row.unit,
                row.quantity_kg,
                row.value_eur,
                row.distance_km,
            ]
        )
        kg_km = row.quantity_kg * Decimal(str(row.distance_km))
        for key in PIVOT_SHEETS:
            entry = totals[key][getattr(row, key)]
            entry.quantity_kg += row.quantity_kg
            entry.value_eur += row.value_eur
            entry.kg_km += kg_km
            entry.lines += 1
        count += 1
    for key, title in PIVOT_SHEETS.items():
        _write_pivot(workbook, title, season_code, totals[key])
    workbook.save(stream)
    return count


def _write_pivot(workbook: Any, title: str, season_code: str, totals: dict[str, _Totals]) -> None:
    """Write one pivot sheet: a row per name, sorted by value, then the grand total."""
    sheet = workbook.create_sheet(title)
    sheet.freeze_panes = "A2"
    _set_widths(sheet, (30, 15, 15, 14, 9))
    first = title.removeprefix("Par ").capitalize()
    sheet.append(
        [_header_cell(sheet, f"{first} ({season_code})")]
        + [_header_cell(sheet, column) for column in PIVOT_COLUMNS]
    )
    grand = _Totals()
    for name, entry in sorted(totals.items(), key=lambda item: (-item[1].value_eur, item[0])):
        sheet.append(
            [
                _text(sheet, name),
                _number(sheet, entry.quantity_kg, QUANTITY_FORMAT),
                _number(sheet, entry.value_eur, MONEY_FORMAT),
                _number(sheet, entry.kg_km.quantize(Decimal(1)), KG_KM_FORMAT),
                entry.lines,
            ]
        )
        grand.quantity_kg += entry.quantity_kg
        grand.value_eur += entry.value_eur
        grand.kg_km += entry.kg_km
        grand.lines += entry.lines
    sheet.append(
        [
            _header_cell(sheet, "Total"),
            _number(sheet, grand.quantity_kg, QUANTITY_FORMAT),
            _number(sheet, grand.value_eur, MONEY_FORMAT),
            _number(sheet, grand.kg_km.quantize(Decimal(1)), KG_KM_FORMAT),
            grand.lines,
        ]
    )


def _header_cell(sheet: Any, title: str) -> Any:
    cell = WriteOnlyCell(sheet, value=title)
    cell.font = HEADER_FONT
    cell.fill = HEADER_FILL
    return cell


def _date_cell(sheet: Any, row: SeasonRow) -> Any:
    cell = WriteOnlyCell(sheet, value=row.day)
    cell.number_format = DATE_FORMAT
    return cell


def _number(sheet: Any, value: Decimal, number_format: str) -> Any:
    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = number_format
    return cell


def _text(sheet: Any, text: str) -> Any:
    """Return ``text`` for a write-only row, forced to a string cell if it looks like a formula."""
    if not text.startswith(FORMULA_TRIGGERS):
        return text
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"
    return cell


def _set_widths(sheet: Any, widths: tuple[int, ...]) -> None:
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
