"""The charts of the money pages: fill rate, kg·km, fund balance, farms' shares vs target."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask_babel import gettext as _

from pial.charts import Chart, Series
from pial.charts.model import ChartKind
from pial.money.ledger import FarmLedger, LedgerSummary
from pial.money.regulation import WeekService


def _week_label(iso_week: str) -> str:
    return "S" + iso_week.split("-W")[1]


def fill_rate_chart(weeks: list[WeekService]) -> Chart:
    """Return the weekly fill rate (all orders and contract orders), in %."""
    rates = [w.fill_rate * 100 if w.fill_rate is not None else None for w in weeks]
    contract = [w.run.contract_fill_rate * 100 if w.run.contract_fill_rate is not None
                else None for w in weeks]
    known = [r for r in rates if r is not None]
    description = _("Aucune semaine planifiée sur la période.")
    if known:
        description = _(
            "Part de la valeur commandée que le planning a servie, chaque semaine : de "
            "%(low)s %% à %(high)s %%, en moyenne %(mean)s %%. En pointillés, les commandes "
            "sous contrat.", low=f"{min(known):.0f}", high=f"{max(known):.0f}",
            mean=f"{sum(known) / len(known):.0f}")
    return Chart(
        chart_id="fill-rate", title=_("Taux de service par semaine"), description=description,
        kind=ChartKind.LINE, unit="%",
        x_labels=tuple(_week_label(w.week.iso_week) for w in weeks),
        series=(Series(_("Toutes commandes (%)"), tuple(rates)),
                Series(_("Commandes sous contrat (%)"), tuple(contract), dashed=True)),
        digits=1, x_heading=_("Semaine"))


def kg_km_chart(weeks: list[WeekService]) -> Chart:
    """Return the kg·km of each week's plan."""
    values = [w.run.kg_km for w in weeks]
    known = [v for v in values if v is not None]
    description = _("Aucune semaine planifiée sur la période.")
    if known:
        description = _("Poids transporté multiplié par la distance parcourue, par semaine : "
                        "%(total)s kg·km au total sur la période.",
                        total=f"{sum(known):,.0f}".replace(",", "\u202f"))
    return Chart(
        chart_id="kg-km", title=_("Transport : kg·km par semaine"), description=description,
        kind=ChartKind.BAR, unit="kg·km",
        x_labels=tuple(_week_label(w.week.iso_week) for w in weeks),
        series=(Series(_("kg·km"), tuple(values)),), x_heading=_("Semaine"))


def fund_chart(points: list[tuple[dt.date, Decimal, Decimal]]) -> Chart:
    """Return the development fund's balance at the end of each week."""
    description = _("Aucun mouvement sur la période.")
    if points:
        description = _("Solde du fonds de développement en fin de semaine : %(last)s € au "
                        "%(day)s.", last=f"{points[-1][2]:.2f}".replace(".", ","),
                        day=(points[-1][0] + dt.timedelta(days=6)).strftime("%d/%m/%Y"))
    return Chart(
        chart_id="fund", title=_("Solde du fonds de développement"), description=description,
        kind=ChartKind.LINE, unit="€",
        x_labels=tuple(monday.strftime("%d/%m") for monday, _m, _b in points),
        series=(Series(_("Solde (€)"), tuple(float(b) for _d, _m, b in points)),),
        digits=2, x_heading=_("Semaine du"))


def shares_chart(summaries: list[LedgerSummary]) -> Chart:
    """Return each farm's share of the season's sales against its agreed share."""
    names = tuple(s.farm.name for s in summaries)
    actual = tuple(float(s.share * 100) if s.share is not None else None for s in summaries)
    target = tuple(float(s.farm.target_share * 100) if s.farm.target_share is not None
                   else None for s in summaries)
    return Chart(
        chart_id="shares", title=_("Part des ventes de la saison et part convenue, par ferme"),
        description=_("Pour chaque ferme, deux barres : la part de la valeur attribuée depuis "
                      "le début de la saison et la part cible convenue dans le groupe."),
        kind=ChartKind.BAR, unit="%", x_labels=names,
        series=(Series(_("Part réalisée (%)"), actual), Series(_("Part cible (%)"), target)),
        digits=1, x_heading=_("Ferme"))


def farm_share_chart(ledger: FarmLedger) -> Chart:
    """Return a farm's cumulative share of the season's sales week by week, with its target."""
    shares = ledger.cumulative_shares()
    target = ledger.farm.target_share
    series = [Series(_("Part cumulée (%)"),
                     tuple(float(s * 100) if s is not None else None for s in shares))]
    if target is not None:
        series.append(Series(_("Part cible (%)"), tuple(float(target * 100) for _s in shares),
                             dashed=True))
    last = next((s for s in reversed(shares) if s is not None), None)
    description = _("Aucune vente attribuée cette saison.")
    if last is not None:
        description = _("Part de la ferme dans la valeur attribuée depuis le début de la saison, "
                        "semaine après semaine : %(share)s %% aujourd'hui.",
                        share=f"{last * 100:.1f}".replace(".", ","))
        if target is not None:
            description += " " + _("Part cible : %(target)s %%.",
                                   target=f"{target * 100:.1f}".replace(".", ","))
    return Chart(
        chart_id="farm-share", title=_("Part des ventes au fil de la saison"),
        description=description, kind=ChartKind.LINE, unit="%",
        x_labels=tuple(_week_label(w.week.iso_week) for w in ledger.weeks),
        series=tuple(series), digits=1, x_heading=_("Semaine"))


def balance_chart(ledger: FarmLedger) -> Chart:
    """Return the farm's ledger balance at the end of each week."""
    balances = tuple(float(w.balance_eur) if w.balance_eur is not None else None
                     for w in ledger.weeks)
    return Chart(
        chart_id="farm-balance", title=_("Solde d'équité en fin de semaine"),
        description=_("Au-dessus de zéro, la ferme a vendu plus que sa part ; en dessous, "
                      "moins : les semaines suivantes la rattrapent. Solde actuel : %(b)s €.",
                      b=f"{ledger.balance_eur:.2f}".replace(".", ",")),
        kind=ChartKind.BAR, unit="€",
        x_labels=tuple(_week_label(w.week.iso_week) for w in ledger.weeks),
        series=(Series(_("Solde (€)"), balances),), digits=2, x_heading=_("Semaine"))


def share_gap_chart(summaries: list[LedgerSummary]) -> Chart:
    """Return, week after week, each farm's cumulative share minus its target (in points)."""
    weeks: dict[str, Decimal] = {}
    allocated: dict[int, dict[str, Decimal]] = {}
    for summary in summaries:
        allocated[summary.farm.id] = {}
        for row in summary.ledger.weeks:
            weeks[row.week.iso_week] = row.week_total_eur
            allocated[summary.farm.id][row.week.iso_week] = row.allocated_eur
    labels = sorted(weeks)
    series = []
    for summary in summaries:
        target = summary.farm.target_share
        if target is None:
            continue
        farm_total = all_total = Decimal(0)
        gaps: list[float | None] = []
        for label in labels:
            farm_total += allocated[summary.farm.id].get(label, Decimal(0))
            all_total += weeks[label]
            gaps.append(float((farm_total / all_total - target) * 100) if all_total else None)
        series.append(Series(summary.farm.name, tuple(gaps)))
    return Chart(
        chart_id="share-gaps",
        title=_("Écart de chaque ferme à sa part cible au fil de la saison"),
        description=_("Pour chaque ferme, sa part cumulée des ventes depuis le début de la "
                      "saison moins sa part cible, en points : zéro veut dire « exactement sa "
                      "part », au-dessus la ferme est en avance, en dessous en retard."),
        kind=ChartKind.LINE, unit=_("points"), x_labels=tuple(_week_label(w) for w in labels),
        series=tuple(series), digits=1, x_heading=_("Semaine"))
