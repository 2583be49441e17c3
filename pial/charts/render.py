"""Draw a :class:`~pial.charts.model.Chart` as an accessible SVG document fragment."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from markupsafe import Markup, escape

from pial.charts.model import Chart, ChartKind, ProgressRow, Series
from pial.i18n import format_number

WIDTH = 640
PLOT_LEFT = 64
PLOT_RIGHT = 16
PLOT_TOP = 36  # room for the legend
PLOT_BOTTOM = 52  # room for the x labels
HEIGHT = 280
MAX_X_LABELS = 14

PALETTE = ("#1f6b3a", "#8a5a00", "#1d4e89", "#a4161a", "#6b3fa0", "#4d5650", "#0f7c7c")
"""Series colours, dark enough for a 3:1 contrast on white; classes allow restyling."""

PROGRESS_ROW_PX = 30
PROGRESS_LABEL_PX = 170
PROGRESS_SCALE_MAX = 1.5  # bars are drawn up to 150 % of their target


def nice_step(span: float, ticks: int = 5) -> float:
    """Return a round tick step (1, 2 or 5 × 10ⁿ) giving about ``ticks`` intervals."""
    if span <= 0:
        return 1.0
    raw = span / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if factor * magnitude >= raw:
            return float(factor * magnitude)
    return float(10 * magnitude)  # pragma: no cover - the loop always returns


def value_range(values: Iterable[float]) -> tuple[float, float, float]:
    """Return (low, high, step) of an axis that includes zero and every value."""
    finite = [value for value in values if value is not None and math.isfinite(value)]
    low = min([0.0, *finite])
    high = max([0.0, *finite])
    if low == high:
        high = low + 1.0
    step = nice_step(high - low)
    return math.floor(low / step) * step, math.ceil(high / step) * step, step


def _num(value: float) -> str:
    """Return a coordinate with at most one decimal (short, deterministic output)."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _open_svg(chart: Chart, height: float) -> list[str]:
    """Return the opening tag, title and description of the chart's SVG."""
    title_id = f"{chart.chart_id}-title"
    desc_id = f"{chart.chart_id}-desc"
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-{chart.kind.value}" '
        f'id="{escape(chart.chart_id)}" viewBox="0 0 {WIDTH} {_num(height)}" '
        f'width="100%" role="img" aria-labelledby="{escape(title_id)} {escape(desc_id)}" '
        f'font-family="system-ui, sans-serif" font-size="12">',
        f'<title id="{escape(title_id)}">{escape(chart.title)}</title>',
        f'<desc id="{escape(desc_id)}">{escape(chart.description)}</desc>',
    ]


def _legend(series: Sequence[Series]) -> list[str]:
    """Return a one-line legend above the plot (nothing for a single series)."""
    if len(series) < 2:
        return []
    parts = ['<g class="legend" aria-hidden="true">']
    x = float(PLOT_LEFT)
    for index, item in enumerate(series):
        colour = PALETTE[index % len(PALETTE)]
        dash = ' stroke-dasharray="6 4"' if item.dashed else ""
        parts.append(
            f'<line x1="{_num(x)}" y1="14" x2="{_num(x + 18)}" y2="14" stroke="{colour}" '
            f'stroke-width="3"{dash} class="series-{index + 1}"/>'
        )
        parts.append(f'<text x="{_num(x + 22)}" y="18" fill="#1b1f1d">{escape(item.label)}</text>')
        x += 34 + 7 * len(item.label)
    parts.append("</g>")
    return parts


def _y_axis(low: float, high: float, step: float, digits: int, unit: str) -> list[str]:
    """Return the horizontal grid lines and the y labels."""
    parts = ['<g class="axis axis-y" aria-hidden="true">']
    ticks = round((high - low) / step)
    for tick in range(ticks + 1):
        value = low + tick * step
        y = _y(value, low, high)
        parts.append(
            f'<line x1="{PLOT_LEFT}" y1="{_num(y)}" x2="{WIDTH - PLOT_RIGHT}" y2="{_num(y)}" '
            f'stroke="#c9cfc6" stroke-width="{2 if value == 0 else 1}" class="grid"/>'
        )
        label = format_number(value, digits if step < 1 else 0)
        parts.append(
            f'<text x="{PLOT_LEFT - 6}" y="{_num(y + 4)}" text-anchor="end" '
            f'fill="#4d5650">{escape(label)}</text>'
        )
    if unit:
        parts.append(f'<text x="4" y="{PLOT_TOP - 6}" fill="#4d5650">{escape(unit)}</text>')
    parts.append("</g>")
    return parts


def _y(value: float, low: float, high: float) -> float:
    """Return the y coordinate of ``value`` on an axis from ``low`` to ``high``."""
    plot_height = HEIGHT - PLOT_TOP - PLOT_BOTTOM
    return PLOT_TOP + plot_height * (high - value) / (high - low)


def _x_labels(labels: Sequence[str], centres: Sequence[float]) -> list[str]:
    """Return the x labels, thinned out so that at most ``MAX_X_LABELS`` show."""
    every = max(1, math.ceil(len(labels) / MAX_X_LABELS))
    parts = ['<g class="axis axis-x" aria-hidden="true">']
    for index, (label, x) in enumerate(zip(labels, centres, strict=True)):
        if index % every:
            continue
        y = HEIGHT - PLOT_BOTTOM + 16
        parts.append(
            f'<text x="{_num(x)}" y="{y}" text-anchor="end" fill="#4d5650" '
            f'transform="rotate(-35 {_num(x)} {y})">{escape(label)}</text>'
        )
    parts.append("</g>")
    return parts


def _slot_centres(count: int) -> tuple[list[float], float]:
    """Return the x centre of each of ``count`` slots and the slot width."""
    plot_width = WIDTH - PLOT_LEFT - PLOT_RIGHT
    slot = plot_width / max(count, 1)
    return [PLOT_LEFT + slot * (index + 0.5) for index in range(count)], slot


def _all_values(series: Sequence[Series]) -> list[float]:
    return [value for item in series for value in item.values if value is not None]


def render_line(chart: Chart) -> list[str]:
    """Return the SVG parts of a line chart (gaps where a value is None)."""
    low, high, step = value_range(_all_values(chart.series))
    centres, _slot = _slot_centres(len(chart.x_labels))
    parts = _legend(chart.series) + _y_axis(low, high, step, chart.digits, chart.unit)
    for index, item in enumerate(chart.series):
        colour = PALETTE[index % len(PALETTE)]
        dash = ' stroke-dasharray="6 4"' if item.dashed else ""
        runs: list[list[str]] = [[]]
        points: list[tuple[float, float]] = []
        for x, value in zip(centres, item.values, strict=False):
            if value is None:
                runs.append([])
                continue
            y = _y(value, low, high)
            runs[-1].append(f"{_num(x)},{_num(y)}")
            points.append((x, y))
        parts.append(f'<g class="series series-{index + 1}" aria-hidden="true">')
        for run in runs:
            if len(run) > 1:
                parts.append(
                    f'<polyline points="{" ".join(run)}" fill="none" stroke="{colour}" '
                    f'stroke-width="2.5"{dash}/>'
                )
        if not item.dashed:
            for x, y in points:
                parts.append(f'<circle cx="{_num(x)}" cy="{_num(y)}" r="3" fill="{colour}"/>')
        parts.append("</g>")
    parts += _x_labels(chart.x_labels, centres)
    return parts


def render_bar(chart: Chart) -> list[str]:
    """Return the SVG parts of a bar chart (bars grouped side by side per x label)."""
    low, high, step = value_range(_all_values(chart.series))
    centres, slot = _slot_centres(len(chart.x_labels))
    count = max(len(chart.series), 1)
    bar_width = max(slot * 0.8 / count, 1.0)
    parts = _legend(chart.series) + _y_axis(low, high, step, chart.digits, chart.unit)
    zero = _y(0.0, low, high)
    for index, item in enumerate(chart.series):
        colour = PALETTE[index % len(PALETTE)]
        parts.append(f'<g class="series series-{index + 1}" aria-hidden="true">')
        for centre, value in zip(centres, item.values, strict=False):
            if value is None:
                continue
            x = centre - slot * 0.4 + bar_width * index
            top = min(_y(value, low, high), zero)
            height = abs(_y(value, low, high) - zero)
            parts.append(
                f'<rect x="{_num(x)}" y="{_num(top)}" width="{_num(bar_width)}" '
                f'height="{_num(height)}" fill="{colour}"/>'
            )
        parts.append("</g>")
    parts += _x_labels(chart.x_labels, centres)
    return parts


def progress_height(rows: Sequence[ProgressRow]) -> float:
    """Return the height of a progress chart of ``rows``."""
    return PLOT_TOP + PROGRESS_ROW_PX * len(rows) + 24


def render_progress(chart: Chart) -> list[str]:
    """Return the SVG parts of horizontal bars showing each row's progress to its target.

    Every bar is scaled to its own target (rows may count different units): the vertical line
    is 100 %, the tick on a bar what was due by now (pro-rata).
    """
    left = PROGRESS_LABEL_PX
    width = WIDTH - PROGRESS_LABEL_PX - 70
    full = width / PROGRESS_SCALE_MAX
    done_label, due_label, target_label = chart.progress_labels()
    parts = ['<g class="legend" aria-hidden="true">',
             f'<rect x="{left}" y="8" width="14" height="10" fill="{PALETTE[0]}"/>',
             f'<text x="{left + 18}" y="17" fill="#1b1f1d">{escape(done_label)}</text>',
             f'<line x1="{left + 120}" y1="6" x2="{left + 120}" y2="20" stroke="{PALETTE[3]}" '
             'stroke-width="3"/>',
             f'<text x="{left + 126}" y="17" fill="#1b1f1d">'
             f'{escape(due_label)}</text>',
             "</g>"]
    target_x = left + full
    bottom = PLOT_TOP + PROGRESS_ROW_PX * len(chart.rows)
    parts.append(
        f'<line x1="{_num(target_x)}" y1="{PLOT_TOP - 6}" x2="{_num(target_x)}" '
        f'y2="{_num(bottom)}" stroke="#1b1f1d" stroke-width="1.5" class="target" '
        'aria-hidden="true"/>'
    )
    parts.append(
        f'<text x="{_num(target_x)}" y="{_num(bottom + 16)}" text-anchor="middle" '
        f'fill="#4d5650" aria-hidden="true">{escape(target_label)} (100 %)</text>'
    )
    for index, row in enumerate(chart.rows):
        y = PLOT_TOP + PROGRESS_ROW_PX * index
        ratio = row.ratio
        shown = min(ratio if ratio is not None else 0.0, PROGRESS_SCALE_MAX)
        behind = row.expected is not None and row.done < row.expected
        colour = PALETTE[3] if behind else PALETTE[0]
        state = "behind" if behind else "on-track"
        parts.append(f'<g class="progress-row {state}" aria-hidden="true">')
        parts.append(
            f'<text x="{left - 8}" y="{_num(y + 15)}" text-anchor="end" '
            f'fill="#1b1f1d">{escape(row.label)}</text>'
        )
        parts.append(
            f'<rect x="{left}" y="{_num(y + 4)}" width="{_num(full)}" height="16" '
            'fill="#eef2ec" stroke="#c9cfc6" class="track"/>'
        )
        parts.append(
            f'<rect x="{left}" y="{_num(y + 4)}" width="{_num(full * shown)}" height="16" '
            f'fill="{colour}" class="done"/>'
        )
        if row.expected is not None and row.target:
            tick = left + full * min(row.expected / row.target, PROGRESS_SCALE_MAX)
            parts.append(
                f'<line x1="{_num(tick)}" y1="{_num(y)}" x2="{_num(tick)}" y2="{_num(y + 24)}" '
                f'stroke="{PALETTE[3]}" stroke-width="3" class="expected"/>'
            )
        label = "—" if ratio is None else f"{format_number(ratio * 100, 0)} %"
        parts.append(
            f'<text x="{_num(left + width + 8)}" y="{_num(y + 15)}" '
            f'fill="#1b1f1d">{escape(label)}</text>'
        )
        parts.append("</g>")
    return parts


def render_svg(chart: Chart) -> Markup:
    """Return the chart as an inline SVG element with role="img", <title> and <desc>."""
    if chart.kind == ChartKind.PROGRESS:
        height = progress_height(chart.rows)
        body = render_progress(chart)
    else:
        height = HEIGHT
        body = render_line(chart) if chart.kind == ChartKind.LINE else render_bar(chart)
    return Markup("\n".join([*_open_svg(chart, height), *body, "</svg>"]))
