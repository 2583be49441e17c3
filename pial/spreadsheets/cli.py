"""``pial export planning|season`` and ``pial import availability|orders``.

``pial export ma-cantine`` joins the group from :mod:`pial.egalim.cli`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from pial.errors import InvalidInput, ServiceError
from pial.files import open_private
from pial.spreadsheets import services
from pial.spreadsheets.entry import AVAILABILITY, ORDERS


def _fail(error: ServiceError) -> None:
    """Print a refused action in French, with every listed problem, and exit 1."""
    click.echo(f"Erreur : {error}", err=True)
    if isinstance(error, InvalidInput):
        for messages in error.field_errors.values():
            for message in messages:
                click.echo(f"  - {message}", err=True)
    sys.exit(1)


@click.group("export")
def export_group() -> None:
    """Exporter des tableurs (planning, saison, achats ma-cantine)."""


@export_group.command("planning")
@click.argument("iso_week")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@with_appcontext
def export_planning_command(iso_week: str, output: Path) -> None:
    """Write the published planning workbook of ISO_WEEK (e.g. 2026-W48) to OUTPUT."""
    try:
        with open_private(output) as stream:
            data = services.export_planning(iso_week, stream)
    except ServiceError as error:
        output.unlink(missing_ok=True)
        _fail(error)
        return
    click.echo(f"Planning {data.iso_week} (version {data.version}, {len(data.lines)} lignes) "
               f"écrit dans {output}.")  # fmt: skip


@export_group.command("season")
@click.argument("season_code")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@with_appcontext
def export_season_command(season_code: str, output: Path) -> None:
    """Write every published line of SEASON_CODE (e.g. 2026-2027) and its pivots to OUTPUT."""
    try:
        with open_private(output) as stream:
            count = services.export_season(season_code, stream)
    except ServiceError as error:
        output.unlink(missing_ok=True)
        _fail(error)
        return
    click.echo(f"Saison {season_code} : {count} lignes écrites dans {output}.")


@click.group("import")
def import_group() -> None:
    """Importer des tableurs de disponibilités ou de commandes."""


def _import(path: Path, kind: str, user_email: str | None) -> None:
    """Import one file as ``user_email`` (default: the first lead account)."""
    try:
        actor = services.find_user(user_email) if user_email else services.default_lead()
        report = services.import_entry_file(path.read_bytes(), actor, expected_kind=kind)
    except ServiceError as error:
        _fail(error)
        return
    click.echo(f"{report.owner_name}, {report.iso_week} : {report.summary}")


_USER_OPTION = click.option(
    "--utilisateur", "user_email", default=None,
    help="Adresse du compte au nom duquel importer (par défaut : le responsable).",
)  # fmt: skip


@import_group.command("availability")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_USER_OPTION
@with_appcontext
def import_availability_command(path: Path, user_email: str | None) -> None:
    """Import a farm's availability template (all lines, or nothing if any is wrong)."""
    _import(path, AVAILABILITY, user_email)


@import_group.command("orders")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_USER_OPTION
@with_appcontext
def import_orders_command(path: Path, user_email: str | None) -> None:
    """Import a canteen's order template (all lines, or nothing if any is wrong)."""
    _import(path, ORDERS, user_email)
