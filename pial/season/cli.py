"""``pial season forecast``, ``pial season plan YEAR`` and ``pial season commit LOT``."""

from __future__ import annotations

from decimal import Decimal

import click
from flask.cli import with_appcontext

from pial.errors import ServiceError
from pial.files import open_private
from pial.spreadsheets.reading import UploadRefused

UNSETTLED = " (arrêté avant que toutes les semaines-produit soient stabilisées)"


def _percent(value: float) -> str:
    return f"{value * 100:.1f} %".replace(".", ",")


@click.group("season")
def season_group() -> None:
    """Saison à venir : prévision, plan de culture, réponse aux appels d'offres."""


@season_group.command("forecast")
@click.argument("year", type=int, required=False)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Classeur .xlsx de la prévision par produit et par mois.")
@with_appcontext
def forecast_command(year: int | None, output: str | None) -> None:
    """Forecast the season starting YEAR (default: the coming one) and backtest the model."""
    from pial.season import services
    from pial.season.xlsx import forecast_workbook

    year = year or services.coming_season_year()
    try:
        forecast = services.forecast_season(year)
    except ServiceError as error:
        raise click.ClickException(str(error)) from error
    window = forecast.window
    click.echo(f"Saison {window.code} : {len(window.weeks)} semaines du "
               f"{window.first_day:%d/%m/%Y} au {window.last_day:%d/%m/%Y}.")
    first = f" depuis le {forecast.history_first:%d/%m/%Y}" if forecast.history_first else ""
    click.echo(f"Historique : {forecast.history_weeks} semaines{first} ; "
               f"{forecast.closed_canteen_weeks} semaines-cantine fermées prévues.")
    total = sum((row.season_value_eur for row in forecast.products), Decimal(0))
    click.echo(f"Demande attendue : {len(forecast.products)} produits, {total} € sur la saison.")
    for row in forecast.products[:10]:
        click.echo(f"  {row.product.name_fr:<28} {row.season_total:>10} {row.product.unit.value:<6}"
                   f" {row.season_value_eur:>10} €  (semaine la plus forte : {row.peak_week})")
    report = forecast.backtest
    if report is None:
        click.echo("Contrôle : pas de saison complète précédée d'historique à rejouer.")
    else:
        click.echo(
            f"Contrôle sur la saison {forecast.backtest_season} ({report.weeks} semaines, "
            f"prévue depuis les saisons d'avant) — erreur absolue pondérée (WAPE) par cantine, "
            f"produit et semaine : modèle {_percent(report.wape_model)}, même semaine l'an passé "
            f"{_percent(report.wape_same_week_last_year)}, moyenne des 4 semaines précédentes "
            f"{_percent(report.wape_last_four_weeks)} ; par produit et semaine : modèle "
            f"{_percent(report.wape_model_product_week)}, "
            f"{_percent(report.wape_same_week_last_year_product_week)}, "
            f"{_percent(report.wape_last_four_weeks_product_week)}."
        )
    if output:
        with open_private(output) as stream:
            forecast_workbook(forecast, stream)
        click.echo(f"Prévision écrite dans {output}.")


@season_group.command("plan")
@click.argument("year", type=int)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Classeur .xlsx du plan.")
@click.option("--service-level", type=float, default=0.95, show_default=True,
              help="Part des semaines où la demande doit être couverte.")
@click.option("--max-share", type=float, default=0.6, show_default=True,
              help="Part maximale d'une ferme sur un produit que d'autres cultivent.")
@click.option("--advance-share", type=float, default=0.2, show_default=True,
              help="Avance proposée : part de la valeur planifiée.")
@click.option("--scenarios", type=int, default=500, show_default=True)
@click.option("--publish", is_flag=True, help="Publier le plan aux fermes.")
@with_appcontext
def plan_command(year: int, output: str | None, service_level: float, max_share: float,
                 advance_share: float, scenarios: int, publish: bool) -> None:
    """Solve the plan of the season starting YEAR (accepted proposals locked)."""
    from pial.season import services
    from pial.season.xlsx import plan_workbook

    choices = services.PlanChoices(
        service_level=Decimal(str(service_level)), max_share=Decimal(str(max_share)),
        advance_share=Decimal(str(advance_share)), scenarios=scenarios)
    try:
        plan = services.solve_season_plan(None, year, choices)
        if publish:
            services.publish_plan(None, plan.id)
    except ServiceError as error:
        raise click.ClickException(str(error)) from error
    view = services.plan_view(plan)
    click.echo(
        f"Plan n°{plan.sequence} de la saison {view.window.code} : statut {plan.status.value}, "
        f"{len(plan.lines)} lignes, {plan.scenarios} scénarios, demande couverte dans "
        f"{_percent(plan.met_share)} des semaines-produit (visé : "
        f"{_percent(float(plan.service_level))}), calcul {plan.solve_s:.1f} s"
        f"{UNSETTLED if plan.status.value == 'feasible' else ''}.")
    click.echo(f"Demande attendue {plan.demand_eur} €, planifié {plan.planned_eur} € ; "
               f"le fonds peut avancer {view.fund_available_eur} €.")
    for row in view.farms:
        click.echo(f"  {row.farm.name:<30} {row.planned_eur:>10} € ({_percent(float(row.share))},"
                   f" convenu {_percent(float(row.target_share))}), avance proposée "
                   f"{row.proposed_advance_eur} €")
    short = [row for row in view.products if row.gap > 0 and row.met_share < float(
        plan.service_level) - 0.02]
    if short:
        click.echo("Produits sous le niveau de service (capacités insuffisantes) : " + ", ".join(
            f"{row.product.name_fr} ({_percent(row.met_share)})" for row in short[:12]))
    if output:
        with open_private(output) as stream:
            plan_workbook(plan, view, services.plan_lines(plan), stream)
        click.echo(f"Plan écrit dans {output}.")


@season_group.command("commit")
@click.argument("lot", type=int)
@click.option("--confidence", type=click.Choice(["0.90", "0.95", "0.99"]), default=None,
              help="Confiance de l'engagement (défaut : celle du lot).")
@click.option("--draws", type=int, default=10_000, show_default=True,
              help="Saisons simulées.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Classeur .xlsx de la réponse à joindre à l'offre.")
@with_appcontext
def commit_command(lot: int, confidence: str | None, draws: int, output: str | None) -> None:
    """Answer « can we commit? » for tender LOT (its id) and print the answer."""
    from pial.season import tenders
    from pial.season.xlsx import answer_workbook

    try:
        answered = tenders.answer_lot(None, lot, Decimal(confidence) if confidence else None,
                                      draws=draws)
    except (ServiceError, UploadRefused) as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"{answered.title} ({tenders.buyer_name(answered)}), {answered.years} an(s) : "
               f"{answered.draws} saisons simulées en {answered.answer_s or 0:.2f} s, "
               f"engagement à {_percent(float(answered.confidence))}.")
    click.echo(f"  {'Produit':<24} {'estimé':>9} {'90 %':>9} {'95 %':>9} {'99 %':>9} "
               f"{'engagé':>9} {'manque':>8} {'prix':>6}")
    for line in answered.lines:
        click.echo(f"  {line.product.name_fr:<24} {line.yearly_estimate:>9.0f} "
                   f"{line.volume_90:>9.0f} {line.volume_95:>9.0f} {line.volume_99:>9.0f} "
                   f"{line.committed_quantity:>9.0f} {line.expected_shortfall:>8.1f} "
                   f"{line.price_eur:>6}")
    click.echo(f"Valeur annuelle engagée : {tenders.lot_value_eur(answered)} € ; membres :")
    for member in tenders.member_values(answered):
        click.echo(f"  {member.farm.name:<30} {member.value_eur:>10} € "
                   f"({_percent(float(member.share))})")
    if output:
        with open_private(output) as stream:
            answer_workbook(answered, tenders.buyer_name(answered),
                            tenders.delivery_days_text(answered),
                            tenders.member_values(answered), stream)
        click.echo(f"Réponse écrite dans {output}.")
