"""``pial money``: accrue delivered weeks and reconcile every money document."""

from __future__ import annotations

import datetime as dt
import sys

import click
from flask.cli import with_appcontext

from pial.errors import ServiceError
from pial.money.accrual import accrue_delivered_weeks, accrue_week
from pial.money.reconcile import reconcile


@click.group("money")
def money_group() -> None:
    """Frais, fonds de développement et avances."""


@money_group.command("accrue")
@click.argument("iso_week", required=False)
@with_appcontext
def accrue_command(iso_week: str | None) -> None:
    """Accrue the fee, fund and advance recoveries of ISO_WEEK (default: every delivered week)."""
    try:
        reports = [accrue_week(iso_week)] if iso_week else accrue_delivered_weeks()
    except ServiceError as error:
        raise click.ClickException(str(error)) from error
    for report in reports:
        click.echo(report.describe())
    if not reports:
        click.echo("Aucune semaine livrée à comptabiliser.")


@money_group.command("reconcile")
@click.option("--from", "first", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Premier jour (AAAA-MM-JJ) ; le mois entier est comparé.")
@click.option("--to", "last", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Dernier jour (AAAA-MM-JJ) ; le mois entier est comparé.")
@with_appcontext
def reconcile_command(first: dt.datetime | None, last: dt.datetime | None) -> None:
    """Compare notes, receptions, statements, invoices, fee and fund; exit 1 on a difference."""
    result = reconcile(first.date() if first else None, last.date() if last else None)
    for difference in result.differences:
        click.echo(difference.describe())
    months = ", ".join(f"{month:%Y-%m}" for month in result.months) or "aucun mois livré"
    click.echo(f"{result.compared} comparaison(s) sur {months} : "
               f"{len(result.differences)} écart(s).")
    if result.differences:
        sys.exit(1)
