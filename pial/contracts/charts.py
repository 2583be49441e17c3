"""The charts of a contract's progress page."""

from __future__ import annotations

from flask_babel import gettext as _

from pial.charts import Chart, ProgressRow, Series
from pial.charts.model import ChartKind
from pial.contracts.services import ContractProgress


def progress_chart(progress: ContractProgress) -> Chart:
    """Return each line's delivered quantity against its yearly commitment and pro-rata."""
    behind = len(progress.alerts)
    return Chart(
        chart_id="contract-progress",
        title=_("Avancement de l'année %(index)s par rapport à l'engagement",
                index=progress.year.index),
        description=_(
            "Pour chaque produit, la barre montre la quantité livrée en part du minimum "
            "annuel ; le trait rouge marque ce qui était dû à ce jour au prorata. "
            "%(behind)s ligne(s) en retard sur %(total)s.",
            behind=behind, total=len(progress.lines)),
        kind=ChartKind.PROGRESS,
        rows=tuple(
            ProgressRow(p.line.product.name_fr, float(p.delivered), float(p.commitment),
                        float(p.expected))
            for p in progress.lines),
        digits=0,
        column_labels=(_("Livré"), _("Dû à ce jour"), _("Engagement annuel")),
        x_heading=_("Produit"),
    )


def value_chart(progress: ContractProgress) -> Chart:
    """Return the cumulative delivered value against the cumulative pro-rata, per week."""
    points = progress.weekly
    last = points[-1] if points else None
    description = _("Aucune semaine écoulée dans cette année du contrat.")
    if last is not None:
        description = _(
            "Valeur livrée cumulée semaine après semaine (trait plein) et valeur due au prorata "
            "de l'engagement (pointillés). Au %(day)s : %(done)s € livrés pour %(due)s € dus.",
            day=last[0].strftime("%d/%m/%Y"), done=f"{last[1]:.2f}".replace(".", ","),
            due=f"{last[2]:.2f}".replace(".", ","))
    return Chart(
        chart_id="contract-value",
        title=_("Valeur livrée cumulée et prorata de l'engagement"),
        description=description,
        kind=ChartKind.LINE,
        unit="€",
        x_labels=tuple(monday.strftime("%d/%m") for monday, _done, _due in points),
        series=(
            Series(_("Livré (€)"), tuple(float(done) for _m, done, _d in points)),
            Series(_("Dû au prorata (€)"), tuple(float(due) for _m, _d2, due in points),
                   dashed=True),
        ),
        x_heading=_("Semaine du"),
    )
