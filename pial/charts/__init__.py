"""Server-rendered SVG charts (line, bar, progress against a target) with a table fallback.

The module imports neither Flask nor SQLAlchemy: a chart is a frozen description (its figures,
title and description), rendered to an SVG string that carries ``role="img"``, ``<title>`` and
``<desc>``; ``templates/charts/_chart.html`` shows it with a ``<table>`` of the same figures.
Colours are SVG presentation attributes plus classes (styled by ``static/charts.css``): the
Content-Security-Policy forbids inline styles and scripts.
"""

from pial.charts.model import Chart, ProgressRow, Series
from pial.charts.render import render_svg

__all__ = ["Chart", "ProgressRow", "Series", "render_svg"]
