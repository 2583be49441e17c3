"""E-mail notifications: French templates, per-user preferences, an outbox that loses nothing."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from pial.allocation.events import PlanPublished
from pial.events import subscribe
from pial.notifications.mailer import SmtpSettings, smtp_sender
from pial.notifications.messages import alert_contract_shortfalls, announce_planning
from pial.notifications.outbox import DeliveryReport, deliver_due_messages


def deliver_outbox() -> DeliveryReport:
    """Send the due messages of the outbox through the app's SMTP settings."""
    settings = SmtpSettings.from_config(current_app.config)
    return deliver_due_messages(smtp_sender(settings), settings.sender)


@click.command("send-mail")
@with_appcontext
def send_mail_command() -> None:
    """Send the e-mails waiting in the outbox now."""
    report = deliver_outbox()
    click.echo(
        f"{len(report.sent)} envoyé(s), {len(report.retried)} à réessayer, "
        f"{len(report.failed)} en échec définitif."
    )


def init_app(app: Flask) -> None:
    """Add the ``pial send-mail`` command; announce every published plan by e-mail."""
    app.cli.add_command(send_mail_command)
    subscribe(app, PlanPublished, announce_planning)
    subscribe(app, PlanPublished, alert_contract_shortfalls)
