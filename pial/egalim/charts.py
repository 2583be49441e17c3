"""The charts of the EGalim dashboard: a canteen's year, and every canteen side by side."""

from __future__ import annotations

from decimal import Decimal

from babel.dates import format_date
from flask_babel import get_locale
from flask_babel import gettext as _

from pial.charts import Chart, Series
from pial.charts.model import ChartKind
from pial.egalim.figures import TARGET_EGALIM, TARGET_ORGANIC, CanteenYear


def percent(share: Decimal | None) -> float | None:
    """Return a share as a percentage for a chart (None stays None)."""
    return float(share * 100) if share is not None else None


def _french(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}".replace(".", ",")


def year_chart(year: CanteenYear) -> Chart:
    """Return the canteen's EGalim, organic and local shares from January to each month."""
    cumulative = year.cumulative()
    locale = str(get_locale() or "fr")
    egalim = tuple(percent(amounts.egalim_share) for amounts in cumulative)
    organic = tuple(percent(amounts.organic_share) for amounts in cumulative)
    local = tuple(percent(amounts.local_share) for amounts in cumulative)
    whole = year.whole
    description = _(
        "Depuis janvier %(year)s, de mois en mois : part des achats (hors taxes) sous label "
        "EGalim, part bio et part locale, achats hors PIAL compris ; en pointillés, les "
        "objectifs de 50 %% et 20 %%. À ce jour : EGalim %(egalim)s %%, bio %(organic)s %%, "
        "local %(local)s %%.",
        year=year.year, egalim=_french(percent(whole.egalim_share)),
        organic=_french(percent(whole.organic_share)), local=_french(percent(whole.local_share)),
    )  # fmt: skip
    count = len(cumulative)
    return Chart(
        chart_id="egalim-year",
        title=_("Parts EGalim, bio et locale cumulées depuis janvier %(year)s", year=year.year),
        description=description,
        kind=ChartKind.LINE,
        unit="%",
        x_labels=tuple(format_date(m.month, "LLL yyyy", locale=locale) for m in year.months),
        series=(
            Series(_("EGalim (%)"), egalim),
            Series(_("Bio (%)"), organic),
            Series(_("Local (%)"), local),
            Series(_("Objectif EGalim (%)"), (float(TARGET_EGALIM * 100),) * count, dashed=True),
            Series(_("Objectif bio (%)"), (float(TARGET_ORGANIC * 100),) * count, dashed=True),
        ),
        digits=1,
        x_heading=_("Mois"),
    )


def canteens_chart(years: list[CanteenYear]) -> Chart:
    """Return each canteen's EGalim, organic and local shares of the year, to date."""
    behind = sum(1 for y in years
                 if y.whole.total_eur and (y.whole.egalim_gap_eur or y.whole.organic_gap_eur))
    return Chart(
        chart_id="egalim-canteens",
        title=_("Parts EGalim, bio et locale de chaque cantine depuis janvier"),
        description=_(
            "Pour chaque cantine, trois barres : la part de ses achats (hors taxes, achats hors "
            "PIAL compris) sous label EGalim, la part bio et la part locale. Objectifs : 50 %% "
            "EGalim dont 20 %% bio. %(behind)s cantine(s) en dessous d'un objectif.",
            behind=behind),
        kind=ChartKind.BAR,
        unit="%",
        x_labels=tuple(y.canteen_name for y in years),
        series=(
            Series(_("EGalim (%)"), tuple(percent(y.whole.egalim_share) for y in years)),
            Series(_("Bio (%)"), tuple(percent(y.whole.organic_share) for y in years)),
            Series(_("Local (%)"), tuple(percent(y.whole.local_share) for y in years)),
        ),
        digits=1,
        x_heading=_("Cantine"),
    )  # fmt: skip
