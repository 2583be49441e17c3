"""``pial rounds WEEK [--day DATE] [-o rounds.json]``, ``pial rounds check rounds.json`` and
``pial rounds season [FROM]``."""

from __future__ import annotations

import datetime as dt
import json

import click
from flask.cli import with_appcontext

from pial.errors import ServiceError


@click.command("rounds")
@click.argument("week_or_check")
@click.argument("document", required=False)
@click.option("--day", "day_text", default=None, help="Jour de livraison (AAAA-MM-JJ).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Fichier JSON des tournées (format pial-rounds-result/1).")
@with_appcontext
def rounds_command(week_or_check: str, document: str | None, day_text: str | None,
                   output: str | None) -> None:
    """Plan the rounds of a published WEEK (e.g. 2026-W48), `check` a rounds file, or sum
    the `season`'s savings (optionally from a date)."""
    from pial.rounds import services

    if week_or_check == "check":
        _check(document)
        return
    if week_or_check == "season":
        _season(document)
        return
    try:
        if day_text is not None:
            try:
                day = dt.date.fromisoformat(day_text)
            except ValueError:
                raise click.BadParameter(f"« {day_text} » n'est pas une date AAAA-MM-JJ",
                                         param_hint="--day") from None
            days = [services.day_rounds(week_or_check, day)]
        else:
            days = services.week_rounds(week_or_check)
    except ServiceError as error:
        raise click.ClickException(str(error)) from error
    for rounds in days:
        pooled, alone = rounds.result.pooled, rounds.result.baseline
        assert pooled is not None and alone is not None
        click.echo(f"{rounds.day:%d/%m/%Y} : {pooled.num_routes} tournées, "
                   f"{pooled.distance_km:.0f} km, {pooled.duration_min / 60:.1f} h, "
                   f"{pooled.co2_kg:.0f} kg CO2, {pooled.cost_eur:.2f} € — chacun seul : "
                   f"{alone.num_routes} tournées, {alone.distance_km:.0f} km, "
                   f"{alone.duration_min / 60:.1f} h, {alone.co2_kg:.0f} kg CO2, "
                   f"{alone.cost_eur:.2f} €")
        for line, reason in rounds.unserved:
            click.echo(f"  non servie : {line.product.name_fr} de {line.farm.name} pour "
                       f"{line.canteen.name} — {reason}")
    if output is not None:
        documents = [rounds.document() for rounds in days]
        with open(output, "w", encoding="utf-8") as file:
            json.dump(documents[0] if len(documents) == 1 else documents, file,
                      ensure_ascii=False, indent=2)
        click.echo(f"Tournées écrites dans {output}.")


def _season(first_day_text: str | None) -> None:
    """Print each published week's pooled rounds next to each grower alone, and the total.

    The figures are those of the « Économies des tournées » page: a week whose fees are
    accrued is read from its snapshot, the others are planned on demand (« prévisionnel »).
    """
    from pial.rounds import costs

    first_day = None
    if first_day_text is not None:
        try:
            first_day = dt.date.fromisoformat(first_day_text)
        except ValueError:
            raise click.BadParameter(f"« {first_day_text} » n'est pas une date AAAA-MM-JJ",
                                     param_hint="DEPUIS") from None
    days = [day for day in costs.season_day_savings(None).days
            if first_day is None or day.day >= first_day]
    if not days:
        raise click.ClickException("aucune semaine publiée")
    weeks: dict[str, costs.SeasonSavings] = {}
    for day in days:
        weeks.setdefault(day.iso_week, costs.SeasonSavings(None)).days.append(day)
    for iso_week, week in weeks.items():
        click.echo(f"{iso_week} : {week.total('pooled_km'):.0f} km mutualisés contre "
                   f"{week.total('alone_km'):.0f} km chacun seul, "
                   f"{week.total('pooled_cost_eur'):.2f} € contre "
                   f"{week.total('alone_cost_eur'):.2f} €"
                   + (" (prévisionnel)" if week.has_forecast else ""))
    season = costs.SeasonSavings(None, days)
    pooled_km, alone_km = float(season.total("pooled_km")), float(season.total("alone_km"))
    click.echo(
        f"Saison ({len(weeks)} semaines) : {pooled_km:.0f} km contre {alone_km:.0f} km "
        f"({alone_km - pooled_km:.0f} km économisés), "
        f"{season.total('pooled_min') / 60:.1f} h contre "
        f"{season.total('alone_min') / 60:.1f} h, "
        f"{season.total('pooled_co2_kg'):.0f} kg CO2 contre "
        f"{season.total('alone_co2_kg'):.0f} kg, "
        f"{season.total('pooled_cost_eur'):.2f} € contre "
        f"{season.total('alone_cost_eur'):.2f} €."
    )


def _check(path: str | None) -> None:
    """Verify every rule of a rounds file; exit 1 listing the broken ones."""
    from pial.rounds import seam, services

    if path is None:
        raise click.UsageError("pial rounds check FICHIER.json")
    try:
        with open(path, encoding="utf-8") as file:
            data = json.load(file)
    except (OSError, ValueError) as error:
        raise click.ClickException(f"{path} : lecture impossible ({error})") from None
    documents = data if isinstance(data, list) else [data]
    broken = []
    for document in documents:
        try:
            broken += services.check_rounds_document(document)
        except seam.FormatError as error:
            raise click.ClickException(f"{path} : " + " ; ".join(error.errors)) from None
    if broken:
        for message in broken:
            click.echo(message)
        raise SystemExit(1)
    click.echo("OK")
