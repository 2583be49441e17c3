"""``pial export ma-cantine``: a canteen's purchases of a period, or every canteen's (a zip)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
from flask.cli import with_appcontext

from pial.egalim import services
from pial.errors import ServiceError
from pial.files import open_private
from pial.spreadsheets.cli import _fail as fail  # the export group's French refusal, exit 1


@click.command("ma-cantine")
@click.argument("canteen_id", required=False, type=int)
@click.option("--du", "start", type=click.DateTime(["%Y-%m-%d"]), required=True,
              help="Premier jour (AAAA-MM-JJ).")  # fmt: skip
@click.option("--au", "end", type=click.DateTime(["%Y-%m-%d"]), required=True,
              help="Dernier jour inclus (AAAA-MM-JJ).")  # fmt: skip
@click.option("--malgre-chevauchement", "confirm_overlap", is_flag=True,
              help="Exporter même si la période recouvre un export déjà fait.")  # fmt: skip
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@with_appcontext
def macantine_command(
    canteen_id: int | None, start: dt.datetime, end: dt.datetime, confirm_overlap: bool,
    output: Path,
) -> None:  # fmt: skip
    """Write CANTEEN_ID's purchases (every canteen's, zipped, without it) for ma-cantine."""
    try:
        if canteen_id is None:
            written = services.export_all_macantine(start.date(), end.date(), None,
                                                    confirm_overlap=confirm_overlap)
        else:
            written = services.export_macantine(canteen_id, start.date(), end.date(), None,
                                                confirm_overlap=confirm_overlap)
    except ServiceError as error:
        fail(error)
        return
    with open_private(output) as stream:  # personal data: owner-only
        stream.write(written.content)
    click.echo(f"{written.rows} achats de {len(written.logged)} cantine(s) écrits dans {output}.")
