"""``pial invoices``: issue a month's invoices and remind overdue ones from the command line."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from pial.errors import ServiceError
from pial.invoices.services import issue_month_invoices, parse_month, remind_overdue_invoices


@click.group("invoices")
def invoices_group() -> None:
    """Factures mensuelles et avoirs."""


@invoices_group.command("issue")
@click.argument("month")
@with_appcontext
def issue_command(month: str) -> None:
    """Issue the invoices of MONTH (2026-11) for the delivered lines not invoiced yet."""
    try:
        report = issue_month_invoices(parse_month(month))
    except ServiceError as error:
        raise click.ClickException(str(error)) from error
    click.echo(report.describe())


@invoices_group.command("remind")
@with_appcontext
def remind_command() -> None:
    """Mark unpaid invoices past due overdue and remind their buyers."""
    click.echo(f"{len(remind_overdue_invoices())} facture(s) en retard relancée(s).")
