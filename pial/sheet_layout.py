"""How every exported sheet reads and prints: French number formats, widths, A4 page setup.

One helper for all the workbooks PIAL writes (planning, season, statements, regulation, tender
answers), so that each prints the same way through LibreOffice or Excel: A4, fitted to the
page width, the header rows repeated, a title and « Page n / N » on every page, no gridlines.

Number formats carry the French locale (``[$-40C]``): whatever the reader's own settings, a
spreadsheet application shows ``1 234,50 €`` and ``21/11/2026``, as on the web pages.
Flask-free and database-free: the writers run in tools and tests alone.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter

PAPERSIZE_A4 = "9"
FRENCH = "[$-40C]"
"""The locale prefix of a number format: French separators whatever the reader's settings."""

MONEY_FORMAT = FRENCH + '#,##0.00\\ "€"'
QUANTITY_FORMAT = FRENCH + "#,##0.###"
WHOLE_FORMAT = FRENCH + "#,##0"
ONE_DECIMAL_FORMAT = FRENCH + "#,##0.0"
PERCENT_FORMAT = FRENCH + "0.0%"
DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"

DEFAULT_WIDTH = 8.43
DEFAULT_FONT_SIZE = 11
LINE_HEIGHT_PT = 15
MIN_WIDTH = 6
MAX_WIDTH = 60
"""Column widths, in characters; longer text wraps inside the widest column instead."""
PORTRAIT_MAX_WIDTH = 100
"""A sheet whose columns add up to more characters than this prints in landscape."""
BOLD_FACTOR = 1.15
PADDING = 2
MEASURED_ROWS = 5000
"""Rows a streamed sheet measures before its widths are fixed (its names repeat after)."""

_DISPLAY_LENGTH = {DATE_FORMAT: 10, DATETIME_FORMAT: 16}


def crates_format(crates: Decimal | float | int | None) -> str:
    """Return the format of a crate count: whole crates as integers, else one decimal."""
    if crates is None or Decimal(str(crates)) == Decimal(str(crates)).to_integral_value():
        return WHOLE_FORMAT
    return ONE_DECIMAL_FORMAT


def display_length(value: Any, number_format: str | None = None) -> int:
    """Return about how many characters a cell's value takes once formatted."""
    if value is None:
        return 0
    if isinstance(value, str):
        return max((len(line) for line in value.splitlines()), default=0)
    if isinstance(value, dt.date):  # a datetime too: its format says whether it shows the time
        with_time = "h" in (number_format or "") or (
            isinstance(value, dt.datetime) and not number_format and value.time() != dt.time())
        return _DISPLAY_LENGTH[DATETIME_FORMAT if with_time else DATE_FORMAT]
    if isinstance(value, bool):
        return 4
    if isinstance(value, int | float | Decimal):
        digits = len(f"{abs(value):,.2f}")  # thousands separators and two decimals at most
        extra = 2 if number_format and "€" in number_format else 0
        extra += 1 if number_format and "%" in number_format else 0
        return digits + extra + (1 if value < 0 else 0)
    return len(str(value))


class WidthMeter:
    """Measure the widest value of each column, to size columns from their content."""

    def __init__(self) -> None:
        """Start with no column measured."""
        self.widths: dict[int, float] = {}

    def measure(self, column: int, value: Any, number_format: str | None = None,
                *, bold: bool = False) -> None:
        """Widen ``column`` (1-based) to fit ``value``."""
        length = display_length(value, number_format) * (BOLD_FACTOR if bold else 1)
        if length > self.widths.get(column, 0):
            self.widths[column] = length

    def measure_row(self, values: Iterable[Any], formats: Iterable[str | None] = (),
                    *, bold: bool = False) -> None:
        """Widen each column to fit one row of values."""
        format_list = list(formats)
        for index, value in enumerate(values):
            number_format = format_list[index] if index < len(format_list) else None
            self.measure(index + 1, value, number_format, bold=bold)

    def apply(self, sheet: Any) -> None:
        """Set the measured widths on ``sheet``, within MIN_WIDTH and MAX_WIDTH."""
        for column, length in self.widths.items():
            width = min(max(length + PADDING, MIN_WIDTH), MAX_WIDTH)
            sheet.column_dimensions[get_column_letter(column)].width = round(width, 1)


def fit_columns(sheet: Any) -> None:
    """Size every column of a (not streamed) sheet to its widest value.

    A text whose right neighbour is empty spills over it, on screen and on paper, so it only
    needs the room of the columns to its right up to the last one printed (a block title, a
    note under a table): what is missing widens the last column, then its own. Numbers and
    dates never spill, so they always count. A text longer than MAX_WIDTH wraps, and its row
    grows to show every line.
    """
    meter = WidthMeter()
    spilling: list[tuple[Any, float]] = []
    wrapped: list[tuple[Any, float]] = []
    for row in sheet.iter_rows():
        for index, cell in enumerate(row):
            value = cell.value
            if value is None:
                continue
            length = display_length(value, cell.number_format) * _font_factor(cell)
            if isinstance(value, str):
                neighbour = row[index + 1].value if index + 1 < len(row) else None
                if neighbour is None:
                    spilling.append((cell, length))
                    continue
                if length + PADDING > MAX_WIDTH:
                    wrapped.append((cell, length))
            meter.widths[cell.column] = max(meter.widths.get(cell.column, 0), length)
    meter.apply(sheet)
    last_column = sheet.max_column
    # The rightmost texts first: they have the least room, and widen the last column.
    for cell, length in sorted(spilling, key=lambda item: -item[0].column):
        room = sum(_width(sheet, column) for column in range(cell.column, last_column + 1))
        missing = length + PADDING - room
        for column in (last_column, cell.column):
            if missing <= 0:
                break
            own = _width(sheet, column)
            grown = min(own + missing, MAX_WIDTH)
            sheet.column_dimensions[get_column_letter(column)].width = round(grown, 1)
            missing -= grown - own
        if missing > 0:
            wrapped.append((cell, length))
    for cell, length in wrapped:
        width = _width(sheet, cell.column)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        lines = math.ceil((length + PADDING) / max(width - PADDING, 1))
        dimension = sheet.row_dimensions[cell.row]
        dimension.height = max(float(dimension.height or 0), LINE_HEIGHT_PT * lines)
        for neighbour in sheet[cell.row]:  # a label beside a tall cell reads from the top
            if neighbour.alignment.vertical is None:
                neighbour.alignment = Alignment(
                    horizontal=neighbour.alignment.horizontal,
                    wrap_text=neighbour.alignment.wrap_text, vertical="top",
                )


def _font_factor(cell: Any) -> float:
    """Return how much wider than the default font a cell's font draws its text."""
    font = cell.font
    if font is None:
        return 1.0
    size = float(font.size or DEFAULT_FONT_SIZE) / DEFAULT_FONT_SIZE
    return size * (BOLD_FACTOR if font.bold else 1.0)


def _width(sheet: Any, column: int) -> float:
    """Return a column's width in characters (a spreadsheet's default when not set)."""
    dimension = sheet.column_dimensions.get(get_column_letter(column))
    return float(dimension.width) if dimension is not None and dimension.width else DEFAULT_WIDTH


def total_width(sheet: Any) -> float:
    """Return the sum of a sheet's column widths, in characters."""
    return sum(
        float(dimension.width or 0) for dimension in sheet.column_dimensions.values()
    )


def header_text(text: str) -> str:
    """Return ``text`` safe in a page header (a lone ``&`` starts a header code)."""
    return text.replace("&", "&&")


def set_print_layout(sheet: Any, title_rows: str | None = None, *, title: str | None = None,
                     landscape: bool | None = None) -> None:
    """Print on A4, fitted to the page width, with ``title_rows`` repeated on every page.

    Landscape when the columns are wider than a portrait page (or as ``landscape`` says); the
    page header names the document (``title``, else the sheet's name) and the footer numbers
    the pages; gridlines are not printed.
    """
    if landscape is None:
        landscape = total_width(sheet) > PORTRAIT_MAX_WIDTH
    sheet.page_setup.orientation = "landscape" if landscape else "portrait"
    sheet.page_setup.paperSize = PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.gridLines = False
    sheet.print_options.horizontalCentered = False
    sheet.oddHeader.center.text = header_text(title) if title else "&A"
    sheet.oddFooter.left.text = "&A"
    sheet.oddFooter.right.text = "Page &P / &N"
    if title_rows:
        sheet.print_title_rows = title_rows


def finish_sheet(sheet: Any, title: str | None = None, title_rows: str | None = None,
                 *, landscape: bool | None = None) -> None:
    """Size a (not streamed) sheet's columns from its content, then set its print layout."""
    fit_columns(sheet)
    set_print_layout(sheet, title_rows, title=title, landscape=landscape)


def finish_workbook(book: Any, title: str) -> None:
    """Finish every sheet of ``book``; its rows down to its column titles repeat on each page.

    The writers mark a table's column titles with a solid grey fill (among the top four rows):
    that row and the title rows above it print at the top of every page, else the first row.
    """
    for sheet in book.worksheets:
        header_row = next(
            (cell.row for cell in sheet["A"][:4] if cell.fill.fill_type == "solid"), 1
        )
        finish_sheet(sheet, f"{title} — {sheet.title}", f"1:{header_row}")
