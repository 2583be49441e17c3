"""The season workbook: every published allocation line in one tidy table, plus pivots.

Rows stream from the database query into the compressed sheet as they come (see
``xlsx_stream``), so a full year costs little memory and time; the pivots (by grower, canteen
and product) are summed on the way and written after the table.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import IO

from pial.spreadsheets.data import SeasonRow
from pial.spreadsheets.xlsx_stream import (
    DATE,
    DEFAULT,
    INTEGER,
    KM,
    MONEY,
    QUANTITY,
    StreamingWorkbook,
)

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


def write_season_workbook(season_code: str, rows: Iterable[SeasonRow], stream: IO[bytes]) -> int:
    """Stream a season's rows and its pivots to ``stream``; return the number of rows."""
    workbook = StreamingWorkbook(stream)
    totals: dict[str, dict[str, _Totals]] = {key: defaultdict(_Totals) for key in PIVOT_SHEETS}
    count = 0
    with workbook.sheet(DATA_SHEET, DATA_COLUMNS, (10, 11, 26, 30, 24, 11, 8, 13, 13, 12)) as sheet:
        for row in rows:
            sheet.append(
                (
                    row.iso_week, row.day, row.farm_name, row.canteen_name, row.product_name,
                    row.quantity, row.unit, row.quantity_kg, row.value_eur, row.distance_km,
                ),
                DATA_STYLES,
            )  # fmt: skip
            kg_km = row.quantity_kg * Decimal(repr(row.distance_km))
            for key in PIVOT_SHEETS:
                entry = totals[key][getattr(row, key)]
                entry.quantity_kg += row.quantity_kg
                entry.value_eur += row.value_eur
                entry.kg_km += kg_km
                entry.lines += 1
            count += 1
    for key, (title, first_column) in PIVOT_SHEETS.items():
        with workbook.sheet(
            title, (f"{first_column} ({season_code})", *PIVOT_COLUMNS), (30, 15, 15, 14, 9)
        ) as pivot:
            grand = _Totals()
            by_value = sorted(totals[key].items(), key=lambda item: (-item[1].value_eur, item[0]))
            for name, entry in by_value:
                pivot.append(_pivot_row(name, entry), PIVOT_STYLES)
                grand.add(entry)
            pivot.append(_pivot_row(TOTAL_LABEL, grand), PIVOT_STYLES)
    workbook.close()
    return count


def _pivot_row(name: str, entry: _Totals) -> tuple[object, ...]:
    return (name, entry.quantity_kg, entry.value_eur, entry.kg_km.quantize(Decimal(1)), entry.lines)
