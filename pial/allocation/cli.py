"""``pial allocate``, ``pial publish``, ``pial export-instance`` and ``pial export-result``."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from pial.allocation import services
from pial.allocation.runs import USABLE_STATUSES, get_run
from pial.errors import ServiceError
from pial.models import AllocationRun, WeekState
from pial.weeks.calendar import find_week
from pial.weeks.opening import close_week


def _fail(error: ServiceError) -> None:
    """Print a refusal in French and exit with status 1."""
    click.echo(f"Erreur : {error}", err=True)
    sys.exit(1)


def _latest_run_or_fail(iso_week: str) -> AllocationRun:
    """Return the week's latest run, or exit with a message when there is none."""
    try:
        run = get_run(iso_week)
    except ServiceError as error:
        _fail(error)
        raise  # unreachable: _fail exits
    if run is None:
        click.echo(f"Erreur : aucune répartition pour la semaine {iso_week}.", err=True)
        sys.exit(1)
    return run


@click.command("allocate")
@click.argument("week")
@with_appcontext
def allocate_command(week: str) -> None:
    """Run the allocation of WEEK (e.g. 2026-W48) and store the run.

    A week still open is closed first: the lead allocating from the command line is deciding
    that offers and orders are in (the scheduler closes weeks at their deadline instead).
    """
    try:
        found = find_week(week)
        if found is not None and found.state == WeekState.OPEN:
            close_week(found.iso_week, None)
            click.echo(f"Semaine {found.iso_week} close avant la répartition.")
        run = services.allocate_week(week, None)
    except ServiceError as error:
        _fail(error)
        return
    click.echo(
        f"Répartition n°{run.sequence} de {week} : statut {run.status.value}, "
        f"{len(run.lines)} lignes, servi {run.served_eur} € sur {run.ordered_eur} €, "
        f"{round(run.kg_km or 0)} kg·km, calcul {run.solve_s or 0:.2f} s."
    )
    if run.time_limit_reached:
        click.echo(
            "Temps de calcul maximal atteint : le calcul a pu être écourté, et une nouvelle "
            "répartition de la semaine pourrait différer (augmentez-le dans les paramètres de "
            "la plateforme)."
        )
    if run.status not in USABLE_STATUSES:
        click.echo(run.error_message or "", err=True)
        sys.exit(1)


@click.command("publish")
@click.argument("week")
@click.option("--run", "run_id", type=int, default=None, help="Identifiant de la répartition.")
@with_appcontext
def publish_command(week: str, run_id: int | None) -> None:
    """Publish the latest run of WEEK (or --run ID) as the week's planning."""
    try:
        run = services.publish_week(week, None, run_id)
    except ServiceError as error:
        _fail(error)
        return
    click.echo(f"Planning de {week} publié : version {run.published_version} "
               f"(répartition n°{run.sequence}).")


@click.command("export-instance")
@click.argument("week")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default="-",
              show_default=True, help="Fichier JSON, ou - pour la sortie standard.")
@with_appcontext
def export_instance_command(week: str, output: str) -> None:
    """Write the exact instance (pial-allocation/1) that the latest run of WEEK solved."""
    run = _latest_run_or_fail(week)
    with click.open_file(output, "w", encoding="utf-8") as stream:
        stream.write(run.instance_json)


@click.command("export-result")
@click.argument("week")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default="-",
              show_default=True, help="Fichier JSON, ou - pour la sortie standard.")
@with_appcontext
def export_result_command(week: str, output: str) -> None:
    """Write the stored result (pial-allocation-result/1) of the latest run of WEEK."""
    run = _latest_run_or_fail(week)
    if run.result_json is None:
        click.echo(f"Erreur : la répartition n°{run.sequence} n'a pas de résultat "
                   f"({run.error_message}).", err=True)
        sys.exit(1)
    with click.open_file(output, "w", encoding="utf-8") as stream:
        stream.write(run.result_json)


COMMANDS = (allocate_command, publish_command, export_instance_command, export_result_command)
"""The commands ``init_app`` adds to ``pial``."""
