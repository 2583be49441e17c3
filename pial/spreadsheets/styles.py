"""Cell styles and helpers shared by the writers: French formats, print-safe emphasis.

Number formats and the print layout come from :mod:`pial.sheet_layout`, shared with the other
workbooks: French separators whatever the reader's settings (``1 234,50 €``), A4 pages.
Emphasis never relies on colour alone (bold, borders, grey patterns), so that a sheet printed
in black and white stays readable.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

from pial.sheet_layout import (
    DATE_FORMAT,
    DATETIME_FORMAT,
    MONEY_FORMAT,
    ONE_DECIMAL_FORMAT,
    PERCENT_FORMAT,
    QUANTITY_FORMAT,
    WHOLE_FORMAT,
    crates_format,
    finish_sheet,
    set_print_layout,
)

__all__ = [
    "DATETIME_FORMAT", "DATE_FORMAT", "KG_KM_FORMAT", "KM_FORMAT", "MONEY_FORMAT",
    "PERCENT_FORMAT", "QUANTITY_FORMAT", "crates_format", "finish_sheet", "set_print_layout",
]  # fmt: skip

PARIS = ZoneInfo("Europe/Paris")

KG_KM_FORMAT = WHOLE_FORMAT
KM_FORMAT = ONE_DECIMAL_FORMAT

TITLE_FONT = Font(bold=True, size=14)
HEADER_FONT = Font(bold=True)
BLOCK_FONT = Font(bold=True, size=12)
TOTAL_FONT = Font(bold=True)
SHORTFALL_FONT = Font(bold=True, italic=True)

HEADER_FILL = PatternFill(fill_type="solid", fgColor="D9D9D9")
# A light grey dotted pattern: visible on screen and on a black-and-white printer alike.
SHORTFALL_FILL = PatternFill(fill_type="lightGray", fgColor="808080")

_THIN = Side(style="thin")
_THICK = Side(style="medium")
HEADER_BORDER = Border(bottom=_THICK)
TOTAL_BORDER = Border(top=_THIN)
BOX_BORDER = Border(left=_THICK, right=_THICK, top=_THICK, bottom=_THICK)

WRAP = Alignment(wrap_text=True, vertical="top")
CENTER = Alignment(horizontal="center")

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet application read a text as a formula."""


def set_text(cell: Any, text: str | None) -> None:
    """Write user text as text, never as a formula, whatever its first character."""
    cell.value = text
    if text is not None:
        # openpyxl turns a leading "=" into a formula; force the string type back.
        cell.data_type = "s"


def csv_safe(text: str) -> str:
    """Return ``text`` with an apostrophe in front if a spreadsheet would run it as a formula."""
    return f"'{text}" if text.startswith(FORMULA_TRIGGERS) else text


def local_time(moment: dt.datetime) -> dt.datetime:
    """Return an aware instant as a naive Paris wall-clock time (spreadsheets have no zones)."""
    return moment.astimezone(PARIS).replace(tzinfo=None)


def french_day(day: dt.date) -> str:
    """Return ``lundi 23/11/2026``."""
    return f"{WEEKDAYS_FR[day.weekday()]} {day:%d/%m/%Y}"


def french_number(value: Decimal | float, digits: int = 2) -> str:
    """Return a number with a decimal comma and thin spaces between thousands."""
    text = f"{value:,.{digits}f}".replace(",", "\u202f").replace(".", ",")
    return text


WEEKDAYS_FR = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")


def style_header_row(sheet: Any, row: int, first_column: int, last_column: int) -> None:
    """Make a row of column titles bold, grey and underlined."""
    for column in range(first_column, last_column + 1):
        cell = sheet.cell(row=row, column=column)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.border = HEADER_BORDER
