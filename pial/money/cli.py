"""``pial money``: accrue delivered weeks from the command line."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from pial.errors import ServiceError
from pial.money.accrual import accrue_delivered_weeks, accrue_week


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
