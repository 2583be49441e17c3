"""The SVG charts: accessible markup, geometry that follows the figures, escaping."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

from pial.charts import Chart, ProgressRow, Series
from pial.charts.model import ChartKind
from pial.charts.render import HEIGHT, PLOT_BOTTOM, PLOT_TOP, nice_step, value_range

SVG = "{http://www.w3.org/2000/svg}"


def _parse(markup: str) -> ET.Element:
    return ET.fromstring(str(markup))


def test_line_chart_is_an_accessible_image_with_title_and_description() -> None:
    chart = Chart("fill", "Taux de service", "Taux de service par semaine.", ChartKind.LINE,
                  unit="%", x_labels=("S1", "S2", "S3"), series=(Series("taux", (90, 100, 80)),))
    root = _parse(chart.svg())
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "fill-title fill-desc"
    assert root.find(f"{SVG}title").text == "Taux de service"  # type: ignore[union-attr]
    assert root.find(f"{SVG}desc").text == "Taux de service par semaine."  # type: ignore[union-attr]
    assert "style=" not in str(chart.svg())  # the CSP forbids inline styles


def test_line_points_follow_the_values() -> None:
    chart = Chart("c", "t", "d", ChartKind.LINE, x_labels=("a", "b", "c"),
                  series=(Series("s", (0, 50, 100)),))
    circles = _parse(chart.svg()).findall(f".//{SVG}circle")
    ys = [float(c.get("cy", "0")) for c in circles]
    assert len(ys) == 3
    assert ys[0] == HEIGHT - PLOT_BOTTOM  # zero sits on the bottom of the plot
    assert ys[2] == PLOT_TOP  # the top of the axis is exactly 100
    assert ys[0] > ys[1] > ys[2]


def test_a_missing_value_breaks_the_line() -> None:
    chart = Chart("c", "t", "d", ChartKind.LINE, x_labels=("a", "b", "c", "d", "e"),
                  series=(Series("s", (1, 2, None, 3, 4)),))
    assert len(_parse(chart.svg()).findall(f".//{SVG}polyline")) == 2


def test_bar_heights_are_proportional_and_negative_bars_go_down() -> None:
    chart = Chart("c", "t", "d", ChartKind.BAR, x_labels=("a", "b", "c"),
                  series=(Series("s", (10, 20, -10)),))
    rects = _parse(chart.svg()).findall(f".//{SVG}rect")
    heights = [float(r.get("height", "0")) for r in rects]
    assert abs(heights[1] - 2 * heights[0]) < 0.2
    assert abs(heights[2] - heights[0]) < 0.2
    assert float(rects[2].get("y", "0")) > float(rects[0].get("y", "0"))


def test_progress_rows_show_ratio_and_the_pro_rata_tick() -> None:
    chart = Chart("p", "Avancement", "d", ChartKind.PROGRESS,
                  rows=(ProgressRow("Carotte", 600, 1200, expected=800),
                        ProgressRow("Poireau", 600, 500, expected=300)))
    markup = str(chart.svg())
    assert "50 %" in markup and "120 %" in markup
    root = _parse(markup)
    groups = [g for g in root.iter(f"{SVG}g") if "progress-row" in (g.get("class") or "")]
    assert [g.get("class") for g in groups] == ["progress-row behind", "progress-row on-track"]
    done = [r for r in root.iter(f"{SVG}rect") if r.get("class") == "done"]
    assert abs(float(done[1].get("width", "0")) / float(done[0].get("width", "0")) - 2.4) < 0.01


def test_text_is_escaped() -> None:
    chart = Chart("c", "<b>&", "d<script>", ChartKind.BAR, x_labels=("<x>",),
                  series=(Series("s&s", (1,)),))
    markup = str(chart.svg())
    assert "<script>" not in markup and "<b>" not in markup
    _parse(markup)  # still well-formed XML


def test_table_rows_carry_the_same_figures() -> None:
    chart = Chart("c", "t", "d", ChartKind.LINE, x_labels=("a", "b"),
                  series=(Series("x", (1, 2)), Series("y", (3, None))))
    assert chart.table_headings() == ["x", "y"]
    assert chart.table_rows() == [("a", [1, 3]), ("b", [2, None])]
    progress = Chart("p", "t", "d", ChartKind.PROGRESS, rows=(ProgressRow("a", 1, 2, 1.5),))
    assert progress.table_rows() == [("a", [1, 1.5, 2])]


def test_axis_steps_are_round() -> None:
    assert nice_step(100) == 20
    assert nice_step(7) == 2
    low, high, step = value_range([-3.0, 47.0])
    assert (low, high, step) == (-10.0, 50.0, 10.0)


def test_many_labels_are_thinned_out() -> None:
    labels = tuple(f"S{i}" for i in range(40))
    chart = Chart("c", "t", "d", ChartKind.BAR, x_labels=labels,
                  series=(Series("s", tuple(range(40))),))
    texts = re.findall(r">S\d+<", str(chart.svg()))
    assert 10 <= len(texts) <= 14


def test_default_progress_labels_are_drawn_in_the_users_language(app: Any) -> None:
    from flask_babel import force_locale

    chart = Chart("p", "t", "d", ChartKind.PROGRESS, rows=(ProgressRow("a", 1, 2, 1.5),))
    with app.test_request_context("/"):
        assert chart.table_headings() == ["Réalisé", "Attendu à date", "Objectif"]
        with force_locale("en"):
            assert chart.table_headings() == ["Done", "Due by now", "Target"]
            assert "Due by now" in chart.svg() and "Attendu" not in chart.svg()


def test_axis_numbers_are_written_in_the_users_language(app: Any) -> None:
    from flask_babel import force_locale

    chart = Chart("b", "t", "d", ChartKind.BAR, x_labels=("a", "b"),
                  series=(Series("s", (1500, 4000)),))
    with app.test_request_context("/"):
        assert "4\u202f000" in str(chart.svg())
        with force_locale("en"):
            english = str(chart.svg())
            assert "4,000" in english and "4\u202f000" not in english
