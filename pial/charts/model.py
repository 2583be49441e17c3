"""What a chart shows: categories along the x axis, one or more series, or progress rows."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from flask_babel import gettext as _
from markupsafe import Markup


class ChartKind(enum.StrEnum):
    """How the figures are drawn."""

    LINE = "line"
    BAR = "bar"
    PROGRESS = "progress"


@dataclass(frozen=True, slots=True)
class Series:
    """A named sequence of values, one per x label (None = no figure that week)."""

    label: str
    values: tuple[float | None, ...]
    dashed: bool = False  # e.g. a target drawn next to the actual figures


@dataclass(frozen=True, slots=True)
class ProgressRow:
    """One bar of a progress chart: what is done, what was due by now, the whole target."""

    label: str
    done: float
    target: float
    expected: float | None = None  # pro-rata due by today, drawn as a tick

    @property
    def ratio(self) -> float | None:
        """Return done / target, or None when the target is zero."""
        return self.done / self.target if self.target else None


@dataclass(frozen=True, slots=True)
class Chart:
    """A chart and the words that describe it to someone who cannot see it."""

    chart_id: str  # unique in the page; prefixes the ids of <title> and <desc>
    title: str
    description: str
    kind: ChartKind
    unit: str = ""
    x_labels: tuple[str, ...] = ()
    series: tuple[Series, ...] = ()
    rows: tuple[ProgressRow, ...] = ()
    digits: int = 0  # decimals shown in labels and in the table
    column_labels: tuple[str, str, str] | None = None  # progress: done, due by now, target
    x_heading: str = ""

    @property
    def is_empty(self) -> bool:
        """Tell whether there is nothing to draw."""
        if self.kind == ChartKind.PROGRESS:
            return not self.rows
        return not self.x_labels or not any(
            value is not None for series in self.series for value in series.values
        )

    def table_rows(self) -> list[tuple[str, list[float | None]]]:
        """Return the figures as table rows: a label, then one value per column."""
        if self.kind == ChartKind.PROGRESS:
            return [(row.label, [row.done, row.expected, row.target]) for row in self.rows]
        return [
            (label, [series.values[index] if index < len(series.values) else None
                     for series in self.series])
            for index, label in enumerate(self.x_labels)
        ]

    def svg(self) -> Markup:
        """Return the chart drawn as an inline, accessible SVG element."""
        from pial.charts.render import render_svg

        return render_svg(self)

    def table_headings(self) -> list[str]:
        """Return the headings of the value columns of the table."""
        if self.kind == ChartKind.PROGRESS:
            return list(self.progress_labels())
        return [series.label for series in self.series]

    def progress_labels(self) -> tuple[str, str, str]:
        """Return the names of what is done, what is due by now and the target."""
        if self.column_labels is not None:
            return self.column_labels
        # Translated when drawn, in the language of the request.
        return _("Réalisé"), _("Attendu à date"), _("Objectif")
