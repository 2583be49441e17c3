"""Maintenance of the service: database backups and restores (`pial backup`, `pial restore`)."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from pial.maintenance.backups import BackupError, backup_database, restore_database


def default_backup_path(instance_path: str, database_url: str, moment: datetime) -> Path:
    """Return ``instance/backups/pial-YYYYmmdd-HHMMSS.<ext>`` for a backup taken at ``moment``."""
    suffix = ".sqlite3" if database_url.startswith("sqlite") else ".dump"
    return Path(instance_path) / "backups" / f"pial-{moment:%Y%m%d-%H%M%S}{suffix}"


@click.command("backup")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Fichier à écrire (par défaut : instance/backups/pial-<date>).",
)
@with_appcontext
def backup_command(output: Path | None) -> None:
    """Save the database to a file (online: the service may keep running)."""
    from pial.clock import now

    url = current_app.config["DATABASE_URL"]
    target = output or default_backup_path(current_app.instance_path, url, now())
    try:
        report = backup_database(url, target)
    except BackupError as error:
        click.echo(str(error), err=True)
        sys.exit(1)
    click.echo(f"Sauvegarde écrite : {report.path} ({report.size_bytes} octets).")


@click.command("restore")
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Ne pas demander de confirmation.")
@with_appcontext
def restore_command(source: Path, yes: bool) -> None:
    """Replace the database's content with a backup file."""
    if not yes:
        click.confirm("Remplacer TOUTES les données actuelles par cette sauvegarde ?", abort=True)
    try:
        restore_database(current_app.config["DATABASE_URL"], source)
    except BackupError as error:
        click.echo(str(error), err=True)
        sys.exit(1)
    click.echo("Restauration terminée.")


def init_app(app: Flask) -> None:
    """Add the backup and restore commands."""
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
