"""Starting the scheduler: inside the web process (``pial demo``/``serve``) or on its own.

APScheduler keeps the rhythm with the jobs' cron triggers; each trigger, and a heartbeat every
few minutes, asks :func:`run_due_jobs`, which runs every due occurrence once (the database
decides), so a second scheduler process, a restart or a late wake-up never doubles a run.
The outbox is delivered by an interval job; its messages are claimed one by one.
"""

from __future__ import annotations

import logging
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask

from pial.clock import PARIS
from pial.notifications import deliver_outbox
from pial.scheduler.runner import current_timings, run_due_jobs

log = logging.getLogger(__name__)

HEARTBEAT_MINUTES = 5
MAIL_MINUTES = 2


def _in_app(app: Flask, what: str) -> None:
    """Run a scheduler callback in an app context, logging instead of raising."""
    with app.app_context():
        try:
            if what == "mail":
                deliver_outbox()
            else:
                for outcome in run_due_jobs():
                    if outcome.status is not None:
                        log.info("%s: %s", outcome.job_id, outcome.summary)
        except Exception:  # the scheduler must keep running; the failure is logged
            log.exception("scheduler callback %s failed", what)


def configure(scheduler: BaseScheduler, app: Flask) -> BaseScheduler:
    """Add the jobs' cron triggers, the heartbeat and the mail job to ``scheduler``."""
    with app.app_context():
        timings = current_timings()
    common: dict[str, Any] = {"coalesce": True, "max_instances": 1, "replace_existing": True}
    for timing in timings:
        scheduler.add_job(
            _in_app, timing.trigger, args=(app, "jobs"), id=timing.job_id,
            misfire_grace_time=int(timing.grace.total_seconds()), **common,
        )  # fmt: skip
    scheduler.add_job(
        _in_app, "interval", minutes=HEARTBEAT_MINUTES, args=(app, "jobs"), id="heartbeat",
        **common,
    )  # fmt: skip
    scheduler.add_job(
        _in_app, "interval", minutes=MAIL_MINUTES, args=(app, "mail"), id="mail", **common
    )
    return scheduler


def start_background_scheduler(app: Flask) -> BackgroundScheduler:
    """Start the scheduler in a thread of this process, after making up missed runs."""
    scheduler = BackgroundScheduler(timezone=PARIS)
    configure(scheduler, app)
    scheduler.start()
    # Catch up right away rather than at the first heartbeat.
    scheduler.add_job(_in_app, args=(app, "jobs"), id="catch-up")
    return scheduler


def run_blocking_scheduler(app: Flask) -> None:
    """Run the scheduler in the foreground until interrupted (``pial scheduler``)."""
    scheduler = BlockingScheduler(timezone=PARIS)
    configure(scheduler, app)
    scheduler.add_job(_in_app, args=(app, "jobs"), id="catch-up")
    scheduler.start()
