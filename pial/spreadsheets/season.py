"""The season workbook: every published allocation line in one tidy table, plus pivots.

openpyxl's write-only mode streams each row to the file as it comes from the database query,
so a full year costs little memory; the pivots (by grower, canteen and product) are summed on
the way and written after the table.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import chain, islice
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from pial.sheet_layout import MEASURED_ROWS, WidthMeter, set_print_layout
from pial.spreadsheets.data import SeasonRow
from pial.spreadsheets.styles import (
    DATE_FORMAT,
    HEADER_BORDER,
    HEADER_FILL,
    HEADER_FONT,
    KG_KM_FORMAT,
    KM_FORMAT,
    MONEY_FORMAT,
    QUANTITY_FORMAT,
)

DEFAULT = None
DATE = DATE_FORMAT
MONEY = MONEY_FORMAT
QUANTITY = QUANTITY_FORMAT
KM = KM_FORMAT
INTEGER = KG_KM_FORMAT

DATA_SHEET = "Données"
PIVOT_SHEETS = {
    "farm_name": ("Par producteur", "Producteur"),
    "canteen_name": ("Par cantine", "Cantine"),
    "product_name": ("Par produit", "Produit"),
}
DATA_COLUMNS = (
    "Semaine", "Jour", "Producteur", "Cantine", "Produit", "Quantité", "Unité",
    "Quantité (kg)", "Valeur HT (€)", "Distance (km)",
)  # fmt: skip
DATA_STYLES = (DEFAULT, DATE, DEFAULT, DEFAULT, DEFAULT, QUANTITY, DEFAULT, QUANTITY, MONEY, KM)
PIVOT_COLUMNS = ("Quantité (kg)", "Valeur HT (€)", "kg·km", "Lignes")
PIVOT_STYLES = (DEFAULT, QUANTITY, MONEY, INTEGER, INTEGER)
TOTAL_LABEL = "Total"


@dataclass(slots=True)
class _Totals:
    quantity_kg: Decimal = Decimal(0)
    value_eur: Decimal = Decimal(0)
    kg_km: Decimal = Decimal(0)
    lines: int = 0

    def add(self, other: _Totals) -> None:
        """Add another set of totals to this one."""
        self.quantity_kg += other.quantity_kg
        self.value_eur += other.value_eur
        self.kg_km += other.kg_km
        self.lines += other.lines


def _header(
    sheet: WriteOnlyWorksheet, titles: Sequence[str], meter: WidthMeter, title: str
) -> None:
    """Set the widths measured and the print layout, then write the bold, frozen title row."""
    meter.measure_row(titles, bold=True)
    meter.apply(sheet)
    set_print_layout(sheet, "1:1", title=title)
    sheet.freeze_panes = "A2"
    cells = []
    for title in titles:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font, cell.fill, cell.border = HEADER_FONT, HEADER_FILL, HEADER_BORDER
        cells.append(cell)
    sheet.append(cells)


def _append(
    sheet: WriteOnlyWorksheet, values: Sequence[Any], formats: Sequence[str | None]
) -> None:
    """Append a row; text stays text (never a formula), numbers get their format."""
    cells = []
    for value, number_format in zip(values, formats, strict=True):
        cell = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str):
            cell.data_type = "s"  # a leading "=" must not turn user text into a formula
        elif number_format is not None:
            cell.number_format = number_format
        cells.append(cell)
    sheet.append(cells)


def write_season_workbook(season_code: str, rows: Iterable[SeasonRow], stream: IO[bytes]) -> int:
    """Stream a season's rows and its pivots to ``stream``; return the number of rows."""
    workbook = Workbook(write_only=True)
    totals: dict[str, dict[str, _Totals]] = {key: defaultdict(_Totals) for key in PIVOT_SHEETS}
    count = 0
    data = workbook.create_sheet(DATA_SHEET)
    # A streamed sheet fixes its widths before its first row: measure the first rows (the
    # same farms, canteens and products recur all season), then stream the rest.
    remaining = iter(rows)
    first_rows = list(islice(remaining, MEASURED_ROWS))
    meter = WidthMeter()
    for row in first_rows:
        meter.measure_row(_data_values(row), DATA_STYLES)
    _header(data, DATA_COLUMNS, meter, f"Saison {season_code} — livraisons")
    for row in chain(first_rows, remaining):
        _append(data, _data_values(row), DATA_STYLES)
        kg_km = row.quantity_kg * Decimal(repr(row.distance_km))
        for key in PIVOT_SHEETS:
            entry = totals[key][getattr(row, key)]
            entry.quantity_kg += row.quantity_kg
            entry.value_eur += row.value_eur
            entry.kg_km += kg_km
            entry.lines += 1
        count += 1
    for key, (title, first_column) in PIVOT_SHEETS.items():
        pivot = workbook.create_sheet(title)
        grand = _Totals()
        by_value = sorted(totals[key].items(), key=lambda item: (-item[1].value_eur, item[0]))
        pivot_rows = [_pivot_row(name, entry) for name, entry in by_value]
        for _name, entry in by_value:
            grand.add(entry)
        pivot_rows.append(_pivot_row(TOTAL_LABEL, grand))
        meter = WidthMeter()
        for values in pivot_rows:
            meter.measure_row(values, PIVOT_STYLES)
        _header(pivot, (f"{first_column} ({season_code})", *PIVOT_COLUMNS), meter,
                f"Saison {season_code} — {title.lower()}")
        for values in pivot_rows:
            _append(pivot, values, PIVOT_STYLES)
    workbook.save(stream)
    return count


def _data_values(row: SeasonRow) -> tuple[object, ...]:
    return (
        row.iso_week, row.day, row.farm_name, row.canteen_name, row.product_name,
        row.quantity, row.unit, row.quantity_kg, row.value_eur, row.distance_km,
    )  # fmt: skip


def _pivot_row(name: str, entry: _Totals) -> tuple[object, ...]:
    return (name, entry.quantity_kg, entry.value_eur, entry.kg_km.quantize(Decimal(1)), entry.lines)
