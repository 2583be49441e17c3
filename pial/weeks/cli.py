"""``pial week …``: list, open and close delivery weeks from the command line."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from pial.errors import ServiceError
from pial.navigation import week_state_label


@click.group("week")
def week_group() -> None:
    """Semaines de livraison : lister, ouvrir, clore."""


@week_group.command("list")
@with_appcontext
def list_command() -> None:
    """Print one line per week: ISO week, state."""
    from pial.weeks.calendar import list_weeks

    weeks = list_weeks()
    if not weeks:
        click.echo("Aucune semaine.")
    for week in weeks:
        click.echo(f"{week.iso_week}  {week.state.value:<10} {week_state_label(week.state)}")


@week_group.command("open")
@click.argument("iso_week")
@with_appcontext
def open_command(iso_week: str) -> None:
    """Open ISO_WEEK (e.g. 2026-W48) and copy the standing orders into it."""
    from pial.weeks.opening import open_week

    try:
        week = open_week(iso_week)
    except ServiceError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Semaine {week.iso_week} ouverte ({len(week.order_lines)} lignes de commande).")


@week_group.command("close")
@click.argument("iso_week")
@with_appcontext
def close_command(iso_week: str) -> None:
    """Close ISO_WEEK: offers and orders are no longer accepted."""
    from pial.weeks.opening import close_week

    try:
        week = close_week(iso_week)
    except ServiceError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Semaine {week.iso_week} close.")


@week_group.command("close-due")
@with_appcontext
def close_due_command() -> None:
    """Close the open weeks whose offer and order deadlines have passed."""
    from pial.weeks.opening import close_due_weeks

    closed = close_due_weeks()
    for week in closed:
        click.echo(f"Semaine {week.iso_week} close.")
    if not closed:
        click.echo("Aucune semaine à clore.")
