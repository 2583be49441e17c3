"""The weekly rhythm: scheduled jobs run exactly once, and the lead's page to watch them."""

from __future__ import annotations

import datetime as dt

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_babel import lazy_gettext as _l

from pial import clock
from pial.access import register_blueprint
from pial.models import Role
from pial.navigation import add_navigation
from pial.process import stop_on_interrupt_or_terminate
from pial.scheduler.blueprint import ACCESS_RULES, blueprint
from pial.scheduler.jobs import JOB_LABELS, JOBS
from pial.scheduler.runner import next_fire_times, run_due_jobs, run_once
from pial.scheduler.service import run_blocking_scheduler, start_background_scheduler

__all__ = ["init_app", "start_background_scheduler"]


@click.command("scheduler")
@with_appcontext
def scheduler_command() -> None:
    """Run the scheduler as its own process (production: one of these, many web workers)."""
    click.echo("Planificateur démarré (Ctrl+C pour arrêter).")
    stop_on_interrupt_or_terminate()
    run_blocking_scheduler(current_app._get_current_object())  # type: ignore[attr-defined]


@click.group("jobs")
def jobs_group() -> None:
    """Travaux planifiés : liste, exécution."""


@jobs_group.command("list")
@with_appcontext
def jobs_list() -> None:
    """Show each job and its next fire time."""
    for job_id, moment in next_fire_times().items():
        when = moment.isoformat() if moment else "—"
        click.echo(f"{job_id:<24} {when:<27} {JOB_LABELS[job_id]}")


@jobs_group.command("run")
@click.argument("job_id")
@click.option("--at", "at_text", help="Heure de déclenchement nominale (ISO 8601, UTC par défaut).")
@with_appcontext
def jobs_run(job_id: str, at_text: str | None) -> None:
    """Run JOB_ID once for a fire time (default: now)."""
    if job_id not in JOBS:
        raise click.BadParameter(f"travail inconnu ; choisir parmi {', '.join(JOBS)}")
    moment = dt.datetime.fromisoformat(at_text) if at_text else clock.now().replace(microsecond=0)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    outcome = run_once(job_id, moment)
    if outcome.status is None:
        click.echo("Déjà exécuté pour cette heure : rien à faire.")
    else:
        click.echo(f"{outcome.status.value} : {outcome.summary}")


@jobs_group.command("due")
@with_appcontext
def jobs_due() -> None:
    """Run every due job occurrence not yet run (what the scheduler's heartbeat does)."""
    for outcome in run_due_jobs():
        state = outcome.status.value if outcome.status else "déjà fait"
        click.echo(f"{outcome.job_id} {outcome.scheduled_dt.isoformat()} {state} {outcome.summary}")


def init_app(app: Flask) -> None:
    """Register the scheduler page and commands."""
    register_blueprint(app, blueprint, ACCESS_RULES)
    add_navigation(app, _l("Planificateur"), "scheduler.overview", Role.LEAD, order=950)
    app.cli.add_command(scheduler_command)
    app.cli.add_command(jobs_group)
