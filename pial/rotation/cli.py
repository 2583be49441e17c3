"""``pial rotation generate FIRST LAST``: assign the coordinators of a range of weeks."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from pial.errors import ServiceError
from pial.rotation.services import generate_rotation


@click.group("rotation")
def rotation_group() -> None:
    """Rotation des coordinateurs."""


@rotation_group.command("generate")
@click.argument("first_week")
@click.argument("last_week")
@with_appcontext
def generate_command(first_week: str, last_week: str) -> None:
    """Assign active farms to the weeks FIRST..LAST (e.g. 2026-W45 2027-W26)."""
    try:
        assignments = generate_rotation(first_week, last_week, None)
    except ServiceError as error:
        raise click.ClickException(str(error)) from error
    for assignment in assignments:
        click.echo(f"{assignment.week.iso_week}  {assignment.farm.name}")
