"""The ``pial`` command: the Flask CLI with the PIAL app loaded, plus the core commands.

Features add their own commands in their ``init_app`` (``app.cli.add_command``), so this
module only holds what concerns the whole service: the database, the demo and the server.
"""

from __future__ import annotations

import sys

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from pial.app import create_app
from pial.db import close_session
from pial.process import stop_on_interrupt_or_terminate

SERVER_THREADS = 4  # Waitress's default


@click.group(cls=FlaskGroup, create_app=create_app, add_default_commands=False)
def cli() -> None:
    """PIAL — coordination des approvisionnements (plateforme d'intermédiation alimentaire)."""


@cli.group("db")
def db_group() -> None:
    """Schéma de la base de données (migrations Alembic)."""


@db_group.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="Révision cible.")
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Apply the migrations up to REVISION."""
    from pial.migrations import upgrade_database

    upgrade_database(current_app.config["DATABASE_URL"], revision)
    click.echo(f"Base de données à jour ({revision}).")


@db_group.command("check")
@with_appcontext
def db_check() -> None:
    """Compare the migrated schema with the models; exit 1 on drift."""
    from pial.migrations import check_database

    drift = check_database(current_app.config["DATABASE_URL"])
    if drift:
        click.echo("Écarts entre le schéma et les modèles :", err=True)
        for line in drift:
            click.echo(f"  - {line}", err=True)
        sys.exit(1)
    click.echo("Schéma conforme aux modèles : aucun écart.")


@cli.command("seed-demo")
@click.option("--force", is_flag=True, help="Charger même si la base contient déjà des données.")
@with_appcontext
def seed_demo_command(force: bool) -> None:
    """Load the demo territory (Comminges–Luchon) into an empty database."""
    from pial.demo import seed_demo

    summary = seed_demo(force=force, progress=click.echo)
    click.echo(summary.describe())


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
# More threads than Waitress's default mostly wait for the GIL between their database round
# trips on a small machine (measured with benchmarks/load.py: docs/benchmarks.md).
@click.option("--threads", default=SERVER_THREADS, show_default=True, type=int)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(min=1),
    help="Processus web (plus d'un : gunicorn, sans planificateur ; un par cœur en production).",
)
@click.option(
    "--scheduler/--no-scheduler",
    default=True,
    show_default=True,
    help="Faire tourner le planificateur dans ce processus.",
)
@with_appcontext
def serve_command(host: str, port: int, threads: int, workers: int, scheduler: bool) -> None:
    """Serve the app: Waitress in this process (and the scheduler unless told otherwise), or
    several gunicorn worker processes."""
    if workers == 1:
        _serve(host, port, threads, scheduler)
        return
    if scheduler:
        raise click.UsageError(
            "Avec plusieurs processus web, le planificateur tourne à part (« pial scheduler », "
            "un seul pour tout le service) : ajoutez --no-scheduler."
        )
    _serve_workers(host, port, threads, workers)


@cli.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@with_appcontext
def demo_command(host: str, port: int) -> None:
    """Migrate the SQLite database, load the demo if empty, and serve it."""
    from pial.demo import demo_accounts, seed_demo
    from pial.migrations import upgrade_database

    app = current_app
    upgrade_database(app.config["DATABASE_URL"])
    summary = seed_demo(force=False, progress=click.echo)
    click.echo(summary.describe())
    click.echo("\nComptes de démonstration (mot de passe commun indiqué) :")
    for account in demo_accounts():
        click.echo(f"  {account.role:<8} {account.email:<40} {account.password}")
    click.echo(f"\nPIAL est servi sur http://{host}:{port}/ — Ctrl+C pour arrêter.")
    _serve(host, port, threads=SERVER_THREADS, with_scheduler=app.config["SCHEDULER_ENABLED"])


def _serve(host: str, port: int, threads: int, with_scheduler: bool) -> None:
    """Run Waitress in this process, with the scheduler alongside when asked."""
    from waitress import serve

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    use_served_address(app, host, port)
    # The command's own session lives as long as the server: it must hold no transaction.
    close_session()
    stop_on_interrupt_or_terminate()
    scheduler = None
    if with_scheduler:
        from pial.scheduler import start_background_scheduler

        scheduler = start_background_scheduler(app)
    try:
        serve(app, host=host, port=port, threads=threads, ident="PIAL")  # until a stop signal
    except KeyboardInterrupt:
        pass  # the signal came before Waitress took it over
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=False)
    click.echo("\nArrêt demandé : PIAL s'arrête.")


def use_served_address(app: Flask, host: str, port: int) -> None:
    """Have e-mail links point at the address served, unless PIAL_BASE_URL says otherwise."""
    if app.config.get("PIAL_BASE_URL_SET"):
        return
    shown_host = "127.0.0.1" if host in {"0.0.0.0", "::", ""} else host
    if ":" in shown_host:
        shown_host = f"[{shown_host}]"
    app.config["PIAL_BASE_URL"] = f"http://{shown_host}:{port}"


def _serve_workers(host: str, port: int, threads: int, workers: int) -> None:
    """Run gunicorn: ``workers`` processes of ``threads`` threads, each with its own GIL."""
    from gunicorn.app.base import BaseApplication

    from pial.db import get_database

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    use_served_address(app, host, port)

    def after_fork(_server: object, _worker: object) -> None:
        # A forked worker must not share the parent's database connections.
        get_database(app).engine.dispose(close=False)

    settings = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        # Idle keep-alive connections stay open as long as Waitress keeps them (its channel
        # timeout is 120 s) and as nginx does by default, rather than gunicorn's 2 s.
        "keepalive": 75,
        "post_fork": after_fork,
        "proc_name": "pial",
        # No management socket in the home folder: two services on one host would share it.
        "control_socket_disable": True,
    }

    class Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for name, value in settings.items():
                self.cfg.set(name, value)

        def load(self) -> object:
            return app

    Server().run()


def main() -> None:
    """Run the ``pial`` console script."""
    cli.main(prog_name="pial")
